"""The entities an import builds by the hundred thousand set their slots directly, and are built
exactly as the dataclass's own `__init__` would build them."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import UTC, date, datetime

import pytest

from stakenet.domain import model
from stakenet.domain.model import (
    Interaction,
    InteractionKind,
    Participant,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)

ENTITIES = (Stakeholder, Tie, Participant, Interaction)


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda entity: entity.__name__)
def test_an_entity_sets_its_slots_without_a_lookup_by_name(entity: type) -> None:
    # The dataclass's own __init__ calls object.__setattr__(self, "name", value) per field.
    assert "__setattr__" not in entity.__init__.__code__.co_names
    assert entity.__init__.__qualname__ == f"{entity.__name__}.__init__"


def test_a_tie_takes_the_same_arguments_and_defaults() -> None:
    parameters = inspect.signature(Tie).parameters
    assert list(parameters) == [f.name for f in dataclasses.fields(Tie)]
    assert parameters["key"].default is None
    assert parameters["kind"].default is inspect.Parameter.empty
    tie = Tie("t1", TieKind.WORKS_FOR, "p1", "c1", since=date(2020, 1, 2), strength=0.5)
    assert (tie.id, tie.kind, tie.source_id, tie.target_id) == ("t1", TieKind.WORKS_FOR, "p1", "c1")
    assert (tie.since, tie.strength, tie.key, tie.until, tie.updated_at) == (
        date(2020, 1, 2),
        0.5,
        None,
        None,
        None,
    )
    assert tie == Tie(
        id="t1", kind=TieKind.WORKS_FOR, source_id="p1", target_id="c1", strength=0.5,
        since=date(2020, 1, 2),
    )  # fmt: skip
    assert hash(tie) == hash(dataclasses.replace(tie))
    with pytest.raises(TypeError, match="missing 3 required positional arguments"):
        Tie("t1")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'weight'"):
        Tie("t1", TieKind.KNOWS, "p1", "p2", weight=1.0)  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        tie.key = "k"  # type: ignore[misc]


def test_a_stakeholder_and_an_interaction_keep_their_defaults() -> None:
    person = Stakeholder("p1", StakeholderKind.PERSON, "Ada")
    assert (person.key, person.internal, person.tags, person.population) == (None, False, (), None)
    at = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    meeting = Interaction("i1", InteractionKind.MEETING, at, (Participant("p1"),), subject="Plan")
    assert meeting.participants == (Participant("p1", None),)
    assert (meeting.subject, meeting.sentiment, meeting.created_at) == ("Plan", None, None)


def test_a_dataclass_with_a_default_factory_keeps_its_own_init() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Listed:
        names: list[str] = dataclasses.field(default_factory=list)

    with pytest.raises(TypeError, match="Listed's fields need the dataclass's own __init__"):
        model._slot_setting_init(Listed)
