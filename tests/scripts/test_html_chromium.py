"""The HTML report in a real browser (Debian's headless Chromium): it renders, and captured payloads never run.

Each Chromium run gets a fresh ``--user-data-dir`` under the test's tmp dir; a run that
hangs is killed by the pid this test started, nothing else.
"""

from __future__ import annotations

import html
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from piaudit.scripts.reports import write_report
from tests.support.sessions import MARKERS, PAYLOADS, build_session

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# scripts/setup.sh installs Debian's chromium: a missing browser fails these tests rather than skipping them
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=3000",
]


def chromium(page: Path, tmp_path: Path, *args: str) -> str:
    """Run Chromium once on ``page``; return its stdout (the DOM for ``--dump-dom``)."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    profile.mkdir()
    proc = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()  # only the pid started here
        proc.communicate()
        raise
    assert proc.returncode == 0, proc.returncode
    return out.decode("utf-8")


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit, non-interlaced RGB/RGBA PNG (what Chromium writes)."""
    pos, idat = 8, []
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(b"".join(idat)), width * bpp
    prev, rows = bytearray(stride), []
    for r in range(height):
        kind, line = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1 : (r + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(stride):
                line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
        elif kind == 4:
            for i in range(stride):
                a, b, c = (line[i - bpp] if i >= bpp else 0), prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        rows.append(b"".join(bytes(line[i : i + 3]) for i in range(0, stride, bpp)) if bpp == 4 else bytes(line))
    return width, height, rows


def title_of(dom: str) -> str:
    match = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert match, "no <title> in the DOM"
    return html.unescape(match.group(1))


def assert_nothing_ran(dom: str) -> None:
    for marker in MARKERS:
        assert marker not in dom, f"a payload ran: {marker} is in the DOM"
    assert title_of(dom).startswith("piaudit report: ")


@pytest.fixture(scope="module")
def normal_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = build_session(tmp_path_factory.mktemp("chromium") / "app1")
    return write_report(built.dir, "html", None)


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = build_session(tmp_path_factory.mktemp("chromium-hostile") / "evil", hostile=True)
    return write_report(built.dir, "html", None)


def test_timeline_and_findings_in_the_dom(normal_report: Path, tmp_path: Path) -> None:
    dom = chromium(normal_report, tmp_path, "--dump-dom")
    assert title_of(dom) == "piaudit report: com.example.shop"
    assert re.search(r'<svg class="timeline"[^>]*>.*consent granted.*</svg>', dom, re.S)
    assert dom.count('<section class="finding') == 9 and 'id="finding-9"' in dom
    assert "PRE_CONSENT_TRANSMISSION" in dom and "<mark>359881030314356</mark>" in dom


def test_screenshot_is_a_rendered_page(normal_report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    chromium(normal_report, tmp_path, f"--screenshot={shot}", "--window-size=1400,2000")
    width, height, rows = decode_png(shot.read_bytes())
    assert (width, height) == (1400, 2000)
    pixels = [row[i : i + 3] for row in rows[::2] for i in range(0, len(row), 6)]
    colours = set(pixels)
    non_white = sum(p != b"\xff\xff\xff" for p in pixels) / len(pixels)
    assert len(colours) > 200 and non_white > 0.1, (len(colours), non_white)
    assert bytes.fromhex("16324f") in colours  # the header band
    assert bytes.fromhex("1a7f37") in colours  # the consent line of the timeline


@pytest.mark.parametrize("strip_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_hostile_payloads_do_not_run(hostile_report: Path, tmp_path: Path, strip_csp: bool) -> None:
    page = hostile_report
    if strip_csp:  # prove escaping holds on its own, not only because the CSP blocks scripts
        text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", hostile_report.read_text())
        assert "Content-Security-Policy" not in text
        page = tmp_path / "no-csp.html"
        page.write_text(text)
    dom = chromium(page, tmp_path, "--dump-dom")
    assert_nothing_ran(dom)
    for payload in PAYLOADS:  # each payload is there, as visible text
        assert html.escape(payload, quote=False) in dom, payload


def test_the_harness_sees_a_payload_that_runs(tmp_path: Path) -> None:
    """Control: the same payloads unescaped, in a page without CSP, do run and are caught."""
    page = tmp_path / "unsafe.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>piaudit report: x</title></head><body>" + "".join(PAYLOADS) + "</body></html>"
    )
    dom = chromium(page, tmp_path, "--dump-dom")
    with pytest.raises(AssertionError, match="a payload ran"):
        assert_nothing_ran(dom)
    assert title_of(dom) == "XSSFIRED" and 'id="xssmark"' in dom
