"""Browser fixtures: a real stakenet server process with the demo network, Debian's Chromium
driven by Playwright, and a page that fails its test on any console error, uncaught exception or
request to another origin."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest

from support.server_process import ServerProcess, start_server

if TYPE_CHECKING:
    # Imported lazily below, so the server-process tests here run without Playwright.
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request, WebSocket

CHROMIUM = os.environ.get("STAKENET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = start_server(tmp_path_factory.mktemp("explorer") / "s.db", demo=True)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: a missing browser is a broken setup
        pytest.skip(message)
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class PageGuard:
    """What a page did that a test must not accept: errors, and traffic to other origins."""

    origin: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    # The starts of console errors the browser logs of its own for what the test makes happen
    # and the page handles: a 401 that makes it ask for a token, a server that is restarted.
    expected: tuple[str, ...] = ()

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith(self.expected):
            self.errors.append(f"console: {message.text}")

    def on_page_error(self, error: Exception) -> None:
        self.errors.append(f"page error: {error}")

    def on_request(self, request: Request) -> None:
        # data: URIs (GraphiQL's embedded fonts) never leave the browser.
        if not (request.url.startswith(self.origin + "/") or request.url.startswith("data:")):
            self.foreign.append(request.url)

    def on_websocket(self, socket: WebSocket) -> None:
        if not socket.url.startswith(self.origin.replace("http://", "ws://", 1) + "/"):
            self.foreign.append(socket.url)

    def check(self) -> None:
        assert self.errors == [], self.errors
        assert self.foreign == [], f"requests left the server's origin: {self.foreign}"


def open_page(
    browser: Browser,
    server: ServerProcess,
    viewport: dict[str, int],
    expected: tuple[str, ...] = (),
) -> tuple[Page, PageGuard]:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    guard = PageGuard(server.base_url, expected=expected)
    page.on("console", guard.on_console)
    page.on("pageerror", guard.on_page_error)
    page.on("request", guard.on_request)
    page.on("websocket", guard.on_websocket)
    return page, guard


class PageFactory(Protocol):
    def __call__(
        self, server: ServerProcess, viewport: dict[str, int], *, expected: tuple[str, ...] = ...
    ) -> Page: ...


class ServerFactory(Protocol):
    def __call__(
        self,
        name: str,
        *,
        demo: bool = False,
        extra: list[str] | None = None,
        port: int | None = None,
    ) -> ServerProcess: ...


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServerFactory]:
    """Start servers of a test's own (``own_server("name.db", demo=True)``), stopped after its pages.

    ``new_page`` depends on this fixture, so pytest closes the pages first: a server stopped under
    an open page would fail the test on the page's reconnect attempts, not on anything it checked.
    """
    started: list[ServerProcess] = []

    def factory(
        name: str, *, demo: bool = False, extra: list[str] | None = None, port: int | None = None
    ) -> ServerProcess:
        server = start_server(tmp_path / name, demo=demo, extra=extra, port=port)
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


@pytest.fixture
def new_page(browser: Browser, own_server: ServerFactory) -> Iterator[PageFactory]:
    """Open pages of any size on any server; each fails the test on errors or foreign requests
    (but the console errors that start as one of `expected`)."""
    opened: list[tuple[Page, PageGuard]] = []

    def factory(
        server: ServerProcess, viewport: dict[str, int], *, expected: tuple[str, ...] = ()
    ) -> Page:
        page, guard = open_page(browser, server, viewport, expected)
        opened.append((page, guard))
        return page

    yield factory
    for page, guard in opened:
        page.context.close()
        guard.check()


@pytest.fixture
def page(new_page: PageFactory, demo_server: ServerProcess) -> Page:
    """A desktop-sized page on the demo server."""
    return new_page(demo_server, DESKTOP)
