"""UNDECLARED_THIRD_PARTY, UNDECLARED_DATA_TYPE and BEYOND_NECESSARY_SCOPE."""

from __future__ import annotations

from piaudit.policies.rules import evaluate
from tests.policies.rules.build import classifier, consent, flow, hook, only, policy, timeline


def judge(*items, **changes):
    pol = policy(**changes)
    return evaluate(timeline(consent(0), *items), pol, classifier(pol))


def test_known_party_not_declared_receives_data():
    (f,) = only(judge(flow("f1", 1, "alog.umeng.com", "android_id")), "UNDECLARED_THIRD_PARTY")
    assert (f.party, f.host, f.data_type, f.severity) == ("Umeng", "alog.umeng.com", "android_id", "high")
    assert "does not name" in f.message


def test_unknown_third_party_receiving_data():
    (f,) = only(judge(flow("f1", 1, "t.tracker.example", "imei")), "UNDECLARED_THIRD_PARTY")
    assert (f.party, f.severity) == (None, "medium")
    assert "unknown third party t.tracker.example" in f.message


def test_unknown_third_party_without_data_is_not_judged():
    assert judge(flow("f1", 1, "cdn.images.example")) == []


def test_declared_party_and_first_party_are_not_undeclared_parties():
    findings = judge(flow("b", 1, "bugly.qq.com", "android_id"), flow("a", 2, "api.demoapp.example", "android_id"))
    assert only(findings, "UNDECLARED_THIRD_PARTY") == []
    assert only(findings, "UNDECLARED_DATA_TYPE") == []


def test_hook_read_by_undeclared_sdk():
    (f,) = only(judge(hook(1, id=1, party="Umeng", caller="com.umeng.x.Y.z(Y.java:1)")), "UNDECLARED_THIRD_PARTY")
    assert (f.event, f.party, f.flow) == (1, "Umeng", None)


def test_hook_read_by_declared_sdk_under_its_catalog_name():
    findings = judge(hook(1, id=1, party="Tencent Bugly", caller="com.tencent.bugly.crashreport.A.b(A.java:2)"))
    assert only(findings, "UNDECLARED_THIRD_PARTY") == []
    assert only(findings, "UNDECLARED_DATA_TYPE") == []


def test_hook_read_attributed_by_policy_sdk_prefix_only():
    pol_changes = {
        "third_parties": [
            {"name": "InHouseSDK", "sdk_prefixes": ["com.acme.sdk"], "data_types": ["oaid"], "purpose": "ads"},
        ]
    }
    findings = judge(hook(1, "imei", id=1, caller="com.acme.sdk.Ids.get(Ids.java:3)"), **pol_changes)
    (f,) = only(findings, "UNDECLARED_DATA_TYPE")
    assert f.party == "InHouseSDK" and "beyond the data types the policy declares for it (oaid)" in f.message


def test_undeclared_data_type_read_by_app_and_sent_to_first_party_is_one_finding():
    findings = only(
        judge(hook(1, "imei", id=1), hook(2, "imei", id=2), flow("f1", 3, "api.demoapp.example", "imei")),
        "UNDECLARED_DATA_TYPE",
    )
    assert len(findings) == 1
    assert findings[0].evidence_rows == ["hook_events:1", "hook_events:2", "flows:f1"]
    assert findings[0].event == 1
    assert "Seen 3 times over 2.0 s" in findings[0].message


def test_declared_party_sent_beyond_its_data_types():
    (f,) = only(judge(flow("b", 1, "bugly.qq.com", "imei")), "UNDECLARED_DATA_TYPE")
    assert f.party == "Bugly" and "(android_id)" in f.message


def test_scope_news_app_needs_nothing():
    # android_id is declared for the app and read under consent: the allowed extended-function
    # case; phone is not declared: beyond the scope
    findings = only(judge(hook(1, "android_id", id=1), flow("f", 2, "api.demoapp.example", "phone")), "BEYOND_NECESSARY_SCOPE")
    assert [(f.data_type, f.severity) for f in findings] == [("phone", "low")]
    assert "needs no personal information" in findings[0].message


def test_scope_declared_type_counts_before_consent_and_after_refusal():
    pol = policy()
    for items in ([hook(1, "android_id", id=1)], [consent(0.5, "refused"), hook(1, "android_id", id=1)]):
        findings = only(evaluate(timeline(*items), pol, classifier(pol)), "BEYOND_NECESSARY_SCOPE")
        assert [f.data_type for f in findings] == ["android_id"]


def test_scope_declared_party_under_consent_is_allowed_undeclared_type_is_not():
    # Bugly is declared for android_id in the test policy
    findings = only(judge(flow("f", 2, "android.bugly.qq.com", "android_id"), flow("g", 3, "android.bugly.qq.com", "imei")), "BEYOND_NECESSARY_SCOPE")
    assert [f.data_type for f in findings] == ["imei"]


def test_scope_map_app_needs_location_only():
    changes = {"app": {"package": "com.example.map", "category": "map_navigation"}}
    findings = only(judge(hook(1, "location", id=1), hook(2, "imei", id=2), **changes), "BEYOND_NECESSARY_SCOPE")
    assert [f.data_type for f in findings] == ["imei"]
    assert "needs location" in findings[0].message


def test_scope_other_category_is_not_judged():
    changes = {"app": {"package": "com.example.x", "category": "other"}}
    assert only(judge(hook(1, "imei", id=1), **changes), "BEYOND_NECESSARY_SCOPE") == []


def test_scope_groups_per_party():
    findings = only(
        judge(hook(1, "imei", id=1), hook(2, "imei", id=2, party="Umeng"), hook(3, "imei", id=3)),
        "BEYOND_NECESSARY_SCOPE",
    )
    assert [(f.party, f.evidence_rows) for f in findings] == [
        (None, ["hook_events:1", "hook_events:3"]),
        ("Umeng", ["hook_events:2"]),
    ]
