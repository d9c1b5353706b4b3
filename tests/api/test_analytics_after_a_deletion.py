"""Analytics answered from a snapshot older than a deletion leave the deleted stakeholder out.

The snapshot is recomputed after a burst of writes settles, which takes from a fraction of a
second (the demo) to minutes (a million ties), and longer while the analytics worker is down.
Until then every analytic question is answered from the older snapshot, which still names
whoever was deleted since: the answer leaves them out, as they are no longer stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stakenet.services.container import Settings
from support.live_server import Api, serve

PETER = "p-peter-moerch"  # the top decision-maker at Nordhavn Energi in the demo


@pytest.fixture
def stale(tmp_path: Path) -> Iterator[Api]:
    """The demo network served from the snapshot file a worker wrote, while no worker runs
    (one that is down, say): the analytics stay at the revision of that file."""
    database, snapshots = tmp_path / "stale.db", str(tmp_path / "snapshots")
    worked = Settings(rate_limit_per_minute=0, analytics="process", snapshot_dir=snapshots)
    for api in serve(database, demo=True, settings=worked):
        api.wait_for_analytics()
    settings = Settings(rate_limit_per_minute=0, analytics="follow", snapshot_dir=snapshots)
    yield from serve(database, settings=settings)


def gid(api: Api, key: str) -> str:
    found: str = api.data("query($k: String!) { stakeholder(key: $k) { id } }", {"k": key})[
        "stakeholder"
    ]["id"]
    return found


QUESTIONS = """query($org: ID!) {
  keyDecisionMakers(organizationId: $org, limit: 10) { rank person { name } }
  keyPersonRisks(organizationId: $org) { kind decisionMaker { name } contact { name } }
  introductionPaths(toId: $org, limit: 20) { steps { name } }
  whatIf(organizationId: $org, removeIds: []) { impacts { person { name } } }
  influenceRanking(first: 100) { rank stakeholder { name } }
  brokers(first: 100) { stakeholder { name } }
  communities { size members { name } }
  portfolio(first: 100) { rank organization { name } openRisks { decisionMaker { name } } }
  relationshipHealth(organizationId: $org, from: "2026-01-01T00:00:00Z",
                     to: "2026-04-01T00:00:00Z") { topDecisionMaker { name } }
  networkDiff(organizationId: $org, from: "2020-01-01T00:00:00Z", to: "2026-04-01T00:00:00Z") {
    joined { edges { node { source { name } } } }
    decisionMakersAfter { person { name } }
  }
}"""


def without(names: list[str], gone: str) -> list[str]:
    return [n for n in names if n != gone]


def test_answers_from_a_snapshot_older_than_a_deletion_leave_the_deleted_out(
    stale: Api,
) -> None:
    stale.wait_for_analytics()
    org = gid(stale, "c-nordhavn")
    before = stale.data(QUESTIONS, {"org": org})
    gone = "Peter Mørch"
    ranked = [r["person"]["name"] for r in before["keyDecisionMakers"]]
    assert ranked[0] == gone
    assert gone in [s["stakeholder"]["name"] for s in before["influenceRanking"]]
    assert gone in [p["topDecisionMaker"]["name"] for p in before["relationshipHealth"]]

    deleted = stale.data(
        "mutation($id: ID!) { deleteStakeholder(id: $id) { errors { message } } }",
        {"id": gid(stale, PETER)},
    )
    assert deleted["deleteStakeholder"]["errors"] == []
    stats = stale.data("{ networkStats { revision analyticsRevision } }")["networkStats"]
    assert stats["analyticsRevision"] == stats["revision"] - 1  # the snapshot predates it

    body = stale.post(QUESTIONS, {"org": org})
    assert "errors" not in body, body["errors"]
    after: dict[str, Any] = body["data"]

    decision_makers = after["keyDecisionMakers"]
    assert [r["person"]["name"] for r in decision_makers] == ranked[1:]
    assert [r["rank"] for r in decision_makers] == list(range(1, len(ranked)))
    assert after["keyPersonRisks"] == [
        r
        for r in before["keyPersonRisks"]
        if gone not in (r["decisionMaker"]["name"], (r["contact"] or {}).get("name"))
    ]
    assert after["introductionPaths"] == [
        p for p in before["introductionPaths"] if gone not in [s["name"] for s in p["steps"]]
    ]
    assert after["whatIf"]["impacts"] == [
        i for i in before["whatIf"]["impacts"] if i["person"]["name"] != gone
    ]
    influence = [s["stakeholder"]["name"] for s in before["influenceRanking"]]
    assert [s["stakeholder"]["name"] for s in after["influenceRanking"]] == without(influence, gone)
    assert [s["rank"] for s in after["influenceRanking"]] == list(range(1, len(influence)))
    brokers = [b["stakeholder"]["name"] for b in before["brokers"]]
    assert [b["stakeholder"]["name"] for b in after["brokers"]] == without(brokers, gone)
    assert [[m["name"] for m in c["members"]] for c in after["communities"]] == [
        without([m["name"] for m in c["members"]], gone) for c in before["communities"]
    ]
    # The sizes stay the snapshot's: counting the members still stored would read them all.
    assert [c["size"] for c in after["communities"]] == [c["size"] for c in before["communities"]]
    assert after["portfolio"] == [
        {
            **account,
            "openRisks": [r for r in account["openRisks"] if r["decisionMaker"]["name"] != gone],
        }
        for account in before["portfolio"]
    ]
    assert [p["topDecisionMaker"] for p in after["relationshipHealth"]] == [
        None if p["topDecisionMaker"]["name"] == gone else p["topDecisionMaker"]
        for p in before["relationshipHealth"]
    ]
    joined = [e["node"]["source"]["name"] for e in before["networkDiff"]["joined"]["edges"]]
    assert gone in joined
    assert [e["node"]["source"]["name"] for e in after["networkDiff"]["joined"]["edges"]] == (
        without(joined, gone)
    )
    # The decision-makers at `to` are computed afresh from the history, which has no Peter.
    assert gone not in [d["person"]["name"] for d in after["networkDiff"]["decisionMakersAfter"]]
