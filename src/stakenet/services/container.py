"""The services one running stakenet offers, handed to the API as one object."""

from __future__ import annotations

from dataclasses import dataclass, field

from stakenet.services.network import NetworkService


@dataclass(slots=True)
class Settings:
    """Behaviour switches the API reads; the composition root fills them from flags."""

    production: bool = False
    poll_interval: float = 0.5


@dataclass(slots=True)
class Services:
    network: NetworkService
    settings: Settings = field(default_factory=Settings)
