"""Analytics states as a worker computes them, to write into snapshot directories."""

from __future__ import annotations

from datetime import datetime

from stakenet.analytics.network_view import AnalyticsState, NetworkView
from stakenet.domain.model import GraphData, Stakeholder, StakeholderKind, Tie, TieKind


def computed(revision: int, at: datetime) -> AnalyticsState:
    """The analytics of a three-person chain, computed as a worker would."""
    view = NetworkView()
    view.load(
        GraphData(
            revision=revision,
            stakeholders=[
                Stakeholder(id=n, kind=StakeholderKind.PERSON, name=n.title())
                for n in ("a", "b", "c")
            ],
            ties=[
                Tie(id="ab", kind=TieKind.KNOWS, source_id="a", target_id="b", strength=0.8),
                Tie(id="bc", kind=TieKind.KNOWS, source_id="b", target_id="c", strength=0.4),
            ],
        )
    )
    return view.refresh(at)
