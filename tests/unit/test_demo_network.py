"""The built-in demo network: well-formed, consistent, and carrying its analytics scenarios."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import networkx as nx

ROOT = Path(__file__).parents[2]
DOCUMENT_PATH = ROOT / "src/stakenet/demo/network.json"
SCRIPT_PATH = ROOT / "scripts/build_demo_network.py"
TODAY = date(2026, 11, 27)

STAKEHOLDER_KINDS = {"PERSON", "COMPANY", "MUNICIPALITY", "ORGANIZATION"}
ORG_KINDS = {"COMPANY", "MUNICIPALITY", "ORGANIZATION"}
CATEGORIES = {
    "PUBLIC_AGENCY", "ASSOCIATION", "NGO", "UNION", "POLITICAL_BODY", "EDUCATION", "OTHER",
}  # fmt: skip
EVIDENCE = {"DECLARED", "OBSERVED", "PUBLIC_RECORD", "INFERRED"}
DECISION_ROLES = {
    "DECISION_MAKER", "ECONOMIC_BUYER", "TECHNICAL_BUYER", "INFLUENCER", "GATEKEEPER",
    "CHAMPION", "BLOCKER", "USER",
}  # fmt: skip
INTERACTION_KINDS = {"MEETING", "CALL", "EMAIL", "EVENT", "NEGOTIATION", "SITE_VISIT", "LETTER"}
KNOWS_CONTEXTS = {"colleague", "alumni", "social", "former colleague"}
SYMMETRIC = {"KNOWS", "FAMILY", "PARTNER_OF"}
ANY = STAKEHOLDER_KINDS
PERSON = {"PERSON"}
# Tie kind -> (allowed source kinds, allowed target kinds).
ENDPOINTS: dict[str, tuple[set[str], set[str]]] = {
    "WORKS_FOR": (PERSON, ORG_KINDS),
    "BOARD_MEMBER_OF": (PERSON, ORG_KINDS),
    "REPORTS_TO": (PERSON, PERSON),
    "KNOWS": (PERSON, PERSON),
    "FAMILY": (PERSON, PERSON),
    "ADVISES": (ANY, ANY),
    "REPRESENTS": (ANY, ANY),
    "INFLUENCES": (ANY, ANY),
    "OWNS": (ANY, ORG_KINDS),
    "PARTNER_OF": (ORG_KINDS, ORG_KINDS),
    "SUPPLIES": (ORG_KINDS, ORG_KINDS),
    "CLIENT_OF": (ORG_KINDS, ORG_KINDS),
    "MEMBER_OF": (ANY, ORG_KINDS),
    "LOCATED_IN": ({"COMPANY", "ORGANIZATION"}, {"MUNICIPALITY"}),
    "RELATIONSHIP_OWNER": (PERSON, ANY),
}
PERSON_TIE_KINDS = {"KNOWS", "FAMILY", "REPORTS_TO", "ADVISES", "INFLUENCES", "RELATIONSHIP_OWNER"}
JUNIOR_TITLES = {"praktikant", "junior konsulent", "trainee"}
ORGS_OF_INTEREST = (
    "c-nordhavn",
    "c-vestkyst-vand",
    "c-fjordbyg",
    "c-trekant",
    "c-datavej",
    "c-gudenaa",
    "c-vesterhav",
    "m-aarhus",
    "m-esbjerg",
    "m-vejle",
)

# The scenario cast (documented in scripts/build_demo_network.py).
SINGLE_CONTACT = "p-maria-lauridsen"
SINGLE_CONTACT_DECIDER = "p-henrik-bonde"
SINGLE_CONTACT_ORG = "c-vestkyst-vand"
WEAK_TIE_OURS = "p-ida-noergaard"
WEAK_TIE_TARGET = "p-peter-moerch"
STRONG_PATH_VIA = "p-mikkel-ravn"
BROKER = "p-niels-krogh"
COLD_TIE_OURS = "p-jonas-brandt"
COLD_TIE_TARGET = "p-claus-winther"


def load() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
    return document


def stakeholders_by_key(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in document["stakeholders"]}


def internal_people(document: dict[str, Any]) -> set[str]:
    return {
        row["key"]
        for row in document["stakeholders"]
        if row["kind"] == "PERSON" and row.get("internal") is True
    }


def current_ties(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [t for t in document["ties"] if t["kind"] == kind and t.get("until") is None]


def person_graph(document: dict[str, Any]) -> nx.Graph:
    """Undirected person-only graph; an edge keeps the strongest strength of its ties."""
    people = stakeholders_by_key(document)
    graph = nx.Graph()
    graph.add_nodes_from(k for k, row in people.items() if row["kind"] == "PERSON")
    for tie in document["ties"]:
        source, target = tie["source"], tie["target"]
        if tie["kind"] not in PERSON_TIE_KINDS or tie.get("until") is not None:
            continue
        if people[source]["kind"] != "PERSON" or people[target]["kind"] != "PERSON":
            continue
        strength = tie.get("strength", 0.5)
        if graph.has_edge(source, target):
            strength = max(strength, graph.edges[source, target]["strength"])
        graph.add_edge(source, target, strength=strength)
    return graph


def decision_makers(document: dict[str, Any], org: str) -> set[str]:
    return {
        t["source"]
        for t in current_ties(document, "WORKS_FOR")
        if t["target"] == org and t.get("decisionRole") == "DECISION_MAKER"
    }


def occurred(row: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(row["occurredAt"])


# ---------------------------------------------------------------------------------------------
# Shape and consistency
# ---------------------------------------------------------------------------------------------


def test_counts() -> None:
    document = load()
    assert set(document) == {"stakeholders", "ties", "interactions"}
    assert len(document["stakeholders"]) >= 80
    assert len(document["ties"]) >= 200
    assert len(document["interactions"]) >= 150
    kinds = Counter(row["kind"] for row in document["stakeholders"])
    assert kinds["PERSON"] >= 60
    assert 6 <= kinds["COMPANY"] <= 11
    assert kinds["MUNICIPALITY"] >= 5
    assert kinds["ORGANIZATION"] >= 3
    assert 8 <= len(internal_people(document)) <= 10


def test_every_key_is_unique() -> None:
    document = load()
    keys = [row["key"] for section in document.values() for row in section]
    duplicates = [key for key, count in Counter(keys).items() if count > 1]
    assert duplicates == []
    assert all(row["key"].startswith("t-") for row in document["ties"])
    assert all(row["key"].startswith("i-") for row in document["interactions"])


def test_stakeholder_fields() -> None:
    document = load()
    for row in document["stakeholders"]:
        assert row["kind"] in STAKEHOLDER_KINDS, row
        assert row["name"].strip(), row
        if row["kind"] == "PERSON":
            assert isinstance(row["internal"], bool), row
            assert row["title"].strip(), row
        if row["kind"] == "MUNICIPALITY":
            assert row["code"].isdigit() and row["population"] > 10_000, row
        if row["kind"] == "ORGANIZATION":
            assert row["category"] in CATEGORIES, row
    people = stakeholders_by_key(document)
    assert people["m-aarhus"]["code"] == "751"
    assert people["m-esbjerg"]["code"] == "561"
    assert people["m-vejle"]["code"] == "630"
    our_companies = [
        r for r in document["stakeholders"] if r["kind"] == "COMPANY" and r.get("internal")
    ]
    assert [r["key"] for r in our_companies] == ["c-kystlinje"]


def test_references_resolve() -> None:
    document = load()
    keys = set(stakeholders_by_key(document))
    for tie in document["ties"]:
        assert tie["source"] in keys, tie
        assert tie["target"] in keys, tie
    for interaction in document["interactions"]:
        assert interaction["participants"], interaction
        assert len(set(interaction["participants"])) == len(interaction["participants"])
        for participant in interaction["participants"]:
            assert participant in keys, interaction


def test_tie_endpoints_follow_the_rules() -> None:
    document = load()
    people = stakeholders_by_key(document)
    internal = internal_people(document)
    seen: set[tuple[str, str, str]] = set()
    for tie in document["ties"]:
        kind, source, target = tie["kind"], tie["source"], tie["target"]
        sources, targets = ENDPOINTS[kind]
        assert people[source]["kind"] in sources, tie
        assert people[target]["kind"] in targets, tie
        assert source != target, tie
        assert (source, target, kind) not in seen, tie
        if kind in SYMMETRIC:
            assert (target, source, kind) not in seen, tie
        seen.add((source, target, kind))
        if kind == "RELATIONSHIP_OWNER":
            assert source in internal, tie
        if "decisionRole" in tie:
            assert kind in {"WORKS_FOR", "BOARD_MEMBER_OF"}, tie
            assert tie["decisionRole"] in DECISION_ROLES, tie
        if "context" in tie:
            assert kind == "KNOWS" and tie["context"] in KNOWS_CONTEXTS, tie
        if "share" in tie:
            assert kind == "OWNS" and 0 < tie["share"] <= 100, tie


def test_tie_values_are_in_range() -> None:
    document = load()
    strengths = [t["strength"] for t in document["ties"] if "strength" in t]
    assert all(0.0 <= s <= 1.0 for s in strengths)
    assert len(strengths) < len(document["ties"])  # some ties leave strength to the analytics
    for tie in document["ties"]:
        assert 0.0 <= tie.get("confidence", 1.0) <= 1.0, tie
        assert tie.get("evidence", "DECLARED") in EVIDENCE, tie
        assert None not in tie.values(), tie
        since = date.fromisoformat(tie["since"]) if "since" in tie else None
        until = date.fromisoformat(tie["until"]) if "until" in tie else None
        if since:
            assert since <= TODAY, tie
        if since and until:
            assert since <= until, tie


def test_interactions_are_valid_and_span_two_years() -> None:
    document = load()
    rows = document["interactions"]
    for row in rows:
        assert row["kind"] in INTERACTION_KINDS, row
        assert row["occurredAt"].endswith("Z"), row
        assert -1.0 <= row["sentiment"] <= 1.0, row
        assert row["subject"].strip(), row
    moments = sorted(occurred(row) for row in rows)
    assert moments[0].date() >= date(2024, 11, 1)
    assert moments[-1].date() <= TODAY
    assert (moments[-1] - moments[0]).days >= 700
    sentiments = [row["sentiment"] for row in rows]
    assert min(sentiments) < -0.3 and max(sentiments) > 0.7
    assert sum(1 for row in rows if "summary" in row) >= 30
    assert Counter(row["kind"] for row in rows).keys() == INTERACTION_KINDS


def test_interactions_mostly_join_our_people_to_theirs() -> None:
    document = load()
    internal = internal_people(document)
    mixed = [
        row
        for row in document["interactions"]
        if internal & set(row["participants"]) and set(row["participants"]) - internal
    ]
    assert len(mixed) >= 0.9 * len(document["interactions"])


def test_build_is_deterministic(tmp_path: Path) -> None:
    output = tmp_path / "network.json"
    subprocess.run(
        [sys.executable, str(SCRIPT_PATH), "--output", str(output)], check=True, capture_output=True
    )
    assert output.read_bytes() == DOCUMENT_PATH.read_bytes()


# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------


def test_single_contact_risk() -> None:
    document = load()
    internal = internal_people(document)
    assert SINGLE_CONTACT_DECIDER in decision_makers(document, SINGLE_CONTACT_ORG)
    assert SINGLE_CONTACT not in internal
    graph = person_graph(document)
    reach = nx.node_connected_component(graph, SINGLE_CONTACT_DECIDER)
    assert reach & internal, "our people should reach the decision maker through the contact"
    assert SINGLE_CONTACT in set(nx.articulation_points(graph))
    graph.remove_node(SINGLE_CONTACT)
    cut_off = nx.node_connected_component(graph, SINGLE_CONTACT_DECIDER)
    assert not cut_off & internal, "a second route to the decision maker exists"
    # No meeting quietly puts one of our people in a room with the people behind the contact.
    for row in document["interactions"]:
        participants = set(row["participants"])
        assert not (participants & internal and participants & cut_off), row


def test_strong_two_hop_path_beats_weak_direct_tie() -> None:
    document = load()
    assert WEAK_TIE_TARGET in decision_makers(document, "c-nordhavn")
    graph = person_graph(document)
    direct = graph.edges[WEAK_TIE_OURS, WEAK_TIE_TARGET]["strength"]
    assert direct <= 0.2
    first = graph.edges[WEAK_TIE_OURS, STRONG_PATH_VIA]["strength"]
    second = graph.edges[STRONG_PATH_VIA, WEAK_TIE_TARGET]["strength"]
    assert first >= 0.8 and second >= 0.8
    assert first * second >= 0.64 > direct
    # The most reliable route (maximum product of strengths) is not the direct tie.
    for u, v, data in graph.edges(data=True):
        graph.edges[u, v]["cost"] = -math.log(max(data["strength"], 1e-6))
    best = nx.shortest_path(graph, WEAK_TIE_OURS, WEAK_TIE_TARGET, weight="cost")
    assert len(best) >= 3
    assert nx.shortest_path_length(graph, WEAK_TIE_OURS, WEAK_TIE_TARGET) == 1


def test_broker_is_the_only_bridge_between_vejle_and_fjordbyg() -> None:
    document = load()
    vejle_bodies = {
        row["key"]
        for row in document["stakeholders"]
        if row["kind"] == "ORGANIZATION" and row["name"].endswith(("Vejle", "Vejle Byråd"))
    }
    assert len(vejle_bodies) >= 2
    municipal = {
        t["source"] for t in current_ties(document, "WORKS_FOR") if t["target"] == "m-vejle"
    }
    municipal |= {
        t["source"]
        for t in current_ties(document, "MEMBER_OF")
        if t["target"] in vejle_bodies
        and stakeholders_by_key(document)[t["source"]]["kind"] == "PERSON"
    }
    company = {
        t["source"] for t in current_ties(document, "WORKS_FOR") if t["target"] == "c-fjordbyg"
    }
    municipal -= {BROKER}
    company -= {BROKER}
    assert len(municipal) >= 4 and len(company) >= 5
    graph = person_graph(document)
    assert BROKER in graph
    assert {n for n in graph[BROKER]} & municipal and {n for n in graph[BROKER]} & company
    assert any(nx.has_path(graph, a, b) for a in municipal for b in company)
    graph.remove_node(BROKER)
    for person in municipal:
        assert not nx.node_connected_component(graph, person) & company, person
    # He was kommunaldirektør in Vejle, a job that has ended.
    former = [
        t
        for t in document["ties"]
        if t["kind"] == "WORKS_FOR" and t["source"] == BROKER and t["target"] == "m-vejle"
    ]
    assert len(former) == 1 and date.fromisoformat(former[0]["until"]) < TODAY


def test_cold_tie_to_a_decision_maker() -> None:
    document = load()
    assert COLD_TIE_TARGET in decision_makers(document, "c-trekant")
    ties = [
        t
        for t in document["ties"]
        if t["kind"] == "KNOWS" and {t["source"], t["target"]} == {COLD_TIE_OURS, COLD_TIE_TARGET}
    ]
    assert len(ties) == 1
    assert ties[0]["strength"] >= 0.7 and ties[0]["evidence"] == "DECLARED"
    internal = internal_people(document)
    together = [
        occurred(row)
        for row in document["interactions"]
        if COLD_TIE_TARGET in row["participants"] and internal & set(row["participants"])
    ]
    assert together, "a cold tie has history, it is not a tie that never saw an interaction"
    assert TODAY - max(together).date() > timedelta(days=365)


def test_every_organisation_of_interest_has_a_decider_and_a_social_junior() -> None:
    document = load()
    people = stakeholders_by_key(document)
    knows: Counter[str] = Counter()
    social: Counter[str] = Counter()
    for tie in document["ties"]:
        if tie["kind"] == "KNOWS":
            knows.update((tie["source"], tie["target"]))
            if tie.get("context") == "social":
                social.update((tie["source"], tie["target"]))
    for org in ORGS_OF_INTEREST:
        deciders = decision_makers(document, org)
        assert deciders, org
        staff = {t["source"] for t in current_ties(document, "WORKS_FOR") if t["target"] == org}
        juniors = [p for p in staff if people[p]["title"] in JUNIOR_TITLES]
        assert juniors, org
        junior = max(juniors, key=lambda p: knows[p])
        assert knows[junior] >= 4 and social[junior] >= 3, (org, junior)
        assert all(knows[junior] > knows[d] for d in deciders), (org, junior)


def test_relationship_managers_own_client_accounts() -> None:
    document = load()
    people = stakeholders_by_key(document)
    owned = {t["target"] for t in document["ties"] if t["kind"] == "RELATIONSHIP_OWNER"}
    clients = {
        t["source"]
        for t in document["ties"]
        if t["kind"] == "CLIENT_OF" and t["target"] == "c-kystlinje"
    }
    assert len(clients) >= 5
    assert clients <= owned
    assert any(people[k]["kind"] == "PERSON" for k in owned)
