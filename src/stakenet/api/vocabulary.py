"""The network's vocabulary as data: what each tie kind means, read from the domain's `TIE_RULES`.

Clients such as the explorer learn tie kinds, their words, groups and direction from here rather
than naming them, so a new kind reaches them without a change; production mode serves no
introspection, so the schema itself cannot tell them.
"""

from __future__ import annotations

from enum import Enum
from typing import cast

import strawberry

from stakenet.api.caching import CACHEABLE
from stakenet.api.types import StakeholderKind, TieKind
from stakenet.domain import model

OTHER_GROUP = "OTHER"

_GROUPS = [(role.name, role.value) for role in model.TieRole] + [(OTHER_GROUP, OTHER_GROUP)]
TieGroup = strawberry.enum(
    cast("type[Enum]", Enum("TieGroup", _GROUPS)),
    description="What a tie kind says about its ends, for grouping kinds alike by meaning; "
    "OTHER for kinds without such a role.",
)


@strawberry.type(description="One tie kind: its words, group, direction and rules.")
class TieKindInfo:
    kind: TieKind = strawberry.field(description="The tie kind.")  # type: ignore[valid-type]
    label: str = strawberry.field(
        description='How it reads between its source and target, e.g. "works for".'
    )
    group: TieGroup = strawberry.field(  # type: ignore[valid-type]
        description="The group of kinds alike in meaning it belongs to."
    )
    symmetric: bool = strawberry.field(description="True if it reads the same both ways.")
    default_strength: float = strawberry.field(
        description="The strength assumed when none is declared or observed, 0..1."
    )
    source_kinds: list[StakeholderKind] = strawberry.field(  # type: ignore[valid-type]
        description="The stakeholder kinds it may start from."
    )
    target_kinds: list[StakeholderKind] = strawberry.field(  # type: ignore[valid-type]
        description="The stakeholder kinds it may lead to."
    )
    source_must_be_internal: bool = strawberry.field(
        description="True if its source must be one of our own people."
    )


def _in_order(kinds: frozenset[model.StakeholderKind]) -> list[model.StakeholderKind]:
    return [kind for kind in model.StakeholderKind if kind in kinds]


def tie_kind_info(kind: model.TieKind, rule: model.TieRule) -> TieKindInfo:
    return TieKindInfo(
        kind=kind,
        label=rule.label,
        group=TieGroup[rule.role.name if rule.role else OTHER_GROUP],
        symmetric=rule.symmetric,
        default_strength=rule.default_strength,
        source_kinds=_in_order(rule.sources),
        target_kinds=_in_order(rule.targets),
        source_must_be_internal=rule.source_must_be_internal,
    )


TIE_KIND_INFOS = tuple(tie_kind_info(kind, rule) for kind, rule in model.TIE_RULES.items())


@strawberry.type
class VocabularyQuery:
    @strawberry.field(
        description="Every tie kind with its words, group and rules, in the order of `TieKind`.",
        metadata=CACHEABLE,
    )
    def tie_kinds(self) -> list[TieKindInfo]:
        return list(TIE_KIND_INFOS)
