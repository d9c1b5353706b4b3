"""Every answer reports the revision of the data it was computed from, on a real SQLite file."""

from __future__ import annotations

from stakenet.domain.model import Stakeholder, StakeholderKind
from stakenet.services.analytics import AnalyticsService
from stakenet.services.network import MapRequest, NetworkService
from stakenet.store.port import WriteBatch


def person(stakeholder_id: str) -> Stakeholder:
    return Stakeholder(stakeholder_id, StakeholderKind.PERSON, f"Person {stakeholder_id}")


async def test_a_listing_by_influence_reports_the_revision_it_filtered(
    replicas: tuple[NetworkService, NetworkService],
) -> None:
    network, _ = replicas
    analytics = AnalyticsService(network)
    await network.store.apply(WriteBatch(upsert_stakeholders=[person("p1")]))
    await network.sync()
    await analytics.refresh()
    await network.store.apply(WriteBatch(upsert_stakeholders=[person("p2")]))
    assert await network.sync() == 2

    listing = await analytics.ranked_by_influence(None, None, (), None, None)
    # The listing holds the stakeholder the snapshot has not seen yet, so it is of revision 2.
    assert (listing.value, listing.revision) == (["p1", "p2"], 2)
    assert analytics.revision == 1
    ranking = await analytics.influence_ranking(None, "influence", 10)
    assert ([node for node, _ in ranking.value], ranking.revision) == (["p1"], 1)
    mapped = await network.relationship_map(MapRequest(center_id="p2", depth=1))
    assert (list(mapped.value.distances), mapped.revision) == (["p2"], 2)
