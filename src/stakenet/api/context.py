"""The typed context every resolver receives: the caller, the services, the loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from stakenet.api.loaders import Loaders
from stakenet.domain.access import Principal
from stakenet.services.container import Services


@dataclass(slots=True)
class Context:
    services: Services
    # The caller established at the edge. None only on a WebSocket whose token has yet to come
    # in `connection_init`; an operation never runs with None (it would run as nobody).
    principal: Principal | None
    over_websocket: bool = False
    client_address: str = "unknown"
    connection_params: dict[str, object] | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.services.network)
