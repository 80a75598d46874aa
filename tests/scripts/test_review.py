"""`piaudit check`, `snap`, `diff`, and what the reports and the evidence database say about them."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
import sqlite_utils
from openpyxl import load_workbook

from piaudit.policies import rows
from piaudit.policies.models import Finding, JudgedParty, Judgement
from piaudit.policies.options import AuditOptions
from piaudit.policies.session import Session
from piaudit.scripts.bundle import create_bundle
from piaudit.scripts.cli import main
from piaudit.scripts.replay import rejudge, replay
from piaudit.scripts.reports import write_report
from piaudit.scripts.verify import verify_bundle
from tests.support.png import hierarchy, make_png
from tests.support.sessions import IMEI, T0, build_session


@pytest.fixture
def built(tmp_path: Path):
    return build_session(tmp_path / "app1")


def _judge(directory: Path, *, jurisdiction: str = "CN", parties: list[JudgedParty] | None = None) -> None:
    """A judgement for the session's current findings run, as a findings run stores it."""
    store = Session.open(directory).store
    run = rows.latest_run(store)
    store.insert_many(
        "judgements",
        [rows.judgement_row(Judgement(run=run, time=T0 + 31, consent_signals=["manual", "ui_click"], jurisdiction=jurisdiction, parties=parties or []))],
    )
    store.close()


class TestCheck:
    def test_record_list_and_errors(self, built, capsys) -> None:
        d = str(built.dir)
        assert main(["check", "--session", d, "refuse_available", "pass", "--note", "不同意 keeps the app open", "--by", "lab-7"]) == 0
        assert "refuse_available: pass recorded as checks:4" in capsys.readouterr().out
        assert main(["check", "--session", d, "--list", "--lang", "zh"]) == 0
        listing = capsys.readouterr().out
        assert "pass refuse_available" in listing and "认定方法 三.2" in listing and "3 of 14 items answered" in listing
        assert main(["check", "--session", d, "refuse_avaliable", "pass"]) == 2
        assert "did you mean refuse_available" in capsys.readouterr().err
        assert main(["check", "--session", d, "refuse_available", "maybe"]) == 2
        assert main(["check", "--session", d, "refuse_available"]) == 2
        assert main(["check", "--session", d, "refuse_available", "pass", "--screen", "99"]) == 2
        assert "no screen 99" in capsys.readouterr().err

    def test_answers_survive_rejudging_and_are_carried_by_replay(self, built, tmp_path: Path) -> None:
        before = [a.model_dump() for a in rows.checks(Session.open(built.dir).store)]
        rejudge(built.dir, AuditOptions(policy=str(built.policy_path)))  # a new findings run, in place
        store = Session.open(built.dir).store
        assert [a.model_dump() for a in rows.checks(store)] == before and rows.latest_run(store) == 3
        assert store.verify()["checks"] is None
        report = json.loads(write_report(built.dir, "json", tmp_path / "r.json").read_text())
        answered = {c["item"]: c["answer"]["verdict"] for c in report["checks"] if c["answer"]}
        assert answered == {"policy_at_first_launch": "pass", "account_deletion": "fail"}
        # a replay into a new session keeps the screens and answers of the run it replays
        out = tmp_path / "replayed"
        replay(built.dir, out, AuditOptions(policy=str(built.policy_path)), workers=1)
        copy = Session.open(out).store
        assert [a.verdict for a in rows.checks(copy)] == [a["verdict"] for a in before]
        assert [s.png for s in rows.screens(copy)] == [s.png for s in rows.screens(Session.open(built.dir).store)]
        assert all((out / "screens" / s.png).is_file() for s in rows.screens(copy))

    def test_answers_and_screens_in_the_bundle_and_verify_binds_the_files(self, built, tmp_path: Path) -> None:
        result = create_bundle(built.dir, tmp_path / "case.zip")
        assert verify_bundle(result.path).ok
        with zipfile.ZipFile(result.path) as zf:
            report = json.loads(zf.read("reports/report.json"))
            png = next(n for n in zf.namelist() if n.startswith("session/screens/") and n.endswith(".png"))
            members = {n: zf.read(n) for n in zf.namelist()}
        assert [c["answer"]["verdict"] for c in report["checks"] if c["item"] == "account_deletion"] == ["fail"]
        assert "no delete button" in members["reports/report.html"].decode()
        # a screenshot replaced, the manifest rewritten to match: the chained row still names the old hash
        import hashlib

        manifest = json.loads(members["manifest.json"])
        members[png] = make_png(36, 64, lambda x, y: (0, 0, 0))
        manifest["files"][png] = {"sha256": hashlib.sha256(members[png]).hexdigest(), "size": len(members[png])}
        members["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
        forged = tmp_path / "forged.zip"
        with zipfile.ZipFile(forged, "w") as zf:
            for name, data in members.items():
                zf.writestr(name, data)
        problems = [str(p) for p in verify_bundle(forged).problems]
        assert any(p.startswith(png) and "is not the file screens:" in p for p in problems), problems


class TestSnap:
    def test_snap_through_the_fake_adb_serves_real_png_and_xml(self, built, tmp_path: Path, monkeypatch, capsys) -> None:
        from tests.scripts.device.fake import FakeAdb

        display = tmp_path / "display"  # what the screen shows, as the stand-in draws it
        display.mkdir()
        (display / "screen.png").write_bytes(make_png(30, 50, lambda x, y: (200, 30, 30)))
        (display / "window_dump.xml").write_bytes(hierarchy(["Allow Shop to access this device's location?", "Allow"], package="com.android.permissioncontroller"))
        fake = FakeAdb(tmp_path / "adb", monkeypatch, "android14")
        fake.set(devices=[["emulator-5554", "device"]], display=str(display))
        assert main(["snap", "--session", str(built.dir), "--source", "adb:emulator-5554", "--note", "location prompt"]) == 0
        assert "screen 3: 30x50 PNG, 2 texts, a permission dialog from adb:emulator-5554" in capsys.readouterr().out
        screen = list(rows.screens(Session.open(built.dir).store))[-1]
        assert screen.triggers[0].kind == "on_demand" and screen.triggers[0].detail == "location prompt"
        assert (built.dir / "screens" / screen.png).read_bytes() == (display / "screen.png").read_bytes()
        assert fake.load().get("files", {}) == {}  # the hierarchy's file on the device was removed again
        # the device shows nothing: a one-line reason, exit 1, nothing stored
        (display / "screen.png").unlink()
        (display / "window_dump.xml").unlink()
        assert main(["snap", "--session", str(built.dir), "--source", "adb:emulator-5554"]) == 1
        assert "Capturing failed" in capsys.readouterr().err

    def test_snap_uses_the_source_the_run_recorded(self, built, tmp_path: Path, capsys) -> None:
        assert main(["snap", "--session", str(built.dir)]) == 2
        assert "records no screen source" in capsys.readouterr().err
        display = tmp_path / "d"
        display.mkdir()
        for name, data in (("screen.png", make_png(3, 3)), ("window_dump.xml", hierarchy(["Home"])), ("seq", b"1 main\n")):
            (display / name).write_bytes(data)
        session = Session.open(built.dir)
        session.meta.options["screens"] = f"display:{display}"
        session.meta.options["screens_interval"] = 0.05
        session.save()
        assert main(["snap", "--session", str(built.dir)]) == 0
        assert f"from display:{display}" in capsys.readouterr().out


class TestDiff:
    def _retest(self, tmp_path: Path, built) -> Path:
        """The same app after rectification: Baidu's cleartext upload gone, a new finding, Bugly renamed by the new policy."""
        after = build_session(tmp_path / "retest")
        store = Session.open(after.dir).store
        current = [f for f in rows.latest_findings(store) if f.rule != "CLEARTEXT_TRANSMISSION"]
        for f in current:
            if f.party == "Tencent Bugly":
                f.party = "Bugly"  # the new policy declares Bugly under its short name
        current.append(Finding(rule="CLIPBOARD_READ", data_type="clipboard", time=T0 + 21, before_consent=False, severity="medium", message="clipboard read"))
        store.insert_many("findings", [rows.finding_row(3, f) for f in current])
        store.close()
        _judge(after.dir, parties=[JudgedParty(name="Bugly", catalog_ids=["tencent-bugly"])])
        assert main(["check", "--session", str(after.dir), "account_deletion", "pass", "--note", "now in Settings"]) == 0
        return after.dir

    def test_fixed_new_persisting_with_evidence_and_checks(self, built, tmp_path: Path, capsys) -> None:
        new = self._retest(tmp_path, built)
        capsys.readouterr()
        assert main(["diff", str(built.dir), str(new)]) == 1  # something persists: the retest did not clear the app
        doc = json.loads(capsys.readouterr().out)
        assert set(doc) >= {"fixed", "new", "persisting", "sessions", "checks", "counts"}
        assert [(e["rule"], e["party"]) for e in doc["fixed"]] == [("CLEARTEXT_TRANSMISSION", "Baidu Mobads")]
        assert [(e["rule"], e["data_type"]) for e in doc["new"]] == [("CLIPBOARD_READ", "clipboard")]
        bugly = [e for e in doc["persisting"] if e["party"] == "Tencent Bugly"]
        assert len(bugly) == 1 and bugly[0]["old"]["party_names"] == ["Tencent Bugly"] and bugly[0]["new"]["party_names"] == ["Bugly"]
        fixed = doc["fixed"][0]
        assert fixed["new"] is None and fixed["old"]["findings"] == 1 and fixed["old"]["hosts"] == ["mobads.baidu.com"]
        assert fixed["old"]["evidence_rows"] == ["flows:3", "detections:3"] and fixed["old"]["first_utc"].endswith("Z")
        change = next(c for c in doc["checks"] if c["item"] == "account_deletion")
        assert change["change"] == "fail -> pass" and change["new"]["note"] == "now in Settings"
        assert doc["counts"] == {"new": 1, "persisting": len(doc["persisting"]), "fixed": 1}

    def test_everything_fixed_exits_0_and_html_is_written(self, built, tmp_path: Path, capsys) -> None:
        clean = build_session(tmp_path / "clean")
        store = Session.open(clean.dir).store
        store.insert_many("judgements", [rows.judgement_row(Judgement(run=3, time=T0 + 40, consent_signals=["ui_click"]))])
        store.close()
        assert main(["diff", str(built.dir), str(clean.dir), "--format", "html", "-o", str(tmp_path / "d.html"), "--lang", "zh"]) == 0
        page = (tmp_path / "d.html").read_text()
        assert "已整改" in page and "复测对比" in page and "default-src 'none'" in page
        assert main(["diff", str(built.dir), str(tmp_path / "nothing")]) == 2


class TestReportContent:
    def test_grouped_findings_share_ids_across_json_csv_and_xlsx(self, built, tmp_path: Path) -> None:
        store = Session.open(built.dir).store
        posts = [
            Finding(rule="PRE_CONSENT_TRANSMISSION", data_type="imei", party="Umeng", host="ulogs.umeng.com", where="body:$.imei",
                    time=T0 + 2 + i / 10, before_consent=i < 30, severity="high", evidence=IMEI, evidence_rows=[f"flows:{i}"])
            for i in range(40)
        ]  # fmt: skip
        store.insert_many("findings", [rows.finding_row(3, f) for f in posts])
        store.close()
        doc = json.loads(write_report(built.dir, "json", tmp_path / "r.json").read_text())
        assert len(doc["findings"]) == 40 and len(doc["groups"]) == 1
        group = doc["groups"][0]
        assert group["count"] == 40 and group["before_consent"] == 30 and len(group["evidence_rows"]) == 20
        assert group["evidence_rows_more"] == 20 and {f["group"] for f in doc["findings"]} == {group["id"]}
        import csv

        table = list(csv.reader(open(write_report(built.dir, "csv", tmp_path / "r.csv"), encoding="utf-8-sig")))
        assert {r[1] for r in table[1:]} == {group["id"]} and len(table) == 41
        book = load_workbook(write_report(built.dir, "xlsx", tmp_path / "r.xlsx", lang="en"))
        assert {c.value for c in book["findings"]["B"][1:]} == {group["id"]}
        groups = book["groups"]
        assert groups["A2"].value == group["id"] and groups["E2"].value == 40

    def test_xlsx_dates_summaries_colours_and_print_setup(self, built, tmp_path: Path) -> None:
        _judge(built.dir)  # jurisdiction CN: Asia/Shanghai, zh
        book = load_workbook(write_report(built.dir, "xlsx", tmp_path / "r.xlsx"))
        assert book.sheetnames == ["findings", "groups", "rules", "sdks", "checklist", "session"]
        sheet = book["findings"]
        headers = [c.value for c in sheet[1]]
        assert headers[4] == "时间（Asia/Shanghai）" and headers[5] == "时间（UTC）"
        local, utc_cell = sheet.cell(row=2, column=5), sheet.cell(row=2, column=6)
        assert isinstance(local.value, datetime) and local.is_date and (local.value - utc_cell.value).total_seconds() == 8 * 3600
        severities = {sheet.cell(row=r, column=4).value: sheet.cell(row=r, column=4).fill.fgColor.rgb for r in range(2, sheet.max_row + 1)}
        assert severities["high"].endswith("F8C9C4") and severities["info"].endswith("E1E8F0")
        for name in book.sheetnames:
            ws = book[name]
            assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1", name
        rules_sheet = [[c.value for c in r] for r in book["rules"].iter_rows(min_row=2)]
        assert any(r[0] == "PRE_CONSENT_TRANSMISSION" and "个人信息保护法" in r[6] for r in rules_sheet)
        sdks = [r[0].value for r in book["sdks"].iter_rows(min_row=2)]
        assert "Umeng" in sdks and "App 自身" in sdks
        checks = {r[0].value: r[3].value for r in book["checklist"].iter_rows(min_row=2)}
        assert checks["policy_at_first_launch"] == "pass" and checks["account_deletion"] == "fail" and checks["refuse_available"] is None

    def test_one_name_per_party_and_the_per_sdk_summary(self, built, tmp_path: Path) -> None:
        store = Session.open(built.dir).store
        store.insert_many(
            "findings",
            [rows.finding_row(3, f) for f in rows.latest_findings(store)]
            + [rows.finding_row(3, Finding(rule="UNDECLARED_DATA_TYPE", data_type="android_id", party="Bugly", time=T0 + 9, before_consent=False))],
        )
        store.close()
        _judge(built.dir, jurisdiction="DE", parties=[JudgedParty(name="Bugly", catalog_ids=["tencent-bugly"])])
        doc = json.loads(write_report(built.dir, "json", tmp_path / "r.json").read_text())
        by_party = {r["party"]: r for r in doc["summary"]["by_party"]}
        bugly = by_party["Tencent Bugly"]
        assert "Bugly" in bugly["names"] and bugly["company"] == "Tencent" and bugly["declared"] is True
        assert set(bugly["rules"]) == {"PRE_CONSENT_TRANSMISSION", "UNDECLARED_DATA_TYPE"} and bugly["before_consent"] is True
        assert by_party["Umeng"]["declared"] is False and by_party["Umeng"]["read"] == ["android_id", "imei"]
        assert doc["time_zone"] == "Europe/Berlin"
        page = write_report(built.dir, "html", tmp_path / "r.html").read_text()
        assert "Tencent Bugly (as judged: Bugly)" in page and page.count(">Bugly<") == 0

    def test_language_defaults_to_the_jurisdiction_and_header_says_options_in_words(self, built, tmp_path: Path) -> None:
        session = Session.open(built.dir)
        session.meta.options = {"piaudit_sinkhole": True, "unpin": True, "canary": {"imei": "x"}, "hooks": True, "device": "usb"}
        session.save()
        assert "piaudit report: com.example.shop" in write_report(built.dir, "html", tmp_path / "en.html").read_text()
        _judge(built.dir)
        page = write_report(built.dir, "html", tmp_path / "zh.html").read_text()
        assert '<html lang="zh-CN">' in page and "piaudit 个人信息收集审计报告：com.example.shop" in page
        assert "拦截模式开启" in page and "已在 App 中解除证书固定" in page and "imei" in page
        assert "canary" not in page and "piaudit_sinkhole" not in page  # said in words, not as a JSON dump
        assert "会话 app1 ·" in page and "session session" not in page
        en = write_report(built.dir, "html", tmp_path / "en2.html", lang="en").read_text()
        assert "Sinkhole on: the proxy answered every request itself" in en and "Certificate pinning was neutralised" in en
        assert "Personal data sent, or a third party contacted, before consent" in en and "PIPL Art. 13 and 14" in en


class TestEvidenceDatabaseViews:
    def test_views_an_analyst_can_browse(self, built, tmp_path: Path) -> None:
        db = sqlite_utils.Database(built.dir / "evidence.db")
        assert {"findings_current", "flows_readable", "hook_events_readable", "consent_readable", "screens_readable", "checks_current", "timeline"} <= set(
            db.view_names()
        )
        current = list(db["findings_current"].rows)
        assert len(current) == len(built.findings) and {r["run"] for r in current} == {2}  # the stale run 1 is not there
        first = min(current, key=lambda r: r["time"])
        assert first["time_utc"] == "2025-11-24T16:00:01.500Z" and first["severity"] == "high" and first["message"] == "IMEI read before consent"
        assert first["evidence"].startswith("TelephonyManager.getImei()") and json.loads(first["evidence_rows"]) == ["hook_events:1"]
        assert [r["item"] for r in db["checks_current"].rows] == ["policy_at_first_launch", "account_deletion"]
        assert next(db["checks_current"].rows_where("item = ?", ["policy_at_first_launch"]))["verdict"] == "pass"
        kinds = {r["kind"] for r in db["timeline"].rows}
        assert {"flow", "hook", "consent", "lifecycle", "screen"} <= kinds
        keys = {(fk.column, fk.other_table, fk.other_column) for fk in db["findings"].foreign_keys}
        assert keys == {("flow_id", "flows", "flow_id"), ("event", "hook_events", "id")}
        assert Session.open(built.dir).store.verify() == dict.fromkeys(Session.open(built.dir).store.verify(), None)

    def test_an_old_database_is_migrated_with_its_chains_intact(self, tmp_path: Path) -> None:
        """A session written before screens, checks and views: its findings table is rebuilt with foreign keys, rows unchanged."""
        from piaudit.policies import store as store_module
        from piaudit.policies.store import GENESIS, Store, row_digest

        path = tmp_path / "old.db"
        conn = store_module.connect(path)
        db = sqlite_utils.Database(conn)
        db["_migrations"].create({"name": str, "applied_at": float}, pk="name")
        for name, migration in store_module.MIGRATIONS[:3]:
            migration(db)
            db["_migrations"].insert({"name": name, "applied_at": 0.0})
        chain = GENESIS
        for i in (1, 2):
            row = rows.finding_row(1, Finding(rule="CLIPBOARD_READ", time=float(i), before_consent=True)) | {"id": i}
            row = {c: row.get(c) for c in ("id", "run", "rule", "data_type", "party", "host", "flow_id", "event", "time", "before_consent", "json")}
            row["time"], row["chain"] = float(row["time"]), None
            chain = row_digest(chain, row)
            conn.execute(
                "INSERT INTO findings (id, run, rule, data_type, party, host, flow_id, event, time, before_consent, json, chain)"
                " VALUES (:id, :run, :rule, :data_type, :party, :host, :flow_id, :event, :time, :before_consent, :json, :chain)",
                row | {"chain": chain},
            )
        conn.close()
        migrated = Store(path)
        assert [name for (name,) in migrated.conn.execute("SELECT name FROM _migrations ORDER BY rowid")][-5:] == [
            "004_heads",
            "005_crypto_ops_http_requests",
            "006_permission_outcomes_and_starts",
            "007_screens_checks",
            "008_analyst_views",
        ]
        assert migrated.verify()["findings"] is None and migrated.count("findings") == 2
        assert migrated.conn.execute("SELECT count(*) FROM findings_current").fetchone()[0] == 2
        assert migrated.conn.execute("PRAGMA foreign_key_list(findings)").fetchall()


def test_a_consent_dialog_with_no_recorded_decision_is_pointed_out(tmp_path: Path) -> None:
    """A dialog the click hook could not see (Compose, WebView): on screen, then gone, no consent event in between."""
    from piaudit.policies.models import ScreenTrigger
    from piaudit.policies.screens import Capture, store_capture

    built = build_session(tmp_path / "compose", consent=False, review=False)
    store = Session.open(built.dir).store
    for t, texts in ((T0 + 2, ["Privacy", "We use cookies and your device ID", "Reject", "Accept"]), (T0 + 5, ["Home"])):
        store_capture(store, built.dir, Capture(time=t, source="adb", png=make_png(2, 2), xml=hierarchy(texts)), [ScreenTrigger(kind="on_demand", time=t)])
    store.close()
    doc = json.loads(write_report(built.dir, "json", tmp_path / "r.json").read_text())
    (window,) = doc["consent"]["dialogs"]
    assert window["unanswered"] and window["screens"] == [1] and window["after"] == 2
    page = write_report(built.dir, "html", tmp_path / "r.html", lang="en").read_text()
    assert "a consent dialog was on screen from" in page and "piaudit consent --session DIR --at TIME" in page
    # once the auditor records the answer in that window, the report no longer asks
    assert main(["consent", "--session", str(built.dir), "--at", str(T0 + 4)]) == 0
    doc = json.loads(write_report(built.dir, "json", tmp_path / "r2.json").read_text())
    assert doc["consent"]["dialogs"][0]["decisions"] == ["consent_events:1"] and not doc["consent"]["dialogs"][0]["unanswered"]
