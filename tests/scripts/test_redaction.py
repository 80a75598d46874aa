"""`piaudit report --redact` and `piaudit diff --redact`: no identifier survives in any format, in any encoding the detector knows.

The scanner is the detector itself, told every identifier of the hostile corpus
(:mod:`tests.support.redaction_corpus`): it must find them in the plain reports (so the test
can fail) and nothing in the redacted ones. A redacted HAR must stay importable by mitmproxy
and by `piaudit replay`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from piaudit.scripts.cli import main
from piaudit.scripts.reports import write_report
from tests.support import redaction_corpus as corpus_module

FORMATS = ["html", "pdf", "json", "csv", "xlsx", "har"]
BIN = Path(sys.executable).parent
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"  # scripts/setup.sh installs poppler-utils


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus_module.build(tmp_path_factory.mktemp("redaction") / "session")


@pytest.fixture(scope="module")
def scanner():
    return corpus_module.scanner()


def report_bytes(path: Path, fmt: str) -> bytes:
    if fmt == "pdf":  # the text a reader copies out of the PDF (poppler), page by page
        return subprocess.run([PDFTOTEXT, "-raw", str(path), "-"], capture_output=True, timeout=120, check=True).stdout
    if fmt == "xlsx":
        book = load_workbook(path)
        return "\n".join(str(c.value) for s in book for r in s.iter_rows() for c in r if c.value is not None).encode()
    return path.read_bytes()


def found(scanner, data: bytes) -> set[tuple[str, str, str]]:
    """(data type, encoding, excerpt) of every known value the detector finds in ``data``."""
    result = scanner.scan_bytes(data, "report", headers={"content-type": "text/plain"})
    return {(str(d.data_type), d.encoding, d.excerpt) for d in result.detections if d.source == "value"}


class TestEveryFormat:
    @pytest.mark.parametrize("fmt", FORMATS)
    def test_the_plain_report_shows_the_identifiers(self, corpus: Path, scanner, tmp_path: Path, fmt: str) -> None:
        # the guard that makes the next test meaningful: the scanner does see identifiers in these files
        out = write_report(corpus, fmt, tmp_path / f"plain.{fmt}")
        types = {t for t, _, _ in found(scanner, report_bytes(out, fmt))}
        assert {"imei", "mac", "email"} <= types, types

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_no_identifier_survives_redaction(self, corpus: Path, scanner, tmp_path: Path, fmt: str) -> None:
        out = write_report(corpus, fmt, tmp_path / f"redacted.{fmt}", redact=True)
        data = report_bytes(out, fmt)
        assert found(scanner, data) == set()
        assert "‹imei" in data.decode("utf-8-sig") or "%E2%80%B9imei" in data.decode("utf-8-sig")

    def test_every_har_place_is_masked(self, corpus: Path, scanner, tmp_path: Path) -> None:
        """Each place of each entry on its own: URL, headers, cookies, query, bodies, messages."""
        log = json.loads(write_report(corpus, "har", tmp_path / "r.har", redact=True).read_text())["log"]
        assert len(log["entries"]) > 100
        for entry in log["entries"]:
            request = entry["request"]
            places = {
                "url": request["url"],
                "headers": json.dumps(request["headers"], ensure_ascii=False),
                "cookies": json.dumps(request["cookies"], ensure_ascii=False),
                "query": json.dumps(request["queryString"], ensure_ascii=False),
                "body": (request.get("postData") or {}).get("text", ""),
                "messages": json.dumps(entry.get("_webSocketMessages", []), ensure_ascii=False),
                "detections": json.dumps(entry.get("_piaudit_detections", []), ensure_ascii=False),
            }
            for place, text in places.items():
                assert found(scanner, text.encode()) == set(), (place, request["url"][:80])

    def test_the_redacted_har_url_is_ascii(self, corpus: Path, tmp_path: Path) -> None:
        log = json.loads(write_report(corpus, "har", tmp_path / "r.har", redact=True).read_text())["log"]
        urls = [e["request"]["url"] for e in log["entries"]]
        assert all(u.isascii() and " " not in u for u in urls)
        assert any("%E2%80%B9imei" in u for u in urls)


class TestRedactedHarStaysUsable:
    def test_mitmdump_reads_it(self, corpus: Path, tmp_path: Path) -> None:
        har = write_report(corpus, "har", tmp_path / "r.har", redact=True)
        done = subprocess.run([str(BIN / "mitmdump"), "-nr", str(har)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "error" not in done.stderr.lower(), done.stderr[-2000:]

    def test_piaudit_replay_reads_it(self, corpus: Path, tmp_path: Path, capsys) -> None:
        har = write_report(corpus, "har", tmp_path / "r.har", redact=True)
        entries = len(json.loads(har.read_text())["log"]["entries"])
        assert main(["replay", str(har), "--out", str(tmp_path / "again")]) == 0
        assert f"replayed {entries} flows" in capsys.readouterr().out


@pytest.fixture(scope="module")
def pair(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    again = tmp_path_factory.mktemp("redaction-retest") / "session"
    shutil.copytree(corpus, again)  # a retest that changed nothing: every finding persists, with both sides' evidence
    return corpus, again


class TestDiff:
    """`piaudit diff --redact` masks the identifiers of both sessions, in JSON and in HTML."""

    @pytest.mark.parametrize("fmt", ["json", "html"])
    def test_plain_and_redacted(self, pair: tuple[Path, Path], scanner, tmp_path: Path, fmt: str, capsys) -> None:
        outputs = {}
        for mode in ("plain", "redacted"):
            out = tmp_path / f"{mode}.{fmt}"
            code = main(["diff", *map(str, pair), "--format", fmt, "-o", str(out), *(["--redact"] if mode == "redacted" else [])])
            assert code == 1  # everything persists
            outputs[mode] = out.read_bytes()
        capsys.readouterr()
        assert {"imei", "email"} <= {t for t, _, _ in found(scanner, outputs["plain"])}  # the guard: the scanner sees them
        assert found(scanner, outputs["redacted"]) == set()
        assert "‹imei" in outputs["redacted"].decode()
