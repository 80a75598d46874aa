"""The new hooks with real Frida on the stand-in: permission answers and dialogs, finishing, component starts.

Each scenario runs once per module; the tests read its events. Three scenarios: ``refuse_permission``
(an explanation, a bundled request, a refusal, the same permission again, exit), ``refuse_exit``
(the privacy policy refused, the app finishes and exits), ``wake`` (BOOT_COMPLETED to a manifest
receiver, its own service, alarm, job, work, receiver registration, other apps woken and probed).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from piaudit.policies.models import ComponentEvent, HookEvent, LifecycleEvent, PermissionDialog, PermissionEvent, PermissionResult
from tests.hooks import frida_tmpdir
from tests.support.hookrun import Run, run_standin
from tests.support.standin import PACKAGE, build_standin

CONTACTS = "android.permission.READ_CONTACTS"
PHONE = "android.permission.READ_PHONE_STATE"
FINE = "android.permission.ACCESS_FINE_LOCATION"


@pytest.fixture(scope="module", autouse=True)
def _frida_tmpdir():
    with frida_tmpdir():
        yield


@pytest.fixture(scope="module")
def classpath() -> Path:
    return build_standin()


@pytest.fixture(scope="module")
def refuse_permission(classpath: Path) -> Run:
    return run_standin(classpath, "refuse_permission", package=PACKAGE, timeout=120)


@pytest.fixture(scope="module")
def refuse_exit(classpath: Path) -> Run:
    return run_standin(classpath, "refuse_exit", package=PACKAGE, timeout=120)


@pytest.fixture(scope="module")
def wake(classpath: Path) -> Run:
    return run_standin(classpath, "wake", package=PACKAGE, timeout=120)


def test_requests_answers_and_dialogs_in_order(refuse_permission: Run) -> None:
    run = refuse_permission
    requests = run.of(PermissionEvent)
    assert [(r.permissions, r.request_code) for r in requests] == [([PHONE, FINE, CONTACTS], 200), ([CONTACTS], 201)]
    assert all(r.caller and r.caller.startswith("com.example.demoapp.MainActivity") for r in requests)
    results = run.of(PermissionResult)
    # one answer per request, from the framework's dispatch; the app's checkSelfPermission afterwards adds nothing
    assert [(r.results, r.source, r.request_code) for r in results] == [
        ({PHONE: "granted", FINE: "granted", CONTACTS: "denied"}, "request_result", 200),
        ({CONTACTS: "denied"}, "request_result", 201),
    ]
    dialogs = run.of(PermissionDialog)
    assert [(d.dialog, d.request_code) for d in dialogs] == [("explanation", 200), ("system", 200), ("system", 201)]
    assert "通讯录" in dialogs[0].text and "权限说明" in dialogs[0].text
    # the explanation showed before the request, the system dialog after it, the answer last
    assert dialogs[0].time <= requests[0].time <= dialogs[1].time <= results[0].time <= requests[1].time
    assert all(e.process == PACKAGE for e in [*requests, *results, *dialogs])


def test_the_app_exits_after_the_second_refusal(refuse_permission: Run) -> None:
    states = [(e.state, e.detail) for e in refuse_permission.of(LifecycleEvent)]
    assert ("activity_finished", "com.example.demoapp.MainActivity.finish()") in states
    assert states[-1] == ("process_exit", "exit(0)")
    assert refuse_permission.exit_status == 0


def test_privacy_refusal_then_exit(refuse_exit: Run) -> None:
    lifecycle = refuse_exit.of(LifecycleEvent)
    finished = [e for e in lifecycle if e.state == "activity_finished"]
    assert len(finished) == 1 and lifecycle[-1].state == "process_exit" and lifecycle[-1].detail == "exit(0)"
    assert refuse_exit.of(PermissionEvent) == []


def starts(run: Run, call: str) -> list[ComponentEvent]:
    return [e for e in run.of(ComponentEvent) if e.call == call]


def test_boot_broadcast_and_what_the_receiver_starts(wake: Run) -> None:
    [boot] = starts(wake, "receive_broadcast")
    assert (boot.action, boot.target_package, boot.target_component) == (
        "android.intent.action.BOOT_COMPLETED",
        PACKAGE,
        "com.example.demoapp.BootReceiver",
    )
    own = [(s.target_component, s.caller.split("(")[0]) for s in starts(wake, "start_service") if s.target_package == PACKAGE]
    assert own == [
        ("com.igexin.sdk.PushService", "com.igexin.sdk.PushManager.initialize"),  # Application.onCreate: its :push process
        ("com.example.demoapp.KeepAliveService", "com.example.demoapp.BootReceiver.onReceive"),
    ]
    assert all(s.source_package == PACKAGE for s in starts(wake, "start_service"))
    [alarm] = starts(wake, "set_alarm")
    assert (alarm.wakeup, alarm.repeat_seconds, alarm.target_package, alarm.target_component) == (
        True,
        60.0,
        PACKAGE,
        "com.example.demoapp.BootReceiver",
    )
    [job] = starts(wake, "schedule_job")
    assert (job.persisted, job.repeat_seconds, job.target_component) == (True, None, "com.example.demoapp.KeepAliveService")
    [work] = starts(wake, "enqueue_work")
    assert (work.repeat_seconds, work.target_component) == (900.0, "com.example.demoapp.KeepAliveService")
    [receiver] = starts(wake, "register_receiver")
    assert receiver.actions == ["android.net.conn.CONNECTIVITY_CHANGE"]
    assert all(s.foreground is None for s in wake.of(ComponentEvent))  # no activity ever showed


def test_other_apps_woken_by_the_push_sdk(wake: Run) -> None:
    other = [(s.call, s.target_package, s.target_component) for s in wake.of(ComponentEvent) if s.target_package not in (None, PACKAGE)]
    assert other == [
        ("start_service", "com.tencent.mm", "com.igexin.sdk.PushService"),
        ("send_broadcast", "com.tencent.mm", None),
        ("bind_service", "com.eg.android.AlipayGphone", "com.igexin.sdk.PushService"),
    ]
    assert all(s.party == "Getui" for s in wake.of(ComponentEvent) if s.target_package not in (None, PACKAGE))
    probes = [e.args.get("package") for e in wake.calls("android.app.ApplicationPackageManager", "getPackageInfo")]
    assert len(set(probes)) == 8 and "com.xunmeng.pinduoduo" in probes


def test_component_hooks_change_nothing(wake: Run) -> None:
    assert wake.exit_status == 0
    logged = [line.get("target") for line in wake.log if line.kind == "START"]
    assert logged == ["com.tencent.mm/com.igexin.sdk.PushService", "com.tencent.mm", "com.eg.android.AlipayGphone/com.igexin.sdk.PushService"]
    assert not [e for e in wake.errors if e.source == "agent"], wake.errors
    assert isinstance(wake.of(HookEvent)[0], HookEvent)
