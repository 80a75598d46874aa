"""PRE_CONSENT_PERMISSION, PERMISSION_BUNDLED, PERMISSION_RE_REQUEST on hand-written timelines, at each threshold edge."""

from __future__ import annotations

import pytest

from piaudit.policies.rules import evaluate, evaluation_notes
from tests.policies.rules.build import answer, classifier, consent, only, permission, policy, timeline


def judge(*items, **changes):
    pol = policy(**changes)
    return evaluate(timeline(*items), pol, classifier(pol))


# ---------------------------------------------------------------- PRE_CONSENT_PERMISSION


def test_pre_consent_permission_fires_before_any_answer():
    (f,) = only(judge(permission(1, "READ_PHONE_STATE", id=5, party="Umeng"), consent(2)), "PRE_CONSENT_PERMISSION")
    assert (f.time, f.data_type, f.party, f.severity, f.before_consent) == (1, "imei", "Umeng", "high", True)
    assert f.evidence_rows == ["permission_events:5"]
    assert "before the user consented" in f.message and "三.1" in f.message


def test_pre_consent_permission_fires_after_a_refusal_and_cites_it():
    (f,) = only(judge(consent(1, "refused", id=3), permission(500000, "CAMERA", id=4)), "PRE_CONSENT_PERMISSION")
    assert f.evidence_rows == ["permission_events:4", "consent_events:3"]
    assert "after the user refused consent" in f.message


@pytest.mark.parametrize(
    "items",
    [
        pytest.param([consent(1), permission(1, "CAMERA")], id="consent-at-the-same-instant"),
        pytest.param([consent(1), permission(2, "CAMERA")], id="after-consent"),
        pytest.param([permission(1, "POST_NOTIFICATIONS")], id="permission-opening-no-personal-data"),
        pytest.param([permission(1, "CALL_PHONE")], id="dangerous-but-no-data-type"),
        pytest.param(
            [consent(0, source="sdk_call"), consent(0.5), permission(1, "CAMERA")], id="sdk-signal-ignored-ui-grant-counts"
        ),
    ],
)
def test_pre_consent_permission_stays_quiet(items):
    assert only(judge(*items), "PRE_CONSENT_PERMISSION") == []


def test_pre_consent_permission_names_only_the_personal_ones():
    (f,) = only(judge(permission(1, "POST_NOTIFICATIONS", "ACCESS_FINE_LOCATION")), "PRE_CONSENT_PERMISSION")
    assert "ACCESS_FINE_LOCATION" in f.message and "POST_NOTIFICATIONS" not in f.message
    assert f.data_type == "location"


def test_permission_abuse_keeps_its_contract_beside_the_new_rule():
    findings = judge(permission(1, "READ_PHONE_STATE", id=5))
    assert sorted(f.rule for f in findings) == ["PERMISSION_ABUSE", "PRE_CONSENT_PERMISSION"]


# ---------------------------------------------------------------- PERMISSION_BUNDLED

BUNDLE = {"thresholds": {"permission_bundle": {"max_groups": 2, "window_seconds": 10}}}


def test_bundled_fires_at_three_groups_in_one_request():
    (f,) = only(
        judge(consent(0), permission(1, "READ_PHONE_STATE", "ACCESS_FINE_LOCATION", "CAMERA", id=7), **BUNDLE),
        "PERMISSION_BUNDLED",
    )
    assert (f.time, f.severity, f.before_consent, f.evidence_rows) == (1, "medium", False, ["permission_events:7"])
    assert "3 permission groups (CAMERA, LOCATION, PHONE) in one request" in f.message


def test_bundled_quiet_at_exactly_the_threshold():
    assert only(judge(permission(1, "READ_PHONE_STATE", "CAMERA"), **BUNDLE), "PERMISSION_BUNDLED") == []


def test_bundled_counts_groups_not_permissions():
    items = [
        permission(
            1, "ACCESS_FINE_LOCATION", "ACCESS_COARSE_LOCATION", "ACCESS_BACKGROUND_LOCATION", "READ_CONTACTS", "WRITE_CONTACTS"
        )
    ]
    assert only(judge(*items, **BUNDLE), "PERMISSION_BUNDLED") == []


def test_bundled_ignores_permissions_that_are_not_dangerous():
    items = [permission(1, "CAMERA", "RECORD_AUDIO", "QUERY_ALL_PACKAGES", "com.vendor.permission.PUSH")]
    assert only(judge(*items, **BUNDLE), "PERMISSION_BUNDLED") == []


def test_bundled_chain_of_dialogs_within_the_window_edge():
    inside = judge(
        permission(0, "CAMERA", id=1), permission(5, "READ_CONTACTS", id=2), permission(10, "READ_SMS", id=3), **BUNDLE
    )
    (f,) = only(inside, "PERMISSION_BUNDLED")
    assert f.time == 0 and f.evidence_rows == ["permission_events:1", "permission_events:2", "permission_events:3"]
    assert "in 3 requests within 10.0 s" in f.message
    outside = judge(permission(0, "CAMERA"), permission(5, "READ_CONTACTS"), permission(10.001, "READ_SMS"), **BUNDLE)
    assert only(outside, "PERMISSION_BUNDLED") == []


def test_bundled_later_requests_join_and_a_new_chain_is_a_new_finding():
    items = [
        permission(0, "CAMERA", "READ_CONTACTS", "READ_SMS", id=1),
        permission(8, "READ_CALENDAR", id=2),  # continues the chain: joins
        permission(100, "CAMERA", "READ_CONTACTS", "READ_CALL_LOG", id=3),  # a new bundle
    ]
    findings = only(judge(*items, **BUNDLE), "PERMISSION_BUNDLED")
    assert [(f.time, f.evidence_rows) for f in findings] == [
        (0, ["permission_events:1", "permission_events:2"]),
        (100, ["permission_events:3"]),
    ]


def test_bundled_threshold_from_policy():
    items = [permission(1, "READ_PHONE_STATE", "CAMERA")]
    assert only(judge(*items, thresholds={"permission_bundle": {"max_groups": 1}}), "PERMISSION_BUNDLED")


# ---------------------------------------------------------------- PERMISSION_RE_REQUEST

RETRY = {"thresholds": {"permission_retry_seconds": 60}}


def test_re_request_fires_within_the_window_edge():
    items = [consent(0), permission(1, "CAMERA", id=1), answer(2, denied=("CAMERA",), id=9), permission(62, "CAMERA", id=2)]
    (f,) = only(judge(*items, **RETRY), "PERMISSION_RE_REQUEST")
    assert (f.time, f.data_type, f.severity, f.before_consent) == (62, "camera", "medium", False)
    assert f.evidence_rows == ["permission_events:2", "permission_results:9"]
    assert "again 60.0 s after the user refused it" in f.message and "164号文" in f.message


@pytest.mark.parametrize(
    "items",
    [
        pytest.param([answer(2, denied=("CAMERA",)), permission(62.001, "CAMERA")], id="just-outside-the-window"),
        pytest.param([answer(2, granted=("CAMERA",)), permission(3, "CAMERA")], id="granted-before"),
        pytest.param(
            [answer(2, denied=("CAMERA",)), answer(3, granted=("CAMERA",)), permission(4, "CAMERA")], id="granted-since"
        ),
        pytest.param([answer(2, denied=("READ_CONTACTS",)), permission(3, "CAMERA")], id="another-permission-refused"),
        pytest.param([permission(1, "CAMERA"), permission(2, "CAMERA")], id="no-answer-known"),
        pytest.param([permission(2, "CAMERA"), answer(2, denied=("CAMERA",))], id="answer-at-the-same-instant-is-not-before"),
    ],
)
def test_re_request_stays_quiet(items):
    assert only(judge(consent(0), *items, **RETRY), "PERMISSION_RE_REQUEST") == []


def test_re_request_lists_only_the_refused_permissions():
    items = [consent(0), answer(1, granted=("CAMERA",), denied=("RECORD_AUDIO",)), permission(2, "CAMERA", "RECORD_AUDIO")]
    (f,) = only(judge(*items), "PERMISSION_RE_REQUEST")
    assert f.data_type == "microphone" and "RECORD_AUDIO" in f.message and "CAMERA" not in f.message


def test_note_when_requests_have_no_answers():
    notes = evaluation_notes(timeline(consent(0), permission(1, "CAMERA")), policy())
    assert any(
        n.startswith("PERMISSION_RE_REQUEST and EXIT_AFTER_REFUSAL (after a permission refusal) not judged") for n in notes
    )
    assert not any(
        "PERMISSION_RE_REQUEST" in n
        for n in evaluation_notes(timeline(consent(0), permission(1, "CAMERA"), answer(2, granted=("CAMERA",))), policy())
    )
