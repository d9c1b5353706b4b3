"""The GraphQL schema: queries and mutations over the network service."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import MaskErrors
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionContext

from stakenet.api.access import ActAsCaller, RateLimiter
from stakenet.api.alerts import AlertsQuery, AlertSubscription
from stakenet.api.analytics import AnalyticsQuery
from stakenet.api.caching import (
    CACHEABLE,
    CachedParsing,
    CachedValidation,
    DocumentCache,
    ResponseCache,
    response_caching,
)
from stakenet.api.editing import EditingMutation
from stakenet.api.execution import PlainListsExecutor
from stakenet.api.ids import from_global_id, to_global_id
from stakenet.api.inputs import (
    CompanyInput,
    CompanyPayload,
    GraphImportInput,
    ImportPayload,
    InteractionInput,
    InteractionPayload,
    MunicipalityInput,
    MunicipalityPayload,
    OrganizationInput,
    OrganizationPayload,
    PersonInput,
    PersonPayload,
    TieInput,
    TiePayload,
    input_row,
)
from stakenet.api.limits import QueryLimits, limit_extensions, without_suggestions
from stakenet.api.privacy import PrivacyMutation, PrivacyQuery
from stakenet.api.scalars import SCALAR_OVERRIDES
from stakenet.api.subscriptions import Subscription as ChangeSubscription
from stakenet.api.trends import TrendsQuery
from stakenet.api.types import (
    STAKEHOLDER_TYPE_NAMES,
    TYPE_NAMES,
    Company,
    Info,
    MapEdge,
    MapNode,
    Municipality,
    NetworkStats,
    Node,
    Organization,
    PageInfo,
    Person,
    RelationshipMap,
    Stakeholder,
    StakeholderConnection,
    StakeholderEdge,
    StakeholderKind,
    TieKind,
    UserError,
    graph_stakeholder,
    interaction_type,
    kind_filter,
    map_reads_store,
    offset_cursor,
    paginate,
    stakeholder_id,
    stakeholder_type,
    tie_type,
    user_errors,
)
from stakenet.api.vocabulary import VocabularyQuery
from stakenet.domain import model
from stakenet.domain.errors import Issue, NotFound, StakenetError, ValidationFailed
from stakenet.services.container import Services, Settings
from stakenet.services.network import (
    MapRequest,
    PageRequest,
    StakeholderFilter,
    StakeholderOrder,
)
from stakenet.services.transfer import ImportSummary, import_document

T = TypeVar("T")
PARSED_DOCUMENTS = 1000
log = logging.getLogger("stakenet.api")
# A tie kind by its value, looked up for every tie a map draws (the enum's call is slower).
_TIE_KINDS = {kind.value: kind for kind in model.TieKind}


@dataclass(frozen=True, slots=True)
class _Outcome:
    value: Any
    errors: list[UserError]


async def _attempt(action: Callable[[], Awaitable[T]]) -> _Outcome:
    try:
        return _Outcome(await action(), [])
    except StakenetError as error:
        return _Outcome(None, user_errors(error))


@strawberry.enum(description="How to order a stakeholder listing.")
class StakeholderOrderBy(Enum):
    NAME = "NAME"
    UPDATED_AT = "UPDATED_AT"
    INFLUENCE = "INFLUENCE"


@strawberry.type(description="Read the network.")
class Query(AnalyticsQuery, TrendsQuery, PrivacyQuery, VocabularyQuery, AlertsQuery):
    @strawberry.field(description="Any object by its global id.", metadata=CACHEABLE)
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, entity_id = from_global_id(id)
        loaders = info.context.loaders
        if type_name in STAKEHOLDER_TYPE_NAMES:
            entity = await loaders.stakeholder_by_id.load(entity_id)
            if entity is not None and TYPE_NAMES[entity.kind] == type_name:
                return stakeholder_type(entity)
            return None
        if type_name == "Tie":
            tie = await loaders.tie_by_id.load(entity_id)
            return tie_type(tie) if tie else None
        if type_name == "Interaction":
            interaction = await loaders.interaction_by_id.load(entity_id)
            return interaction_type(interaction) if interaction else None
        return None

    @strawberry.field(
        description="One stakeholder, by global id or by source-system key.", metadata=CACHEABLE
    )
    async def stakeholder(
        self, info: Info, id: strawberry.ID | None = None, key: str | None = None
    ) -> Stakeholder | None:
        if (id is None) == (key is None):
            raise ValidationFailed([Issue("id", "Give exactly one of 'id' or 'key'.")])
        loaders = info.context.loaders
        if id is not None:
            entity = await loaders.stakeholder_by_id.load(stakeholder_id(id, "id"))
        else:
            entity = await loaders.stakeholder_by_key.load(key or "")
        return stakeholder_type(entity) if entity else None

    @strawberry.field(
        description="Stakeholders, filtered and ordered, a page at a time.", metadata=CACHEABLE
    )
    async def stakeholders(
        self,
        info: Info,
        kind: StakeholderKind | None = None,  # type: ignore[valid-type]
        search: str | None = None,
        tags: list[str] | None = None,
        internal: bool | None = None,
        updated_since: datetime | None = None,
        order_by: StakeholderOrderBy = StakeholderOrderBy.NAME,
        first: int = 50,
        after: str | None = None,
    ) -> StakeholderConnection:
        PageRequest(first=first).check()
        where = StakeholderFilter(
            kind=kind_filter(kind),
            search=search,
            tags=tuple(tags or ()),
            internal=internal,
            updated_since=updated_since,
        )
        loaders = info.context.loaders
        if order_by is StakeholderOrderBy.INFLUENCE:
            ranked = await info.context.services.analytics.ranked_by_influence(
                where.kind, search, where.tags, internal, updated_since
            )
            ids, start, has_next = paginate(ranked.value, first, after)
            found = await loaders.stakeholder_by_id.load_many(ids)
            entities = [e for e in found if e is not None]
            cursors = [offset_cursor(start + i) for i in range(len(entities))]
            total = len(ranked.value)
        else:
            page = await info.context.services.network.find_stakeholders(
                where, PageRequest(first=first, after=after), StakeholderOrder(order_by.value)
            )
            entities, cursors, has_next, total = (
                page.items,
                page.cursors,
                page.has_next_page,
                page.total_count,
            )
            for entity in entities:
                loaders.stakeholder_by_id.prime(entity.id, entity)
        edges = [
            StakeholderEdge(cursor=cursor, node=stakeholder_type(entity))
            for entity, cursor in zip(entities, cursors, strict=True)
        ]
        return StakeholderConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next,
                has_previous_page=after is not None,
                start_cursor=cursors[0] if cursors else None,
                end_cursor=cursors[-1] if cursors else None,
            ),
            total_count=total,
        )

    @strawberry.field(
        description=(
            "The network around one stakeholder, breadth-first; `asOf` draws it as it stood "
            "at a past instant."
        ),
        metadata=CACHEABLE,
    )
    async def relationship_map(
        self,
        info: Info,
        center_id: strawberry.ID,
        depth: int = 2,
        tie_kinds: list[TieKind] | None = None,  # type: ignore[valid-type]
        min_strength: float = 0.0,
        limit: int = 200,
        as_of: datetime | None = None,
    ) -> RelationshipMap:
        network = info.context.services.network
        center = stakeholder_id(center_id, "centerId")
        request = MapRequest(
            center_id=center,
            depth=depth,
            tie_kinds=tuple(model.TieKind(k) for k in tie_kinds or ()),
            min_strength=min_strength,
            limit=limit,
        )
        analytics = info.context.services.analytics
        if as_of is None:
            answer = await network.relationship_map(request)
            state = analytics.state
        else:
            answer, state = await analytics.relationship_map(request, as_of)
        result = answer.value
        metrics = state.snapshot.nodes if state else {}
        activity = state.activity() if state else {}
        busiest = max((activity.get(n, 0.0) for n in result.distances), default=0.0) or 1.0
        # One global id per stakeholder, shared by its node and the ends of its edges.
        if as_of is None and not map_reads_store(info):
            # The graph the map was drawn on knows every stakeholder of it: no store read.
            drawn = {
                node: graph_stakeholder(node, *known) for node, known in result.stakeholders.items()
            }
        else:
            loader = info.context.loaders.stakeholder_by_id
            entities = await loader.load_many(list(result.distances))
            drawn = {e.id: stakeholder_type(e) for e in entities if e is not None}
        if center not in drawn:
            raise NotFound(f"No stakeholder with id '{center}'.")
        return RelationshipMap(
            center=drawn[center],
            nodes=[
                MapNode(
                    stakeholder=drawn[node],
                    distance=distance,
                    influence=metrics[node].influence if node in metrics else 0.0,
                    interaction_intensity=activity.get(node, 0.0) / busiest,
                )
                for node, distance in result.distances.items()
                if node in drawn
            ],
            edges=[
                MapEdge(
                    id=strawberry.ID(to_global_id("Tie", edge.tie_id)),
                    source=drawn[edge.source].id,
                    target=drawn[edge.target].id,
                    kind=_TIE_KINDS[edge.kind],
                    strength=edge.strength,
                )
                for edge in result.edges
                # A stakeholder deleted since the projection was read leaves the map whole.
                if edge.source in drawn and edge.target in drawn
            ],
            truncated=result.truncated,
            revision=answer.revision,
            as_of=answer.as_of,
        )

    @strawberry.field(description="Counts and revisions of the network.", metadata=CACHEABLE)
    async def network_stats(self, info: Info) -> NetworkStats:
        counts = await info.context.services.network.counts()
        state = info.context.services.analytics.state
        return NetworkStats(
            stakeholders=counts.stakeholders,
            ties=counts.ties,
            interactions=counts.interactions,
            revision=counts.revision,
            analytics_revision=state.revision if state else None,
            betweenness_mode=state.snapshot.betweenness_mode if state else None,
        )


async def _create(
    info: Info, kind: model.StakeholderKind, fields: object
) -> tuple[Stakeholder | None, list[UserError]]:
    """Create a stakeholder of `kind` from a mutation input; the type or the user errors."""
    outcome = await _attempt(
        lambda: info.context.services.network.create_stakeholder(kind, input_row(fields))
    )
    return (stakeholder_type(outcome.value) if outcome.value else None), outcome.errors


def _ids_in(row: dict[str, Any], *names: str) -> dict[str, Any]:
    for name in names:
        if name in row:
            row[name] = stakeholder_id(row[name], name)
    return row


@strawberry.type(description="Follow the network and its alerts as they change.")
class Subscription(ChangeSubscription, AlertSubscription):
    pass


@strawberry.type(description="Change the network.")
class Mutation(EditingMutation, PrivacyMutation):
    @strawberry.mutation(
        description="Create a person (a retried create with the same key does not duplicate)."
    )
    async def create_person(self, info: Info, input: PersonInput) -> PersonPayload:
        found, errors = await _create(info, model.StakeholderKind.PERSON, input)
        return PersonPayload(person=found if isinstance(found, Person) else None, errors=errors)

    @strawberry.mutation(description="Create a company.")
    async def create_company(self, info: Info, input: CompanyInput) -> CompanyPayload:
        found, errors = await _create(info, model.StakeholderKind.COMPANY, input)
        return CompanyPayload(company=found if isinstance(found, Company) else None, errors=errors)

    @strawberry.mutation(description="Create a municipality.")
    async def create_municipality(
        self, info: Info, input: MunicipalityInput
    ) -> MunicipalityPayload:
        found, errors = await _create(info, model.StakeholderKind.MUNICIPALITY, input)
        return MunicipalityPayload(
            municipality=found if isinstance(found, Municipality) else None, errors=errors
        )

    @strawberry.mutation(description="Create an organisation.")
    async def create_organization(
        self, info: Info, input: OrganizationInput
    ) -> OrganizationPayload:
        found, errors = await _create(info, model.StakeholderKind.ORGANIZATION, input)
        return OrganizationPayload(
            organization=found if isinstance(found, Organization) else None, errors=errors
        )

    @strawberry.mutation(description="Create a tie between two existing stakeholders.")
    async def create_tie(self, info: Info, input: TieInput) -> TiePayload:
        async def create() -> model.Tie:
            row = input_row(input)
            row["source"] = row.pop("sourceId")
            row["target"] = row.pop("targetId")
            return await info.context.services.network.create_tie(_ids_in(row, "source", "target"))

        outcome = await _attempt(create)
        return TiePayload(
            tie=tie_type(outcome.value) if outcome.value else None, errors=outcome.errors
        )

    @strawberry.mutation(description="Record an interaction between existing stakeholders.")
    async def log_interaction(self, info: Info, input: InteractionInput) -> InteractionPayload:
        async def log() -> model.Interaction:
            row = input_row(input)
            row["participants"] = [
                {
                    "key": stakeholder_id(p.stakeholder_id, f"participants[{i}]"),
                    "actingAs": p.acting_as,
                }
                for i, p in enumerate(input.participants)
            ]
            row["occurredAt"] = input.occurred_at
            return await info.context.services.network.log_interaction(row)

        outcome = await _attempt(log)
        return InteractionPayload(
            interaction=interaction_type(outcome.value) if outcome.value else None,
            errors=outcome.errors,
        )

    @strawberry.mutation(
        description="Import an interchange document: all or nothing, matched by key; a row is "
        "merged onto the record it matches unless mode is REPLACE."
    )
    async def import_graph(self, info: Info, input: GraphImportInput) -> ImportPayload:
        outcome = await _attempt(
            lambda: import_document(
                info.context.services.network,
                input.document,
                mode=input.mode,
            )
        )
        summary = outcome.value or ImportSummary()
        return ImportPayload(
            errors=outcome.errors,
            stakeholders_created=summary.stakeholders_created,
            stakeholders_updated=summary.stakeholders_updated,
            stakeholders_unchanged=summary.stakeholders_unchanged,
            ties_created=summary.ties_created,
            ties_updated=summary.ties_updated,
            ties_unchanged=summary.ties_unchanged,
            interactions_created=summary.interactions_created,
            interactions_updated=summary.interactions_updated,
            interactions_unchanged=summary.interactions_unchanged,
            unchanged=summary.unchanged,
            revision=summary.revision,
        )


# The code of a request the server never ran: a document that does not parse or validate, or
# variable values that do not fit their declared types.
REQUEST_REFUSED = "BAD_REQUEST"
# strawberry refusing the operation itself: none sent, none chosen, or of a type the transport
# does not run (a mutation started as a subscription on the legacy graphql-ws protocol).
OPERATION_REFUSALS = (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError)


def _is_client_refusal(error: BaseException | None) -> bool:
    """Is `error` graphql-core (or a scalar) refusing what the client sent?

    A scalar's parser says so with a GraphQLError or a ValueError; graphql-core wraps that, with
    the variable's name, in a GraphQLError of its own.
    """
    if error is None or isinstance(error, (StakenetError, ValueError, *OPERATION_REFUSALS)):
        return True
    return isinstance(error, GraphQLError) and _is_client_refusal(error.original_error)


def _is_request_error(error: GraphQLError) -> bool:
    """Refused before any field ran (no path): a parse, validation or variable coercion error."""
    return error.path is None and _is_client_refusal(error.original_error)


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask everything but deliberate errors and refused requests: stack traces and SQL never
    reach a client."""
    original = error.original_error
    return (
        original is not None
        and not isinstance(original, StakenetError)
        and not _is_request_error(error)
    )


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected)


class StakenetSchema(strawberry.Schema):
    # Production: "Did you mean …?" is cut from every error message (`limits.without_suggestions`).
    hide_suggestions = False

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Give each deliberate error its code; log what went wrong unexpectedly.

        A caller's own mistakes are not server errors, and are not logged as such. The code
        (`NOT_FOUND`, `FORBIDDEN`, `INVALID`, `BAD_REQUEST`, `STORE_UNAVAILABLE`, ...) lets a
        client tell "fix the request" from "retry". Every answer's errors pass here, whatever
        the transport, before they are sent: a subscription's refusal too, which is sent while
        its operation is still running.
        """
        for error in errors:
            if self.hide_suggestions:
                error.message = without_suggestions(error.message)
            original = error.original_error
            if isinstance(original, StakenetError):
                error.extensions = {**(error.extensions or {}), "code": original.code}
            elif _is_request_error(error):
                error.extensions = {"code": REQUEST_REFUSED, **(error.extensions or {})}
            elif _is_unexpected(error):
                log.error(
                    "unexpected %s in %s",
                    type(error.original_error).__name__,
                    ".".join(str(p) for p in error.path or ()),
                    exc_info=error.original_error,
                )


def build_schema(
    settings: Settings | None = None,
    services: Services | None = None,
    limiter: RateLimiter | None = None,
) -> strawberry.Schema:
    """The schema; `settings` picks the query limits and production mode (the SDL is the same).

    Every operation runs as the caller in its context (`ActAsCaller`); WebSocket operations
    spend that caller's budget in `limiter`. Given the running `services`, repeated read
    queries are answered from a response cache keyed by the graph and analytics revisions (see
    `stakenet.api.caching`).
    """
    limits = QueryLimits.from_settings(settings or Settings())
    caching = [response_caching(services, ResponseCache())] if services is not None else []
    documents = DocumentCache(PARSED_DOCUMENTS)
    schema = StakenetSchema(
        execution_context_class=PlainListsExecutor,
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Person, Company, Municipality, Organization],
        scalar_overrides=SCALAR_OVERRIDES,
        extensions=[
            # First: who is calling, before anything else looks at the operation.
            lambda: ActAsCaller(limiter),
            # The limits judge a document before any cached validation runs on it.
            *limit_extensions(limits),
            # Factories, made per request, sharing the schema's documents.
            lambda: CachedParsing(documents),
            lambda: CachedValidation(documents),
            *caching,
            MaskUnexpectedErrors,
        ],
    )
    schema.hide_suggestions = not limits.suggestions
    return schema
