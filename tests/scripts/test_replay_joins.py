"""Replay with crypto ops, HTTP requests and TLS writes: the joins end up in the findings, the same
for any number of workers and again after exporting the session's events (`piaudit events`)."""

from __future__ import annotations

import gzip
import json
import os

import pytest

from piaudit.policies import rows
from piaudit.policies.eventlog import write_events
from piaudit.policies.join.crypto import b64
from piaudit.policies.models import ApiRef, ConsentEvent, CryptoOp, HookEvent, HttpRequest
from piaudit.policies.options import AuditOptions
from piaudit.policies.policy import policy_init_yaml
from piaudit.policies.store import Store
from piaudit.scripts.cli import main as cli_main
from piaudit.scripts.replay import replay
from piaudit.scripts.reports.data import load
from tests.policies.join.helpers import aes_cbc, aes_gcm
from tests.scripts.test_replay import Req, write_capture

T0 = 1_764_100_000.0
IMEI = "867530912345673"
ANDROID_ID = "9774d56d682e549c"
UMENG_STACK = ["com.umeng.commonsdk.statistics.UMEnvelopeBuild.buildEnvelope(UMEnvelopeBuild.java:40)", "com.example.demoapp.DemoApplication.onCreate(DemoApplication.java:20)"]
BYTEDANCE_STACK = ["com.bytedance.applog.AppLog.flush(AppLog.java:77)", "com.example.demoapp.DemoApplication.onCreate(DemoApplication.java:22)"]
BUGLY_STACK = ["com.tencent.bugly.crashreport.CrashReport.upload(CrashReport.java:33)", "com.example.demoapp.DemoApplication.onCreate(DemoApplication.java:24)"]
FIRST_PARTY_URL = "https://api.demoapp.example/v1/metrics"
SESSION_KEY = bytes.fromhex("fbff00aa3c5e7f9102a4b6c8dae0f213")  # sent alongside, as Umeng does: --redact must mask it


def envelope() -> tuple[bytes, bytes, bytes]:
    """Umeng-like: JSON -> gzip -> AES/CBC, base64 in a JSON field. (plain, ciphertext, body)"""
    plain = gzip.compress(json.dumps({"header": {"imei": IMEI, "appkey": "5f1a"}}).encode(), mtime=0)
    ct = aes_cbc(SESSION_KEY, os.urandom(16), plain)
    return plain, ct, json.dumps({"header": {"session_key": b64(SESSION_KEY), "key_hex": SESSION_KEY.hex()}, "envelope": b64(ct), "ver": "1.0"}).encode()


def applog() -> tuple[bytes, bytes]:
    """ByteDance-like: JSON -> AES/GCM -> raw bytes."""
    plain = json.dumps({"header": {"android_id": ANDROID_ID, "aid": 1128}}).encode()
    return plain, aes_gcm(os.urandom(16), os.urandom(12), plain)


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("joins")
    env_plain, env_ct, env_body = envelope()
    log_plain, log_ct = applog()
    traffic = [
        Req("https://alog.umeng.com/app_logs", T0 + 1, "POST", env_body, "application/json", "106.11.3.4"),
        Req("https://log.snssdk.com/service/2/app_log/", T0 + 2, "POST", log_ct, "application/octet-stream", "1.2.3.4"),
        Req(FIRST_PARTY_URL, T0 + 3, "POST", json.dumps({"did": IMEI}).encode(), "application/json", "203.0.113.9"),
        Req(FIRST_PARTY_URL, T0 + 30, "POST", json.dumps({"did": IMEI}).encode(), "application/json", "203.0.113.9"),
    ]
    write_capture(d / "capture.mitm", traffic)
    pinned = b"POST /rqd/async HTTP/1.1\r\nHost: pin.bugly.qq.com\r\nContent-Length: 28\r\n\r\n" + json.dumps({"aid": ANDROID_ID}).encode()[:28]
    events = [
        HookEvent(time=T0 + 0.1, data_type="imei", api=ApiRef(class_name="android.telephony.TelephonyManager", method="getImei"), value=IMEI, identifiers={"imei": [IMEI]}, stack=UMENG_STACK, pid=42),
        HookEvent(time=T0 + 0.2, data_type="android_id", api=ApiRef(class_name="android.provider.Settings$Secure", method="getString"), value=ANDROID_ID, identifiers={"android_id": [ANDROID_ID]}, stack=BYTEDANCE_STACK, pid=42),
        CryptoOp(time=T0 + 0.9, op="encrypt", algorithm="AES/CBC/PKCS5Padding", input=b64(env_plain), output=b64(env_ct), key=b64(SESSION_KEY), stack=UMENG_STACK, pid=42),
        CryptoOp(time=T0 + 1.9, op="encrypt", algorithm="AES/GCM/NoPadding", input=b64(log_plain), output=b64(log_ct), stack=BYTEDANCE_STACK, pid=42),
        HttpRequest(time=T0 + 2.95, method="POST", url=FIRST_PARTY_URL, stack=UMENG_STACK, pid=42, process="com.example.demoapp:push"),
        CryptoOp(time=T0 + 4.0, op="tls_write", algorithm="TLS", input=b64(pinned[:50]), host="pin.bugly.qq.com", port=443, connection="s1", stack=BUGLY_STACK, pid=42),
        CryptoOp(time=T0 + 4.01, op="tls_write", algorithm="TLS", input=b64(pinned[50:]), host="pin.bugly.qq.com", port=443, connection="s1", stack=BUGLY_STACK, pid=42),
        ConsentEvent(time=T0 + 10, decision="granted", source="manual"),
    ]
    write_events(d / "events.jsonl", events)
    policy = policy_init_yaml("com.example.demoapp").replace("first_party_domains: []", "first_party_domains: [demoapp.example]")
    (d / "policy.yaml").write_text(policy)
    options = AuditOptions(policy=str(d / "policy.yaml"))
    one = replay(d / "capture.mitm", d / "one", options, hooks=d / "events.jsonl", workers=1)
    two = replay(d / "capture.mitm", d / "two", options, hooks=d / "events.jsonl", workers=2)
    return {"dir": d, "one": one, "two": two, "options": options}


def dumped(findings) -> list[str]:
    return sorted(f.model_dump_json() for f in findings)


def test_the_encrypted_envelope_is_a_pre_consent_transmission_with_the_cipher_in_its_chain(case):
    found = [f for f in case["one"].findings if f.rule == "PRE_CONSENT_TRANSMISSION" and f.host == "alog.umeng.com"]
    assert [(f.data_type, f.encoding, f.where) for f in found] == [
        ("imei", "json>base64>cipher:AES/CBC/PKCS5Padding>gzip>json", "body:$.envelope>$.header.imei")
    ]
    rows_ = found[0].evidence_rows
    assert rows_[0].startswith("flows:") and any(r.startswith("crypto_ops:") for r in rows_)


def test_the_raw_aes_gcm_applog_is_joined(case):
    found = [f for f in case["one"].findings if f.rule == "PRE_CONSENT_TRANSMISSION" and f.host == "log.snssdk.com"]
    assert [(f.data_type, f.encoding, f.where) for f in found] == [("android_id", "cipher:AES/GCM/NoPadding>json", "body:$.header.android_id")]


def test_the_first_party_post_names_its_sender(case):
    first = [f for f in case["one"].findings if f.host == "api.demoapp.example"]
    pre = [f for f in first if f.rule == "PRE_CONSENT_TRANSMISSION"]
    assert [(f.data_type, f.party, f.sent_by) for f in pre] == [("imei", None, "Umeng")]
    # the flow takes the process of its http:request (the proxy alone does not know it)
    assert {f.process for f in first if f.time < T0 + 20} == {"com.example.demoapp:push"}
    assert any(r.startswith("http_requests:") for r in pre[0].evidence_rows)
    assert "sent by SDK Umeng" in pre[0].message
    undeclared = [f for f in first if f.rule == "UNDECLARED_THIRD_PARTY"]
    assert [(f.data_type, f.sent_by) for f in undeclared] == [("imei", "Umeng")]
    # the later post has no request event: no sender
    assert not [f for f in case["one"].findings if f.host == "api.demoapp.example" and f.time > T0 + 20 and (f.sent_by or f.process)]


def test_the_pinned_host_is_seen_only_in_the_tls_plaintext(case):
    found = [f for f in case["one"].findings if f.host == "pin.bugly.qq.com" and f.rule == "PRE_CONSENT_TRANSMISSION"]
    assert [(f.data_type, f.flow, f.sent_by) for f in found] == [("android_id", None, "Tencent Bugly")]
    assert found[0].evidence_rows == ["crypto_ops:3", "crypto_ops:4"]  # the two TLS writes it was read from
    assert "did not inspect" in found[0].message
    coverage = load(case["one"].session_dir).coverage
    assert coverage["tls_hook_only"] == [{"host": "pin.bugly.qq.com", "requests": 1, "writes": 2, "first_utc": coverage["tls_hook_only"][0]["first_utc"]}]
    assert coverage["crypto_ops"] == {"encrypt": 2, "tls_write": 2} and coverage["joined_detections"] == 2


def test_any_number_of_workers_gives_the_same_session(case):
    assert dumped(case["one"].findings) == dumped(case["two"].findings)
    a, b = Store(case["one"].session_dir / "evidence.db"), Store(case["two"].session_dir / "evidence.db")
    try:
        recorded = [t for t in a.heads() if t != "judgements"]  # a judgement holds the time it was made
        assert {t: a.heads()[t] for t in recorded} == {t: b.heads()[t] for t in recorded}
    finally:
        a.conn.close()
        b.conn.close()


def test_exported_events_replay_to_the_same_findings(case, capsys):
    d = case["dir"]
    assert cli_main(["events", str(case["one"].session_dir), "-o", str(d / "exported.jsonl")]) == 0
    again = replay(case["one"].session_dir / "flows.mitm", d / "again", case["options"], hooks=d / "exported.jsonl", workers=1)
    assert dumped(again.findings) == dumped(case["one"].findings)
    exported = [json.loads(line) for line in (d / "exported.jsonl").read_text().splitlines()]
    assert {e["type"] for e in exported} == {"hook:call", "crypto:op", "http:request", "consent:signal"}
    assert all("id" not in e for e in exported)


def test_the_session_stores_the_ops_and_requests_with_their_joins(case):
    store = Store(case["one"].session_dir / "evidence.db")
    try:
        ops = list(rows.events(store, "crypto_ops"))
        assert [(o.id, o.op, o.party) for o in ops] == [
            (1, "encrypt", "Umeng"),
            (2, "encrypt", "ByteDance AppLog (DataFinder)"),
            (3, "tls_write", "Tencent Bugly"),
            (4, "tls_write", "Tencent Bugly"),
        ]
        joined = [r for r in store.rows("detections") if r["crypto_ops"]]
        assert sorted(json.loads(r["crypto_ops"]) for r in joined) == [[1], [2]]
        assert set(store.verify().values()) == {None}  # every chain intact
        (request,) = rows.events(store, "http_requests")
        assert request.party == "Umeng"
    finally:
        store.conn.close()


def test_reports_show_the_crypto_op_and_its_key_unless_redacted(case, tmp_path):
    from piaudit.scripts.reports import write_report

    key_hex = SESSION_KEY.hex()
    key_forms = (key_hex, key_hex.upper(), b64(SESSION_KEY), b64(SESSION_KEY).rstrip("="), b64(SESSION_KEY).replace("/", "\\/"))
    plain = write_report(case["one"].session_dir, "html", tmp_path / "plain.html", lang="en").read_text()
    redacted = write_report(case["one"].session_dir, "html", tmp_path / "redacted.html", redact=True, lang="en").read_text()
    assert "crypto op (crypto_ops:1)" in plain and key_hex in plain
    assert "crypto op (crypto_ops:1)" in redacted and "removed by --redact" in redacted
    har = write_report(case["one"].session_dir, "har", tmp_path / "plain.har").read_text()
    assert b64(SESSION_KEY).replace("/", "\\/") in har or b64(SESSION_KEY) in har  # the body sends the key
    for fmt in ("html", "har", "json", "csv"):  # redacted: the key in no form the wire or the report uses
        text = redacted if fmt == "html" else write_report(case["one"].session_dir, fmt, tmp_path / f"r.{fmt}", redact=True).read_text()
        assert not [form for form in key_forms if form in text], fmt
    assert "crypto_key(base64)" in write_report(case["one"].session_dir, "har", tmp_path / "r2.har", redact=True).read_text()
    import csv
    import io

    table = list(csv.DictReader(io.StringIO(write_report(case["one"].session_dir, "csv", tmp_path / "w.csv").read_text("utf-8-sig"))))
    assert {row["sent by"] for row in table if row["host"] == "api.demoapp.example"} == {"Umeng"}
    report = json.loads(write_report(case["one"].session_dir, "json", tmp_path / "r.json").read_text())
    assert {f["sent_by"] for f in report["findings"]} >= {"Umeng", "Tencent Bugly"}
