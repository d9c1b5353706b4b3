"""The services one running stakenet offers, handed to the API as one object."""

from __future__ import annotations

from dataclasses import dataclass, field

from stakenet.services.analytics import AnalyticsService
from stakenet.services.network import NetworkService


@dataclass(slots=True)
class Settings:
    """Behaviour switches the API reads; the composition root fills them from flags."""

    production: bool = False
    poll_interval: float = 0.5
    analytics_debounce: float = 0.3


@dataclass(slots=True)
class Services:
    network: NetworkService
    analytics: AnalyticsService
    settings: Settings = field(default_factory=Settings)

    @classmethod
    def around(cls, network: NetworkService, settings: Settings | None = None) -> Services:
        settings = settings or Settings()
        analytics = AnalyticsService(network, debounce=settings.analytics_debounce)
        return cls(network=network, analytics=analytics, settings=settings)
