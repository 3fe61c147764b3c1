"""The browser side over HTTP: GraphiQL's page from local files (or how to install them), the
assets it may serve, the dashboard and its files (gzipped, fingerprinted, cached), pages that
load with the database down, and the installer that fetches the browser files from npm.

The installer is tested against tarballs made here and read through file:// URLs, so these
tests need no network; tests/test_browser.py runs the real files in Chromium.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import re
import tarfile
from collections.abc import AsyncIterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.cli import _prepare_assets
from api.settings import Settings
from api.web.assets import (
    DASHBOARD,
    GRAPHIQL,
    TESTS,
    AssetError,
    Package,
    for_pages,
    install,
    load_lock,
    missing,
)
from api.web.pages import STATIC
from api.web.vocabulary import label
from db.enums import DEFINITIONS, ConsultationRole, CoverageStatus, DocumentKind
from tests.conftest import settings_for

QUERIES = Path(__file__).resolve().parent.parent / "queries"


def _fake_assets(folder: Path) -> None:
    """Every locked file, with stand-in bytes: enough for the page to count as installed."""
    for package in load_lock():
        for path in package.files:
            target = folder / package.folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f"/* {package.name} {path} */")


async def _client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://footprint.test") as http:
        yield http
    await app.state.engine.dispose()


@pytest.fixture
async def installed(seeded_database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    _fake_assets(tmp_path / "assets")
    settings = settings_for(seeded_database_url).model_copy(
        update={"assets_dir": tmp_path / "assets"}
    )
    async for http in _client_for(settings):
        yield http


@pytest.fixture
async def not_installed(
    seeded_database_url: str, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(seeded_database_url).model_copy(
        update={"assets_dir": tmp_path / "nothing-here"}
    )
    async for http in _client_for(settings):
        yield http


class _Tags(HTMLParser):
    """The src/href of each script and link, and the JSON inlined in <script> elements by id."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str | None]] = []
        self.inlined: dict[str, str] = {}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        url = attributes.get("src") or attributes.get("href")
        if tag in ("script", "link", "a") and url:
            self.urls.append((tag, url, attributes.get("integrity")))
        self._in = attributes.get("id") if tag == "script" else None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.inlined[self._in] = self.inlined.get(self._in, "") + data

    @property
    def saved(self) -> str:
        return self.inlined["saved-questions"]


def _parse(page: str) -> _Tags:
    tags = _Tags()
    tags.feed(page)
    return tags


def _assert_only_self(response: httpx.Response) -> None:
    policy = response.headers["content-security-policy"]
    sources = {token for token in policy.replace(";", " ").split() if "-" not in token}
    # Every source is 'self', 'none' or data: (inline fonts): no host and no 'unsafe-inline'.
    assert sources <= {"'self'", "'none'", "data:"}, policy
    assert "script-src 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_graphiql_comes_from_local_files_pinned_by_integrity(
    installed: httpx.AsyncClient,
) -> None:
    page = await installed.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    _assert_only_self(page)
    tags = _parse(page.text)
    urls = {url: integrity for _, url, integrity in tags.urls if not url.startswith("data:")}
    assert all(url.startswith("/") for url in urls), urls
    for package in for_pages(GRAPHIQL):
        for path, integrity in package.files.items():
            if path.endswith((".js", ".css")):
                assert urls[f"/assets/{package.folder}/{path}"] == integrity
    # Neither the dashboard's D3 nor the tests' axe-core is loaded by GraphiQL.
    assert not [url for url in urls if "/d3-" in url or "/axe-core-" in url]
    assert [url for url in urls if re.fullmatch(r"/web/graphiql\.[0-9a-f]{12}\.js", url)]
    # Each script and stylesheet is served, under a path that carries its version or hash.
    for url in urls:
        served = await installed.get(url)
        assert served.status_code == 200, url
        if url.startswith("/web/"):  # (the packages' files here are stand-ins)
            assert _sri(served.content, "sha384") == urls[url]


async def test_graphiql_opens_every_saved_question_with_its_variables(
    installed: httpx.AsyncClient,
) -> None:
    page = await installed.get("/graphql", headers={"accept": "text/html"})
    saved = json.loads(_parse(page.text).saved)
    assert [q["name"] for q in saved[:4]] == [
        "who-was-consulted",
        "who-was-left-out",
        "who-shaped-a-principle",
        "what-did-an-organisation-shape",
    ]
    assert {q["name"] for q in saved} == {p.stem for p in QUERIES.glob("*.graphql")}
    principle = next(q for q in saved if q["name"] == "who-shaped-a-principle")
    assert principle["query"] == (QUERIES / "who-shaped-a-principle.graphql").read_text()
    assert json.loads(principle["variables"]) == {
        "document": "npcc-sex-work-and-prostitution-guidance-2019",
        "position": 3,
    }
    assert principle["title"].startswith("Who had a hand in principle N")
    assert principle["operation"] == "WhoShapedAPrinciple"


async def test_without_its_files_graphiql_says_how_to_install_them(
    not_installed: httpx.AsyncClient,
) -> None:
    page = await not_installed.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 503
    _assert_only_self(page)
    assert "footprint assets install" in page.text
    assert "graphiql@3.8.3" in page.text
    assert "<script" not in page.text
    # The API itself still answers.
    answer = await not_installed.post("/graphql", json={"query": "{ documents { totalCount } }"})
    assert answer.json()["data"]["documents"]["totalCount"] > 0


async def test_only_locked_files_are_served_as_assets(
    installed: httpx.AsyncClient, tmp_path: Path
) -> None:
    package = load_lock()[0]
    path = next(iter(package.files))
    served = await installed.get(f"/assets/{package.folder}/{path}")
    assert served.status_code == 200
    assert "immutable" in served.headers["cache-control"]
    (tmp_path / "assets" / package.folder / "secret.txt").write_text("not for the web")
    (axe,) = for_pages(TESTS)  # installed, but for the browser tests only
    for url in (
        f"/assets/{package.folder}/secret.txt",
        "/assets/%2e%2e/%2e%2e/pyproject.toml",
        "/assets/",
        f"/assets/{axe.folder}/{next(iter(axe.files))}",
        "/web/../pyproject.toml",
        "/web/%2e%2e%2fpyproject.toml",
    ):
        assert (await installed.get(url)).status_code == 404, url


async def _wire_size(http: httpx.AsyncClient, url: str) -> int:
    """Bytes sent for `url` to a browser that takes gzip (httpx would decode them)."""
    async with http.stream("GET", url, headers={"accept-encoding": "gzip"}) as response:
        return sum([len(chunk) async for chunk in response.aiter_raw()])


def _own_files(page: httpx.Response) -> list[str]:
    tags = _parse(page.text)
    return [url for tag, url, _ in tags.urls if tag != "a" and url.startswith("/web/")]


async def test_the_dashboard_is_served_with_its_files_and_only_this_origin(
    not_installed: httpx.AsyncClient,
) -> None:
    # Without D3's files the dashboard is served all the same (its tables need no picture).
    page = await not_installed.get("/dashboard")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    _assert_only_self(page)
    local = _own_files(page)
    assert {re.sub(r"\.[0-9a-f]{12}\.", ".", url) for url in local} == {
        "/web/footprint.css",
        "/web/pictures.js",
        "/web/dashboard.js",
    }
    assert not [url for _, url, _ in _parse(page.text).urls if url.startswith("/assets/")]
    for url in local:
        served = await not_installed.get(url)
        assert served.status_code == 200
        assert served.headers["x-content-type-options"] == "nosniff"
    assert (await not_installed.get("/web/nothing.js")).status_code == 404
    # Small on the wire: the page, its scripts and its stylesheet together, gzipped.
    sizes = [await _wire_size(not_installed, url) for url in ["/dashboard", *local]]
    assert sum(sizes) < 40_000, sizes


async def test_with_d3_installed_the_dashboard_loads_it_pinned_by_integrity(
    installed: httpx.AsyncClient,
) -> None:
    page = await installed.get("/dashboard")
    urls = {url: integrity for _, url, integrity in _parse(page.text).urls}
    (d3,) = for_pages(DASHBOARD)
    assert urls[d3.url("dist/d3.min.js")] == d3.files["dist/d3.min.js"]
    # D3 comes before the scripts that draw with it.
    order = list(urls)
    assert order.index(d3.url("dist/d3.min.js")) < order.index(
        next(url for url in order if url.startswith("/web/pictures."))
    )


async def test_the_dashboard_scripts_ask_only_the_public_graphql_api(
    not_installed: httpx.AsyncClient,
) -> None:
    dashboard = (await not_installed.get("/web/dashboard.js")).text
    pictures = (await not_installed.get("/web/pictures.js")).text
    assert re.findall(r"fetch\(([^,]+),", dashboard) == ["API"]
    assert 'var API = "/graphql";' in dashboard
    assert "fetch(" not in pictures
    for script in (dashboard, pictures):
        assert "innerHTML" not in script  # text from the register goes in as text, never markup
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", script)


async def test_text_files_are_gzipped_and_fingerprinted_ones_kept_a_year(
    installed: httpx.AsyncClient,
) -> None:
    page = await installed.get("/dashboard")
    script = next(url for url in _own_files(page) if url.startswith("/web/dashboard."))
    plain = await installed.get("/web/dashboard.js", headers={"accept-encoding": "identity"})
    # httpx decodes gzip itself: read what came over the wire.
    async with installed.stream("GET", script, headers={"accept-encoding": "gzip, br"}) as zipped:
        wire = b"".join([chunk async for chunk in zipped.aiter_raw()])
    assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(wire) == plain.content
    assert len(wire) < len(plain.content) / 2
    assert "content-encoding" not in plain.headers
    assert zipped.headers["vary"] == "accept-encoding"
    assert zipped.headers["cache-control"] == "public, max-age=31536000, immutable"
    # The plain address is revalidated: with its ETag, 304 and no body.
    assert plain.headers["cache-control"] == "no-cache"
    again = await installed.get(
        "/web/dashboard.js", headers={"if-none-match": plain.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    # A page names today's fingerprint; an old one gets today's file, not to be kept.
    stale = await installed.get("/web/dashboard.000000000000.js")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
    # Pages themselves are never kept without asking.
    assert page.headers["cache-control"] == "no-cache"
    # npm packages' files are gzipped too, and kept a year (their address names the version).
    (d3,) = for_pages(DASHBOARD)
    vendor = await installed.get(d3.url("dist/d3.min.js"), headers={"accept-encoding": "gzip"})
    assert vendor.headers.get("content-encoding") is None  # a stand-in under 512 bytes
    assert "immutable" in vendor.headers["cache-control"]


async def test_the_dashboard_is_given_the_schemas_vocabulary_without_introspection(
    seeded_database_url: str,
) -> None:
    settings = settings_for(seeded_database_url, introspection=False)
    async for http in _client_for(settings):
        page = await http.get("/dashboard")
    words = json.loads(_parse(page.text).inlined["vocabulary"])
    roles = {v["value"]: v for v in words["ConsultationRole"]["values"]}
    assert [v["value"] for v in words["ConsultationRole"]["values"]] == list(ConsultationRole)
    assert roles["CO_DEVELOPER"]["label"] == "Co-developer"
    assert roles["CO_DEVELOPER"]["definition"] == DEFINITIONS[ConsultationRole.CO_DEVELOPER]
    kinds = {v["value"]: v["label"] for v in words["DocumentKind"]["values"]}
    assert kinds[DocumentKind.FOI_RESPONSE] == "FOI response"
    statuses = [v["value"] for v in words["CoverageStatus"]["values"]]
    assert statuses == [status.name for status in CoverageStatus]
    assert all(v["definition"] for kind in words.values() for v in kind["values"])


def _css_rules(css: str) -> list[tuple[str, dict[str, str]]]:
    """(selector, {property: value}) for every rule, @media blocks included, comments gone."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = []
    for selector, body in re.findall(r"([^{}@]+)\{([^{}]*)\}", css):
        declarations = dict(
            (name.strip(), value.strip())
            for name, _, value in (d.partition(":") for d in body.split(";") if ":" in d)
        )
        rules.append((" ".join(selector.split()), declarations))
    return rules


def test_one_colour_per_status_set_in_one_place_in_the_stylesheet() -> None:
    rules = _css_rules((STATIC / "footprint.css").read_text(encoding="utf-8"))
    colours: dict[str, tuple[str, str]] = {}
    for status in CoverageStatus:
        selector = ".status-" + status.value.lower().replace("_", "-")
        found = [d for s, d in rules if selector in s.split(",")]
        assert len(found) == 1, f"{selector} must be set once, in one rule"
        assert set(found[0]) == {"--status-bg", "--status-fg"}, found[0]
        colours[status] = (found[0]["--status-bg"], found[0]["--status-fg"])
    assert len(set(colours.values())) == len(colours)  # each status its own colour
    # No other rule sets a status's colour: everything else reads --status-bg / --status-fg.
    own = {value for pair in colours.values() for value in pair}
    for selector, declarations in rules:
        if selector.startswith(".status-"):
            continue
        for name, value in declarations.items():
            if name.startswith("--status-"):
                assert selector == ".status", (selector, name)
            assert value not in own, (selector, name, value)
    # And the status classes are the only way the scripts colour a status.
    for script in ("dashboard.js", "pictures.js"):
        text = (STATIC / script).read_text(encoding="utf-8")
        assert "--consulted" not in text and "--not-consulted" not in text
        assert not re.search(r"#[0-9a-fA-F]{6}\b", text), script


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("CO_DEVELOPER", "Co-developer"),
        ("FOI_RESPONSE", "FOI response"),
        ("NOT_CONSULTED", "Not consulted"),
        ("SUBMITTED_WRITTEN_EVIDENCE", "Submitted written evidence"),
        ("PSED", "PSED"),
        ("CONSULTED_ON", "Consulted on"),
    ],
)
def test_an_enum_value_reads_as_words(value: str, words: str) -> None:
    assert label(value) == words


@pytest.mark.parametrize(
    "database_url",
    [
        "postgresql://nobody@127.0.0.1:1/nowhere",  # nothing listens there
        "sqlite:////nonexistent-folder/footprint.db",  # a folder that is not there
    ],
)
async def test_pages_and_files_load_with_the_database_out_of_reach(
    database_url: str, tmp_path: Path
) -> None:
    _fake_assets(tmp_path / "assets")
    settings = settings_for(database_url, assets_dir=tmp_path / "assets", db_connect_timeout=1)
    async for http in _client_for(settings):
        # API clients get JSON 503 with its code, again and again (the breaker opens)...
        for _ in range(3):
            answer = await http.post("/graphql", json={"query": "{ documents { totalCount } }"})
            assert answer.status_code == 503
            assert answer.json()["errors"][0]["extensions"]["code"] == "DB_UNAVAILABLE"
        # ...while every page and file still loads.
        dashboard = await http.get("/dashboard")
        assert dashboard.status_code == 200
        for url in _own_files(dashboard):
            assert (await http.get(url)).status_code == 200, url
        graphiql = await http.get("/graphql", headers={"accept": "text/html"})
        assert graphiql.status_code == 200
        assert "saved-questions" in graphiql.text
        package = load_lock()[0]
        asset = await http.get(f"/assets/{package.folder}/{next(iter(package.files))}")
        assert asset.status_code == 200


# --- the installer ----------------------------------------------------------------------------


def _sri(data: bytes, algorithm: str) -> str:
    return f"{algorithm}-{base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, data in files.items():
            info = tarfile.TarInfo(f"package/{path}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _package(tmp_path: Path, files: dict[str, bytes], **changes: object) -> Package:
    """A locked package served from a file:// URL, as the registry would send it."""
    tarball = _tarball({**files, "README.md": b"not wanted"})
    where = tmp_path / "registry" / "widget-1.0.0.tgz"
    where.parent.mkdir(parents=True, exist_ok=True)
    where.write_bytes(tarball)
    package = Package(
        name="@scope/widget",
        version="1.0.0",
        page=GRAPHIQL,
        tarball=where.as_uri(),
        integrity=_sri(tarball, "sha512"),
        files={path: _sri(data, "sha384") for path, data in files.items()},
    )
    return replace(package, **changes)  # type: ignore[arg-type]


def test_install_checks_the_tarball_and_extracts_only_the_locked_files(tmp_path: Path) -> None:
    files = {"dist/widget.min.js": b"window.Widget = 1;", "dist/widget.css": b"a{}"}
    package = _package(tmp_path, files)
    target = tmp_path / "assets"
    assert install(target, lock=(package,)) == [package]
    folder = target / "scope-widget-1.0.0"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "dist/widget.css",
        "dist/widget.min.js",
    ]
    assert (folder / "dist/widget.min.js").read_bytes() == files["dist/widget.min.js"]
    assert missing(target, (package,)) == []
    # Installed already: nothing is fetched again (the tarball could be gone).
    Path(package.tarball.removeprefix("file://")).unlink()
    assert install(target, lock=(package,)) == []


def test_a_tarball_that_does_not_match_its_integrity_installs_nothing(tmp_path: Path) -> None:
    package = _package(tmp_path, {"widget.js": b"ok"})
    tampered = replace(package, integrity=_sri(b"something else", "sha512"))
    target = tmp_path / "assets"
    with pytest.raises(AssetError, match="does not match the integrity"):
        install(target, lock=(tampered,))
    assert list(target.glob("**/*")) == []


def test_a_file_that_does_not_match_its_hash_installs_nothing(tmp_path: Path) -> None:
    package = _package(tmp_path, {"widget.js": b"ok", "widget.css": b"a{}"})
    wrong = replace(package, files={**package.files, "widget.css": _sri(b"b{}", "sha384")})
    target = tmp_path / "assets"
    with pytest.raises(AssetError, match=r"widget\.css does not match its hash"):
        install(target, lock=(wrong,))
    assert list(target.glob("**/*")) == []
    absent = replace(package, files={**package.files, "widget.map": _sri(b"", "sha384")})
    with pytest.raises(AssetError, match=r"has no file widget\.map"):
        install(target, lock=(absent,))
    assert list(target.glob("**/*")) == []


def test_an_unreachable_registry_is_a_clear_error_and_serve_goes_on(
    tmp_path: Path, seeded_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    package = _package(tmp_path, {"widget.js": b"ok"}, tarball=(tmp_path / "gone.tgz").as_uri())
    with pytest.raises(AssetError, match="cannot download"):
        install(tmp_path / "assets", lock=(package,))
    # `footprint serve` on a machine that cannot reach the registry: a warning, then it serves.
    settings = settings_for(seeded_database_url).model_copy(
        update={"assets_dir": tmp_path / "assets", "npm_registry": "http://127.0.0.1:9"}
    )
    _prepare_assets(settings)
    assert "the browser files are not installed" in caplog.text
    assert missing(tmp_path / "assets")


def test_a_mirror_registry_replaces_the_npm_address() -> None:
    graphiql = next(package for package in load_lock() if package.name == "graphiql")
    assert (
        graphiql.tarball_from("https://npm.example.internal/")
        == "https://npm.example.internal/graphiql/-/graphiql-3.8.3.tgz"
    )


def test_the_lock_pins_exact_versions_with_registry_hashes() -> None:
    lock = load_lock()
    assert {package.name for package in lock} >= {"graphiql", "react", "react-dom"}
    assert {package.name for package in for_pages(DASHBOARD)} == {"d3"}
    assert {package.name for package in for_pages(TESTS)} == {"axe-core"}
    assert all(package.page in (GRAPHIQL, DASHBOARD, TESTS) for package in lock)
    for package in lock:
        assert re.fullmatch(r"\d+\.\d+\.\d+", package.version), package
        basename = package.name.rsplit("/", 1)[-1]
        assert package.tarball == (
            f"https://registry.npmjs.org/{package.name}/-/{basename}-{package.version}.tgz"
        )
        assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", package.integrity)
        assert package.files
        for integrity in package.files.values():
            assert re.fullmatch(r"sha384-[A-Za-z0-9+/]{64}", integrity)
