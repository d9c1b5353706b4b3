"""A `WriteBatch` as bytes, for the bulk writer process: cheap to make and cheap to read.

Pickling the entities as they are costs more than writing them: each frozen dataclass is
rebuilt field by field through `__init__`. Here each entity travels as the tuple of its field
values and comes back as an *entity view*: a named tuple with the entity's field names, and
its properties and methods, made in one C call. The store's write path reads entities only
through their fields and properties, so it writes a view as it would the entity; a test holds
the views to the entities they stand for.
"""

from __future__ import annotations

import copyreg
import functools
import io
import operator
import pickle
from collections import namedtuple
from collections.abc import Callable
from dataclasses import fields
from types import FunctionType
from typing import Any

from stakenet.domain.model import Interaction, Participant, Stakeholder, Tie
from stakenet.store.port import WriteBatch


def _view_of(entity_class: type) -> type:
    """A named tuple class with `entity_class`'s fields, properties and methods."""
    names = [field.name for field in fields(entity_class)]
    behaviour = {
        name: value
        for name, value in vars(entity_class).items()
        if isinstance(value, property | FunctionType) and not name.startswith("__")
    }
    name = f"{entity_class.__name__}View"
    base = namedtuple(f"_{name}Base", names)  # type: ignore[misc]
    return type(name, (base,), {"__slots__": (), "__module__": __name__, **behaviour})


StakeholderView = _view_of(Stakeholder)
TieView = _view_of(Tie)
ParticipantView = _view_of(Participant)
InteractionView = _view_of(Interaction)

VIEWS: dict[type, type] = {
    Stakeholder: StakeholderView,
    Tie: TieView,
    Participant: ParticipantView,
    Interaction: InteractionView,
}


def _values_of(entity_class: type) -> Callable[[Any], tuple[Any, ...]]:
    return operator.attrgetter(*(field.name for field in fields(entity_class)))


_STAKEHOLDER_VALUES = _values_of(Stakeholder)
_TIE_VALUES = _values_of(Tie)
_INTERACTION_VALUES = _values_of(Interaction)
_PARTICIPANT_VALUES = _values_of(Participant)
# `tuple.__new__(view, values)`, as the views' `_make` does, without its Python frame.
_MAKE = {view: functools.partial(tuple.__new__, view) for view in VIEWS.values()}
# A participant sits inside an interaction's values, so it is pickled as a call that makes its
# view; the entities of the batch's lists are turned into values and back a list at a time.
_DISPATCH = {
    **copyreg.dispatch_table,
    Participant: lambda participant: (
        tuple.__new__,
        (ParticipantView, _PARTICIPANT_VALUES(participant)),
    ),
}


def dump_batch(batch: WriteBatch) -> bytes:
    """The batch as bytes, its entities as field values."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(
        (
            list(map(_STAKEHOLDER_VALUES, batch.upsert_stakeholders)),
            list(map(_TIE_VALUES, batch.upsert_ties)),
            list(map(_INTERACTION_VALUES, batch.upsert_interactions)),
            batch.delete_stakeholders,
            batch.delete_ties,
            batch.delete_interactions,
            batch.audit,
            batch.report_changes,
        )
    )
    return buffer.getvalue()


def load_batch(data: bytes) -> WriteBatch:
    """The batch `dump_batch` made, holding entity views in place of the entities.

    Only for the store's own write path: a view is a tuple, not the entity's class.
    """
    (
        stakeholders,
        ties,
        interactions,
        delete_stakeholders,
        delete_ties,
        delete_interactions,
        audit,
        report_changes,
    ) = pickle.loads(data)
    return WriteBatch(
        upsert_stakeholders=list(map(_MAKE[StakeholderView], stakeholders)),
        upsert_ties=list(map(_MAKE[TieView], ties)),
        upsert_interactions=list(map(_MAKE[InteractionView], interactions)),
        delete_stakeholders=delete_stakeholders,
        delete_ties=delete_ties,
        delete_interactions=delete_interactions,
        audit=audit,
        report_changes=report_changes,
    )
