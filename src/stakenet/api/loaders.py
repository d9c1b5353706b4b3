"""Per-request DataLoaders: each batches the lookups of one request into one store call."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from stakenet.domain.model import Interaction, Stakeholder, Tie
from stakenet.services.network import NetworkService


class StakeholderByIdLoader(DataLoader[str, Stakeholder | None]):
    def __init__(self, network: NetworkService) -> None:
        async def load(ids: Sequence[str]) -> list[Stakeholder | None]:
            return await network.stakeholders(list(ids))

        super().__init__(load_fn=load)


class StakeholderByKeyLoader(DataLoader[str, Stakeholder | None]):
    def __init__(self, network: NetworkService) -> None:
        async def load(keys: Sequence[str]) -> list[Stakeholder | None]:
            return await network.stakeholders_by_key(list(keys))

        super().__init__(load_fn=load)


class TieByIdLoader(DataLoader[str, Tie | None]):
    def __init__(self, network: NetworkService) -> None:
        async def load(ids: Sequence[str]) -> list[Tie | None]:
            return await network.ties(list(ids))

        super().__init__(load_fn=load)


class InteractionByIdLoader(DataLoader[str, Interaction | None]):
    def __init__(self, network: NetworkService) -> None:
        async def load(ids: Sequence[str]) -> list[Interaction | None]:
            return await network.interactions(list(ids))

        super().__init__(load_fn=load)


class Loaders:
    """The loaders of one request; never shared between requests (or users)."""

    def __init__(self, network: NetworkService) -> None:
        self.stakeholder_by_id = StakeholderByIdLoader(network)
        self.stakeholder_by_key = StakeholderByKeyLoader(network)
        self.tie_by_id = TieByIdLoader(network)
        self.interaction_by_id = InteractionByIdLoader(network)
