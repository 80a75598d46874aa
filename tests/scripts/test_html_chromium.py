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
    assert title_of(dom).startswith(("piaudit report: ", "piaudit 个人信息收集审计报告：", "piaudit retest: "))


@pytest.fixture(scope="module")
def normal_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = build_session(tmp_path_factory.mktemp("chromium") / "app1")
    return write_report(built.dir, "html", None, lang="en")


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = build_session(tmp_path_factory.mktemp("chromium-hostile") / "evil", hostile=True)
    return write_report(built.dir, "html", None, lang="en")


def test_timeline_and_findings_in_the_dom(normal_report: Path, tmp_path: Path) -> None:
    dom = chromium(normal_report, tmp_path, "--dump-dom")
    assert title_of(dom) == "piaudit report: com.example.shop"
    assert re.search(r'<svg class="timeline"[^>]*>.*consent granted.*</svg>', dom, re.S)
    assert dom.count('<section class="finding') == 9 and 'id="finding-9"' in dom
    assert "PRE_CONSENT_TRANSMISSION" in dom and "<mark>359881030314356</mark>" in dom


MEASURE = """<script>
const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, e.textContent.slice(0, 60)]; };
const out = {
  labels: [...document.querySelectorAll('svg.timeline text')].map(box),
  legend: [...document.querySelectorAll('#legend > span')].map(box),
  images: [...document.querySelectorAll('img')].map(i => [i.naturalWidth, i.naturalHeight, i.complete]),
  title: document.title,
};
const pre = document.createElement('pre'); pre.id = 'measured'; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
</script>"""


def measure(report: Path, tmp_path: Path) -> dict:
    """Rendered boxes of the timeline's labels and legend, and the images' decoded sizes (a test-only script, CSP removed)."""
    import json

    page = tmp_path / f"measured-{report.stem}.html"
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", report.read_text(encoding="utf-8"))
    page.write_text(text.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = chromium(page, tmp_path, "--dump-dom", "--window-size=1400,2000")
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, "the measuring script did not run"
    return json.loads(html.unescape(found.group(1)))


def overlaps(boxes: list[list]) -> list[tuple[str, str]]:
    """Pairs of boxes that overlap by more than half a pixel each way."""
    bad = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5:
                bad.append((a[4], b[4]))
    return bad


@pytest.fixture(scope="module")
def crowded_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six "consent granted" clicks within a second, SDK signals the policy does not count, a refusal and a withdrawal."""
    from piaudit.policies import rows
    from piaudit.policies.models import ConsentEvent
    from piaudit.policies.session import Session
    from tests.support.sessions import T0

    built = build_session(tmp_path_factory.mktemp("crowded") / "app1")
    store = Session.open(built.dir).store
    events = [ConsentEvent(time=T0 + 8 + i * 0.15, decision="granted", source="ui_click", detail="同意") for i in range(6)]
    events += [ConsentEvent(time=T0 + 8.05 + i * 0.1, decision="granted", source="sdk_call", detail="setAuth(true)") for i in range(5)]
    events += [ConsentEvent(time=T0 + 8.5, decision="refused", source="ui_click"), ConsentEvent(time=T0 + 29.5, decision="withdrawn", source="manual")]
    store.insert_many("consent_events", [rows.event_row(e)[1] for e in events])
    store.close()
    return write_report(built.dir, "html", None, lang="en")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_label_overlaps_and_every_mark_has_a_legend(crowded_report: Path, tmp_path: Path, lang: str) -> None:
    report = crowded_report if lang == "en" else write_report(crowded_report.parent, "html", tmp_path / "zh.html", lang="zh")
    found = measure(report, tmp_path)
    labels = found["labels"]
    assert len(labels) > 20 and overlaps(labels) == [], overlaps(labels)
    assert overlaps(found["legend"]) == [] and len(found["legend"]) == 6
    texts = " ".join(t[4] for t in labels)
    if lang == "en":
        assert "consent granted ×" in texts and "granted (not counted) ×" in texts and "consent refused" in texts
    else:
        assert "用户同意 ×7" in texts and "同意（不计入） ×5" in texts and "用户拒绝" in texts


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_both_languages_render_with_the_screenshots_inline(normal_report: Path, tmp_path: Path, lang: str) -> None:
    report = write_report(normal_report.parent, "html", tmp_path / f"{lang}.html", lang=lang)
    found = measure(report, tmp_path)
    assert found["title"] == ("piaudit report: com.example.shop" if lang == "en" else "piaudit 个人信息收集审计报告：com.example.shop")
    sizes = {(w, h) for w, h, complete in found["images"] if complete}
    assert (36, 64) in sizes and len(found["images"]) >= 3  # the gallery and beside the consent event and the finding
    dom = chromium(report, tmp_path, "--dump-dom")
    assert ("同意（计入）" if lang == "zh" else "consent granted (counted)") in dom
    assert ("通过" if lang == "zh" else "pass") in dom and "policy_at_first_launch" in dom


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


@pytest.fixture(scope="module")
def hostile_pages(hostile_report: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The hostile session's report in both languages, and a diff of it against a clean session (screen texts, notes, parties)."""
    from piaudit.scripts.cli import main

    folder = tmp_path_factory.mktemp("hostile-pages")
    clean = build_session(folder / "clean")
    assert main(["diff", str(clean.dir), str(hostile_report.parent), "--format", "html", "-o", str(folder / "diff.html")]) == 1
    return {
        "report-en": hostile_report,
        "report-zh": write_report(hostile_report.parent, "html", folder / "zh.html", lang="zh"),
        "diff": folder / "diff.html",
    }


@pytest.mark.parametrize("page_name", ["report-en", "report-zh", "diff"])
@pytest.mark.parametrize("strip_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_hostile_payloads_do_not_run(hostile_pages: dict[str, Path], tmp_path: Path, strip_csp: bool, page_name: str) -> None:
    hostile_report = hostile_pages[page_name]
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


def test_the_harness_sees_labels_that_overlap(crowded_report: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Control: with every label in one row at its line (the old layout), the measured boxes do overlap."""
    from piaudit.scripts.reports import timeline

    def naive(xs, text_of, right_edge, min_left):  # noqa: ANN001, ANN202 - the layout being replaced
        return [timeline.Label(x, [s], text_of([s]), x + 4, timeline.text_width(text_of([s])), 0) for x, s in xs]

    # the control: the old layout put back, so the real Chromium measurement is shown to catch overlaps
    monkeypatch.setattr(timeline, "layout_labels", naive)
    report = write_report(crowded_report.parent, "html", tmp_path / "naive.html", lang="en")
    assert overlaps(measure(report, tmp_path)["labels"])
