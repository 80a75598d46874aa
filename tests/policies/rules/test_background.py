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


# ------------------------------------------------------------- 保活: a process restarted after being killed

from piaudit.policies.activity import AUDIT_END_EXIT  # noqa: E402
from piaudit.policies.models import LifecycleEvent  # noqa: E402
from tests.policies.rules.build import _make  # noqa: E402


def judge_all(*items):
    pol = policy()
    return evaluate(timeline(*items), pol, classifier(pol))

PUSH = "com.example.demoapp:push"


def push_life(time, state, *, id, detail=""):
    return _make(LifecycleEvent, id=id, time=time, state=state, detail=detail, process=PUSH)


def push_read(time, *, id):
    event = hook(time, "android_id", id=id, party="Getui", caller="com.igexin.push.core.DeviceProbe.probe(DeviceProbe.java:1)")
    return event.model_copy(update={"process": PUSH})


def restart_story(exit_detail="exited with status -9"):
    return [
        consent(0),
        push_life(1, "process_start", id=1, detail="spawned"),
        push_read(2, id=1),  # first life: no activity of its own, nothing known about the app: not judged
        push_life(3, "process_exit", id=2, detail=exit_detail),
        push_life(4, "process_start", id=3, detail="spawned"),
        push_read(5, id=2),  # after the restart
    ]


def test_read_by_a_restarted_process_is_background_collection():
    (f,) = only(judge_all(*restart_story()), "BACKGROUND_COLLECTION")
    assert (f.event, f.party, f.process) == (2, "Getui", PUSH)
    assert f.evidence_rows == ["hook_events:2", "lifecycle_events:2", "lifecycle_events:3"]
    assert "started again after it had ended (exited with status -9)" in f.message and "保活" in f.message


def test_the_restart_is_a_self_start_once():
    items = [*restart_story(), push_read(6, id=3)]
    (f,) = only(judge_all(*items), "SELF_START")
    assert f.evidence_rows == ["lifecycle_events:2", "lifecycle_events:3", "hook_events:2", "hook_events:3"]
    assert "started again 1.0 s later without the user" in f.message


def test_restart_guards():
    # piaudit's own kill at the end of an audit is not an exit that makes the next start a restart
    assert only(judge_all(*restart_story(AUDIT_END_EXIT)), "BACKGROUND_COLLECTION") == []
    # the user opened the app: an activity is visible while the restarted process reads
    visible = [*restart_story()[:-1], life(4.5, "foreground"), push_read(5, id=2)]
    assert only(judge_all(*visible), "BACKGROUND_COLLECTION") == [] and only(judge_all(*visible), "SELF_START") == []
    # another process's exit does not make this one restarted
    other = [consent(0), push_life(1, "process_start", id=1), _make(LifecycleEvent, id=2, time=2, state="process_exit", process="x:other"), push_read(3, id=1)]
    assert only(judge_all(*other), "BACKGROUND_COLLECTION") == []
