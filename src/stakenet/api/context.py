"""The typed context every resolver receives: the services and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from stakenet.api.loaders import Loaders
from stakenet.services.container import Services


@dataclass(slots=True)
class Context:
    services: Services
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.services.network)
