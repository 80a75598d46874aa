"""INSTALLED_APP_LIST, CLIPBOARD_READ, LOCATION_ACCESS, PERMISSION_ABUSE, UNINSPECTED_TLS."""

from __future__ import annotations

import pytest

from piaudit.policies.rules import evaluate
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


MAP = {"app": {"package": "com.example.map", "category": "map_navigation"}}
APP_DECLARES_LOCATION = {"declared_data_types": ["android_id", "location"]}


def bugly(*data_types):
    """The demo policy's Bugly, declared for ``data_types``."""
    party = {"name": "Bugly", "catalog_id": "tencent-bugly", "sdk_prefixes": ["com.tencent.bugly"], "purpose": "crash reporting"}
    return {"third_parties": [{**party, "data_types": list(data_types)}]}


BY_BUGLY = {"party": "Bugly", "caller": "com.tencent.bugly.A.b(A.java:1)"}
BY_UMENG = {"party": "Umeng", "caller": "com.umeng.a.B.c(B.java:1)"}


@pytest.mark.parametrize(
    ("changes", "read", "before", "expected"),
    [
        # correct behaviour: after consent, in the foreground, needed or declared for the reader
        pytest.param(MAP, {"foreground": True}, [consent(0)], None, id="category-needs-it"),
        pytest.param(APP_DECLARES_LOCATION, {"foreground": True}, [consent(0)], None, id="app-declares-it"),
        pytest.param(bugly("location"), {"foreground": True, **BY_BUGLY}, [consent(0)], None, id="sdk-declared-for-it"),
        pytest.param(MAP, {"foreground": True, **BY_UMENG}, [consent(0)], None, id="category-needs-it-any-reader"),
        pytest.param(MAP, {}, [consent(0), life(0.5, "activity_resumed")], None, id="foreground-from-lifecycle"),
        pytest.param(MAP, {}, [consent(0)], None, id="foreground-unknown-counts-as-foreground"),
        pytest.param(MAP, {"foreground": True}, [consent(1)], None, id="consent-at-the-same-instant"),
        # something is wrong
        pytest.param({}, {"foreground": True}, [consent(0)], "medium", id="neither-needed-nor-declared"),
        pytest.param(bugly("location"), {"foreground": True}, [consent(0)], "medium", id="declared-for-sdk-read-by-app"),
        pytest.param(
            {**APP_DECLARES_LOCATION, **bugly("android_id")},
            {"foreground": True, **BY_BUGLY},
            [consent(0)],
            "medium",
            id="declared-for-app-read-by-sdk",
        ),
        pytest.param(APP_DECLARES_LOCATION, {"foreground": True, **BY_UMENG}, [consent(0)], "medium", id="undeclared-sdk"),
        pytest.param(MAP, {"foreground": True}, [], "high", id="before-consent"),
        pytest.param(MAP, {"foreground": True}, [consent(1.001)], "high", id="just-before-consent"),
        pytest.param(MAP, {"foreground": True}, [consent(0, "refused")], "high", id="after-refusal"),
        pytest.param(MAP, {"foreground": True}, [consent(0), consent(0.5, "withdrawn")], "high", id="after-withdrawal"),
        pytest.param(MAP, {"foreground": False}, [consent(0)], "high", id="hook-saw-background"),
        pytest.param(MAP, {}, [consent(0), life(0.5, "background")], "high", id="background-from-lifecycle"),
        pytest.param(APP_DECLARES_LOCATION, {}, [consent(0), life(1, "background")], "high", id="background-same-instant"),
    ],
)
def test_location_access_only_when_something_is_wrong(changes, read, before, expected):
    findings = only(judge(*before, hook(1, "location", id=1, **read), **changes), "LOCATION_ACCESS")
    assert [f.severity for f in findings] == ([] if expected is None else [expected])


def test_location_message_says_why():
    (app,) = only(judge(consent(0), hook(1, "location", id=1)), "LOCATION_ACCESS")
    assert app.message.endswith("which the app's category does not need and the policy does not declare in declared_data_types.")
    (sdk,) = only(judge(consent(0), hook(1, "location", id=1, **BY_UMENG)), "LOCATION_ACCESS")
    assert sdk.message.startswith("SDK Umeng read the location") and sdk.message.endswith("does not declare for Umeng.")


@pytest.mark.parametrize(("data_type", "rule"), [("installed_apps", "INSTALLED_APP_LIST"), ("clipboard", "CLIPBOARD_READ")])
@pytest.mark.parametrize(
    ("declares", "read", "before", "expected"),
    [
        pytest.param("app", {"foreground": True}, [consent(0)], "low", id="declared-for-app"),
        pytest.param("app", {}, [consent(0)], "low", id="declared-foreground-unknown"),
        pytest.param("bugly", {"foreground": True, **BY_BUGLY}, [consent(0)], "low", id="declared-for-sdk"),
        pytest.param(None, {"foreground": True}, [consent(0)], "medium", id="not-declared"),
        pytest.param("bugly", {"foreground": True}, [consent(0)], "medium", id="declared-for-sdk-read-by-app"),
        pytest.param("app", {"foreground": True, **BY_BUGLY}, [consent(0)], "medium", id="declared-for-app-read-by-sdk"),
        pytest.param("app", {"foreground": True, **BY_UMENG}, [consent(0)], "medium", id="undeclared-sdk"),
        pytest.param("app", {"foreground": True}, [], "high", id="declared-before-consent"),
        pytest.param("app", {"foreground": True}, [consent(0, "refused")], "high", id="declared-after-refusal"),
        pytest.param("app", {"foreground": False}, [consent(0)], "high", id="declared-background"),
    ],
)
def test_installed_apps_and_clipboard_always_reported(data_type, rule, declares, read, before, expected):
    changes = {"declared_data_types": ["android_id", data_type]} if declares == "app" else {}
    if declares == "bugly":
        changes = bugly("android_id", data_type)
    findings = only(judge(*before, hook(1, data_type, id=1, **read), **changes), rule)
    assert [f.severity for f in findings] == [expected]


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
