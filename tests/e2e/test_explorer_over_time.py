"""The explorer over time, in a real Chromium against a real demo server: the date control, the
relationship-health chart and the portfolio show what the API answers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from test_explorer import (
    LOW_CONTRAST,
    OVERFLOWING,
    PHONE,
    WIDE,
    open_stakeholder,
    stakeholder_id,
)

from support.server_process import ServerProcess

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import PageFactory, ServerFactory

pytestmark = [pytest.mark.server, pytest.mark.browser]

ORGANISATION_AS_OF = """query($id: ID!, $asOf: DateTime) {
  keyDecisionMakers(organizationId: $id, limit: 8, asOf: $asOf) { asOf revision person { name } }
  keyPersonRisks(organizationId: $id, asOf: $asOf) { explanation }
}"""

MAP_AS_OF = """query($id: ID!, $asOf: DateTime) {
  relationshipMap(centerId: $id, depth: 2, limit: 200, asOf: $asOf) { nodes { stakeholder { id } } }
}"""

HEALTH = """query($id: ID!, $from: DateTime!, $to: DateTime!) {
  relationshipHealth(organizationId: $id, from: $from, to: $to, interval: MONTH) {
    start interactions meanSentiment coverage
  }
}"""

PORTFOLIO = """{ portfolio(first: 50) {
  rank coverage interactions interactionsBefore explanation organization { id name } } }"""

PAST_DAY = "2025-06-30"


def ask(server: ServerProcess, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = server.graphql(query, variables, timeout=60)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def shown_decision_makers(page: Page) -> list[str]:
    names: list[str] = page.eval_on_selector_all(
        ".decision-maker .dm-head button.link", "els => els.map((e) => e.textContent)"
    )
    return names


def shown_risks(page: Page) -> list[str]:
    texts: list[str] = page.eval_on_selector_all(".risk p", "els => els.map((e) => e.textContent)")
    return texts


def map_ids(page: Page) -> set[str]:
    ids: list[str] = page.evaluate("window.__stakenet.cy.nodes().map((n) => n.id())")
    return set(ids)


def choose_day(page: Page, day: str) -> None:
    page.fill("#as-of", day)
    page.dispatch_event("#as-of", "change")
    page.wait_for_function(
        "([day]) => document.body.dataset.asOf === day"
        " && document.querySelector('#panel-as-of')?.dataset.asked.startsWith(day)",
        arg=[day],
    )


def test_a_past_date_shows_the_map_decision_makers_and_risks_of_that_date(
    page: Page, demo_server: ServerProcess, screenshots: Path
) -> None:
    org = stakeholder_id(demo_server, "c-datavej")
    now = ask(demo_server, ORGANISATION_AS_OF, {"id": org, "asOf": None})
    open_stakeholder(page, demo_server, "c-datavej")
    page.wait_for_selector("#panel-as-of")
    assert shown_decision_makers(page) == [dm["person"]["name"] for dm in now["keyDecisionMakers"]]
    assert page.inner_text("#as-of-status").startswith("Today")

    choose_day(page, PAST_DAY)
    instant = page.get_attribute("#panel-as-of", "data-as-of")
    assert instant is not None and instant.startswith(f"{PAST_DAY}T23:59:59")
    then = ask(demo_server, ORGANISATION_AS_OF, {"id": org, "asOf": instant})
    then_names = [dm["person"]["name"] for dm in then["keyDecisionMakers"]]
    # The demo organisation's people changed since: the past answer is another list.
    assert then_names != [dm["person"]["name"] for dm in now["keyDecisionMakers"]]
    assert shown_decision_makers(page) == then_names
    assert shown_risks(page) == [risk["explanation"] for risk in then["keyPersonRisks"]]
    revision = then["keyDecisionMakers"][0]["revision"]
    assert page.get_attribute("#panel-as-of", "data-revision") == str(revision)
    assert page.inner_text("#as-of-status") == f"As of 30 Jun 2025 · revision {revision}"
    past_map = ask(demo_server, MAP_AS_OF, {"id": org, "asOf": instant})["relationshipMap"]
    page.wait_for_function(
        "([n]) => window.__stakenet.cy.nodes().length === n", arg=[len(past_map["nodes"])]
    )
    assert map_ids(page) == {node["stakeholder"]["id"] for node in past_map["nodes"]}
    page.wait_for_timeout(700)
    page.screenshot(path=str(screenshots / "explorer-as-of-past-date.png"))

    # The address remembers the day: a manager coming back sees the same answer.
    assert f"asOf={PAST_DAY}" in page.evaluate("location.hash")
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#panel-as-of")
    assert page.input_value("#as-of") == PAST_DAY
    assert shown_decision_makers(page) == then_names

    page.get_by_role("button", name="Today", exact=True).click()
    page.wait_for_function(
        "document.body.dataset.asOf === ''"
        " && document.querySelector('#panel-as-of')?.dataset.asked === ''"
    )
    assert shown_decision_makers(page) == [dm["person"]["name"] for dm in now["keyDecisionMakers"]]
    assert "asOf" not in page.evaluate("location.hash")


def test_a_past_day_before_an_organisations_people_says_so_in_the_panel(
    page: Page, demo_server: ServerProcess
) -> None:
    org = stakeholder_id(demo_server, "c-nordhavn")
    instant = "1900-01-01T23:59:59.999Z"
    then = ask(demo_server, ORGANISATION_AS_OF, {"id": org, "asOf": instant})
    assert then == {"keyDecisionMakers": [], "keyPersonRisks": []}
    page.goto(f"{demo_server.base_url}/#id={org}&asOf=1900-01-01")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#panel-as-of")
    assert page.inner_text("#panel-as-of") == (
        "As of 1 Jan 1900, 23:59 UTC: no decision-makers or key-person risks."
    )
    assert page.get_attribute("#panel-as-of", "data-asked") == "1900-01-01T23:59:59.999Z"
    # Every part of the panel is an element: no stray text such as "null" between them.
    loose_text = page.evaluate(
        "[...document.querySelector('#panel').childNodes]"
        ".filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent)"
    )
    assert loose_text == []


@pytest.mark.parametrize("day", ["2026-02-30", "2025-13-01", "0000-01-01"])
def test_an_address_naming_a_day_the_calendar_lacks_shows_today(
    page: Page, demo_server: ServerProcess, day: str
) -> None:
    org = stakeholder_id(demo_server, "c-nordhavn")
    page.goto(f"{demo_server.base_url}/#id={org}&asOf={day}")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#panel-as-of")
    assert page.evaluate("document.body.dataset.asOf") == ""
    assert page.get_attribute("#panel-as-of", "data-asked") == ""
    assert re.fullmatch(r"Today · revision \d+", page.inner_text("#as-of-status"))
    today = page.evaluate("new Date().toLocaleDateString('sv-SE')")  # YYYY-MM-DD, local
    assert page.input_value("#as-of") == today
    assert page.get_attribute("#as-of", "min") == "0001-01-01"


def test_a_day_typed_into_the_date_field_is_the_only_day_asked_for(
    page: Page, demo_server: ServerProcess
) -> None:
    open_stakeholder(page, demo_server, "c-nordhavn")
    page.wait_for_selector("#panel-as-of")
    asked: list[str] = []

    def note(request: Any) -> None:
        if request.url.endswith("/graphql") and request.method == "POST":
            as_of = (request.post_data_json or {}).get("variables", {}).get("asOf")
            if as_of:
                asked.append(as_of)

    page.on("request", note)
    # The digits of 1 March 2025 in the order the field shows its parts in this locale.
    digits = page.evaluate(
        "new Intl.DateTimeFormat(undefined, {year: 'numeric', month: '2-digit', day: '2-digit'})"
        ".formatToParts(new Date(2025, 2, 1)).filter((p) => p.type !== 'literal')"
        ".map((p) => p.value).join('')"
    )
    page.focus("#as-of")
    page.keyboard.type(digits, delay=50)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelector('#panel-as-of')?.dataset.asked.startsWith('2025-03-01')"
    )
    page.wait_for_timeout(1500)  # past the pause after which the field's day is taken
    assert page.input_value("#as-of") == "2025-03-01"
    assert page.evaluate("document.body.dataset.asOf") == "2025-03-01"
    assert set(asked) == {"2025-03-01T23:59:59.999Z"}


def health_figures(page: Page) -> dict[str, Any]:
    figures: dict[str, Any] = page.evaluate(
        """() => {
          const chart = document.querySelector('#health .health-chart');
          const bars = [...chart.querySelectorAll('.health-bar')];
          return {
            from: chart.dataset.from, to: chart.dataset.to,
            counts: bars.map((b) => Number(b.dataset.count)),
            heights: bars.map((b) => b.getBBox().height),
            coverage: [...chart.querySelectorAll('.health-coverage-point')].map((c) => Number(c.dataset.coverage)),
            coverageY: [...chart.querySelectorAll('.health-coverage-point')].map((c) => c.getBBox().y),
            moods: [...chart.querySelectorAll('.health-mood')].map((c) => Number(c.dataset.sentiment)),
            rows: [...document.querySelectorAll('#health tbody tr')].map((r) => [...r.children].map((c) => c.textContent)),
            width: chart.getBoundingClientRect().width,
            panel: document.querySelector('#panel').clientWidth,
          };
        }"""
    )
    return figures


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1400px", "390px"])
def test_the_health_chart_draws_the_apis_last_twelve_months(
    new_page: PageFactory, demo_server: ServerProcess, screenshots: Path, viewport: dict[str, int]
) -> None:
    page = new_page(demo_server, viewport)
    org = stakeholder_id(demo_server, "c-nordhavn")
    open_stakeholder(page, demo_server, "c-nordhavn")
    page.wait_for_selector("#health[data-ready=true]")
    shown = health_figures(page)
    assert shown["from"].endswith("-01T00:00:00.000Z")
    points = ask(demo_server, HEALTH, {"id": org, "from": shown["from"], "to": shown["to"]})[
        "relationshipHealth"
    ]
    assert len(points) == 12
    counts = [p["interactions"] for p in points]
    assert shown["counts"] == counts
    assert sum(counts) > 0
    # Bar heights follow the counts: each is its count's share of the tallest.
    tallest, most = max(shown["heights"]), max(counts)
    for height, count in zip(shown["heights"], counts, strict=True):
        assert height / tallest == pytest.approx(count / most, abs=1e-3)
    assert shown["coverage"] == [p["coverage"] for p in points]
    # The coverage line: 0 % at the bars' base, so a higher coverage is drawn higher.
    for (y1, c1), (y2, c2) in zip(
        zip(shown["coverageY"], shown["coverage"], strict=True),
        zip(shown["coverageY"][1:], shown["coverage"][1:], strict=True),
        strict=False,
    ):
        assert (y1 < y2) == (c1 > c2) or c1 == c2
    assert shown["moods"] == [p["meanSentiment"] for p in points if p["meanSentiment"] is not None]
    # The table says the same, month by month.
    assert [row[1] for row in shown["rows"]] == [str(c) for c in counts]
    assert [row[3].split(" %")[0] for row in shown["rows"]] == [
        str(round(p["coverage"] * 100)) for p in points
    ]
    assert shown["width"] <= shown["panel"]
    page.locator("#health").scroll_into_view_if_needed()
    name = "wide" if viewport == WIDE else "phone"
    page.locator("#health").screenshot(path=str(screenshots / f"explorer-health-{name}.png"))


@pytest.mark.parametrize(
    ("day", "first_month", "months"),
    [("0050-06-15", "0049-07-01", 12), ("0001-03-10", "0001-01-01", 3)],
)
def test_the_health_chart_of_a_day_in_the_first_centuries_asks_for_that_day_s_months(
    page: Page, demo_server: ServerProcess, day: str, first_month: str, months: int
) -> None:
    org = stakeholder_id(demo_server, "c-nordhavn")
    page.goto(f"{demo_server.base_url}/#id={org}&asOf={day}")
    page.wait_for_selector("#health[data-ready=true]")
    shown = health_figures(page)
    assert (shown["from"], shown["to"]) == (f"{first_month}T00:00:00.000Z", f"{day}T23:59:59.999Z")
    # The network did not exist yet: every month is drawn, with nothing in it.
    assert shown["counts"] == [0] * months
    assert [row[0] for row in shown["rows"]][-1] == page.evaluate(
        "(day) => new Date(day).toLocaleDateString('en-GB',"
        " {month: 'short', year: 'numeric', timeZone: 'UTC'})",
        f"{day}T00:00:00Z",
    )


def test_the_portfolio_lists_the_accounts_in_the_apis_order_and_opens_one(
    page: Page, demo_server: ServerProcess, screenshots: Path
) -> None:
    accounts = ask(demo_server, PORTFOLIO, {})["portfolio"]
    assert len(accounts) > 3
    page.goto(demo_server.base_url + "/")
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_role("link", name="Portfolio").click()
    page.wait_for_selector("#view-portfolio[data-ready=true]")
    assert page.get_attribute("#tab-portfolio", "aria-selected") == "true"
    assert "view=portfolio" in page.evaluate("location.hash")
    names = page.eval_on_selector_all(
        ".account .account-name", "els => els.map((e) => e.textContent)"
    )
    assert names == [a["organization"]["name"] for a in accounts]
    whys = page.eval_on_selector_all(".account-why", "els => els.map((e) => e.textContent)")
    assert whys == [a["explanation"] for a in accounts]
    first = page.locator(".account").first
    assert f"{round(accounts[0]['coverage'] * 100)} %" in first.inner_text()
    assert f"{accounts[0]['interactions']} ({accounts[0]['interactionsBefore']} before)" in (
        first.inner_text()
    )
    page.screenshot(path=str(screenshots / "explorer-portfolio.png"))

    second = accounts[1]["organization"]
    page.get_by_role("button", name=second["name"], exact=True).first.click()
    page.wait_for_function(
        "([name]) => document.querySelector('#panel-title')?.textContent === name",
        arg=[second["name"]],
    )
    page.wait_for_function("([id]) => window.__stakenet.state.centerId === id", arg=[second["id"]])


LOG_INTERACTION = """mutation($us: ID!, $them: ID!, $at: DateTime!) {
  logInteraction(input: {kind: MEETING, occurredAt: $at, sentiment: 0.5,
    participants: [{stakeholderId: $us}, {stakeholderId: $them}]}) { errors { message } }
}"""


def test_an_open_portfolio_follows_a_change_live(
    new_page: PageFactory, own_server: ServerFactory
) -> None:
    server = own_server("portfolio-live.db", demo=True)
    page = new_page(server, WIDE)
    page.goto(server.base_url + "/#view=portfolio")
    page.wait_for_selector("#view-portfolio[data-ready=true]")
    page.wait_for_selector("#live-status[data-status=live]")
    before = ask(server, PORTFOLIO, {})["portfolio"]
    quiet = next(a for a in before if a["interactions"] == 0)
    org = quiet["organization"]
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    us = stakeholder_id(server, "p-mette-kjaer")
    logged = ask(server, LOG_INTERACTION, {"us": us, "them": org["id"], "at": yesterday})
    assert logged["logInteraction"]["errors"] == []
    account = page.locator(f".account[data-id='{org['id']}']")
    expected = f"1 ({quiet['interactionsBefore']} before)"
    page.wait_for_function(
        "([id, text]) => document.querySelector(`.account[data-id='${id}']`)"
        "?.textContent.includes(text)",
        arg=[org["id"], expected],
        timeout=20_000,
    )
    after = ask(server, PORTFOLIO, {})["portfolio"]
    assert next(a for a in after if a["organization"]["id"] == org["id"])["interactions"] == 1
    assert account.locator(".account-why").inner_text() == next(
        a["explanation"] for a in after if a["organization"]["id"] == org["id"]
    )


ALERTS = """query($org: ID) { alerts(organizationId: $org, first: 100) {
  edges { node { id kind severity explanation organization { id } } } } }"""

CONTACT_TIES = """query($id: ID!) { stakeholder(id: $id) { ties(first: 50) { edges { node {
  id kind source { key internal } target { key internal } } } } } }"""


def test_the_alerts_list_shows_a_raised_alert_live_and_filters_by_the_open_organisation(
    new_page: PageFactory, own_server: ServerFactory, screenshots: Path
) -> None:
    server = own_server("alerts-live.db", demo=True)
    page = new_page(server, WIDE)
    org = stakeholder_id(server, "c-vestkyst-vand")
    page.goto(f"{server.base_url}/#id={org}&view=alerts")
    page.wait_for_selector("#view-alerts[data-ready=true]")
    page.wait_for_selector("#live-status[data-status=live]")
    page.wait_for_function("document.querySelector('#alerts-only-name')?.textContent.trim()")
    assert page.locator("#view-alerts .alert").count() == 0
    assert ask(server, ALERTS, {"org": org})["alerts"]["edges"] == []
    # Maria Lauridsen, a top decision-maker there, knows two of our people: take one away.
    maria = stakeholder_id(server, "p-maria-lauridsen")
    ties = ask(server, CONTACT_TIES, {"id": maria})["stakeholder"]["ties"]["edges"]
    emil = next(t["node"]["id"] for t in ties if t["node"]["source"]["key"] == "p-emil-skov")
    deleted = ask(
        server, "mutation($id: ID!) { deleteTie(id: $id) { errors { message } } }", {"id": emil}
    )
    assert deleted["deleteTie"]["errors"] == []
    # Raised while the map is shown: the alerts tab counts what is new.
    page.get_by_role("tab", name="Relationship map").click()
    page.wait_for_selector("#alerts-new:not([hidden])", timeout=20_000)
    stored = [e["node"] for e in ask(server, ALERTS, {"org": org})["alerts"]["edges"]]
    assert stored, "the API raised no alert"
    page.wait_for_function(
        "([text]) => document.querySelector('#alerts-new').textContent === text",
        arg=[f"{len(stored)} new"],
    )
    page.get_by_role("tab", name=re.compile("^Alerts")).click()
    assert page.locator("#alerts-new").is_hidden()
    page.wait_for_function(
        "([n]) => document.querySelectorAll('#view-alerts .alert').length === n",
        arg=[len(stored)],
    )
    shown = page.eval_on_selector_all(
        "#view-alerts .alert",
        "els => els.map((e) => [e.dataset.id, e.querySelector('.alert-why').textContent])",
    )
    assert shown == [[a["id"], a["explanation"]] for a in reversed(stored)]
    page.screenshot(path=str(screenshots / "explorer-alerts.png"))
    # Loaded afresh, with no refresh under way: the stored alert reads well and fits.
    page.reload()
    page.wait_for_selector("#view-alerts[data-ready=true] .alert")
    page.wait_for_selector("#panel-as-of")
    page.wait_for_function("!document.querySelector('[aria-busy]')")
    assert page.evaluate(LOW_CONTRAST) == []
    # As the page-wide check does: closed explanations are laid out at no width, so open them.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert page.evaluate(OVERFLOWING) == []
    page.set_viewport_size(PHONE)
    assert page.evaluate(OVERFLOWING) == []
    page.locator("#view-alerts").screenshot(path=str(screenshots / "explorer-alerts-phone.png"))
    page.set_viewport_size(WIDE)
    # Another organisation open: its own alerts only (none); every organisation: all of them.
    page.evaluate(f"window.__stakenet.select({stakeholder_id(server, 'm-aarhus')!r})")
    page.wait_for_function(
        "document.querySelector('#alerts-only-name').textContent.includes('Aarhus Kommune')"
        " && !document.querySelector('#view-alerts[aria-busy]')"
    )
    page.wait_for_function("document.querySelectorAll('#view-alerts .alert').length === 0")
    page.uncheck("#alerts-only")
    everything = ask(server, ALERTS, {"org": None})["alerts"]["edges"]
    page.wait_for_function(
        "([n]) => document.querySelectorAll('#view-alerts .alert').length === n",
        arg=[len(everything)],
    )
