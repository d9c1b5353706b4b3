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


class TiesByStakeholderLoader(DataLoader[str, list[Tie]]):
    """All ties of each stakeholder, for nested `ties` fields: one store call per request."""

    def __init__(self, network: NetworkService) -> None:
        async def load(ids: Sequence[str]) -> list[list[Tie]]:
            found: dict[str, list[Tie]] = {i: [] for i in ids}
            for tie in await network.ties_of(list(ids)):
                for end in {tie.source_id, tie.target_id}:
                    if end in found:
                        found[end].append(tie)
            return [found[i] for i in ids]

        super().__init__(load_fn=load)


class InteractionsByStakeholderLoader(DataLoader[str, list[Interaction]]):
    """Each stakeholder's interactions, newest first: one store call per request."""

    def __init__(self, network: NetworkService) -> None:
        async def load(ids: Sequence[str]) -> list[list[Interaction]]:
            found: dict[str, list[Interaction]] = {i: [] for i in ids}
            for interaction in await network.interactions_of(list(ids)):
                for participant in interaction.participant_ids:
                    if participant in found:
                        found[participant].append(interaction)
            return [found[i] for i in ids]

        super().__init__(load_fn=load)


class Loaders:
    """The loaders of one request; never shared between requests (or users)."""

    def __init__(self, network: NetworkService) -> None:
        self.stakeholder_by_id = StakeholderByIdLoader(network)
        self.stakeholder_by_key = StakeholderByKeyLoader(network)
        self.tie_by_id = TieByIdLoader(network)
        self.interaction_by_id = InteractionByIdLoader(network)
        self.ties_by_stakeholder = TiesByStakeholderLoader(network)
        self.interactions_by_stakeholder = InteractionsByStakeholderLoader(network)
