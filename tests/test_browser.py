"""GraphiQL and the dashboard in a real browser, with every request off this machine blocked.

Headless Chromium is Debian's (/usr/bin/chromium), driven by Playwright's Python driver; no
browser is ever downloaded. A real uvicorn server serves the app on a free loopback port,
against the seeded test database (and a second one whose database is out of reach). Each test
saves screenshots in tests/screenshots/, and every page is checked with axe-core (pinned in
the asset lock, installed for these tests only): no serious or critical violation.

Without Chromium (or when the browser files cannot be fetched) these tests skip, unless
FOOTPRINT_REQUIRE_BROWSER=1 (CI sets it): then they fail.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    FloatRect,
    Locator,
    Page,
    Route,
    expect,
    sync_playwright,
)

from api.app import create_app
from api.web.assets import DEFAULT_ASSETS_DIR, TESTS, AssetError, for_pages, install, load_lock
from tests.conftest import settings_for

CHROMIUM = Path(os.environ.get("FOOTPRINT_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
QUERIES = Path(__file__).resolve().parent.parent / "queries"
REQUIRED = os.environ.get("FOOTPRINT_REQUIRE_BROWSER") == "1"
NPCC = "npcc-sex-work-and-prostitution-guidance-2019"
NPCC_TITLE = "National Policing Sex Work and Prostitution Guidance"
POLICY = "gloucestershire-prostitution-policy"
# Nothing listens on port 1: a database that is down.
DOWN = "postgresql://footprint:secret@127.0.0.1:1/footprint"


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} (FOOTPRINT_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def assets_dir() -> Path:
    """The real browser files (GraphiQL, D3, and axe-core for these tests), installed as
    `footprint assets install` does (once, online)."""
    try:
        install(DEFAULT_ASSETS_DIR, lock=load_lock())
    except AssetError as error:
        _unavailable(f"the browser files are not installed and cannot be fetched: {error}")
    return DEFAULT_ASSETS_DIR


def _serve(database_url: str, assets_dir: Path) -> Iterator[str]:
    """The app under uvicorn on 127.0.0.1, a free port, in a thread; yields its base URL."""
    settings = settings_for(database_url, assets_dir=assets_dir, db_connect_timeout=1)
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=0, log_config=None, lifespan="on"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    port = running.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(seeded_database_url: str, assets_dir: Path) -> Iterator[str]:
    yield from _serve(seeded_database_url, assets_dir)


@pytest.fixture(scope="module")
def server_without_database(assets_dir: Path) -> Iterator[str]:
    yield from _serve(DOWN, assets_dir)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def axe_source(assets_dir: Path) -> str:
    (axe,) = for_pages(TESTS)
    return (assets_dir / axe.folder / "axe.min.js").read_text(encoding="utf-8")


@dataclass
class Offline:
    """A page that may reach only the test server; what it tried beyond that, and its errors."""

    page: Page
    base: str
    axe: str
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def screenshot(self, name: str, target: Locator | None = None) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        if target is None:
            self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        else:
            target.screenshot(path=SCREENSHOTS / f"{name}.png")

    def assert_accessible(self) -> None:
        """axe-core finds no serious or critical violation on the page as it is now."""
        violations = self.page.evaluate(
            """async () => {
                const result = await axe.run(document, { resultTypes: ["violations"] });
                return result.violations
                    .filter(v => v.impact === "serious" || v.impact === "critical")
                    .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")) }));
            }"""
        )
        assert violations == [], json.dumps(violations, indent=1)


def _open(browser: Browser, base: str, axe: str, width: int = 1366, height: int = 900) -> Offline:
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    # Injected by the browser itself, before the page's scripts: the page's Content-Security-
    # Policy (no inline script) stays on, and the page never loads axe-core itself.
    context.add_init_script(script=axe)
    page = context.new_page()
    offline = Offline(page, base, axe)

    def only_localhost(route: Route) -> None:
        url = route.request.url
        if url.startswith(base + "/") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            offline.blocked.append(url)
            route.abort("internetdisconnected")

    def console(message: ConsoleMessage) -> None:
        # Errors include Content-Security-Policy refusals and failed loads.
        if message.type == "error":
            offline.errors.append(message.text)

    def uncaught(error: Error) -> None:
        offline.errors.append(str(error))

    page.route("**/*", only_localhost)
    page.on("console", console)
    page.on("pageerror", uncaught)
    return offline


def _close(opened: Offline, *, database_down: bool = False) -> None:
    opened.page.context.close()
    assert opened.blocked == [], "the page tried to reach beyond localhost"
    # With the database down, the API's 503s are the only errors a page may meet.
    unexpected = [e for e in opened.errors if not (database_down and "status of 503" in e)]
    assert unexpected == []
    assert opened.errors or not database_down


@pytest.fixture
def offline(browser: Browser, server: str, axe_source: str) -> Iterator[Offline]:
    opened = _open(browser, server, axe_source)
    yield opened
    _close(opened)


def _editor(page: Page, container: str) -> str:
    """The whole text of a GraphiQL editor (CodeMirror puts only the visible lines in the DOM)."""
    text: str = page.locator(f"{container} .CodeMirror").first.evaluate(
        "e => e.CodeMirror.getValue()"
    )
    return text


def _answer(page: Page) -> object:
    page.wait_for_function(
        "() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()"
        ".includes('data')"
    )
    return json.loads(_editor(page, ".result-window"))


def _ask(base: str, query: str) -> dict[str, Any]:
    """What the API says, so the pictures are checked against the register, not a copy of it."""
    request = urllib.request.Request(
        base + "/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, Any] = json.loads(response.read())["data"]
    return answer


def _stored_answer(name: str) -> object:
    return json.loads((QUERIES / f"{name}.json").read_text())


def _background(locator: Locator) -> str:
    colour: str = locator.evaluate(
        "e => getComputedStyle(e).getPropertyValue(e instanceof SVGElement ? 'fill' : "
        "'background-color')"
    )
    return colour


def _box(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None, "not shown"
    return box


def _within_viewport(page: Page, locator: Locator) -> bool:
    box = _box(locator)
    viewport = page.viewport_size
    assert viewport is not None
    return box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]


# --- GraphiQL ---------------------------------------------------------------------------------


def test_graphiql_opens_questions_in_tabs_titled_in_words_and_runs_them(offline: Offline) -> None:
    page = offline.page
    page.goto(offline.base + "/graphql")
    # The first questions open as tabs titled in words; the saved-questions panel starts shut.
    tabs = page.locator(".graphiql-tab-button")
    expect(tabs).to_have_count(4)
    expect(tabs.first).to_have_text("Who was consulted?")
    expect(tabs.nth(1)).to_have_text("Who was left out?")
    expect(page.get_by_role("heading", name="Saved questions")).to_have_count(0)
    page.get_by_role("button", name="Execute query").click()
    assert _answer(page) == _stored_answer("who-was-consulted")
    offline.screenshot("graphiql-who-was-consulted")
    offline.assert_accessible()

    # Every other question is in the panel, and opens in a new tab with its variables.
    page.get_by_role("button", name="Show Saved questions").click()
    expect(page.get_by_role("heading", name="Saved questions")).to_be_visible()
    page.locator('[data-question="the-foi-answer"]').click()
    expect(tabs).to_have_count(5)
    expect(tabs.last).to_have_text("The FOI answer")
    page.locator('[data-question="who-shaped-a-principle"]').click()
    expect(tabs).to_have_count(6)
    expect(tabs.last).to_have_text("Who shaped a principle?")
    assert json.loads(_editor(page, ".graphiql-editor-tool")) == {"document": NPCC, "position": 3}
    page.locator(".graphiql-query-editor .CodeMirror textarea").focus()
    page.keyboard.press("Control+Enter")
    assert _answer(page) == _stored_answer("who-shaped-a-principle")
    offline.screenshot("graphiql-saved-questions")

    # The explorer plugin, also from local files, builds queries by clicking.
    page.get_by_role("button", name="Show GraphiQL Explorer").click()
    expect(page.get_by_text("coverageMatrix", exact=True)).to_be_visible()


# --- one document -----------------------------------------------------------------------------


def test_who_shaped_what_is_a_picture_with_its_evidence_and_a_table_to_read_it(
    offline: Offline,
) -> None:
    page = offline.page
    page.goto(f"{offline.base}/dashboard#/document/{NPCC}")
    expect(page.get_by_role("heading", level=1)).to_have_text(NPCC_TITLE)
    network = page.get_by_role("region", name="Who shaped what")
    picture = network.locator("svg[data-picture=network]")
    expect(picture).to_be_visible()
    # Five principles and the document on the right; two left-out groups drawn missing.
    expect(picture.locator(".nodes.right .node")).to_have_count(6)
    expect(picture.locator(".node.missing")).to_have_count(2)
    expect(picture.locator(".node.missing.status-not-consulted")).to_have_count(1)
    lines = picture.locator(".edge")
    line_count = lines.count()
    facts = _ask(
        offline.base,
        f"{{ document(slug: {json.dumps(NPCC)}) {{ consultations(first: 100) {{ totalCount }}"
        " principles { shapedBy { effect } } coverage { leftOut { status } } } }",
    )["document"]
    influences = sum(len(p["shapedBy"]) for p in facts["principles"])
    # One line per consultation, per influence and per left-out group.
    assert line_count == facts["consultations"]["totalCount"] + influences + 2

    # Clicking a line shows its evidence under the picture.
    picture.locator("[data-edge^='influence:'] .hit").first.click(force=True)
    chosen = network.locator(".chosen")
    expect(chosen.get_by_role("heading")).to_contain_text("principle 1")
    expect(chosen).to_contain_text("5 guiding statements")
    expect(chosen).to_contain_text("Answer to question 5")
    picture.locator("[data-edge='left-out:womens-groups'] .hit").click(force=True)
    expect(chosen).to_contain_text("Answer to question 10")
    offline.screenshot("dashboard-network", network)

    # The text equivalent, by keyboard alone: open the table, reach a line's evidence, open it.
    summary = network.locator("summary")
    expect(summary).to_have_text(f"The picture as a table ({line_count} lines)")
    summary.focus()
    page.keyboard.press("Enter")
    table = network.get_by_role("table", name="Every line in the picture, with its evidence")
    expect(table.locator("tbody tr")).to_have_count(line_count)
    page.keyboard.press("Tab")
    first = table.locator("tbody tr").first
    evidence = first.get_by_role("button")
    expect(evidence).to_be_focused()
    expect(evidence).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(evidence).to_have_attribute("aria-expanded", "true")
    expect(first.locator(".quote")).to_be_visible()
    expect(table).to_contain_text("Women's groups")
    offline.assert_accessible()


def test_every_consulted_shaped_and_left_out_opens_its_evidence_in_place(
    offline: Offline,
) -> None:
    page = offline.page
    page.goto(offline.base + "/dashboard")
    link = page.get_by_role("link", name=NPCC_TITLE)
    link.focus()
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(NPCC_TITLE)
    expect(heading).to_be_focused()  # a screen reader hears where it landed
    expect(page.get_by_role("status")).to_have_text(f"{NPCC_TITLE} loaded.")

    # Consulted: each organisation's role, in the schema's words, and its quote.
    consulted = page.get_by_role("region", name="Consulted, by group")
    expect(consulted).to_contain_text("Co-developer")
    expect(consulted).not_to_contain_text("Co developer")
    expect(consulted).not_to_contain_text("Women's groups")
    home_office = consulted.get_by_role("listitem").filter(has_text="Home Office")
    home_office.get_by_role("button").click()
    quote = home_office.locator(".quote")
    expect(quote).to_contain_text("Home Office")  # the quote names it
    expect(quote.locator("figcaption")).to_contain_text(
        "NPCC response to Freedom of Information request 059/19"
    )
    expect(quote.locator("figcaption")).to_contain_text("Stated")

    # Left out: the status with its evidence, and why the group was expected, with its own.
    left_out = page.get_by_role("region", name="Left out")
    womens = left_out.get_by_role("listitem").filter(has_text="Women's groups").first
    expect(womens.locator(".badge")).to_have_text("✗ Not consulted")
    womens.get_by_role(
        "button", name=re.compile(r"^Evidence \(\d+\): Women's groups Not consulted$")
    ).click()
    expect(womens).to_contain_text("Answer to question 10")
    expect(womens).to_contain_text("Inferred")
    expect(womens).to_contain_text("FOI request: Question 10 of FOI request 059/19")
    trafficking = left_out.get_by_role("listitem").filter(has_text="Anti-trafficking").first
    expect(trafficking.locator(".badge")).to_have_text("? No record")

    # Shaped: each principle's organisations with the effect, and the quote.
    principles = page.get_by_role("region", name="Principles and who a source ties to each")
    first = principles.locator("ol.principles > li").first
    line = first.locator("ul.influences > li").first
    expect(line).to_contain_text("Consulted on")  # answer 5's words, not "shaped"
    line.get_by_role("button").focus()
    page.keyboard.press("Enter")
    expect(line.locator(".quote")).to_contain_text("5 guiding statements")
    expect(line.locator("figcaption")).to_contain_text("Answer to question 5")

    # What the words mean, as the schema defines them.
    words = page.get_by_role("region", name="What these words mean")
    expect(words).to_contain_text(
        "Co-developerThe source says the document was developed alongside or jointly with the party."
    )
    offline.screenshot("dashboard-citations")
    offline.assert_accessible()


def test_a_documents_timeline_shows_its_versions_relations_and_consultation_records(
    offline: Offline,
) -> None:
    page = offline.page
    page.goto(f"{offline.base}/dashboard#/document/{POLICY}")
    timeline = page.get_by_role("region", name="Timeline")
    picture = timeline.locator("svg[data-picture=timeline]")
    expect(picture).to_be_visible()
    # Three versions; the source gives no publication date and records no consultation on it.
    expect(picture.locator(".event")).to_have_count(3)
    expect(picture.locator(".axis .tick").first).to_be_visible()
    in_order = timeline.locator("ol.timeline-list > li")
    expect(in_order.first).to_contain_text("8 January 2016: Version V1: Creation of new policy")
    expect(in_order.last).to_contain_text("23 May 2017: Version 1.2")
    expect(timeline.locator("ul.timeline-list")).to_contain_text("Cites NPCC Strategy")
    offline.screenshot("dashboard-timeline", timeline)
    offline.assert_accessible()


# --- the matrix -------------------------------------------------------------------------------


def test_the_matrix_fits_1366_pixels_with_the_gap_in_sight_and_filters_and_downloads(
    offline: Offline,
) -> None:
    page = offline.page
    page.goto(offline.base + "/dashboard#/matrix")
    table = page.get_by_role("table", name="Documents by stakeholder group")
    expect(table).to_be_visible()
    # By default only documents with consultation on record: not the cited sources.
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    headers = table.locator("thead th").all_inner_texts()
    assert len(headers) == 14  # the document, then every group
    region = page.get_by_role("region", name="Documents by stakeholder group")
    assert region.evaluate("r => r.scrollWidth <= r.clientWidth")  # every column fits
    column = headers.index("Women's groups")
    row = rows.filter(has=page.get_by_role("rowheader", name=NPCC_TITLE))
    cell = row.locator("th, td").nth(column)
    expect(cell).to_have_class("cell status status-not-consulted gap")
    expect(cell).to_contain_text("Not consulted, a gap")  # what a screen reader reads
    assert _within_viewport(page, cell)
    expect(page.get_by_role("status")).to_have_text("2 of 2 documents shown, 2 gaps.")

    # The heat map draws the same cells, the gaps outlined.
    heat = page.locator("svg[data-picture=heatmap]")
    expect(heat.locator("g.cell")).to_have_count(2 * 13)
    expect(heat.locator("g.cell.gap")).to_have_count(2)
    offline.screenshot("dashboard-matrix-1366")

    # A cell opens its evidence under the table.
    cell.get_by_role("button").click()
    panel = page.locator(".cell-evidence")
    expect(panel.get_by_role("heading")).to_have_text(f"{NPCC_TITLE} \u00d7 Women's groups")
    expect(panel).to_contain_text("Answer to question 10")

    # What is shown downloads as CSV.
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download this table (CSV)").click()
    download = waiting.value
    assert download.suggested_filename == "footprint-coverage-matrix.csv"
    lines = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert lines[0][:2] == ["document", "slug"] and lines[0][2:] == headers[1:]
    npcc = next(line for line in lines if line[1] == NPCC)
    assert npcc[1 + column] == "Not consulted (gap)"
    assert len(lines) == 3

    # Filters: the cited sources on request, one kind, chosen groups.
    page.get_by_label("Also show documents with no consultation on record").check()
    page.get_by_label("Kind of document").select_option("GUIDANCE")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("documents shown")
    titles = table.locator("tbody th").all_inner_texts()
    guidance = _ask(
        offline.base, "{ documents(first: 100, filter: {kind: GUIDANCE}) { totalCount } }"
    )
    assert NPCC_TITLE in titles and len(titles) == guidance["documents"]["totalCount"]
    assert "kind=GUIDANCE" in page.url and "all=1" in page.url
    # On a smaller screen the table scrolls in its region; the header row and the document
    # column stay in view.
    page.set_viewport_size({"width": 1024, "height": 480})
    corner, document_column = table.locator("thead th").first, table.locator("tbody th").first
    before = (_box(corner), _box(document_column))
    region.evaluate("r => { r.scrollLeft = 400; r.scrollTop = 200; }")
    assert region.evaluate("r => r.scrollLeft > 0 && r.scrollTop > 0")
    after = (_box(corner), _box(document_column))
    assert after[0]["x"] == before[0]["x"]  # the corner cell stays...
    assert abs(after[0]["y"] - _box(region)["y"]) <= 3  # ...at the region's top (the caption goes)
    assert after[1]["x"] == before[1]["x"]  # the document column stays
    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator("details.control summary").click()
    for box in page.get_by_role("group", name="Groups to show").get_by_role("checkbox").all():
        if box.evaluate("b => b.value") not in ("womens-groups", "government"):
            box.uncheck()
    page.get_by_role("button", name="Show", exact=True).click()
    expect(table.locator("thead th")).to_have_text(["Document", "Government", "Women's groups"])
    offline.assert_accessible()


def test_on_a_phone_the_matrix_is_a_card_per_document_with_its_gaps_first(
    browser: Browser, server: str, axe_source: str
) -> None:
    phone = _open(browser, server, axe_source, width=390, height=844)
    page = phone.page
    page.goto(server + "/dashboard#/matrix")
    cards = page.get_by_role("list", name="Documents and their gaps")
    expect(cards).to_be_visible()
    expect(page.get_by_role("table", name="Documents by stakeholder group")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    card = cards.locator(":scope > li").filter(has_text=NPCC_TITLE)
    gaps = card.locator("ul.card-gaps > li")
    expect(gaps.first).to_contain_text("Women's groups")
    expect(gaps.first).to_contain_text("Not consulted")
    expect(gaps.first).to_contain_text("gap")
    gaps.first.scroll_into_view_if_needed()
    assert _within_viewport(page, gaps.first)
    # The card lists its gaps before the groups that were consulted.
    text = card.inner_text()
    assert text.index("Women's groups") < text.index("Consulted:")
    phone.screenshot("dashboard-matrix-390")
    gaps.first.get_by_role("button", name="Evidence").click()
    expect(page.locator(".cell-evidence")).to_contain_text("Answer to question 10")
    phone.assert_accessible()
    _close(phone)


def test_one_colour_per_status_on_every_page(offline: Offline) -> None:
    page = offline.page
    page.goto(f"{offline.base}/dashboard#/document/{NPCC}")
    badge = page.get_by_role("region", name="Left out").locator(".badge.status-not-consulted")
    on_document = _background(badge.first)
    no_record = _background(page.locator(".badge.status-no-record").first)
    page.goto(offline.base + "/dashboard#/matrix")
    expect(page.locator("svg[data-picture=heatmap]")).to_be_visible()
    assert _background(page.locator("td.status-not-consulted").first) == on_document
    assert _background(page.locator("g.status-not-consulted rect").first) == on_document
    assert _background(page.locator("td.status-no-record").first) == no_record
    assert _background(page.locator("g.status-no-record rect").first) == no_record
    assert _background(page.locator(".legend .badge.status-no-record")) == no_record
    assert on_document != no_record


def test_two_documents_side_by_side(offline: Offline) -> None:
    page = offline.page
    page.goto(f"{offline.base}/dashboard#/document/{NPCC}")
    page.get_by_role("link", name="Compare with another document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare two documents")
    expect(page.get_by_label("First document")).to_have_value(NPCC)
    page.get_by_label("Second document").select_option(POLICY)
    page.get_by_role("button", name="Compare").click()
    table = page.locator("table.compare")
    expect(table.locator("thead th")).to_have_text(["Group", NPCC_TITLE, "Prostitution Policy"])
    womens = table.locator("tbody tr").filter(has_text="Women's groups")
    expect(womens.locator("td").first).to_contain_text("Not consulted")
    expect(womens.locator("td").first).to_contain_text("gap")
    expect(womens.locator("td").last).to_contain_text("No record")
    police = table.locator("tbody tr").filter(has_text="Police forces")
    police.get_by_role("button", name=f"Evidence: Police forces on {NPCC_TITLE}").click()
    expect(police).to_contain_text("Police Force areas with experience of this area")
    expect(page.get_by_role("region", name="Organisations on record (any role)")).to_contain_text(
        "Only in Prostitution Policy"
    )
    offline.screenshot("dashboard-compare")
    offline.assert_accessible()


# --- small screens, the keyboard, search -------------------------------------------------------


def test_the_dashboard_reads_at_320_pixels_and_searches_from_the_keyboard(
    browser: Browser, server: str, axe_source: str
) -> None:
    narrow = _open(browser, server, axe_source, width=320, height=640)
    page = narrow.page
    page.goto(f"{server}/dashboard#/document/{NPCC}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("National Policing")
    expect(page.locator("svg[data-picture=network]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    narrow.screenshot("dashboard-320px-document")

    page.goto(f"{server}/dashboard")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    narrow.assert_accessible()
    page.get_by_role("searchbox").focus()
    page.keyboard.type("women")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search: women")
    expect(page.get_by_role("status")).to_contain_text("matches for women")
    expect(page.locator("ol.hits mark").first).to_be_visible()
    narrow.screenshot("dashboard-320px-search")
    narrow.assert_accessible()
    _close(narrow)


# --- a database that is down ------------------------------------------------------------------


def test_with_the_database_down_the_dashboard_loads_and_says_what_to_check(
    browser: Browser, server_without_database: str, axe_source: str
) -> None:
    down = _open(browser, server_without_database, axe_source)
    page = down.page
    page.goto(server_without_database + "/dashboard#/matrix")
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("heading", level=1)).to_have_text(
        "The register\u2019s database cannot be reached"
    )
    expect(alert).to_contain_text("DB_UNAVAILABLE")
    expect(alert).to_contain_text("footprint serve --check")
    expect(alert).to_contain_text("DATABASE_URL")
    expect(alert).not_to_contain_text("127.0.0.1")  # the page is told no host
    expect(alert.get_by_role("button", name="Try now")).to_be_visible()
    down.screenshot("dashboard-database-down")
    down.assert_accessible()
    # GraphiQL's page loads all the same: it is files, not the database.
    page.goto(server_without_database + "/graphql")
    expect(page.locator(".graphiql-tab-button").first).to_have_text("Who was consulted?")
    _close(down, database_down=True)


def test_the_document_page_downloads_the_foi_answer_as_a_word_letter(offline: Offline) -> None:
    page = offline.page
    page.goto(offline.base + "/dashboard#/document/" + NPCC)
    files = page.get_by_role("region", name="The FOI answer")
    link = files.get_by_role("link", name="Download the answer (Word)")
    expect(link).to_have_attribute("href", f"/answers/{NPCC}.docx")
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == f"{NPCC}.docx"
    assert Path(download.path()).read_bytes()[:2] == b"PK"  # a .docx is a zip
