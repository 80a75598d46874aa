"""EXIT_AFTER_REFUSAL on hand-written timelines: fires within the window, stays quiet outside it and for the guards."""

from __future__ import annotations

import pytest

from piaudit.policies.activity import AUDIT_END_EXIT
from piaudit.policies.models import LifecycleEvent
from piaudit.policies.rules import evaluate
from tests.policies.rules.build import _make, answer, classifier, consent, life, only, policy, timeline

WINDOW = {"thresholds": {"exit_after_refusal": {"window_seconds": 10}}}


def judge(*items, **changes):
    pol = policy(**{**WINDOW, **changes})
    return evaluate(timeline(*items), pol, classifier(pol))


def test_exit_right_after_consent_refusal():
    items = [life(0, "foreground"), consent(5, "refused", id=1), life(15, "process_exit", id=7, detail="exit(0)")]
    (f,) = only(judge(*items), "EXIT_AFTER_REFUSAL")
    assert (f.time, f.severity, f.before_consent, f.where, f.data_type) == (15, "high", True, "process_exit", None)
    assert f.evidence_rows == ["consent_events:1", "lifecycle_events:7"]
    assert "refused consent to the privacy policy; 10.0 s later its process exited (exit(0))" in f.message


def test_finish_then_no_visible_activity_counts_as_closing():
    items = [
        life(0, "foreground"),
        consent(5, "refused", id=1),
        life(6, "activity_finished", id=2, detail="com.example.demoapp.MainActivity.finish()"),
        life(7, "background", id=3),
    ]
    (f,) = only(judge(*items), "EXIT_AFTER_REFUSAL")
    assert f.evidence_rows == ["consent_events:1", "lifecycle_events:2", "lifecycle_events:3"]
    assert "finished com.example.demoapp.MainActivity.finish()" in f.message


def test_exit_after_refusing_a_permission_the_category_does_not_need():
    # a news app does not need the location
    items = [consent(0), answer(5, denied=("ACCESS_FINE_LOCATION",), id=4), life(6, "process_exit", id=5, detail="exited")]
    (f,) = only(judge(*items), "EXIT_AFTER_REFUSAL")
    assert (f.data_type, f.before_consent, f.evidence_rows) == ("location", False, ["permission_results:4", "lifecycle_events:5"])
    assert "refused ACCESS_FINE_LOCATION, which the app's basic function does not need" in f.message


def test_crash_right_after_refusal_counts():
    assert only(judge(consent(5, "refused"), life(6, "process_exit", detail="crash: SIGSEGV")), "EXIT_AFTER_REFUSAL")


@pytest.mark.parametrize(
    ("items", "changes"),
    [
        pytest.param([consent(5, "refused"), life(15.001, "process_exit", detail="exit(0)")], {}, id="just-outside-the-window"),
        pytest.param([consent(5, "refused"), life(6, "process_exit", detail=AUDIT_END_EXIT)], {}, id="piaudit-ended-the-app"),
        pytest.param([consent(5, "refused"), life(6, "background")], {}, id="user-pressed-home"),
        pytest.param(
            [life(0, "foreground"), consent(5, "refused"), life(6, "background"), life(7, "process_exit", detail="exit(0)")],
            {},
            id="exit-after-the-user-left-the-app",
        ),
        pytest.param(
            [consent(5, "refused"), life(6, "activity_finished"), life(6.5, "foreground"), life(7, "activity_resumed")],
            {},
            id="splash-finished-next-activity-shown",
        ),
        pytest.param([consent(5, "refused"), consent(6), life(7, "process_exit", detail="exit(0)")], {}, id="agreed-since"),
        pytest.param([consent(5), life(6, "process_exit", detail="exit(0)")], {}, id="no-refusal"),
        pytest.param([life(4, "process_exit", detail="exit(0)"), consent(5, "refused")], {}, id="exit-before-refusal"),
        pytest.param(
            [consent(0), answer(5, denied=("ACCESS_FINE_LOCATION",)), life(6, "process_exit", detail="exit(0)")],
            {"app": {"package": "com.example.map", "category": "map_navigation"}},
            id="permission-the-category-needs",
        ),
        pytest.param(
            [
                consent(0),
                answer(5, denied=("CAMERA",)),
                answer(5.5, granted=("CAMERA",)),
                life(6, "process_exit", detail="exit(0)"),
            ],
            {},
            id="permission-granted-since",
        ),
        pytest.param(
            [consent(0, source="sdk_call"), consent(5, "refused", source="sdk_call"), life(6, "process_exit", detail="exit(0)")],
            {},
            id="refusal-from-a-signal-that-does-not-count",
        ),
    ],
)
def test_exit_after_refusal_stays_quiet(items, changes):
    assert only(judge(*items, **changes), "EXIT_AFTER_REFUSAL") == []


def test_one_finding_per_exit_citing_every_open_refusal():
    items = [
        consent(0),
        answer(5, denied=("READ_CONTACTS",), id=1),
        answer(6, denied=("READ_CONTACTS",), id=2),
        life(7, "process_exit", id=3, detail="exited"),
        life(8, "process_start", id=4),
        life(9, "process_exit", id=5, detail="exited"),
    ]
    (f,) = only(judge(*items), "EXIT_AFTER_REFUSAL")
    assert f.evidence_rows == ["permission_results:1", "permission_results:2", "lifecycle_events:3"]
    assert "after 2 refusals in the window" in f.message


def test_a_secondary_process_exiting_does_not_close_the_app():
    push = _make(LifecycleEvent, id=2, time=6, state="process_exit", detail="exited", process="com.example.demoapp:push")
    main = _make(LifecycleEvent, id=3, time=7, state="process_exit", detail="exit(0)", process="com.example.demoapp")
    assert only(judge(consent(5, "refused", id=1), push), "EXIT_AFTER_REFUSAL") == []
    (f,) = only(judge(consent(5, "refused", id=1), push, main), "EXIT_AFTER_REFUSAL")
    assert f.evidence_rows == ["consent_events:1", "lifecycle_events:3"] and f.process == "com.example.demoapp"


def test_category_other_counts_every_denied_permission():
    items = [consent(0), answer(5, denied=("ACCESS_FINE_LOCATION",)), life(6, "process_exit", detail="exit(0)")]
    (f,) = only(judge(*items, app={"package": "com.example.x", "category": "other"}), "EXIT_AFTER_REFUSAL")
    assert "category is 'other'" in f.message
