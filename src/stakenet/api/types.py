"""The GraphQL object types: stakeholders, ties, interactions, maps and stats.

Each type wraps its domain entity in a private field; related entities are fetched through the
request's DataLoaders so a list of fifty stakeholders costs one store call, not fifty.
"""

from __future__ import annotations

import base64
import binascii
import functools
import operator
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.types.base import get_object_definition
from strawberry.types.nodes import SelectedField, Selection

from stakenet.api.context import Context
from stakenet.api.ids import entity_id, to_global_id
from stakenet.domain import interchange, model
from stakenet.domain.errors import Issue, StakenetError, ValidationFailed
from stakenet.domain.seniority import effective_seniority
from stakenet.services.access import visible_notes
from stakenet.services.analytics import METRICS
from stakenet.services.network import Direction as DomainDirection
from stakenet.services.network import PageRequest

Info = strawberry.Info[Context, None]
T = TypeVar("T")

StakeholderKind = strawberry.enum(model.StakeholderKind, description="What a stakeholder is.")
TieKind = strawberry.enum(model.TieKind, description="What a tie between two stakeholders means.")
Seniority = strawberry.enum(model.Seniority, description="A person's level, declared or inferred.")
DecisionRole = strawberry.enum(
    model.DecisionRole, description="A person's part in an organisation's buying decisions."
)
InteractionKind = strawberry.enum(model.InteractionKind, description="How people interacted.")
Evidence = strawberry.enum(model.Evidence, description="How we know a tie exists.")
ImportMode = strawberry.enum(
    interchange.ImportMode, description="What an imported row does to the record it matches."
)
OrganizationCategory = strawberry.enum(
    model.OrganizationCategory, description="What kind of organisation."
)
Direction = strawberry.enum(DomainDirection, description="Which ties: outgoing, incoming or both.")


Wrapper = TypeVar("Wrapper", bound="Node")


_COPIED_FIELDS: dict[type, tuple[tuple[str, ...], Callable[[object], tuple[Any, ...]]]] = {}


def _copied_fields(cls: type) -> tuple[tuple[str, ...], Callable[[object], tuple[Any, ...]]]:
    """The plain fields of an entity's GraphQL type, each read from the entity's own attribute,
    and a function reading them all from an entity at once.

    Plain fields (no resolver) are served by graphql-core without a resolver call, which is
    what makes long lists of stakeholders and ties cheap; only fields that compute or check
    something (notes, metrics, related entities) keep resolvers.
    """
    found = _COPIED_FIELDS.get(cls)
    if found is None:
        definition = get_object_definition(cls, strict=True)
        names = tuple(
            field.python_name
            for field in definition.fields
            if field.base_resolver is None and field.python_name not in ("id", "entity")
        )
        # One attrgetter call reads every field: a map wraps a couple of hundred entities.
        read_all = operator.attrgetter(*names) if len(names) > 1 else _one_field_reader(names)
        found = _COPIED_FIELDS[cls] = (names, read_all)
    return found


def _one_field_reader(names: tuple[str, ...]) -> Callable[[object], tuple[Any, ...]]:
    # attrgetter of a single name returns the value alone, not a tuple.
    return lambda entity: tuple(getattr(entity, name) for name in names)


def wrapped(
    cls: type[Wrapper], entity: model.Stakeholder | model.Tie | model.Interaction
) -> Wrapper:
    """The GraphQL object of type `cls` for a domain entity: its global id, the entity, and
    a copy of every plain field."""
    names, read_all = _copied_fields(cls)
    return cls(  # type: ignore[call-arg]
        id=strawberry.ID(to_global_id(cls.__name__, entity.id)),
        entity=entity,
        **dict(zip(names, read_all(entity), strict=True)),
    )


@strawberry.interface(description="An object with a globally unique, opaque id.")
class Node:
    id: strawberry.ID = strawberry.field(description="The global id of this object.")


def _stakeholder_metrics_type() -> type:
    """``StakeholderMetrics``: a field per published metric of the registry, then `revision`."""
    published = [m for m in METRICS if m.published]
    annotations: dict[str, object] = {
        m.name: (m.value_type | None) if m.nullable else m.value_type for m in published
    }
    fields: dict[str, object] = {
        m.name: strawberry.field(description=m.description) for m in published
    }
    annotations["revision"] = int
    fields["revision"] = strawberry.field(description="The graph revision these scores reflect.")
    annotations["as_of"] = datetime
    fields["as_of"] = strawberry.field(description="The instant the scores describe.")
    namespace = {"__annotations__": annotations, "__module__": __name__, **fields}
    return strawberry.type(
        type("StakeholderMetrics", (), namespace),
        description="Scores computed from the network at one analytics revision.",
    )


StakeholderMetrics = _stakeholder_metrics_type()


@strawberry.interface(description="A person, company, municipality or other organisation.")
class Stakeholder(Node):
    entity: strawberry.Private[model.Stakeholder]

    key: str | None = strawberry.field(
        description="The id in the source system (CRM id, CVR number …)."
    )

    kind: StakeholderKind = strawberry.field(  # type: ignore[valid-type]
        description="What this stakeholder is."
    )

    name: str = strawberry.field(description="Display name.")

    internal: bool = strawberry.field(description="True for our own organisation and colleagues.")

    tags: list[str] = strawberry.field(description="Free labels.")

    @strawberry.field(description="Private notes; null for viewers.")
    def notes(self) -> str | None:
        return visible_notes(self.entity.notes)

    created_at: datetime | None = strawberry.field(
        description="When this stakeholder was first stored."
    )

    updated_at: datetime | None = strawberry.field(
        description="When this stakeholder was last changed."
    )

    @strawberry.field(
        description=(
            "Centrality and influence; null until analytics have run. `asOf` scores the "
            "network as it stood at a past instant."
        ),
        graphql_type=StakeholderMetrics | None,
    )
    async def metrics(self, info: Info, as_of: datetime | None = None) -> object | None:
        found = await info.context.services.analytics.metrics_of(self.entity.id, as_of)
        if found is None:
            return None
        metrics = found.value
        published = {m.name: getattr(metrics, m.name) for m in METRICS if m.published}
        served: object = StakeholderMetrics(**published, revision=found.revision, as_of=found.as_of)
        return served

    @strawberry.field(description="This stakeholder's ties, filtered by kind and direction.")
    async def ties(
        self,
        info: Info,
        kinds: list[TieKind] | None = None,  # type: ignore[valid-type]
        direction: Direction = Direction.BOTH,  # type: ignore[valid-type]
        first: int = 50,
        after: str | None = None,
    ) -> TieConnection:
        own = self.entity.id
        wanted = set(kinds or ())
        ties = [
            tie
            for tie in await info.context.loaders.ties_by_stakeholder.load(own)
            if (not wanted or tie.kind in wanted)
            and (
                direction is DomainDirection.BOTH
                or (direction is DomainDirection.OUT and tie.source_id == own)
                or (direction is DomainDirection.IN and tie.target_id == own)
            )
        ]
        page, start, has_next = paginate(ties, first, after)
        return TieConnection(
            edges=[
                TieEdge(cursor=offset_cursor(start + i), node=tie_type(t))
                for i, t in enumerate(page)
            ],
            page_info=page_info(start, len(page), has_next),
            total_count=len(ties),
        )

    @strawberry.field(description="Interactions this stakeholder took part in, newest first.")
    async def interactions(
        self, info: Info, since: datetime | None = None, first: int = 20, after: str | None = None
    ) -> InteractionConnection:
        found = [
            i
            for i in await info.context.loaders.interactions_by_stakeholder.load(self.entity.id)
            if since is None or i.occurred_at >= since
        ]
        page, start, has_next = paginate(found, first, after)
        return InteractionConnection(
            edges=[
                InteractionEdge(cursor=offset_cursor(start + i), node=interaction_type(item))
                for i, item in enumerate(page)
            ],
            page_info=page_info(start, len(page), has_next),
            total_count=len(found),
        )


async def _tied(
    info: Info, own: str, kind: model.TieKind, *, outgoing: bool, today: date | None = None
) -> list[Stakeholder]:
    """The stakeholders at the other end of this stakeholder's current ties of one kind."""
    on = today or info.context.services.network.today()
    others = [
        tie.target_id if outgoing else tie.source_id
        for tie in await info.context.loaders.ties_by_stakeholder.load(own)
        if tie.kind is kind
        and (tie.source_id if outgoing else tie.target_id) == own
        and tie.is_current(on)
    ]
    found = await info.context.loaders.stakeholder_by_id.load_many(list(dict.fromkeys(others)))
    return sorted(
        (stakeholder_type(e) for e in found if e is not None), key=lambda s: s.entity.name
    )


@strawberry.type(description="A person: a contact, a decision-maker, or one of our own people.")
class Person(Stakeholder):
    @strawberry.field(description="Organisations this person currently works for.")
    async def employers(self, info: Info) -> list[Stakeholder]:
        return await _tied(info, self.entity.id, model.TieKind.WORKS_FOR, outgoing=True)

    @strawberry.field(description="The person this one reports to, if known.")
    async def reports_to(self, info: Info) -> Stakeholder | None:
        managers = await _tied(info, self.entity.id, model.TieKind.REPORTS_TO, outgoing=True)
        return managers[0] if managers else None

    @strawberry.field(description="People who report to this one.")
    async def direct_reports(self, info: Info) -> list[Stakeholder]:
        return await _tied(info, self.entity.id, model.TieKind.REPORTS_TO, outgoing=False)

    title: str | None = strawberry.field(description="Job title.")

    email: str | None = strawberry.field(description="E-mail address.")

    phone: str | None = strawberry.field(description="Telephone number.")

    @strawberry.field(description="Declared seniority, else inferred from the title.")
    def seniority(self) -> Seniority | None:  # type: ignore[valid-type]
        return effective_seniority(self.entity)


@strawberry.interface(description="An organisation people work for or sit on the board of.")
class Employer(Stakeholder):
    @strawberry.field(description="People who currently work for it, by name.")
    async def people(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> StakeholderConnection:
        staff = await _tied(info, self.entity.id, model.TieKind.WORKS_FOR, outgoing=False)
        page, start, has_next = paginate(staff, first, after)
        return StakeholderConnection(
            edges=[
                StakeholderEdge(cursor=offset_cursor(start + i), node=p) for i, p in enumerate(page)
            ],
            page_info=page_info(start, len(page), has_next),
            total_count=len(staff),
        )

    @strawberry.field(description="Current board members.")
    async def board_members(self, info: Info) -> list[Stakeholder]:
        return await _tied(info, self.entity.id, model.TieKind.BOARD_MEMBER_OF, outgoing=False)


@strawberry.type(description="A company: client, partner or supplier.")
class Company(Employer):
    industry: str | None = strawberry.field(description="Industry.")

    country: str | None = strawberry.field(description="Country code.")

    city: str | None = strawberry.field(description="City.")

    website: str | None = strawberry.field(description="Web site.")

    registration_number: str | None = strawberry.field(
        description="Company registration number (CVR in Denmark)."
    )


@strawberry.type(description="A municipality, where we work and whose authorities we deal with.")
class Municipality(Employer):
    code: str | None = strawberry.field(description="Official municipality code.")

    region: str | None = strawberry.field(description="Region.")

    country: str | None = strawberry.field(description="Country code.")

    population: int | None = strawberry.field(description="Number of inhabitants.")


@strawberry.type(description="Another organisation: agency, association, union, committee …")
class Organization(Employer):
    category: OrganizationCategory | None = strawberry.field(  # type: ignore[valid-type]
        description="What kind of organisation."
    )

    country: str | None = strawberry.field(description="Country code.")

    city: str | None = strawberry.field(description="City.")

    website: str | None = strawberry.field(description="Web site.")


_STAKEHOLDER_TYPES: dict[model.StakeholderKind, type[Stakeholder]] = {
    model.StakeholderKind.PERSON: Person,
    model.StakeholderKind.COMPANY: Company,
    model.StakeholderKind.MUNICIPALITY: Municipality,
    model.StakeholderKind.ORGANIZATION: Organization,
}
TYPE_NAMES = {kind: cls.__name__ for kind, cls in _STAKEHOLDER_TYPES.items()}
_STAKEHOLDER_KINDS = {kind.value: kind for kind in model.StakeholderKind}
STAKEHOLDER_TYPE_NAMES = tuple(TYPE_NAMES.values())


def stakeholder_id(global_id: str, field: str = "id") -> str:
    """The raw id inside a stakeholder's global id (of any of its four types)."""
    return entity_id(global_id, field, STAKEHOLDER_TYPE_NAMES)


def stakeholder_type(entity: model.Stakeholder) -> Stakeholder:
    cls = _STAKEHOLDER_TYPES[entity.kind]
    return wrapped(cls, entity)


async def load_stakeholder(info: Info, stakeholder_id: str) -> Stakeholder:
    entity = await info.context.loaders.stakeholder_by_id.load(stakeholder_id)
    if entity is None:
        raise LookupError(f"stakeholder {stakeholder_id} vanished")
    return stakeholder_type(entity)


async def stored_stakeholder_ids(info: Info, stakeholder_ids: Iterable[str]) -> frozenset[str]:
    """The ids among `stakeholder_ids` of stakeholders the store holds, in one store call.

    An analytics answer comes from a snapshot, which may be older than a deletion: the
    resolvers of such answers leave out whoever has been deleted since.
    """
    wanted = list(dict.fromkeys(stakeholder_ids))
    found = await info.context.loaders.stakeholder_by_id.load_many(wanted)
    return frozenset(entity.id for entity in found if entity is not None)


async def load_stakeholders(info: Info, stakeholder_ids: list[str]) -> list[Stakeholder]:
    """Several stakeholders in one store call; awaiting `load_stakeholder` in a loop would
    make one call per stakeholder."""
    found = await info.context.loaders.stakeholder_by_id.load_many(stakeholder_ids)
    if None in found:
        raise LookupError("a stakeholder vanished")
    return [stakeholder_type(entity) for entity in found if entity is not None]


@strawberry.type(description="One weighted input of a tie's strength.")
class StrengthComponent:
    name: str = strawberry.field(description="declared, observed or default.")
    value: float = strawberry.field(description="The input, 0..1.")
    weight: float = strawberry.field(description="Its weight; the strength is Σ value × weight.")


@strawberry.type(description="A tie's derived strength and the evidence behind it.")
class TieStrengthDetails:
    value: float = strawberry.field(description="The effective strength every analytic uses.")
    basis: str = strawberry.field(description="declared, observed, blended or default.")
    declared: float | None = strawberry.field(description="The declared strength, if any.")
    observed: float | None = strawberry.field(description="Strength seen in interactions.")
    interaction_count: int = strawberry.field(description="Interactions both ends took part in.")
    last_interaction_at: datetime | None = strawberry.field(description="The latest of them.")
    components: list[StrengthComponent] = strawberry.field(description="The weighted inputs.")
    revision: int = strawberry.field(description="The graph revision used.")


@strawberry.type(description="A tie between two stakeholders; some kinds read the same both ways.")
class Tie(Node):
    entity: strawberry.Private[model.Tie]

    key: str | None = strawberry.field(description="The id in the source system.")

    kind: TieKind = strawberry.field(description="What the tie means.")  # type: ignore[valid-type]

    @strawberry.field(description="Where the tie starts.")
    async def source(self, info: Info) -> Stakeholder:
        return await load_stakeholder(info, self.entity.source_id)

    @strawberry.field(description="Where the tie ends.")
    async def target(self, info: Info) -> Stakeholder:
        return await load_stakeholder(info, self.entity.target_id)

    @strawberry.field(
        description="How close the tie is, 0..1: derived from declared strength and interactions "
        "by the latest analytics snapshot; the declared strength (or 0.5) before one exists."
    )
    def strength(self, info: Info) -> float:
        derived = info.context.services.analytics.effective_strength(self.entity.id)
        if derived is not None:
            return derived
        return self.entity.strength if self.entity.strength is not None else 0.5

    @strawberry.field(
        description="How the strength was derived; `asOf` recomputes it for a past instant."
    )
    async def strength_details(
        self, info: Info, as_of: datetime | None = None
    ) -> TieStrengthDetails | None:
        answer = await info.context.services.analytics.tie_strength(self.entity.id, as_of)
        found = answer.value
        if found is None:
            return None
        return TieStrengthDetails(
            value=found.value,
            basis=found.basis,
            declared=found.declared,
            observed=found.observed,
            interaction_count=found.interaction_count,
            last_interaction_at=found.last_interaction_at,
            components=[
                StrengthComponent(name=c.name, value=c.value, weight=c.weight)
                for c in found.components
            ],
            revision=answer.revision,
        )

    @strawberry.field(description="The strength as declared, if it was.")
    def declared_strength(self) -> float | None:
        return self.entity.strength

    symmetric: bool = strawberry.field(
        description="True for kinds that read the same both ways (KNOWS, FAMILY)."
    )

    role: str | None = strawberry.field(
        description="Role or title within the tie (e.g. CFO, chair)."
    )

    since: date | None = strawberry.field(description="When the tie began.")

    until: date | None = strawberry.field(
        description="When the tie ended; a past date means it is not current."
    )

    confidence: float | None = strawberry.field(description="How sure we are of the tie, 0..1.")

    evidence: Evidence | None = strawberry.field(  # type: ignore[valid-type]
        description="How we know of the tie."
    )

    decision_role: DecisionRole | None = strawberry.field(  # type: ignore[valid-type]
        description="Part in buying decisions (WORKS_FOR, BOARD_MEMBER_OF)."
    )

    department: str | None = strawberry.field(description="Department (WORKS_FOR).")

    context: str | None = strawberry.field(
        description="Context of an acquaintance: colleague, alumni, social …"
    )

    share: float | None = strawberry.field(description="Share in percent (OWNS).")

    @strawberry.field(description="Private notes; null for viewers.")
    def notes(self) -> str | None:
        return visible_notes(self.entity.notes)


def tie_type(entity: model.Tie) -> Tie:
    return wrapped(Tie, entity)


@strawberry.type(description="One stakeholder's part in an interaction.")
class InteractionParticipant:
    stakeholder_id: strawberry.Private[str]
    acting_as: str | None = strawberry.field(description="The role they acted in, if noted.")

    @strawberry.field(description="Who took part.")
    async def stakeholder(self, info: Info) -> Stakeholder:
        return await load_stakeholder(info, self.stakeholder_id)


@strawberry.type(description="A meeting, call, e-mail … between stakeholders.")
class Interaction(Node):
    entity: strawberry.Private[model.Interaction]

    key: str | None = strawberry.field(description="The id in the source system.")

    kind: InteractionKind = strawberry.field(  # type: ignore[valid-type]
        description="How they interacted."
    )

    occurred_at: datetime = strawberry.field(description="When it happened (UTC).")

    @strawberry.field(description="Who took part.")
    def participants(self) -> list[InteractionParticipant]:
        return [
            InteractionParticipant(stakeholder_id=p.stakeholder_id, acting_as=p.acting_as)
            for p in self.entity.participants
        ]

    sentiment: float | None = strawberry.field(description="How it went, -1 (badly) .. 1 (well).")

    subject: str | None = strawberry.field(description="Subject.")

    summary: str | None = strawberry.field(description="Summary.")

    outcome: str | None = strawberry.field(description="Outcome.")

    @strawberry.field(description="Private notes; null for viewers.")
    def notes(self) -> str | None:
        return visible_notes(self.entity.notes)


def interaction_type(entity: model.Interaction) -> Interaction:
    return wrapped(Interaction, entity)


@strawberry.type(description="Where a page of a connection starts and ends.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")


@strawberry.type(description="A stakeholder in a connection, with its cursor.")
class StakeholderEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this item.")
    node: Stakeholder = strawberry.field(description="The stakeholder.")


@strawberry.type(description="A page of stakeholders.")
class StakeholderConnection:
    edges: list[StakeholderEdge] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    total_count: int = strawberry.field(description="How many items match in all.")


# What the network's graph holds of every stakeholder, and so all a map can serve without
# reading its stakeholders from the store.
_GRAPH_FIELDS = frozenset({"id", "name", "kind", "internal", "__typename"})


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    """The fields of a selection, those of its fragments included."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:
            yield from _fields(selection.selections)


def map_reads_store(info: Info) -> bool:
    """Whether a `relationshipMap` selection asks for any field of its stakeholders (the
    centre, the nodes' stakeholder) beyond those the graph holds."""
    for map_field in info.selected_fields:
        for part in _fields(map_field.selections):
            if part.name == "center":
                wanted = part.selections
            elif part.name == "nodes":
                wanted = [
                    selection
                    for node in _fields(part.selections)
                    if node.name == "stakeholder"
                    for selection in node.selections
                ]
            else:
                continue
            if any(field.name not in _GRAPH_FIELDS for field in _fields(wanted)):
                return True
    return False


def graph_stakeholder(stakeholder_id: str, kind: str, name: str, internal: bool) -> Stakeholder:
    """A map's stakeholder from what the graph holds of it: the entity carries only its id,
    kind, name and `internal`, so it serves only selections `map_reads_store` lets through."""
    return stakeholder_type(_graph_entity(stakeholder_id, kind, name, internal))


# A map draws a couple of hundred stakeholders, and the same ones come back map after map:
# an entity (immutable) of the latest drawn is remembered, since building one sets all its
# twenty-two fields. Everything it carries is in the key, so a renamed stakeholder is new.
@functools.lru_cache(maxsize=1 << 14)
def _graph_entity(stakeholder_id: str, kind: str, name: str, internal: bool) -> model.Stakeholder:
    return model.Stakeholder(
        id=stakeholder_id, kind=_STAKEHOLDER_KINDS[kind], name=name, internal=internal
    )


@strawberry.type(description="A stakeholder on a relationship map.")
class MapNode:
    # Read for the whole map in one store call before the nodes are resolved: a resolver per
    # node would cost a task and a DataLoader round per stakeholder.
    stakeholder: Stakeholder = strawberry.field(description="The stakeholder.")
    distance: int = strawberry.field(description="Hops from the centre of the map.")
    influence: float = strawberry.field(description="Influence score (0 until analytics ran).")
    interaction_intensity: float = strawberry.field(
        description="Recency-weighted interactions, 0..1 relative to the busiest on the map."
    )


@strawberry.type(description="A tie on a relationship map.")
class MapEdge:
    id: strawberry.ID = strawberry.field(description="Global id of the tie.")
    source: strawberry.ID = strawberry.field(description="Global id of the source stakeholder.")
    target: strawberry.ID = strawberry.field(description="Global id of the target stakeholder.")
    kind: TieKind = strawberry.field(description="What the tie means.")  # type: ignore[valid-type]
    strength: float = strawberry.field(description="Strength used for drawing, 0..1.")


@strawberry.type(description="The network around one stakeholder, ready to draw.")
class RelationshipMap:
    center: Stakeholder = strawberry.field(description="The stakeholder at the centre.")
    nodes: list[MapNode] = strawberry.field(description="Stakeholders, the centre first.")
    edges: list[MapEdge] = strawberry.field(description="Ties among them.")
    truncated: bool = strawberry.field(description="True when `limit` left stakeholders out.")
    revision: int = strawberry.field(description="The graph revision the map was drawn at.")
    as_of: datetime | None = strawberry.field(
        description="The past instant drawn (`asOf`); null for the network as it is now."
    )


@strawberry.type(description="Size of the network and the revisions it is known at.")
class NetworkStats:
    stakeholders: int = strawberry.field(description="Number of stakeholders.")
    ties: int = strawberry.field(description="Number of ties.")
    interactions: int = strawberry.field(description="Number of interactions.")
    revision: int = strawberry.field(
        description="The store's graph revision these counts describe; every write raises it."
    )
    analytics_revision: int | None = strawberry.field(
        description="Revision of the latest analytics snapshot; null until one exists."
    )
    betweenness_mode: str | None = strawberry.field(
        description="'exact', or 'sampled' (fixed seed) on large networks; null before analytics."
    )


@strawberry.type(description="A tie in a connection, with its cursor.")
class TieEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this item.")
    node: Tie = strawberry.field(description="The tie.")


@strawberry.type(description="A page of ties.")
class TieConnection:
    edges: list[TieEdge] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    total_count: int = strawberry.field(description="How many items match in all.")


@strawberry.type(description="An interaction in a connection, with its cursor.")
class InteractionEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this item.")
    node: Interaction = strawberry.field(description="The interaction.")


@strawberry.type(description="A page of interactions.")
class InteractionConnection:
    edges: list[InteractionEdge] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    total_count: int = strawberry.field(description="How many items match in all.")


def user_errors(error: StakenetError) -> list[UserError]:
    """A deliberate error as the payload's `errors`: one per issue, each with its field."""
    if isinstance(error, ValidationFailed):
        return [
            UserError(field=i.path or None, message=i.message, code=i.code) for i in error.issues
        ]
    return [UserError(field=None, message=str(error), code=error.code)]


def offset_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def paginate(items: list[T], first: int, after: str | None) -> tuple[list[T], int, bool]:
    """One page of an in-memory list: (items, offset of the first, whether more follow)."""
    PageRequest(first=first).check()
    start = 0
    if after is not None:
        try:
            kind, _, number = base64.urlsafe_b64decode(after.encode()).decode().partition(":")
            if kind != "offset":
                raise ValueError(after)
            start = int(number) + 1
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise ValidationFailed([Issue("after", "'after' is not a valid cursor.")]) from None
    return items[start : start + first], start, start + first < len(items)


def page_info(start: int, count: int, has_next: bool) -> PageInfo:
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=start > 0,
        start_cursor=offset_cursor(start) if count else None,
        end_cursor=offset_cursor(start + count - 1) if count else None,
    )


@strawberry.type(description="An expected problem with a mutation's input.")
class UserError:
    field: str | None = strawberry.field(description="Path of the offending input field.")
    message: str = strawberry.field(description="What is wrong, in plain words.")
    code: str = strawberry.field(description="Stable machine-readable code.")


def kind_filter(value: Enum | None) -> model.StakeholderKind | None:
    return model.StakeholderKind(value.value) if value is not None else None


ID = Annotated[strawberry.ID, strawberry.argument(description="A global id.")]
