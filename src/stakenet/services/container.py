"""The services one running stakenet offers, handed to the API as one object."""

from __future__ import annotations

from dataclasses import dataclass, field

from stakenet.services.access import AccessService
from stakenet.services.analytics import AnalyticsService
from stakenet.services.network import NetworkService
from stakenet.services.settings import Settings

__all__ = ["Services", "Settings"]


@dataclass(slots=True)
class Services:
    network: NetworkService
    analytics: AnalyticsService
    access: AccessService
    settings: Settings = field(default_factory=Settings)

    @classmethod
    def around(cls, network: NetworkService, settings: Settings | None = None) -> Services:
        settings = settings or Settings()
        analytics = AnalyticsService(network, debounce=settings.analytics_debounce)
        access = AccessService(network.store)
        return cls(network=network, analytics=analytics, access=access, settings=settings)
