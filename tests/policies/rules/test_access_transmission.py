"""PRE_CONSENT_ACCESS, PRE_CONSENT_TRANSMISSION, POST_REFUSAL_COLLECTION, CLEARTEXT_TRANSMISSION."""

from __future__ import annotations

from piaudit.policies.rules import evaluate
from tests.policies.rules.build import classifier, consent, flow, hook, only, policy, timeline


def judge(*items, **changes):
    pol = policy(**changes)
    return evaluate(timeline(*items), pol, classifier(pol))


def test_pre_consent_access_fires_before_and_not_after():
    findings = only(judge(hook(1, id=1), consent(5), hook(6, id=2)), "PRE_CONSENT_ACCESS")
    assert [(f.event, f.severity, f.before_consent) for f in findings] == [(1, "high", True)]
    assert findings[0].evidence_rows == ["hook_events:1"]
    assert findings[0].where == "android.provider.Settings$Secure.getString"
    assert "before the user consented" in findings[0].message


def test_pre_consent_access_names_the_sdk_and_phase():
    (f,) = only(
        judge(hook(1, id=1, party="Umeng", caller="com.umeng.a.B.c", phase="before_application_oncreate")), "PRE_CONSENT_ACCESS"
    )
    assert f.party == "Umeng"
    assert f.message.startswith("SDK Umeng read android_id")
    assert "before Application.onCreate finished" in f.message


def test_no_consent_event_treats_everything_as_before_consent():
    findings = judge(hook(100, id=1), flow("f1", 200, "api.demoapp.example", "android_id"))
    assert len(only(findings, "PRE_CONSENT_ACCESS")) == 1
    assert len(only(findings, "PRE_CONSENT_TRANSMISSION")) == 1


def test_pre_consent_transmission_of_personal_data():
    (f,) = only(judge(flow("f1", 1, "api.demoapp.example", "android_id"), consent(5)), "PRE_CONSENT_TRANSMISSION")
    assert (f.flow, f.data_type, f.host, f.party, f.severity) == ("f1", "android_id", "api.demoapp.example", None, "high")
    assert (f.where, f.encoding, f.evidence) == ("body:$.android_id", "plain", "[[android_id]]")
    assert f.evidence_rows == ["flows:f1"]
    assert f.event is None and f.before_consent


def test_pre_consent_pattern_only_detection_is_lower():
    (f,) = only(judge(flow("f1", 1, "api.demoapp.example", "imei", source="pattern")), "PRE_CONSENT_TRANSMISSION")
    assert f.severity == "medium"


def test_response_detections_are_not_transmissions():
    findings = judge(flow("f1", 1, "api.demoapp.example", "imei", direction="response"))
    assert findings == []


def test_contact_with_known_or_declared_third_party_before_consent():
    findings = only(
        judge(flow("u", 1, "alog.umeng.com"), flow("b", 2, "bugly.qq.com"), flow("x", 3, "cdn.other.example"), consent(5)),
        "PRE_CONSENT_TRANSMISSION",
    )
    assert [(f.flow, f.party, f.data_type, f.severity) for f in findings] == [
        ("u", "Umeng", None, "medium"),
        ("b", "Bugly", None, "medium"),
    ]
    assert findings[0].evidence == "POST https://alog.umeng.com/collect"


def test_contact_after_consent_is_fine():
    assert judge(consent(1), flow("u", 2, "alog.umeng.com")) == []


def test_post_refusal_collection_reads_and_uploads():
    findings = only(
        judge(consent(1, "refused", id=7), hook(2, id=1), flow("f1", 3, "api.demoapp.example", "android_id")),
        "POST_REFUSAL_COLLECTION",
    )
    assert [(f.event, f.flow) for f in findings] == [(1, None), (None, "f1")]
    assert findings[0].evidence_rows == ["hook_events:1", "consent_events:7"]
    assert findings[1].evidence_rows == ["flows:f1", "consent_events:7"]
    assert all(f.severity == "high" and f.before_consent for f in findings)


def test_refusal_then_grant_ends_post_refusal():
    findings = judge(consent(1, "refused"), consent(5), hook(4, id=1), hook(5, id=2), hook(6, id=3))
    assert [f.event for f in only(findings, "POST_REFUSAL_COLLECTION")] == [1]
    assert only(findings, "PRE_CONSENT_ACCESS") == []


def test_withdrawal_after_grant():
    findings = judge(consent(1), consent(5, "withdrawn"), hook(3, id=1), hook(5, id=2))
    (f,) = only(findings, "POST_REFUSAL_COLLECTION")
    assert f.event == 2 and "withdrawn" in f.message


def test_cleartext_transmission():
    findings = judge(
        consent(0),
        flow("http", 1, "api.demoapp.example", "android_id", scheme="http"),
        flow("tcp", 2, "api.demoapp.example", "android_id", scheme="", kind="tcp"),
        flow("https", 3, "api.demoapp.example", "android_id"),
        flow("empty", 4, "api.demoapp.example", scheme="http"),
    )
    assert [(f.flow, f.severity) for f in only(findings, "CLEARTEXT_TRANSMISSION")] == [("http", "high"), ("tcp", "high")]
