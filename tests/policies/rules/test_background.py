"""BACKGROUND_COLLECTION from lifecycle events and the hook's own foreground flag."""

from __future__ import annotations

from piaudit.policies.activity import ActivityTimeline
from piaudit.policies.rules import evaluate
from tests.policies.rules.build import classifier, consent, flow, hook, life, only, policy, timeline


def judge(*items):
    pol = policy()
    return only(evaluate(timeline(consent(0), *items), pol, classifier(pol)), "BACKGROUND_COLLECTION")


def test_activity_timeline_states():
    line = ActivityTimeline(
        [life(10, "background"), life(1, "process_start"), life(2, "activity_resumed"), life(20, "foreground")]
    )
    assert [line.foreground_at(t) for t in (0, 1, 2, 9.9, 10, 15, 20)] == [None, None, True, True, False, False, True]


def test_read_in_background_and_at_the_transition():
    findings = judge(life(1, "foreground", id=1), life(10, "background", id=2), hook(9.999, id=1), hook(10, id=2), hook(11, id=3))
    assert [f.event for f in findings] == [2, 3]
    assert findings[0].evidence_rows == ["hook_events:2", "lifecycle_events:2"]
    assert "after the app went to the background" in findings[0].message


def test_back_to_foreground_stops_findings():
    assert judge(life(1, "background"), life(5, "foreground"), hook(5, id=1)) == []


def test_hook_foreground_flag_wins_over_lifecycle():
    findings = judge(
        life(1, "foreground"), hook(2, id=1, foreground=False), life(5, "background"), hook(6, id=2, foreground=True)
    )
    assert [f.event for f in findings] == [1]
    assert "the hook saw the app in the background" in findings[0].message


def test_unknown_state_gives_no_finding():
    assert judge(hook(1, id=1), life(2, "process_start"), hook(3, id=2)) == []


def test_upload_in_background():
    findings = judge(
        life(1, "background"),
        flow("f1", 2, "api.demoapp.example", "android_id"),
        flow("f2", 3, "api.demoapp.example"),  # no personal data: not judged
        flow("f3", 3, "api.demoapp.example", "imei", direction="response"),
    )
    assert [(f.flow, f.data_type) for f in findings] == [("f1", "android_id")]
