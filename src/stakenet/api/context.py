"""The typed context every resolver receives: the services and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from stakenet.api.loaders import Loaders
from stakenet.domain.access import LOCAL_USER, Principal
from stakenet.services.container import Services


@dataclass(slots=True)
class Context:
    services: Services
    # None only on a WebSocket whose token has yet to come in `connection_init`.
    principal: Principal | None = LOCAL_USER
    connection_params: dict[str, object] | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.services.network)
