"""A session judged with a drafted policy records the draft's inputs, and the report compares with the APK."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from piaudit.policies.draft.pipeline import draft_policy
from piaudit.policies.options import AuditOptions
from piaudit.policies.session import Session
from piaudit.scripts.replay import rejudge, replay
from piaudit.scripts.reports import write_report
from tests.support.apks import BuiltApk
from tests.support.sessions import build_session

FIXTURES = Path(__file__).resolve().parent.parent / "policies" / "draft" / "fixtures"


def test_replay_records_inputs_and_report_compares(fixture_apk: BuiltApk, tmp_path: Path) -> None:
    source = build_session(tmp_path / "source")
    text, _ = draft_policy("com.example.fixture", privacy_policy=FIXTURES / "zh_table.html", apk=fixture_apk.signed)
    policy = tmp_path / "policy.yaml"
    policy.write_text(text.replace("category: other", "category: map_navigation"), encoding="utf-8")
    out = tmp_path / "replayed"
    replay(source.dir / "flows.mitm", out, AuditOptions(policy=str(policy)), workers=1)

    meta = Session.open(out).meta
    assert meta.inputs is not None and meta.inputs.apk is not None and meta.inputs.privacy_policy is not None
    assert meta.inputs.privacy_policy.sha256 == hashlib.sha256((FIXTURES / "zh_table.html").read_bytes()).hexdigest()
    assert meta.inputs.apk.sha256 == hashlib.sha256(fixture_apk.signed.read_bytes()).hexdigest()
    on_disk = json.loads((out / "session.json").read_text())
    assert on_disk["inputs"]["apk"]["signing_sha256"] == [fixture_apk.signer_sha256]

    report = json.loads(write_report(out, "json", tmp_path / "r.json").read_text())
    section = report["declared_vs_embedded"]
    assert {d["catalog_id"] for d in section["embedded_not_declared"]} == {"pangle", "pangle-global", "amap-location"}
    assert [d["catalog_id"] for d in section["declared_not_embedded"]] == ["jiguang-jverification"]
    assert {p["permission"] for p in section["permissions"] if p["justified"] is False} == {
        "android.permission.READ_PHONE_STATE",
        "android.permission.READ_CONTACTS",
        "android.permission.QUERY_ALL_PACKAGES",
    }
    page = write_report(out, "html", tmp_path / "r.html").read_text()
    assert 'id="embedded"' in page and "assets/bundle.zip!inner.jar!classes.dex" in page and "READ_PHONE_STATE" in page

    # the comparison was made when the session was judged and stored in its judgement: the report never
    # reads the policy file again, so editing, moving or deleting it changes nothing in the report
    policy.write_text(policy.read_text().replace("jiguang", "jiguang-renamed") + "\n# edited\n", encoding="utf-8")
    assert json.loads(write_report(out, "json", tmp_path / "r2.json").read_text())["declared_vs_embedded"] == section
    policy.unlink()
    assert json.loads(write_report(out, "json", tmp_path / "r2b.json").read_text())["declared_vs_embedded"] == section

    # re-judging with a hand-written policy drops the inputs: they belonged to the drafted one
    hand = tmp_path / "hand.yaml"
    hand.write_text((Path(__file__).resolve().parents[2] / "policies" / "examples" / "demoapp.yaml").read_text(), encoding="utf-8")
    rejudge(out, AuditOptions(policy=str(hand)))
    assert Session.open(out).meta.inputs is None
    assert "declared_vs_embedded" not in json.loads(write_report(out, "json", tmp_path / "r3.json").read_text())


def test_session_without_draft_has_no_section(tmp_path: Path) -> None:
    source = build_session(tmp_path / "source")
    assert Session.open(source.dir).meta.inputs is None
    page = write_report(source.dir, "html", tmp_path / "r.html").read_text()
    assert 'id="embedded"' not in page
