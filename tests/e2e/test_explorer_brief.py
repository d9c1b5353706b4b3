"""The negotiation brief printed, and the map as a list, in a real Chromium against the demo
network."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest
from test_explorer import A4_CONTENT_MM, PX_PER_MM, demo_organisations, stakeholder_id

from support.server_process import ServerProcess

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

pytestmark = pytest.mark.server

# A page object in a PDF; "/Type /Pages" is the page tree, not a page.
PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)")

# Every piece of text in the brief (outside the map's drawing) smaller than 8pt, as printed.
TEXT_BELOW_8PT = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const box = node.parentElement;
    if (!node.textContent.trim() || box.closest('svg')) continue;
    const style = getComputedStyle(box);
    if (style.display === 'none' || box.closest('[hidden]') || !box.getClientRects().length) continue;
    const points = parseFloat(style.fontSize) * 72 / 96;
    if (points < 7.99) small.push(`${node.textContent.trim().slice(0, 40)}: ${points}pt`);
  }
  return small;
}"""


def open_brief(page: Page, server: ServerProcess, key: str) -> None:
    page.goto(f"{server.base_url}/brief.html#id={stakeholder_id(server, key)}")
    page.wait_for_selector("body[data-ready=true]")


def printed_pages(pdf: bytes) -> int:
    return len(PDF_PAGE.findall(pdf))


@pytest.mark.browser
@pytest.mark.slow
def test_every_demo_organisations_brief_prints_on_one_a4_page(
    page: Page, demo_server: ServerProcess
) -> None:
    pages: dict[str, int] = {}
    page.emulate_media(media="print")
    for key in demo_organisations():
        open_brief(page, demo_server, key)
        assert page.locator("[role=alert]").count() == 0, key
        pages[key] = printed_pages(page.pdf(format="A4", print_background=True))
    assert pages == {key: 1 for key in demo_organisations()}


@pytest.mark.browser
def test_the_printed_brief_keeps_every_part_legible_on_one_page(
    page: Page, demo_server: ServerProcess, screenshots: Path
) -> None:
    open_brief(page, demo_server, "c-nordhavn")
    # The print styles on a window as wide as an A4 sheet's text.
    page.set_viewport_size(
        {
            "width": round(A4_CONTENT_MM[0] * PX_PER_MM),
            "height": round(A4_CONTENT_MM[1] * PX_PER_MM),
        }
    )
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    assert printed_pages(pdf) == 1
    assert page.evaluate(TEXT_BELOW_8PT) == []
    # Each decision-maker on one line: name, title, score and top factors.
    rows = page.locator("section[aria-label='Key decision-makers'] tbody tr")
    assert rows.count() == 6
    heights = [
        box["height"] for box in rows.evaluate_all("rs => rs.map(r => r.getBoundingClientRect())")
    ]
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('tbody td')).lineHeight)"
    )
    assert max(heights) < 2 * line, heights
    assert rows.first.inner_text().split("\t")[:3] == ["1", "Peter Mørch adm. direktør", "0.80"]
    # What did not fit is counted.
    assert page.locator(".brief-decision-makers .more").inner_text() == (
        "5 more decision-makers in the explorer."
    )
    assert page.locator(".brief-risks .more").count() == 0
    # Nordhavn has more interactions than the brief fetched: the count is a floor.
    assert page.locator(".brief-interactions .more").inner_text() == (
        "At least 11 more interactions in the explorer."
    )
    # The map sits beside the introduction paths, in the sheet's right half.
    paths = page.locator("section[aria-label='Introduction paths']").bounding_box()
    drawing = page.locator("section[aria-label='Relationship map']").bounding_box()
    assert paths is not None and drawing is not None
    assert drawing["x"] > paths["x"] + paths["width"] - 1
    assert abs(drawing["y"] - paths["y"]) < 2
    path = screenshots / "brief-one-page.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "110", "-singlefile", str(path), str(path.with_suffix(""))],
            check=True,
        )


DISTANCES = """query($id: ID!) {
  relationshipMap(centerId: $id, depth: 3, minStrength: 0, limit: 500) {
    nodes { distance stakeholder { name } }
  }
}"""


@pytest.mark.browser
def test_the_map_as_a_list_counts_expanded_stakeholders_from_the_centre(
    page: Page, demo_server: ServerProcess
) -> None:
    nordhavn = stakeholder_id(demo_server, "c-nordhavn")
    page.goto(f"{demo_server.base_url}/#id={nordhavn}")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("document.querySelector('#map').dataset.layout === 'settled'")
    items = page.locator("#map-list-items li")
    kolding = items.filter(has_text="Kolding Kommune — Municipality")
    assert (kolding.text_content() or "").startswith(
        "Kolding Kommune — Municipality, 2 steps from the centre."
    )
    before = items.count()
    page.evaluate(f"window.__stakenet.expand({stakeholder_id(demo_server, 'm-kolding')!r})")
    page.wait_for_function("document.querySelector('#map-status').textContent.startsWith('Added')")
    assert page.text_content("#map-status") == "Added 3 stakeholders around Kolding Kommune."
    lines = [line.split(" Ties:")[0] for line in items.all_text_contents()]
    # Nearest the centre first: the three added ones come last, three steps out through Kolding.
    assert len(lines) == before + 3
    assert lines[-3:] == [
        f"{name} — Person, 3 steps from the centre, added by expanding Kolding Kommune."
        for name in ["Inger Westh", "Knud Frandsen", "Per Kallesen"]
    ]
    # The server's own count of steps from Nordhavn agrees.
    nodes = demo_server.graphql(DISTANCES, {"id": nordhavn})["data"]["relationshipMap"]["nodes"]
    distances = {node["stakeholder"]["name"]: node["distance"] for node in nodes}
    assert [distances[name] for name in ["Inger Westh", "Knud Frandsen", "Per Kallesen"]] == [
        3,
        3,
        3,
    ]
