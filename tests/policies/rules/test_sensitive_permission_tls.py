"""INSTALLED_APP_LIST, CLIPBOARD_READ, LOCATION_ACCESS, PERMISSION_ABUSE, UNINSPECTED_TLS."""

from __future__ import annotations

import pytest

from policies.rules import evaluate
from tests.policies.rules.build import classifier, consent, hook, life, only, permission, policy, timeline, tls_failure


def judge(*items, **changes):
    pol = policy(**changes)
    return evaluate(timeline(*items), pol, classifier(pol))


@pytest.mark.parametrize(
    ("data_type", "rule"),
    [("installed_apps", "INSTALLED_APP_LIST"), ("clipboard", "CLIPBOARD_READ"), ("location", "LOCATION_ACCESS")],
)
def test_sensitive_read_severity(data_type, rule):
    findings = only(
        judge(hook(1, data_type, id=1), consent(2), hook(3, data_type, id=2), life(4, "background"), hook(5, data_type, id=3)),
        rule,
    )
    assert [(f.event, f.severity) for f in findings] == [(1, "high"), (2, "medium"), (3, "high")]
    assert "before the user consented" in findings[0].message
    assert "in the background" in findings[2].message


def test_location_in_a_category_that_needs_it_is_info():
    changes = {"app": {"package": "com.example.map", "category": "map_navigation"}}
    (f,) = only(judge(consent(0), hook(1, "location", id=1), **changes), "LOCATION_ACCESS")
    assert f.severity == "info"


def test_other_reads_are_not_sensitive_rules():
    findings = judge(consent(0), hook(1, "imei", id=1))
    assert not {"INSTALLED_APP_LIST", "CLIPBOARD_READ", "LOCATION_ACCESS"} & {f.rule for f in findings}


def test_permission_before_consent():
    (f,) = only(judge(permission(1, "READ_PHONE_STATE", id=5), consent(2), permission(3, "CAMERA")), "PERMISSION_ABUSE")
    assert (f.time, f.data_type, f.evidence, f.evidence_rows) == (
        1,
        "imei",
        "android.permission.READ_PHONE_STATE",
        ["permission_events:5"],
    )
    assert f.event is None and f.before_consent


def test_permission_again_soon_after_refusal():
    findings = only(
        judge(
            consent(10, "refused", id=1),
            permission(20, "ACCESS_FINE_LOCATION", "CAMERA", id=2),
            thresholds={"permission_retry_seconds": 60},
        ),
        "PERMISSION_ABUSE",
    )
    assert [(f.data_type, f.evidence_rows) for f in findings] == [(None, ["permission_events:2", "consent_events:1"])]
    assert "10 s after the user refused consent" in findings[0].message


def test_permission_after_the_retry_window_or_after_grant_is_fine():
    assert (
        only(
            judge(consent(10, "refused"), permission(71, "CAMERA"), thresholds={"permission_retry_seconds": 60}),
            "PERMISSION_ABUSE",
        )
        == []
    )
    assert only(
        judge(consent(10, "refused"), permission(70, "CAMERA"), thresholds={"permission_retry_seconds": 60}), "PERMISSION_ABUSE"
    )
    assert only(judge(consent(10), permission(11, "CAMERA")), "PERMISSION_ABUSE") == []


def test_uninspected_tls_is_one_info_finding_per_host():
    findings = only(
        judge(tls_failure(1, "pinned.example"), tls_failure(2, "pinned.example"), tls_failure(3, "alog.umeng.com")),
        "UNINSPECTED_TLS",
    )
    assert [(f.host, f.party, f.severity) for f in findings] == [
        ("pinned.example", None, "info"),
        ("alog.umeng.com", "Umeng", "info"),
    ]
    assert findings[0].evidence_rows == ["tls_failures:pinned.example@1.000000", "tls_failures:pinned.example@2.000000"]
    assert "Seen 2 times" in findings[0].message
