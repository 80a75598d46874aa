"""sent_by in the rules: findings carry the sender beside the recipient; an undeclared SDK posting
to the first party is an UNDECLARED_THIRD_PARTY; joined ops, requests and TLS writes are cited."""

from __future__ import annotations

from piaudit.policies.rules import evaluate
from tests.policies.rules.build import classifier, consent, flow, only, policy, timeline

POL = policy()


def judged(*items):
    return evaluate(timeline(*items), POL, classifier(POL))


def sent(f, sender: str | None, request: int | None = None, ops: list[int] | None = None):
    f.sent_by, f.sender = sender, request
    for d in f.detections:
        d.crypto_ops = list(ops or [])
    return f


def test_an_undeclared_sdk_posting_to_the_first_party_is_an_undeclared_third_party():
    found = judged(sent(flow("f1", 10.0, "api.demoapp.example", "imei"), "Umeng", request=3), consent(20.0))
    (f,) = only(found, "UNDECLARED_THIRD_PARTY")
    assert (f.data_type, f.party, f.sent_by, f.host) == ("imei", None, "Umeng", "api.demoapp.example")
    assert f.evidence_rows == ["flows:f1", "http_requests:3"]
    assert "SDK Umeng's code sent it through the app's own domain" in f.message
    (pre,) = only(found, "PRE_CONSENT_TRANSMISSION")
    assert (pre.sent_by, pre.party) == ("Umeng", None) and "sent by SDK Umeng" in pre.message


def test_a_declared_sdk_posting_to_the_first_party_is_not():
    found = judged(sent(flow("f1", 10.0, "api.demoapp.example", "android_id"), "Tencent Bugly", request=1))
    assert only(found, "UNDECLARED_THIRD_PARTY") == []
    assert only(found, "PRE_CONSENT_TRANSMISSION")[0].sent_by == "Tencent Bugly"


def test_the_app_itself_posting_to_the_first_party_is_not():
    found = judged(sent(flow("f1", 10.0, "api.demoapp.example", "imei"), None, request=1))
    assert only(found, "UNDECLARED_THIRD_PARTY") == []
    assert only(found, "PRE_CONSENT_TRANSMISSION")[0].evidence_rows == ["flows:f1", "http_requests:1"]


def test_one_finding_per_sending_sdk_and_data_type_citing_every_flow():
    found = judged(
        sent(flow("f1", 10.0, "api.demoapp.example", "imei"), "Umeng", request=1),
        sent(flow("f2", 11.0, "cdn.demoapp.example", "imei"), "Umeng", request=2),
        sent(flow("f3", 12.0, "api.demoapp.example", "imei"), "AMap", request=3),
    )
    assert sorted((f.sent_by, f.evidence_rows[0]) for f in only(found, "UNDECLARED_THIRD_PARTY")) == [("AMap", "flows:f3"), ("Umeng", "flows:f1")]
    (umeng,) = [f for f in only(found, "UNDECLARED_THIRD_PARTY") if f.sent_by == "Umeng"]
    assert umeng.evidence_rows == ["flows:f1", "http_requests:1", "flows:f2", "http_requests:2"]


def test_a_third_party_recipient_keeps_its_party_and_names_the_sender():
    (f,) = only(judged(sent(flow("f1", 10.0, "alog.umeng.com", "imei"), "AMap", request=9)), "UNDECLARED_THIRD_PARTY")
    assert (f.party, f.sent_by) == ("Umeng", "AMap")


def test_a_joined_detection_cites_its_crypto_ops():
    (f,) = only(judged(sent(flow("f1", 10.0, "alog.umeng.com", "imei"), None, ops=[4, 5])), "PRE_CONSENT_TRANSMISSION")
    assert f.evidence_rows == ["flows:f1", "crypto_ops:4", "crypto_ops:5"]


def test_a_flow_seen_only_in_tls_plaintext_cites_its_writes_and_says_so():
    tls = flow("tls:7", 10.0, "pin.bugly.qq.com", "android_id")
    tls.origin, tls.crypto_ops, tls.sent_by = "tls_hook", [7, 8], "Tencent Bugly"
    (f,) = only(judged(tls), "PRE_CONSENT_TRANSMISSION")
    assert (f.flow, f.evidence_rows, f.sent_by) == (None, ["crypto_ops:7", "crypto_ops:8"], "Tencent Bugly")
    assert "the proxy did not inspect this host" in f.message
