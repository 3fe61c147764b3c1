"""The browser files (GraphiQL's, the dashboard's D3, the browser tests' axe-core): pinned in
assets.lock.json, fetched from the npm registry once.

The files are never committed. `install` downloads each locked tarball, checks it against the
registry's sha512 `integrity`, extracts only the listed files, checks each against its sha384
(the Subresource Integrity value the page sends the browser too), then moves the package folder
into place in one step, so a failed or partial download never leaves half a package behind.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

LOCK_FILE = Path(__file__).with_name("assets.lock.json")
DEFAULT_ASSETS_DIR = Path(__file__).with_name("vendor")
NPM_REGISTRY = "https://registry.npmjs.org"
INSTALL_COMMAND = "footprint assets install"
# The largest tarball we accept; graphiql's is about 3.7 MB.
MAX_TARBALL_BYTES = 32 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60.0


# Who uses a package: the two pages are served it; "tests" packages are installed, never served.
GRAPHIQL = "graphiql"
DASHBOARD = "dashboard"
TESTS = "tests"
SERVED_PAGES = (GRAPHIQL, DASHBOARD)


class AssetError(Exception):
    """The browser files could not be fetched or did not match the lock file."""


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    page: str  # GRAPHIQL, DASHBOARD or TESTS
    tarball: str
    integrity: str
    files: dict[str, str]  # path inside the package -> "sha384-..."

    @property
    def folder(self) -> str:
        """The folder name, without '@' or '/': graphiql-plugin-explorer-1.0.2."""
        return f"{self.name.lstrip('@').replace('/', '-')}-{self.version}"

    def url(self, path: str) -> str:
        """Where the app serves one of its files."""
        return f"/assets/{self.folder}/{path}"

    def tarball_from(self, registry: str) -> str:
        """The tarball's address on `registry` (a mirror of registry.npmjs.org, say)."""
        if self.tarball.startswith(NPM_REGISTRY + "/"):
            return registry.rstrip("/") + self.tarball[len(NPM_REGISTRY) :]
        return self.tarball


def load_lock(path: Path = LOCK_FILE) -> tuple[Package, ...]:
    packages = json.loads(path.read_text(encoding="utf-8"))["packages"]
    return tuple(Package(**package) for package in packages)


def for_pages(*pages: str, lock: tuple[Package, ...] | None = None) -> tuple[Package, ...]:
    """The locked packages these pages use, in lock order (react before react-dom...)."""
    return tuple(package for package in lock or load_lock() if package.page in pages)


def sri(data: bytes, algorithm: str = "sha384") -> str:
    """A Subresource Integrity value: 'sha384-' and the base64 digest."""
    return f"{algorithm}-{base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


def is_installed(package: Package, target: Path) -> bool:
    return all((target / package.folder / path).is_file() for path in package.files)


def missing(target: Path, lock: tuple[Package, ...] | None = None) -> list[Package]:
    """The packages (by default those the pages are served) whose files are not all in `target`."""
    packages = lock or for_pages(*SERVED_PAGES)
    return [package for package in packages if not is_installed(package, target)]


def install(
    target: Path,
    *,
    registry: str = NPM_REGISTRY,
    lock: tuple[Package, ...] | None = None,
    force: bool = False,
) -> list[Package]:
    """Fetch, check and extract each package (by default those the pages are served) not yet in
    `target`; returns those installed."""
    todo = list(lock or for_pages(*SERVED_PAGES)) if force else missing(target, lock)
    for package in todo:
        try:
            _install_package(package, target, registry)
        except OSError as error:
            raise AssetError(f"cannot write to {target}: {error.strerror or error}") from None
    return todo


def _install_package(package: Package, target: Path, registry: str) -> None:
    tarball = _download(package.tarball_from(registry))
    if sri(tarball, "sha512") != package.integrity:
        raise AssetError(
            f"{package.name}@{package.version}: the downloaded tarball does not match the "
            "integrity in assets.lock.json; nothing was installed"
        )
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{package.folder}-", dir=target))
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            for path, expected in package.files.items():
                data = _member(archive, package, path)
                if sri(data, expected.split("-", 1)[0]) != expected:
                    raise AssetError(
                        f"{package.name}@{package.version}: {path} does not match its hash "
                        "in assets.lock.json; nothing was installed"
                    )
                destination = staging / path
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(data)
                destination.chmod(0o644)
        staging.chmod(0o755)
        final = target / package.folder
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _member(archive: tarfile.TarFile, package: Package, path: str) -> bytes:
    # npm tarballs keep everything under package/; only named regular files are read.
    try:
        member = archive.getmember(f"package/{path}")
    except KeyError:
        raise AssetError(f"{package.name}@{package.version} has no file {path}") from None
    stream = archive.extractfile(member) if member.isfile() else None
    if stream is None:
        raise AssetError(f"{package.name}@{package.version}: {path} is not a regular file")
    return stream.read()


def _download(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
            data: bytes = response.read(MAX_TARBALL_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise AssetError(f"cannot download {url}: {reason}") from None
    if len(data) > MAX_TARBALL_BYTES:
        raise AssetError(f"{url} is larger than {MAX_TARBALL_BYTES} bytes")
    return data
