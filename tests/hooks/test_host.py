"""The hook host: message parsing, batching, attribution, error and detach reporting.

:class:`AgentMessages` is driven directly with the agent's message shapes; :class:`HookHost` runs
the real agent under real Frida in small local processes (no JVM needed for these).
"""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import pytest

from piaudit.hooks.host import AgentMessages, HookHost, HookHostError, parse_java_stack, validate_canary
from piaudit.policies.consent import consent_words, default_consent_words
from piaudit.policies.models import ConsentEvent, ErrorRecord, HookEvent, HookStatus, LifecycleEvent, PermissionEvent
from piaudit.policies.policy import Policy
from tests.hooks import frida_tmpdir, pid_alive


@pytest.fixture(scope="module", autouse=True)
def _frida_tmpdir():
    with frida_tmpdir() as directory:
        yield directory


@dataclass(frozen=True)
class Entry:
    name: str


class PrefixCatalog:
    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = prefixes

    def match_package(self, class_or_package_name: str) -> list[Entry]:
        hits = [p for p in self.prefixes if class_or_package_name.startswith(p + ".")]
        return [Entry(self.prefixes[max(hits, key=len)])] if hits else []


CATALOG = PrefixCatalog({"com.umeng": "Umeng", "com.huawei.hms": "Huawei HMS"})

IMEI_STACK_TEXT = (
    "[java.base/java.lang.Thread.getStackTrace(Thread.java:1619), "
    "android.telephony.TelephonyManager.getDeviceId(Native Method), "
    "com.umeng.commonsdk.statistics.common.DeviceConfig.getImei(DeviceConfig.java:21), "
    "com.example.demoapp.DemoApplication.onCreate(DemoApplication.java:40)]"
)


def hook_call(**overrides) -> dict:
    event = {
        "type": "hook:call",
        "device_time": 1000.0,
        "data_type": "imei",
        "api": {"class_name": "android.telephony.TelephonyManager", "method": "getDeviceId", "overload": ""},
        "args": {},
        "value": "867530912345673",
        "identifiers": {"imei": ["867530912345673"]},
        "_stack": IMEI_STACK_TEXT,
        "_stack_id": 1,
        "thread": "main",
        "pid": 42,
        "process": "com.example.demoapp",
        "foreground": None,
        "phase": "before_first_activity",
        "canary": False,
    }
    event.update(overrides)
    return event


class Collector:
    def __init__(self) -> None:
        self.batches: list[list] = []
        self.errors: list[ErrorRecord] = []
        self.identifiers: list[tuple[str, str]] = []

    @property
    def events(self) -> list:
        return [event for batch in self.batches for event in batch]

    def messages(self, catalog=CATALOG) -> AgentMessages:
        return AgentMessages(
            catalog=catalog,
            on_events=self.batches.append,
            on_error=self.errors.append,
            on_identifier=lambda data_type, value: self.identifiers.append((data_type, value)),
        )


class TestAgentMessages:
    def test_a_batch_becomes_one_call_with_parsed_attributed_models(self) -> None:
        out = Collector()
        messages = out.messages()
        messages.handle_payload(
            1000.010,
            {
                "type": "batch",
                "sent_at": 1000.005,
                "events": [hook_call(), hook_call(device_time=1000.002, _stack=None, _stack_id=1)],
            },
        )
        assert len(out.batches) == 1
        first, second = out.batches[0]
        assert isinstance(first, HookEvent)
        assert first.party == "Umeng"
        assert first.caller == "com.umeng.commonsdk.statistics.common.DeviceConfig.getImei(DeviceConfig.java:21)"
        assert first.stack[0] == "android.telephony.TelephonyManager.getDeviceId(Native Method)"
        assert second.stack == first.stack  # interned stack: sent once, then by id
        assert first.time == pytest.approx(1000.005)  # device time + offset (receipt - sent_at)
        assert second.time == pytest.approx(1000.007)
        assert first.device_time == 1000.0
        assert out.errors == []

    def test_batches_keep_their_order_and_size(self) -> None:
        out = Collector()
        messages = out.messages()
        for batch in range(3):
            events = [hook_call(args={"seq": batch * 200 + i}, _stack=None, stack=["a.B.c(B.java:1)"]) for i in range(200)]
            messages.handle_payload(2000.0 + batch, {"type": "batch", "sent_at": 2000.0 + batch, "events": events})
        assert [len(batch) for batch in out.batches] == [200, 200, 200]
        assert [event.args["seq"] for event in out.events] == list(range(600))
        assert messages.stats.events == 600
        assert messages.stats.batches == 3

    def test_identifiers_are_passed_on_once_per_value(self) -> None:
        out = Collector()
        messages = out.messages()
        events = [
            hook_call(),
            hook_call(),
            hook_call(data_type="location", identifiers={"location": ["31.230416,121.473701"]}),
        ]
        messages.handle_payload(1.0, {"type": "batch", "sent_at": 1.0, "events": events})
        assert out.identifiers == [("imei", "867530912345673"), ("location", "31.230416,121.473701")]

    def test_sdk_class_hooks_are_attributed_to_their_caller(self) -> None:
        out = Collector()
        stack = (
            "[com.huawei.hms.ads.identifier.AdvertisingIdClient$Info.getId(Native Method), "
            "com.umeng.commonsdk.statistics.idtracking.OaidTracker.a(OaidTracker.java:8)]"
        )
        api = {"class_name": "com.huawei.hms.ads.identifier.AdvertisingIdClient$Info", "method": "getId", "overload": ""}
        out.messages().handle_payload(
            1.0,
            {"type": "batch", "sent_at": 1.0, "events": [hook_call(data_type="oaid", api=api, _stack=stack, _stack_id=2)]},
        )
        assert out.events[0].party == "Umeng"

    @pytest.mark.parametrize(
        ("text", "decision"),
        [("我同意", "granted"), ("不同意并退出", "refused"), ("  Agree  ", "granted"), ("【拒绝】", "refused"), ("我已阅读并同意隐私政策和用户协议的全部条款，并继续使用本应用提供的所有服务", None)],
    )
    def test_the_core_decides_what_a_clicked_button_means(self, text: str, decision: str | None) -> None:
        """The agent sends a click that may be consent (`_click`); policies.consent.match_consent_word decides."""
        out = Collector()
        click = {"type": "consent:signal", "_device_time": 5.0, "source": "ui_click", "detail": text, "_click": True, "stack": []}
        out.messages().handle_payload(6.0, {"type": "batch", "sent_at": 6.0, "events": [click]})
        assert [e.decision for e in out.events] == ([decision] if decision else [])
        assert out.errors == []

    def test_consent_permission_status_and_lifecycle_events(self) -> None:
        out = Collector()
        messages = out.messages()
        events = [
            {
                "type": "consent:signal",
                "_device_time": 5.0,
                "decision": "granted",
                "source": "ui_click",
                "detail": "同意",
                "_stack": "[android.view.View.performClick(Native Method), com.example.App.run(App.java:3)]",
                "_stack_id": 7,
            },
            {
                "type": "consent:signal",
                "_device_time": 5.1,
                "decision": "refused",
                "source": "sdk_call",
                "detail": "UMConfigure.submitPolicyGrantResult(false)",
                "_party_class": "com.umeng.commonsdk.UMConfigure",
                "_stack_id": 7,
            },
            {
                "type": "permission:request",
                "_device_time": 5.2,
                "permissions": ["android.permission.CAMERA"],
                "_stack": "[android.app.Activity.requestPermissions(Native Method), com.umeng.x.Y.z(Y.java:1)]",
                "_stack_id": 8,
            },
            {
                "type": "hook:status",
                "_device_time": 5.3,
                "_overloads": 2,
                "installed": True,
                "error": "",
                "data_type": "imei",
                "api": {"class_name": "android.telephony.TelephonyManager", "method": "getDeviceId", "overload": ""},
            },
            {
                "type": "hook:status",
                "_device_time": 5.3,
                "_overloads": 0,
                "installed": False,
                "data_type": "oaid",
                "error": "class not found: java.lang.ClassNotFoundException: com.heytap.openid.IOpenID$Stub$Proxy",
                "api": {"class_name": "com.heytap.openid.IOpenID$Stub$Proxy", "method": "getSerID", "overload": ""},
            },
            {"type": "lifecycle:change", "_device_time": 5.4, "state": "foreground", "detail": "com.example.MainActivity"},
        ]
        messages.handle_payload(6.0, {"type": "batch", "sent_at": 6.0, "events": events})
        click, sdk, permission, installed, failed, lifecycle = out.events
        assert isinstance(click, ConsentEvent) and click.party is None and click.stack[1] == "com.example.App.run(App.java:3)"
        assert isinstance(sdk, ConsentEvent) and sdk.party == "Umeng" and sdk.stack == click.stack
        assert isinstance(permission, PermissionEvent) and permission.party == "Umeng"
        assert isinstance(installed, HookStatus) and isinstance(failed, HookStatus)
        assert isinstance(lifecycle, LifecycleEvent) and lifecycle.time == pytest.approx(5.4)
        assert messages.stats.installed == 1 and messages.stats.overloads == 2
        assert messages.stats.failed == 1 and messages.stats.failures == [failed]

    def test_an_invalid_event_is_reported_and_the_rest_delivered(self) -> None:
        out = Collector()
        out.messages().handle_payload(
            1.0, {"type": "batch", "sent_at": 1.0, "events": [hook_call(data_type="shoe_size"), hook_call(), "garbage"]}
        )
        assert len(out.events) == 1
        assert [error.message for error in out.errors] == [
            "the agent sent an invalid event",
            "the agent sent an event that is not an object",
        ]
        assert all(error.source == "agent" for error in out.errors)

    def test_a_batch_validated_at_once_equals_its_events_one_by_one(self) -> None:
        """The host validates a batch in one call: the same models, stats and reports as event by event."""
        raws = [
            hook_call(),
            hook_call(data_type="android_id", value="9774d56d682e549c", identifiers={}, _stack_id=1, args={"seq": 2}),
            {"type": "lifecycle:change", "_device_time": 5.4, "state": "background"},
            hook_call(data_type="shoe_size"),
            "garbage",
            {"type": "hook:status", "_device_time": 5.3, "_overloads": 3, "installed": True, "data_type": "imei",
             "api": {"class_name": "android.telephony.TelephonyManager", "method": "getImei", "overload": ""}},
        ]  # fmt: skip
        whole, single = Collector(), Collector()
        batched, one_by_one = whole.messages(), single.messages()
        batched.handle_payload(2000.0, {"type": "batch", "sent_at": 2000.0, "events": raws})
        for raw in raws:
            one_by_one.handle_payload(2000.0, {"type": "batch", "sent_at": 2000.0, "events": [raw]})
        assert [e.model_dump() for e in whole.events] == [e.model_dump() for e in single.events]
        assert len(whole.events) == 4
        assert [e.message for e in whole.errors] == [e.message for e in single.errors] == [
            "the agent sent an invalid event",
            "the agent sent an event that is not an object",
        ]
        assert batched.stats.installed == one_by_one.stats.installed == 1 and batched.stats.overloads == 3

    @staticmethod
    def shaped(raws: list) -> dict:
        """``raws`` as the agent's sender encodes a batch: each distinct shape once, then [shape, varying fields]."""
        shapes: list[dict] = []
        rows: list = []
        for raw in raws:
            if not isinstance(raw, dict):
                rows.append(raw)
                continue
            shape = {k: v for k, v in raw.items() if k not in ("device_time", "_device_time", "args")}
            if shape not in shapes:
                shapes.append(shape)
            rows.append([shapes.index(shape), {k: v for k, v in raw.items() if k in ("device_time", "_device_time", "args")}])
        return {"type": "batch", "sent_at": 2000.0, "shapes": shapes, "events": rows}

    def test_a_batch_sent_with_shapes_gives_what_the_plain_batch_gives(self) -> None:
        """Repeated hook calls are copied from the first of their shape: the same models, stats and reports."""
        raws = [
            hook_call(),  # registers stack 1
            *[hook_call(_stack=None, device_time=1000.0 + i, args={"seq": i}) for i in range(5)],
            hook_call(_stack=None, device_time=1001, args={"seq": "int time"}),
            hook_call(_stack=None, device_time=None, args={}),
            hook_call(_stack=None, device_time=1002.5),  # no args: another tag
            *[hook_call(_stack=None, data_type="shoe_size", device_time=1003.0 + i, args={"n": i}) for i in range(3)],
            hook_call(_stack=None, args=["not", "a", "dict"]),
            hook_call(_stack=None, device_time="late"),
            "garbage",
            [99, {}],  # a row naming no shape
            {"type": "hook:status", "_device_time": 5.3, "_overloads": 2, "installed": True, "data_type": "imei",
             "api": {"class_name": "android.telephony.TelephonyManager", "method": "getImei", "overload": ""}},
            {"type": "lifecycle:change", "_device_time": 5.4, "state": "background"},
        ]  # fmt: skip
        raws = [{k: v for k, v in r.items() if v is not None or k != "_stack"} if isinstance(r, dict) else r for r in raws]
        plain, shaped = Collector(), Collector()
        one, other = plain.messages(), shaped.messages()
        one.handle_payload(2000.0, {"type": "batch", "sent_at": 2000.0, "events": raws})
        other.handle_payload(2000.0, self.shaped(raws))
        assert [e.model_dump() for e in shaped.events] == [e.model_dump() for e in plain.events]
        assert [e.model_fields_set for e in shaped.events] == [e.model_fields_set for e in plain.events]
        assert len(plain.events) == 11
        def reported(errors: list) -> list:  # the rebuilt event may list its fields in another order
            return [(e.message, e.detail.splitlines()[:-1], ast.literal_eval(e.detail.splitlines()[-1])) for e in errors]

        assert reported(shaped.errors) == reported(plain.errors)
        messages = [e.message for e in plain.errors]
        assert messages[:4] == ["the agent sent an invalid event"] * 4  # three shoe sizes, the args that are a list
        assert messages[4].startswith("the agent sent an event piaudit could not read: TypeError")  # device_time "late"
        assert messages[5:] == ["the agent sent an event that is not an object"] * 2
        assert other.stats.installed == one.stats.installed == 1 and other.stats.overloads == one.stats.overloads == 2
        copies = shaped.events[1:6]
        assert [e.args for e in copies] == [{"seq": i} for i in range(5)] and len({id(e) for e in copies}) == 5

    def test_a_valid_batch_with_shapes_validates_each_shape_once(self, monkeypatch) -> None:
        from piaudit.hooks import host

        raws = [hook_call(), *[hook_call(device_time=1000.0 + i, args={"seq": i}) for i in range(50)]]
        raws = [raws[0]] + [{k: v for k, v in r.items() if k != "_stack"} for r in raws[1:]]
        validated: list[int] = []
        real = host.parse_events
        # a spy, not a stand-in: the real parse_events runs; the test counts how often validation is called
        monkeypatch.setattr(host, "parse_events", lambda datas: validated.append(len(datas)) or real(datas))
        plain, shaped = Collector(), Collector()
        plain.messages().handle_payload(2000.0, {"type": "batch", "sent_at": 2000.0, "events": raws})
        shaped.messages().handle_payload(2000.0, self.shaped(raws))
        assert validated == [51, 2]  # plain: every event; shaped: the stack's first event and the first of the shape
        assert [e.model_dump() for e in shaped.events] == [e.model_dump() for e in plain.events]
        assert [e.time for e in shaped.events][1:] == [e.time for e in plain.events][1:] and len(shaped.events) == 51

    def test_shapes_that_are_not_a_list_are_reported(self) -> None:
        out = Collector()
        out.messages().handle_payload(1.0, {"type": "batch", "sent_at": 1.0, "shapes": "nope", "events": [hook_call()]})
        assert len(out.events) == 1
        assert [e.message for e in out.errors] == ["the agent sent a batch whose shapes are not a list"]

    def test_agent_errors_are_reported(self) -> None:
        out = Collector()
        messages = out.messages()
        messages.handle_payload(
            3.0, {"type": "agent:error", "message": "hook X.y failed to record a call", "detail": "TypeError"}
        )
        messages.handle_script_error(
            4.0, {"type": "error", "description": "ReferenceError: nope is not defined", "stack": "at index.ts:3"}
        )
        messages.handle_payload(5.0, {"type": "surprise"})
        assert [(e.time, e.source) for e in out.errors] == [(3.0, "agent"), (4.0, "agent"), (5.0, "agent")]
        assert out.errors[1].message == "agent error: ReferenceError: nope is not defined"
        assert out.errors[1].detail == "at index.ts:3"

    def test_an_exit_is_a_lifecycle_event_not_an_audit_error(self) -> None:
        out = Collector()
        messages = out.messages()
        messages.handle_payload(9.0, {"type": "process:exit", "status": 3})
        messages.handle_detached(9.1, "process-terminated", None, stopping=False)
        assert messages.exit_status == 3
        exits = [e for e in out.events if isinstance(e, LifecycleEvent)]
        assert [(e.state, e.detail) for e in exits] == [("process_exit", "exit(3)")]
        assert out.errors == []

    def test_our_own_stop_is_not_an_error(self) -> None:
        out = Collector()
        messages = out.messages()
        messages.handle_detached(9.0, "process-terminated", None, stopping=True)
        messages.handle_detached(9.0, "application-requested", None, stopping=True)
        assert out.errors == []
        assert [e.detail for e in out.events] == ["killed at the end of the audit"]

    @pytest.mark.parametrize(
        ("reason", "crash", "message"),
        [
            (
                "process-terminated",
                type("Crash", (), {"summary": "SIGSEGV in libfoo.so", "report": "..."})(),
                "the app crashed: SIGSEGV in libfoo.so",
            ),
            ("connection-terminated", None, "the hook session ended (connection-terminated); hooks no longer record"),
            ("device-lost", None, "the hook session ended (device-lost); hooks no longer record"),
            ("application-requested", None, "the hook session ended (application-requested); hooks no longer record"),
        ],
    )
    def test_unexpected_detaches_are_reported(self, reason: str, crash, message: str) -> None:
        out = Collector()
        out.messages().handle_detached(1.0, reason, crash, stopping=False)
        assert [e.message for e in out.errors] == [message]

    def test_host_time_is_never_after_receipt(self) -> None:
        messages = Collector().messages()
        assert messages.host_time(50.0, 100.0) == 100.0  # no offset measured yet: receipt time
        messages.handle_payload(100.0, {"type": "batch", "sent_at": 90.0, "events": []})
        messages.handle_payload(101.0, {"type": "batch", "sent_at": 99.0, "events": []})  # less delay: offset 2
        assert messages.host_time(98.5, 101.0) == pytest.approx(100.5)
        assert messages.host_time(200.0, 101.0) == 101.0


@pytest.mark.parametrize(
    ("text", "frames"),
    [
        ("[]", []),
        ("", []),
        (
            IMEI_STACK_TEXT,
            [
                "android.telephony.TelephonyManager.getDeviceId(Native Method)",
                "com.umeng.commonsdk.statistics.common.DeviceConfig.getImei(DeviceConfig.java:21)",
                "com.example.demoapp.DemoApplication.onCreate(DemoApplication.java:40)",
            ],
        ),
        (
            "[dalvik.system.VMStack.getThreadStackTrace(Native Method), java.lang.Thread.getStackTrace(Thread.java:1538), "
            "a.B.c(Native Method), a.B.c(Native Method), a.B.c(Native Method), app//x.Y.z(Y.java:2)]",
            ["a.B.c(Native Method)", "x.Y.z(Y.java:2)"],
        ),
    ],
)
def test_parse_java_stack(text: str, frames: list[str]) -> None:
    assert parse_java_stack(text) == frames


def test_parse_java_stack_limits_depth() -> None:
    text = "[" + ", ".join(f"a.B.m{i}(B.java:{i})" for i in range(100)) + "]"
    assert len(parse_java_stack(text, 10)) == 10


@pytest.mark.parametrize(
    ("canary", "error"),
    [
        ({"imei": "860000000000001"}, None),
        ({"mac": "02:11:22:33:44:55", "location": "39.9042,116.4074"}, None),
        ({"shoe_size": "42"}, "not in the vocabulary"),
        ({"imei": ""}, "non-empty"),
        ({"mac": "0211.2233.4455"}, "02:11:22:33:44:55"),
        ({"location": "north"}, "latitude,longitude"),
    ],
)
def test_validate_canary(canary: dict[str, str], error: str | None) -> None:
    if error is None:
        assert validate_canary(canary) == canary
    else:
        with pytest.raises(ValueError, match=error):
            validate_canary(canary)


# ------------------------------------------------------------------ real Frida, small local processes


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.batches: list[tuple[str, list]] = []
        self.errors: list[ErrorRecord] = []

    def on_events(self, events: list) -> None:
        with self.lock:
            self.batches.append((threading.current_thread().name, events))

    def on_error(self, error: ErrorRecord) -> None:
        with self.lock:
            self.errors.append(error)

    def events(self, kind: type) -> list:
        with self.lock:
            return [e for _, batch in self.batches for e in batch if isinstance(e, kind)]

    def wait_for(self, kind: type, count: int, timeout: float = 20.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.events(kind)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        return self.events(kind)


def run_host(argv: list[str], recorder: Recorder, **options) -> HookHost:
    return HookHost(target=argv, catalog=CATALOG, on_events=recorder.on_events, on_error=recorder.on_error, **options)


class TestHookHost:
    def test_batches_arrive_complete_on_the_owner_thread(self) -> None:
        recorder = Recorder()
        host = run_host(["/bin/sleep", "30"], recorder)
        pid = host.start()
        try:
            assert host.synthesize(1000) == 1000
            calls = recorder.wait_for(HookEvent, 1000)
            assert [e.args["seq"] for e in calls] == list(range(1000))
            assert {name for name, _ in recorder.batches} == {"piaudit-hooks"}
            assert max(len(batch) for _, batch in recorder.batches) <= 200
            assert all(e.party == "Umeng" for e in calls)
            assert host.stats.events >= 1000
        finally:
            host.stop()
        assert not pid_alive(pid)
        assert recorder.errors == []
        assert [e.detail for e in recorder.events(LifecycleEvent) if e.state == "process_exit"] == [
            "killed at the end of the audit"
        ]

    def test_exit_status_and_exit_are_reported(self) -> None:
        recorder = Recorder()
        host = run_host([sys.executable, "-c", "import sys, time; time.sleep(0.2); sys.exit(7)"], recorder)
        host.start()
        try:
            assert host.wait(20) == 7
        finally:
            host.stop()
        assert recorder.errors == []  # the app's own exit is part of its lifecycle, not a failure of the audit
        assert [e.detail for e in recorder.events(LifecycleEvent) if e.state == "process_exit"] == ["exit(7)"]
        assert recorder.events(LifecycleEvent)[0].state == "process_start"

    def test_a_process_killed_from_outside_is_reported(self) -> None:
        recorder = Recorder()
        host = run_host(["/bin/sleep", "30"], recorder)
        pid = host.start()
        try:
            os.kill(pid, signal.SIGKILL)
            assert host.wait(10) is None  # no exit() ran: status unknown
            assert not host.running
        finally:
            host.stop()
        # no exit() ran: the process was killed, and the hooks lost it (an exit() would be no error)
        assert [e.message for e in recorder.errors] == ["the app's process sleep ended without calling exit() (killed?); hooks no longer record"]
        assert [e.detail for e in recorder.events(LifecycleEvent) if e.state == "process_exit"] == [
            "exited without calling exit() (killed from outside?)"
        ]

    def test_a_missing_native_symbol_is_reported_not_skipped(self) -> None:
        recorder = Recorder()
        host = run_host(["/bin/sleep", "30"], recorder)
        host.start()
        try:
            statuses = recorder.wait_for(HookStatus, 9)
        finally:
            host.stop()
        by_symbol = {(s.api.class_name, s.api.method): s for s in statuses}
        # glibc has no __system_property_get (Android's bionic has): pending until a module exports it
        missing = by_symbol[("libc", "__system_property_get")]
        assert not missing.installed and missing.state == "pending" and "no loaded module exports" in missing.error
        assert by_symbol[("libc", "open")].installed and by_symbol[("libc", "ioctl")].installed

    def test_start_errors_say_what_to_do(self) -> None:
        recorder = Recorder()
        with pytest.raises(HookHostError, match="not found on PATH"):
            run_host(["no-such-program-piaudit"], recorder).start()
        # In a process of its own: looking for a device that does not exist leaves Frida's device
        # manager in a state in which later child gating in the same process lost events.
        probe = (
            "from piaudit.hooks.host import HookHost, HookHostError\n"
            "try:\n"
            "    HookHost(device='no-such-device', target='com.example', on_events=print, on_error=print, device_timeout=0.2).start()\n"
            "except HookHostError as error:\n"
            "    print(error)\n"
        )
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60).stdout
        assert "frida-ls-devices" in out, out
        with pytest.raises(ValueError, match="attach needs a package name or pid"):
            HookHost(target=["/bin/true"], attach=True, on_events=print, on_error=print)


# ------------------------------------------------------------------ the hook list


def test_hooked_apis_is_what_the_agent_is_sent() -> None:
    from piaudit.hooks.hooklist import agent_hooks, hooked_apis

    apis = hooked_apis()
    java = [(a["class"], a["method"]) for a in apis if a["layer"] == "java"]
    sent = agent_hooks(unpin=True)
    assert java == [(h["class"], h["method"]) for h in sent["java"]]
    assert [(a["class"], a["method"]) for a in apis if a["layer"] == "native"] == [
        (h["module"], h["symbol"]) for h in sent["native"]
    ]
    assert {a["option"] for a in apis if "option" in a} == {"unpin"}
    assert all(h.get("option") is None for h in agent_hooks(unpin=False)["java"])
    assert len(java) >= 120 and len(set(java)) == len(java)


def test_the_hook_list_covers_every_data_type_read_on_the_device() -> None:
    from piaudit.hooks.hooklist import hooked_apis

    covered = {a["data_type"] for a in hooked_apis() if a.get("kind", "data") == "data"}
    # Every vocabulary type a hook can see (email via accounts, ip via Wi-Fi; the rest by name).
    expected = {
        "imei", "meid", "imsi", "iccid", "phone", "android_id", "serial", "mac", "bluetooth_mac", "bssid", "ssid",
        "ad_id", "oaid", "location", "installed_apps", "running_apps", "clipboard", "contacts", "media",
        "camera", "microphone", "sensors", "accounts", "ip",
    }  # fmt: skip
    assert expected <= covered


def test_the_agent_gets_the_core_words():
    """The host sends the core's words (the shipped list, or the policy's extension) to the agent: never its own."""
    host = HookHost(target=["/bin/true"], on_events=print, on_error=print)
    config = host._agent_config()
    assert (config["agreeWords"], config["refuseWords"]) == (default_consent_words().agree, default_consent_words().refuse)
    words = consent_words(Policy.model_validate({"app": {"package": "com.x", "category": "other"}, "consent": {"agree_words": ["好的"]}}))
    host = HookHost(target=["/bin/true"], agree_words=words.agree, refuse_words=words.refuse, on_events=print, on_error=print)
    assert "好的" in host._agent_config()["agreeWords"] and "同意并使用" in host._agent_config()["agreeWords"]
    assert consent_words(None) == default_consent_words()
