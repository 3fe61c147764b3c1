"""GraphiQL and the dashboard in a real browser, with every request off this machine blocked.

Headless Chromium is Debian's (/usr/bin/chromium), driven by Playwright's Python driver; no
browser is ever downloaded. A real uvicorn server serves the app on a free loopback port,
against the seeded test database. Each test saves a screenshot in tests/screenshots/.

Without Chromium (or when GraphiQL's files cannot be fetched) these tests skip, unless
FOOTPRINT_REQUIRE_BROWSER=1 (CI sets it): then they fail.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    Route,
    expect,
    sync_playwright,
)

from api.app import create_app
from api.web.assets import DEFAULT_ASSETS_DIR, AssetError, install
from tests.conftest import settings_for

CHROMIUM = Path(os.environ.get("FOOTPRINT_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
QUERIES = Path(__file__).resolve().parent.parent / "queries"
REQUIRED = os.environ.get("FOOTPRINT_REQUIRE_BROWSER") == "1"
NPCC = "npcc-sex-work-and-prostitution-guidance-2019"


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} (FOOTPRINT_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def assets_dir() -> Path:
    """GraphiQL's real files, installed as `footprint assets install` does (once, online)."""
    try:
        install(DEFAULT_ASSETS_DIR)
    except AssetError as error:
        _unavailable(f"GraphiQL's files are not installed and cannot be fetched: {error}")
    return DEFAULT_ASSETS_DIR


@pytest.fixture(scope="module")
def server(seeded_database_url: str, assets_dir: Path) -> Iterator[str]:
    """The app under uvicorn on 127.0.0.1, a free port, in a thread; yields its base URL."""
    settings = settings_for(seeded_database_url).model_copy(update={"assets_dir": assets_dir})
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
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@dataclass
class Offline:
    """A page that may reach only the test server; what it tried beyond that, and its errors."""

    page: Page
    base: str
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def _open(browser: Browser, base: str, width: int = 1280, height: int = 900) -> Offline:
    page = browser.new_page(viewport={"width": width, "height": height})
    offline = Offline(page, base)

    def only_localhost(route: Route) -> None:
        url = route.request.url
        if url.startswith(base + "/") or url.startswith("data:"):
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


@pytest.fixture
def offline(browser: Browser, server: str) -> Iterator[Offline]:
    opened = _open(browser, server)
    yield opened
    opened.page.close()
    assert opened.blocked == [], "the page tried to reach beyond localhost"
    assert opened.errors == []


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


def _stored_answer(name: str) -> object:
    return json.loads((QUERIES / f"{name}.json").read_text())


def test_graphiql_loads_offline_and_runs_a_saved_question(offline: Offline) -> None:
    page = offline.page
    page.goto(offline.base + "/graphql")
    # The saved questions open as tabs, the first one active, and are listed in a panel.
    tabs = page.locator(".graphiql-tab")
    expect(tabs.first).to_contain_text("WhoWasConsulted")
    expect(tabs).to_have_count(9)
    expect(page.get_by_role("heading", name="Saved questions")).to_be_visible()
    page.get_by_role("button", name="Execute query").click()
    assert _answer(page) == _stored_answer("who-was-consulted")
    offline.screenshot("graphiql-who-was-consulted")

    # Another saved question, from the panel, opens in a new tab with its variables.
    page.locator('[data-question="who-shaped-a-principle"]').click()
    expect(tabs).to_have_count(10)
    expect(page.locator(".graphiql-query-editor")).to_contain_text("WhoShapedAPrinciple")
    assert json.loads(_editor(page, ".graphiql-editor-tool")) == {"document": NPCC, "position": 3}
    page.locator(".graphiql-query-editor .CodeMirror textarea").focus()
    page.keyboard.press("Control+Enter")
    assert _answer(page) == _stored_answer("who-shaped-a-principle")
    offline.screenshot("graphiql-who-shaped-a-principle")

    # The explorer plugin, also from local files, builds queries by clicking.
    page.get_by_role("button", name="Show GraphiQL Explorer").click()
    expect(page.get_by_text("coverageMatrix", exact=True)).to_be_visible()


def test_the_dashboard_shows_who_was_left_out_and_a_principles_evidence(
    offline: Offline,
) -> None:
    page = offline.page
    page.goto(offline.base + "/dashboard")
    link = page.get_by_role("link", name="National Policing Sex Work and Prostitution Guidance")
    expect(link).to_be_visible()
    link.focus()
    page.keyboard.press("Enter")

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("National Policing Sex Work and Prostitution Guidance")
    expect(heading).to_be_focused()  # a screen reader hears where it landed
    expect(page.get_by_role("status")).to_have_text(
        "National Policing Sex Work and Prostitution Guidance loaded."
    )
    left_out = page.get_by_role("region", name="Left out")
    womens = left_out.get_by_role("listitem").filter(has_text="Women's groups").first
    expect(womens).to_contain_text("Not consulted")
    consulted = page.get_by_role("region", name="Consulted, by group")
    expect(consulted).to_contain_text("National Ugly Mugs")
    expect(consulted).not_to_contain_text("Women's groups")

    principles = page.get_by_role("region", name="Principles and who shaped them")
    show = principles.get_by_role("button", name="Show evidence").first
    expect(show).to_have_attribute("aria-expanded", "false")
    show.focus()
    page.keyboard.press("Enter")
    expect(principles.get_by_role("button", name="Hide evidence")).to_have_attribute(
        "aria-expanded", "true"
    )
    evidence = principles.locator(".evidence").first
    expect(evidence).to_contain_text("5 guiding statements")
    expect(evidence).to_contain_text("Answer to question 5")
    offline.screenshot("dashboard-npcc-guidance")


def test_the_coverage_matrix_marks_womens_groups_as_a_gap_for_the_npcc_guidance(
    offline: Offline,
) -> None:
    page = offline.page
    page.goto(offline.base + "/dashboard#/matrix")
    table = page.get_by_role("table", name="Documents by stakeholder group")
    expect(table).to_be_visible()
    headers = table.locator("thead th").all_inner_texts()
    column = headers.index("Women's groups")
    row = table.locator("tbody tr").filter(
        has=page.get_by_role(
            "rowheader", name="National Policing Sex Work and Prostitution Guidance"
        )
    )
    cell = row.locator("th, td").nth(column)
    expect(cell).to_have_class("cell not-consulted gap")
    expect(cell).to_contain_text("Not consulted, a gap")  # what a screen reader reads
    expect(page.get_by_role("status")).to_contain_text("gaps")
    offline.screenshot("dashboard-coverage-matrix")


def test_the_dashboard_reads_at_320_pixels_and_searches_from_the_keyboard(
    browser: Browser, server: str
) -> None:
    narrow = _open(browser, server, width=320, height=640)
    page = narrow.page
    page.goto(f"{server}/dashboard#/document/{NPCC}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("National Policing")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    narrow.screenshot("dashboard-320px-document")

    page.goto(f"{server}/dashboard#/matrix")
    region = page.get_by_role("region", name="Documents by stakeholder group")
    expect(region).to_be_visible()
    # The page keeps its width; the matrix scrolls inside its own focusable region.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")
    assert region.get_attribute("tabindex") == "0"
    narrow.screenshot("dashboard-320px-matrix")

    page.goto(f"{server}/dashboard")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    page.get_by_role("searchbox").focus()
    page.keyboard.type("women")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search: women")
    expect(page.get_by_role("status")).to_contain_text("matches for women")
    expect(page.locator("ol.hits mark").first).to_be_visible()
    narrow.screenshot("dashboard-320px-search")
    page.close()
    assert narrow.blocked == []
    assert narrow.errors == []


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
