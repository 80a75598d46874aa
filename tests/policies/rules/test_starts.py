"""SELF_START and ASSOCIATED_START on hand-written timelines: fires, and the guards that keep it quiet."""

from __future__ import annotations

import pytest

from piaudit.policies.rules import evaluate
from tests.policies.rules.build import classifier, consent, life, only, policy, start, timeline

APP = "com.example.demoapp"
BOOT = "android.intent.action.BOOT_COMPLETED"
WINDOW = {"thresholds": {"self_start": {"window_seconds": 10}}}
WECHAT = {"other_apps": [{"package": "com.tencent.mm", "purpose": "share to WeChat"}]}


def judge(*items, **changes):
    pol = policy(**{**WINDOW, **changes})
    return evaluate(timeline(*items), pol, classifier(pol))


# ---------------------------------------------------------------- SELF_START: woken by the system


def test_boot_receiver_that_starts_a_service():
    items = [
        start(1, "receive_broadcast", f"{APP}/com.example.demoapp.BootReceiver", action=BOOT, id=1),
        start(2, "start_service", f"{APP}/com.example.demoapp.KeepAliveService", id=2, party="Getui"),
        start(3, "start_service", f"{APP}/com.example.demoapp.KeepAliveService", id=3),
    ]
    (f,) = only(judge(*items), "SELF_START")
    assert (f.time, f.severity, f.party, f.before_consent) == (2, "medium", "Getui", True)
    assert f.evidence_rows == ["component_events:1", "component_events:2", "component_events:3"]
    assert BOOT in f.message and "自启动" in f.message


def test_receiver_wake_at_the_window_edge():
    edge = [start(1, "receive_broadcast", APP, action=BOOT), start(11, "start_foreground_service", f"{APP}/S")]
    assert only(judge(*edge), "SELF_START")
    late = [start(1, "receive_broadcast", APP, action=BOOT), start(11.001, "start_foreground_service", f"{APP}/S")]
    assert only(judge(*late), "SELF_START") == []


@pytest.mark.parametrize(
    "items",
    [
        pytest.param(
            [life(0, "foreground"), start(1, "receive_broadcast", APP, action=BOOT), start(2, "start_service", f"{APP}/S")],
            id="app-visible",
        ),
        pytest.param(
            [start(1, "receive_broadcast", APP, action="com.example.demoapp.PING"), start(2, "start_service", f"{APP}/S")],
            id="not-a-wake-broadcast",
        ),
        pytest.param(
            [start(1, "receive_broadcast", APP, action=BOOT), start(2, "start_activity", f"{APP}/Main")], id="starts-an-activity"
        ),
        pytest.param([start(2, "start_service", f"{APP}/S")], id="no-broadcast"),
        pytest.param(
            [start(1, "register_receiver", actions=[BOOT, "android.net.conn.CONNECTIVITY_CHANGE"])], id="registration-alone"
        ),
        pytest.param([start(1, "set_alarm", repeat_seconds=None, wakeup=False)], id="one-shot-alarm-that-does-not-wake"),
        pytest.param([start(1, "schedule_job", persisted=False)], id="one-shot-job"),
        pytest.param([start(1, "enqueue_work")], id="one-time-work"),
    ],
)
def test_self_start_stays_quiet(items):
    assert only(judge(*items), "SELF_START") == []


# ---------------------------------------------------------------- SELF_START: scheduled wake-ups


@pytest.mark.parametrize(
    ("event", "words"),
    [
        (start(1, "set_alarm", wakeup=True, id=1), "an alarm that wakes the app"),
        (start(1, "set_alarm", repeat_seconds=60, id=1), "a repeating alarm"),
        (start(1, "schedule_job", persisted=True, id=1), "a job kept across reboots"),
        (start(1, "schedule_job", repeat_seconds=900, id=1), "a periodic job"),
        (start(1, "enqueue_work", repeat_seconds=900, id=1), "periodic work"),
        (start(1, "request_sync", repeat_seconds=3600, args={"authority": f"{APP}.sync"}, id=1), "a periodic account sync"),
    ],
)
def test_scheduled_wakeups(event, words):
    (f,) = only(judge(event), "SELF_START")
    assert words in f.message and f.evidence_rows == ["component_events:1"]


def test_scheduled_wakeups_group_per_mechanism_target_and_party():
    items = [start(t, "set_alarm", f"{APP}/R", repeat_seconds=60, id=t) for t in (1, 2, 3)]
    items.append(start(4, "set_alarm", f"{APP}/Other", repeat_seconds=60, id=4))
    findings = only(judge(*items), "SELF_START")
    assert [f.evidence_rows for f in findings] == [
        ["component_events:1", "component_events:2", "component_events:3"],
        ["component_events:4"],
    ]
    assert "Seen 3 times" in findings[0].message


# ---------------------------------------------------------------- ASSOCIATED_START


def test_explicit_start_of_another_app_in_the_background_is_high():
    items = [life(0, "background"), start(1, "start_service", "com.other.app/com.other.app.PushService", id=1, party="Getui")]
    (f,) = only(judge(*items), "ASSOCIATED_START")
    assert (f.severity, f.party, f.evidence_rows) == ("high", "Getui", ["component_events:1"])
    assert "com.other.app/com.other.app.PushService" in f.evidence and "关联启动" in f.message


@pytest.mark.parametrize(
    "call", ["start_activity", "start_service", "start_foreground_service", "bind_service", "send_broadcast"]
)
def test_every_starting_call_to_another_app_counts(call):
    (f,) = only(judge(life(0, "foreground"), start(1, call, "com.other.app/X")), "ASSOCIATED_START")
    assert f.severity == "medium"


def test_declared_other_app_in_the_foreground_is_fine_but_not_in_the_background():
    share = start(1, "start_activity", "com.tencent.mm/com.tencent.mm.plugin.base.stub.WXEntryActivity")
    assert only(judge(life(0, "foreground"), share, **WECHAT), "ASSOCIATED_START") == []
    wake = start(5, "start_service", "com.tencent.mm/com.tencent.mm.Service")
    (f,) = only(judge(life(0, "foreground"), share, life(4, "background"), wake, **WECHAT), "ASSOCIATED_START")
    assert f.severity == "high" and "only for use in the foreground" in f.message


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(start(1, "start_activity", action="android.intent.action.VIEW"), id="implicit-intent"),
        pytest.param(start(1, "start_activity", "com.android.settings/com.android.settings.Settings"), id="system-settings"),
        pytest.param(start(1, "start_activity", "com.google.android.permissioncontroller/X"), id="permission-controller"),
        pytest.param(start(1, "start_service", f"{APP}/S"), id="own-service"),
        pytest.param(start(1, "start_service", f"{APP}:push/S"), id="own-process-name"),
        pytest.param(start(1, "request_sync", args={"authority": f"{APP}.provider"}), id="own-sync-authority"),
    ],
)
def test_associated_start_stays_quiet(event):
    assert only(judge(consent(0), event), "ASSOCIATED_START") == []


def test_account_sync_of_another_apps_authority():
    (f,) = only(judge(start(1, "request_sync", args={"authority": "com.other.app.sync"}, id=3)), "ASSOCIATED_START")
    assert f.evidence_rows == ["component_events:3"]


def test_source_package_from_the_agent_wins_over_the_policy():
    event = start(1, "start_service", "com.real.app/S", source_package="com.real.app")
    assert only(judge(event), "ASSOCIATED_START") == []


def test_a_start_before_any_activity_is_in_the_background():
    (f,) = only(judge(start(1, "bind_service", "com.other.app/S", phase="before_first_activity")), "ASSOCIATED_START")
    assert f.severity == "high" and "no activity of the app was visible" in f.message
