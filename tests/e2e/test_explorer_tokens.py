"""The explorer on a server that requires API tokens, in a real Chromium against a real server
process: it asks for a token, sends it on every request and websocket, and asks again when the
server refuses it, without reconnecting on a token the server refused."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from support.server_process import ServerProcess

if TYPE_CHECKING:
    from playwright.sync_api import Page, WebSocket

    from .conftest import PageFactory, ServerFactory

pytestmark = [pytest.mark.server, pytest.mark.browser]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SIGN_IN = "dialog#sign-in[open]"
# The dialog quotes the server's reasons.
REQUIRED = "The server said: A valid API token is required: send 'Authorization: Bearer <token>'."
NOT_VALID = "The server said: The token is not valid: send 'Authorization: Bearer <token>'."
# The browser's own log of the API's answer to a missing, wrong or revoked token, which the
# page handles by asking for one.
REFUSED = ("Failed to load resource: the server responded with a status of 401 (Unauthorized)",)
# What of the header sticks out of the window, or overlaps another of its parts.
HEADER_OVERFLOW = """() => {
  const parts = [...document.querySelector('.topbar').children].filter((e) => e.offsetParent);
  const boxes = parts.map((e) => e.getBoundingClientRect());
  const found = [];
  parts.forEach((e, i) => {
    if (boxes[i].right > window.innerWidth) found.push(`${e.className} ends at ${boxes[i].right}`);
    parts.slice(0, i).forEach((other, j) => {
      const [a, b] = [boxes[i], boxes[j]];
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
        found.push(`${e.className} overlaps ${other.className}`);
    });
  });
  if (document.documentElement.scrollWidth > window.innerWidth) found.push('the page scrolls sideways');
  return found;
}"""
# Every text whose contrast is below WCAG AA, as the explorer's own tests measure it.
LOW_CONTRAST = (Path(__file__).parent / "contrast.js").read_text()


def token_command(database: Path, *arguments: str) -> str:
    """`stakenet token …` on the server's database, in a process of its own as an operator
    (or another replica) runs it; what it printed."""
    command = [sys.executable, "-m", "stakenet.cli", "token", *arguments]
    done = subprocess.run(
        [*command, "--db", f"sqlite:///{database}"], capture_output=True, text=True, check=True
    )
    return done.stdout


def create_token(database: Path, role: str, name: str) -> str:
    """The new token's secret: the last word `stakenet token create` prints."""
    return token_command(database, "create", "--role", role, "--name", name).split()[-1]


def revoke_token(database: Path, name: str) -> None:
    token_command(database, "revoke", name)


def graphql_as(
    server: ServerProcess, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        server.base_url + "/graphql",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, Any] = json.load(response)
    assert "errors" not in answer, answer
    return answer["data"]


def stakeholder_id(server: ServerProcess, token: str, key: str) -> str:
    found = graphql_as(
        server, token, "query($k: String!) { stakeholder(key: $k) { id } }", {"k": key}
    )
    return str(found["stakeholder"]["id"])


TIE = """mutation($a: ID!, $b: ID!) {
  createTie(input: {sourceId: $a, targetId: $b, kind: KNOWS, strength: 0.8}) { errors { message } }
}"""


def add_person_beside(server: ServerProcess, token: str, name: str, beside: str) -> None:
    """Another client writes: a new person tied to `beside`."""
    created = graphql_as(
        server,
        token,
        "mutation($n: String!) { createPerson(input: {name: $n}) { person { id } } }",
        {"n": name},
    )
    person = created["createPerson"]["person"]["id"]
    tied = graphql_as(server, token, TIE, {"a": person, "b": beside})
    assert tied["createTie"]["errors"] == []


def sign_in(page: Page, token: str) -> None:
    dialog = page.get_by_role("dialog", name="Sign in with an API token")
    dialog.get_by_label("API token").fill(token)
    dialog.get_by_label("API token").press("Enter")


def message(page: Page) -> str:
    return page.inner_text("#sign-in-message")


def map_shows(page: Page, name: str) -> None:
    page.wait_for_function(
        f"window.__stakenet.cy.nodes().some(n => n.data('label') === {json.dumps(name)})",
        timeout=10_000,
    )


@pytest.fixture
def secured(
    tmp_path: Path, own_server: ServerFactory
) -> tuple[ServerProcess, Path, dict[str, str]]:
    """The demo network on a server that requires tokens: two viewers and an editor."""
    database = tmp_path / "secured.db"
    tokens = {
        name: create_token(database, role, name)
        for name, role in (("analyst", "viewer"), ("analyst-2", "viewer"), ("crm-sync", "editor"))
    }
    return own_server("secured.db", demo=True), database, tokens


def test_the_page_asks_for_a_token_and_with_a_viewer_s_shows_everything(
    secured: tuple[ServerProcess, Path, dict[str, str]], new_page: PageFactory, screenshots: Path
) -> None:
    server, _, tokens = secured
    page = new_page(server, DESKTOP, expected=REFUSED)
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    page.on("websocket", lambda socket: addresses.append(socket.url))
    page.goto(server.base_url + "/")

    # The server refused the page's first request: the dialog says so, in the server's words.
    page.wait_for_selector(SIGN_IN)
    assert message(page) == REQUIRED
    assert page.evaluate("document.activeElement.id") == "sign-in-token"
    assert page.get_attribute("#sign-in-token", "type") == "password"
    assert page.locator(".signed-in").is_hidden()

    page.screenshot(path=str(screenshots / "explorer-sign-in.png"))

    # A wrong token: the server's message, and the dialog keeps asking.
    sign_in(page, "snk_not-a-token")
    page.wait_for_function(
        f"document.querySelector('#sign-in-message').textContent === {json.dumps(NOT_VALID)}"
    )
    assert page.locator(SIGN_IN).is_visible()
    assert page.evaluate("sessionStorage.getItem('stakenet.token')") is None
    # The dialog is usable by keyboard (the token field, then its button) and legible.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Sign in"
    assert page.evaluate(LOW_CONTRAST) == []

    sign_in(page, tokens["analyst"])
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator(SIGN_IN).count() == 0
    assert page.text_content(".signed-in-as") == "Signed in as analyst (viewer)"
    assert page.evaluate(LOW_CONTRAST) == []
    # The header has room for it, on a desktop and on a phone.
    assert page.evaluate(HEADER_OVERFLOW) == []
    page.screenshot(path=str(screenshots / "explorer-signed-in.png"))
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)  # the map follows the window's size a moment later
    assert page.evaluate(HEADER_OVERFLOW) == []
    page.set_viewport_size(DESKTOP)

    # The map, the panel of an organisation (decision-makers and paths), all with a viewer's token.
    search = page.get_by_role("combobox", name="Search stakeholders")
    search.fill("nordhavn")
    page.wait_for_selector("#search-results [role=option]")
    search.press("Enter")
    page.wait_for_selector(".decision-maker")
    assert page.inner_text("#panel-title") == "Nordhavn Energi A/S"
    assert page.evaluate("window.__stakenet.cy.nodes().length") > 5

    # Live: a write by another client shows up on the map.
    page.wait_for_selector("#live-status[data-status=live]")
    peter = stakeholder_id(server, tokens["analyst"], "p-peter-moerch")
    add_person_beside(server, tokens["crm-sync"], "Signed-in Live Person", peter)
    map_shows(page, "Signed-in Live Person")

    # The portfolio and the alerts read with a viewer's token too.
    page.get_by_role("tab", name="Portfolio").click()
    page.wait_for_selector("#view-portfolio .account")
    page.get_by_role("tab", name="Alerts").click()
    page.wait_for_selector("#view-alerts[data-ready]")
    assert "Could not" not in page.inner_text("#view-alerts")
    page.get_by_role("tab", name="Relationship map").click()

    # The brief, in the same tab, uses the same token without asking.
    page.get_by_role("link", name="Negotiation brief").click()
    page.wait_for_selector("body[data-ready=true]")
    assert page.title() == "Negotiation brief: Nordhavn Energi A/S · stakenet"
    assert page.locator("section[aria-label='Key decision-makers'] tbody tr").count() == 6
    assert page.locator(SIGN_IN).count() == 0
    assert page.text_content(".signed-in-as") == "Signed in as analyst (viewer)"

    # Back, and reloaded: the tab still holds the token.
    page.get_by_role("link", name="Back to the explorer").click()
    page.wait_for_selector(".decision-maker")
    page.reload()
    page.wait_for_selector(".decision-maker")
    page.wait_for_selector("#live-status[data-status=live]")
    assert page.locator(SIGN_IN).count() == 0

    # Nothing of the token is kept beyond the tab, nor put in any address.
    secret = tokens["analyst"]
    assert page.evaluate("JSON.stringify(localStorage)") == "{}"
    assert page.evaluate("sessionStorage.getItem('stakenet.token')") == secret
    assert not [address for address in [*addresses, page.url] if secret in address]

    # Signing out forgets it and asks again.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector(SIGN_IN)
    assert message(page) == REQUIRED
    assert page.evaluate("sessionStorage.getItem('stakenet.token')") is None
    assert page.evaluate("sessionStorage.length") == 0


def test_a_token_revoked_under_an_open_page_asks_again_without_reconnecting(
    secured: tuple[ServerProcess, Path, dict[str, str]], new_page: PageFactory
) -> None:
    server, database, tokens = secured
    page = new_page(server, DESKTOP, expected=REFUSED)
    sockets: list[WebSocket] = []
    page.on("websocket", lambda socket: sockets.append(socket))
    peter = stakeholder_id(server, tokens["analyst"], "p-peter-moerch")
    page.goto(f"{server.base_url}/#id={peter}")
    page.wait_for_selector(SIGN_IN)
    sign_in(page, tokens["analyst"])
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#live-status[data-status=live]")
    subscriptions = len(sockets)  # the changes and the alerts, each on its socket
    assert subscriptions == 2

    # Revoked by the operator: the server ends the subscriptions, and the page asks again.
    revoke_token(database, "analyst")
    page.wait_for_selector(SIGN_IN, timeout=10_000)
    assert message(page) == (
        "The server said: The token 'analyst' is no longer valid; the subscription ended."
    )
    assert page.evaluate("sessionStorage.getItem('stakenet.token')") is None
    page.wait_for_selector("#live-status[data-status=offline]")
    # While it asks, no socket is opened again with the refused token.
    page.wait_for_timeout(5_000)
    assert len(sockets) == subscriptions
    assert all(socket.is_closed() for socket in sockets)

    # Another token: each subscription connects once more, and is live.
    sign_in(page, tokens["analyst-2"])
    page.wait_for_selector("#live-status[data-status=live]")
    assert page.locator(SIGN_IN).count() == 0
    add_person_beside(server, tokens["crm-sync"], "After Revocation Person", peter)
    map_shows(page, "After Revocation Person")
    assert len(sockets) == 2 * subscriptions
    assert page.text_content(".signed-in-as") == "Signed in as analyst-2 (viewer)"


def test_a_socket_refused_on_reconnecting_asks_again_without_reconnecting(
    secured: tuple[ServerProcess, Path, dict[str, str]],
    new_page: PageFactory,
    own_server: ServerFactory,
) -> None:
    """The token is revoked while the server is down: the page's sockets reconnect to a server
    that closes them as forbidden, saying no more, so the page asks over HTTP, whose 401 says
    why, and opens no socket until it has a token the server accepts."""
    server, database, tokens = secured
    # Reconnecting to the stopped server fails, as the browser says.
    down = f"WebSocket connection to 'ws://127.0.0.1:{server.port}/graphql' failed"
    page = new_page(server, DESKTOP, expected=(*REFUSED, down))
    sockets: list[WebSocket] = []
    page.on("websocket", lambda socket: sockets.append(socket))
    page.goto(server.base_url + "/")
    page.wait_for_selector(SIGN_IN)
    sign_in(page, tokens["analyst"])
    page.wait_for_selector("#live-status[data-status=live]")

    server.stop()
    page.wait_for_selector("#live-status[data-status=offline]")
    revoke_token(database, "analyst")
    own_server("secured.db", demo=True, port=server.port)
    # The sockets reconnect after a growing delay (1, 2, 4, 8 s …) and are refused.
    page.wait_for_selector(SIGN_IN, timeout=30_000)
    assert message(page) == NOT_VALID
    opened = [socket for socket in sockets if not socket.is_closed()]
    assert opened == []
    refused = len(sockets)
    page.wait_for_timeout(5_000)
    assert len(sockets) == refused

    sign_in(page, tokens["analyst-2"])
    page.wait_for_selector("#live-status[data-status=live]")
    page.wait_for_timeout(1_000)
    assert len(sockets) == refused + 2


def test_a_revoked_token_asks_again_on_the_next_request(
    secured: tuple[ServerProcess, Path, dict[str, str]], new_page: PageFactory
) -> None:
    server, database, tokens = secured
    page = new_page(server, DESKTOP, expected=REFUSED)
    nordhavn = stakeholder_id(server, tokens["analyst"], "c-nordhavn")
    page.goto(f"{server.base_url}/brief.html#id={nordhavn}")
    page.wait_for_selector(SIGN_IN)
    sign_in(page, tokens["analyst"])
    page.wait_for_selector("body[data-ready=true]")
    assert page.title() == "Negotiation brief: Nordhavn Energi A/S · stakenet"

    # The brief has no subscription: the next request hears of the revocation.
    revoke_token(database, "analyst")
    page.reload()
    page.wait_for_selector(SIGN_IN)
    assert message(page) == NOT_VALID
    sign_in(page, tokens["analyst-2"])
    page.wait_for_selector("section[aria-label='Key decision-makers'] tbody tr")
    assert page.locator("section[aria-label='Key decision-makers'] tbody tr").count() == 6


def test_a_server_without_tokens_never_asks_for_one(
    own_server: ServerFactory, new_page: PageFactory
) -> None:
    server = own_server("open.db", demo=True)
    page = new_page(server, DESKTOP)
    page.goto(server.base_url + "/")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#live-status[data-status=live]")
    assert page.locator("#starting-points li").count() > 0
    assert page.locator("dialog#sign-in").count() == 0
    # The sign-out control is there for a server with tokens, and hidden here.
    assert page.locator(".signed-in").count() == 1
    assert page.locator(".signed-in").is_hidden()


SUBSCRIPTION = "subscription { graphChanged { revision stakeholderIds } }"


def graphiql_runs(page: Page, query: str, headers: str) -> None:
    """Run `query` in the GraphQL IDE with `headers` typed into its Headers tab."""
    page.wait_for_selector(".graphiql-query-editor .CodeMirror")
    page.evaluate(
        "(q) => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(q)",
        query,
    )
    page.locator(".graphiql-editor-tools button", has_text="Headers").click()
    page.evaluate(
        """(h) => document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden)'
              + ' .CodeMirror').CodeMirror.setValue(h)""",
        headers,
    )
    # GraphiQL parses the document a moment after it changes; run before that, a subscription
    # goes over HTTP as if it were a query.
    page.wait_for_timeout(1000)
    page.locator(".graphiql-execute-button").click()


def sockets_of(page: Page) -> list[dict[str, Any]]:
    """What each websocket the page opens sends first, and whether it closed, as it happens."""
    sockets: list[dict[str, Any]] = []

    def opened(socket: WebSocket) -> None:
        seen: dict[str, Any] = {"sent": [], "received": [], "closed": False}
        sockets.append(seen)
        socket.on("framesent", lambda frame: seen["sent"].append(json.loads(frame)))
        socket.on("framereceived", lambda frame: seen["received"].append(json.loads(frame)))
        socket.on("close", lambda _: seen.update(closed=True))

    page.on("websocket", opened)
    return sockets


def test_graphiql_subscribes_with_the_token_of_its_headers_tab(
    secured: tuple[ServerProcess, Path, dict[str, str]], new_page: PageFactory
) -> None:
    server, _, tokens = secured
    result = ".result-window"
    viewer = f"Bearer {tokens['analyst']}"
    # No token: the socket's connection_init carries none and the server closes it.
    page = new_page(server, DESKTOP, expected=REFUSED)
    sockets = sockets_of(page)
    page.goto(server.base_url + "/graphql")
    graphiql_runs(page, SUBSCRIPTION, "{}")
    page.wait_for_timeout(1000)
    assert sockets and all(socket["closed"] for socket in sockets)
    assert sockets[0]["sent"] == [{"type": "connection_init", "payload": {}}]

    # A viewer's token in the Headers tab goes in connection_init too: the subscription runs and
    # shows another client's write.
    page = new_page(server, DESKTOP, expected=REFUSED)
    sockets = sockets_of(page)
    page.goto(server.base_url + "/graphql")
    graphiql_runs(page, SUBSCRIPTION, json.dumps({"Authorization": viewer}))
    deadline = time.monotonic() + 10
    while not (sockets and any(sent["type"] == "subscribe" for sent in sockets[0]["sent"])):
        assert time.monotonic() < deadline, sockets
        page.wait_for_timeout(50)
    page.wait_for_timeout(500)  # the subscribe message reaches the server
    peter = stakeholder_id(server, tokens["analyst"], "p-peter-moerch")
    add_person_beside(server, tokens["crm-sync"], "Subscribed From GraphiQL", peter)
    page.wait_for_function(
        f"document.querySelector('{result}')?.textContent.includes({json.dumps(peter)})",
        timeout=10_000,
    )
    assert "error" not in page.inner_text(result).lower()
    (socket,) = sockets
    init = {"type": "connection_init", "payload": {"Authorization": viewer}}
    assert socket["sent"][0] == init and not socket["closed"]
