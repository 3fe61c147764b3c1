"""The browser side over HTTP: GraphiQL's page from local files (or how to install them), the
assets it may serve, the dashboard's files, and the installer that fetches GraphiQL from npm.

The installer is tested against tarballs made here and read through file:// URLs, so these
tests need no network; tests/test_browser.py runs the real files in Chromium.
"""

from __future__ import annotations

import base64
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
from api.web.assets import AssetError, Package, install, load_lock, missing
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
    """The src/href of each script and link, and the JSON of the saved questions."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str | None]] = []
        self.saved = ""
        self._in_saved = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        url = attributes.get("src") or attributes.get("href")
        if tag in ("script", "link", "a") and url:
            self.urls.append((tag, url, attributes.get("integrity")))
        self._in_saved = attributes.get("id") == "saved-questions"

    def handle_data(self, data: str) -> None:
        if self._in_saved:
            self.saved += data


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
    for package in load_lock():
        for path, integrity in package.files.items():
            if path.endswith((".js", ".css")):
                assert urls[f"/assets/{package.folder}/{path}"] == integrity
    assert "/web/graphiql.js" in urls
    # Each locked script and stylesheet is served, under a path that carries its version.
    for url in urls:
        served = await installed.get(url)
        assert served.status_code == 200, url


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
    for url in (
        f"/assets/{package.folder}/secret.txt",
        "/assets/%2e%2e/%2e%2e/pyproject.toml",
        "/assets/",
    ):
        assert (await installed.get(url)).status_code == 404, url


async def test_the_dashboard_is_served_with_its_files_and_only_this_origin(
    not_installed: httpx.AsyncClient,
) -> None:
    # The dashboard needs none of GraphiQL's files.
    page = await not_installed.get("/dashboard")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    _assert_only_self(page)
    tags = _parse(page.text)
    local = [url for tag, url, _ in tags.urls if tag != "a" and not url.startswith("data:")]
    assert set(local) == {"/web/footprint.css", "/web/dashboard.js"}
    for url in local:
        served = await not_installed.get(url)
        assert served.status_code == 200
        assert served.headers["x-content-type-options"] == "nosniff"
    assert (await not_installed.get("/web/nothing.js")).status_code == 404
    # Small: the page, its script and its stylesheet together.
    sizes = [len((await not_installed.get(url)).content) for url in ["/dashboard", *local]]
    assert sum(sizes) < 64_000, sizes


async def test_the_dashboard_script_asks_only_the_public_graphql_api(
    not_installed: httpx.AsyncClient,
) -> None:
    script = (await not_installed.get("/web/dashboard.js")).text
    assert re.findall(r"fetch\(([^,]+),", script) == ["API"]
    assert 'var API = "/graphql";' in script
    assert "innerHTML" not in script  # text from the register goes in as text, never markup
    assert not re.search(r"https?://", script)


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
    assert "GraphiQL's files are not installed" in caplog.text
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
