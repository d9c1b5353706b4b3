"""The services one running stakenet offers, handed to the API as one object; the
composition root (`bootstrap.py`) builds them."""

from __future__ import annotations

from dataclasses import dataclass, field

from stakenet.services.access import AccessService
from stakenet.services.alerts import AlertService
from stakenet.services.analytics import AnalyticsService
from stakenet.services.network import NetworkService
from stakenet.services.settings import Settings

__all__ = ["Services", "Settings"]


@dataclass(slots=True)
class Services:
    network: NetworkService
    analytics: AnalyticsService
    access: AccessService
    alerts: AlertService
    settings: Settings = field(default_factory=Settings)
