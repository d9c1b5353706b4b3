"""The services one running stakenet offers, handed to the API as one object."""

from __future__ import annotations

from dataclasses import dataclass, field

from stakenet.services.access import AccessService
from stakenet.services.alerts import AlertService
from stakenet.services.analytics import AnalyticsService
from stakenet.services.network import NetworkService
from stakenet.services.settings import Settings
from stakenet.store.port import AlertLog

__all__ = ["Services", "Settings"]


@dataclass(slots=True)
class Services:
    network: NetworkService
    analytics: AnalyticsService
    access: AccessService
    alerts: AlertService
    settings: Settings = field(default_factory=Settings)

    @classmethod
    def around(
        cls,
        network: NetworkService,
        settings: Settings | None = None,
        alert_log: AlertLog | None = None,
    ) -> Services:
        """The services over `network`; alerts go to `alert_log`, by default the network's
        store (each adapter is an `AlertLog` too)."""
        settings = settings or Settings()
        analytics = AnalyticsService(network, debounce=settings.analytics_debounce)
        access = AccessService(network.store)
        if alert_log is None:
            if not isinstance(network.store, AlertLog):
                raise TypeError(f"{network.store!r} keeps no alerts; pass an alert log.")
            alert_log = network.store
        alerts = AlertService(analytics, alert_log)
        return cls(
            network=network, analytics=analytics, access=access, alerts=alerts, settings=settings
        )
