"""docs/adding-a-real-document.md, run as written: each command in its order, the `footprint`
ones as the command line runs them, `curl` through the app, each output checked against the
one the guide shows (`…` stands for any text). Its PDF and web page are made here."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from seeds.loader import seed_database
from tests.conftest import settings_for

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "adding-a-real-document.md"
BLOCK = re.compile(r"```(?P<kind>sh|text|json)\n(?P<body>.*?)\n```", re.S)
HEREDOC = re.compile(r"<<'EOF'\n(?P<body>.*)\nEOF$", re.S)

REPORT_PAGES = [
    ["Example committee report", "", "Summary", "We heard from the Home Office and others."],
    [
        "Oral evidence",
        # As printed: a curly apostrophe, a word hyphenated across two lines, an en dash.
        "The Home Office\u2019s officials told us the guid-",
        "ance had been agreed \u2013 with police forces.",
    ],
]
RESPONSE = """<!DOCTYPE html><html><head><title>Example government response</title></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<main><article><h1>Government response to the committee</h1>
<p>The government thanks everyone who gave evidence to the committee's inquiry.</p>
<p>National Ugly Mugs told the committee that reporting must stay
 anonymous.</p>
</article></main><footer>Cookie settings</footer></body></html>"""


def text_pdf(pages: list[list[str]]) -> bytes:
    """A PDF of lines of text, a list of lines a page: Helvetica in the Windows encoding."""

    def escaped(line: str) -> bytes:
        raw = line.encode("cp1252")
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, lines in enumerate(pages):
        shown = b" ".join(b"(" + escaped(line) + b") Tj T*" for line in lines)
        stream = b"BT /F1 11 Tf 14 TL 72 760 Td " + shown + b" ET"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _steps() -> list[tuple[str, tuple[str, str] | None]]:
    """Each command of the guide, with the output block shown under it, if any."""
    blocks = [(m["kind"], m["body"]) for m in BLOCK.finditer(GUIDE.read_text())]
    steps: list[tuple[str, tuple[str, str] | None]] = []
    for i, (kind, body) in enumerate(blocks):
        if kind == "sh":
            after = blocks[i + 1] if i + 1 < len(blocks) and blocks[i + 1][0] != "sh" else None
            steps.append((body, after))
    return steps


def _shown(expected: str, printed: str) -> bool:
    pattern = ".*?".join(re.escape(part) for part in expected.split("…"))
    return re.fullmatch(pattern, printed.strip(), re.S) is not None


def _footprint(argv: list[str], database_url: str, cwd: Path) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "FOOTPRINT_LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [sys.executable, "-m", "api", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_guide_is_ten_commands_or_fewer() -> None:
    steps = _steps()
    assert 4 <= len(steps) <= 10
    assert any("footprint source add" in command and ".pdf" in command for command, _ in steps)
    assert any("footprint source add" in command and ".html" in command for command, _ in steps)


async def test_the_walk_through_runs_as_written(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "report.pdf").write_bytes(text_pdf(REPORT_PAGES))
    (tmp_path / "response.html").write_text(RESPONSE, encoding="utf-8")
    # What `footprint serve` does on first run: the curated register.
    await seed_database(fresh_database_url)
    app = create_app(settings_for(fresh_database_url))
    token = None
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
            for command, output in _steps():
                if command.startswith("footprint serve"):
                    continue  # the app above stands in for the server
                assigned = re.fullmatch(r"TOKEN=\$\((footprint .*)\)", command)
                if assigned:
                    argv = shlex.split(assigned[1])[1:]
                    token = _footprint(argv, fresh_database_url, tmp_path).strip()
                    assert token
                elif command.startswith("footprint "):
                    printed = _footprint(shlex.split(command)[1:], fresh_database_url, tmp_path)
                    assert output is not None and output[0] == "text"
                    assert _shown(output[1], printed), printed
                else:
                    assert command.startswith("curl "), command
                    heredoc = HEREDOC.search(command)
                    assert heredoc, command
                    headers = {"content-type": "application/json"}
                    if "$TOKEN" in command:
                        assert token is not None
                        headers["authorization"] = f"Bearer {token}"
                    response = await http.post("/graphql", content=heredoc["body"], headers=headers)
                    assert output is not None and output[0] == "json"
                    assert response.json() == json.loads(output[1]), response.text
    finally:
        await app.state.engine.dispose()
