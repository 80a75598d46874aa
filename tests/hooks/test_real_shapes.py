"""The real shape of apps, with real Frida on the stand-in: several processes, late class loaders,
reads around the Java getters, and pinning that fails after the handshake.

* the ``:push`` process is started by the stand-in zygote (as Android's system starts it), caught
  through child gating on the zygote and hooked before it runs;
* the app's classes live in a PathClassLoader LoadedApk creates; the packed variant's in an
  InMemoryDexClassLoader its shell creates; the GDT plugin's in a DexClassLoader made after consent;
* the ``around`` scenario reads through shell commands, files and native code.

Every spawned process is killed by pid (HookHost.stop) and checked gone.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest

from piaudit.policies import rows
from piaudit.policies.hookcoverage import hook_outcomes, process_summary
from piaudit.policies.models import ConsentEvent, HookEvent, HookStatus, LifecycleEvent
from piaudit.policies.session import Session
from tests.hooks import frida_tmpdir
from tests.support.hookrun import CATALOG, Run, run_standin
from tests.support.proxy import Proxy
from tests.support.standin import DEFAULT_VALUES, PACKAGE, build_standin, make_truststore

PUSH = f"{PACKAGE}:push"
TM = "android.telephony.TelephonyManager"
SLOW = 90  # the push JVM starts under Frida on a shared 2-core machine: generous waits


def party(entry_id: str) -> str:
    entry = CATALOG.get(entry_id)
    assert entry is not None, entry_id
    return entry.name


@pytest.fixture(scope="module", autouse=True)
def _frida_tmpdir():
    with frida_tmpdir() as directory:
        yield directory


@pytest.fixture(scope="module")
def classpath() -> Path:
    return build_standin()


def _wait_for_both(host, run: Run) -> None:
    """Until the main process and the push process have both exited (the push sends 2 heartbeats)."""
    deadline = time.monotonic() + SLOW
    run.exit_status = host.wait(SLOW)
    while time.monotonic() < deadline:
        if any(e.state == "process_exit" and e.process == PUSH for e in run.of(LifecycleEvent)):
            return
        time.sleep(0.1)
    push_log = [f"{line.thread} {line.kind} {line.fields}" for line in run.live_log() if line.thread.startswith(":push")]
    raise AssertionError(f"the push process did not finish; processes: {host.processes}; its log ends {push_log[-5:]}; errors {run.errors[-3:]}")


@pytest.fixture(scope="module")
def zygote_demo(classpath: Path) -> Run:
    return run_standin(classpath, "demo", zygote=True, timeout=SLOW, during=_wait_for_both)


@pytest.fixture(scope="module")
def packed_demo(classpath: Path) -> Run:
    return run_standin(classpath, "demo", variant="packed", timeout=SLOW)


@pytest.fixture(scope="module")
def around(classpath: Path) -> Run:
    return run_standin(classpath, "around", timeout=SLOW, package=PACKAGE)


# ----------------------------------------------------------------------------- processes


def test_push_process_started_by_the_system_is_hooked(zygote_demo: Run) -> None:
    names = {p["name"]: p for p in zygote_demo.processes}
    assert set(names) == {PACKAGE, PUSH}  # the zygote itself and exec'd tools (getprop) are not hooked
    assert names[PUSH]["origin"] == "exec" and names[PUSH]["pid"] != names[PACKAGE]["pid"]
    started = [line for line in zygote_demo.log if line.kind == "PROCESS" and line.get("start") == PUSH]
    assert [line.thread for line in started] == ["zygote", "main"]  # the zygote started it; the app only asked
    push = [e for e in zygote_demo.in_process(PUSH) if isinstance(e, HookEvent)]
    by_api = {(e.api.class_name, e.api.method, e.data_type): e for e in push}
    assert (TM, "getDeviceId", "imei") in by_api, (sorted(by_api), [line for line in zygote_demo.log if line.thread.startswith(":push")][-8:], zygote_demo.errors[:5])
    imei = by_api[(TM, "getDeviceId", "imei")]
    assert imei.value == DEFAULT_VALUES["imei"] and imei.party == party("getui") and imei.pid == names[PUSH]["pid"]
    assert by_api[("android.net.wifi.WifiInfo", "getMacAddress", "mac")].value == DEFAULT_VALUES["mac"]
    serial = by_api[("java.lang.Runtime", "exec", "serial")]
    assert serial.value == DEFAULT_VALUES["serial"] and serial.args["command"].endswith("getprop ro.serialno")
    assert by_api[("libc", "open", "mac")].args["path"] == "/sys/class/net/wlan0/address"
    assert by_api[("android.app.ApplicationPackageManager", "getInstalledPackages", "installed_apps")].party == party("getui")
    assert all(e.party == party("getui") for e in push if e.caller and e.caller.startswith("com.igexin."))


def test_every_event_names_its_process(zygote_demo: Run) -> None:
    assert all(getattr(e, "process", "") in (PACKAGE, PUSH) for e in zygote_demo.events), {
        getattr(e, "process", None) for e in zygote_demo.events
    }
    starts = {e.process for e in zygote_demo.of(LifecycleEvent) if e.state == "process_start"}
    assert starts == {PACKAGE, PUSH}
    summary = process_summary(zygote_demo.of(HookStatus))
    assert set(summary) == {PACKAGE, PUSH}
    assert all(counts["installed"] > 100 and counts["pending"] == 0 for counts in summary.values()), summary
    # the consent click happens in the main process; the push process has no activity
    assert {e.process for e in zygote_demo.of(ConsentEvent) if e.source == "ui_click"} == {PACKAGE}


def test_processes_share_one_timeline(zygote_demo: Run) -> None:
    main = [e.time for e in zygote_demo.in_process(PACKAGE) if isinstance(e, HookEvent)]
    push = [e.time for e in zygote_demo.in_process(PUSH) if isinstance(e, HookEvent)]
    assert main and push
    read = next(line for line in zygote_demo.log if line.kind == "SERVICE")  # logged on the host clock too
    first_push = min(push)
    assert read.time - 0.5 <= first_push <= read.time + 5  # host time, not a per-process clock
    assert min(main) < first_push  # the main process read before the system started :push


def test_killing_the_push_process_loses_nothing_already_sent(classpath: Path, tmp_path: Path) -> None:
    session_dir = tmp_path / "session"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proxy = Proxy.mitmdump(port, tmp_path / "conf", session_dir, "--set", "piaudit_sinkhole=true", "--set", "connection_strategy=lazy")
    killed: dict = {}

    def during(host, run: Run) -> None:
        deadline = time.monotonic() + SLOW
        while time.monotonic() < deadline:
            beats = [line for line in run.live_log() if line.kind == "HEARTBEAT"]
            if len(beats) >= 3:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("no heartbeats from the push process")
        [push] = [p for p in host.processes if p["name"] == PUSH]
        killed["log"] = run.live_log()
        killed["events"] = [e for e in run.in_process(PUSH) if isinstance(e, HookEvent)]
        killed["time"] = time.time()
        os.kill(push["pid"], signal.SIGKILL)  # a process this test started (through its zygote)
        killed["pid"] = push["pid"]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(p["running"] for p in host.processes if p["name"] == PUSH):
            time.sleep(0.05)
        killed["noticed"] = time.time()
        run.exit_status = host.wait(SLOW)

    props = {"standin.push.heartbeats": 1000, "standin.push.heartbeat_ms": 150, "standin.consent_delay_ms": 1500}
    with proxy:
        store = make_truststore(proxy.ca, tmp_path / "ca.p12")
        run = run_standin(classpath, "demo", zygote=True, proxy=("127.0.0.1", port), truststore=store, props=props, during=during)
        time.sleep(0.5)
    sent = [
        line for line in killed["log"] if line.kind == "UPLOAD" and line.get("party") == "getui" and line.get("status") == "200"
    ]
    assert len(sent) >= 3
    session = Session.open(session_dir)
    flows = [r for r in session.store.rows("flows") if r["host"] == "sdk.open.phone.igexin.com"]
    session.store.close()
    assert len(flows) >= len(sent)  # every upload the push process made before it died is in the session
    after = [e for e in run.in_process(PUSH) if isinstance(e, HookEvent)]
    assert {id(e) for e in killed["events"]} <= {id(e) for e in after}  # nothing received was dropped
    # a read the agent had time to send (batches leave every 50 ms) before the kill is in the timeline
    sent_beats = [line for line in killed["log"] if line.kind == "HEARTBEAT" and line.time < killed["time"] - 0.25]
    android_id = [e for e in after if e.data_type == "android_id" and e.party == party("getui")]
    assert len(android_id) >= len(sent_beats) >= 1
    [exit_event] = [e for e in run.of(LifecycleEvent) if e.state == "process_exit" and e.process == PUSH]
    assert exit_event.time >= killed["time"] - 1
    assert killed["noticed"] - killed["time"] < 10, killed
    assert exit_event.detail in ("exited", "killed at the end of the audit") or exit_event.detail.startswith(("exited", "crash")), exit_event
    assert any(PUSH in e.message for e in run.errors if e.source == "hooks"), [(e.message, exit_event.detail) for e in run.errors]
    assert run.exit_status == 0  # the main process went on to the end
    assert any(line.kind == "DONE" and not line.thread.startswith(":") for line in run.log)


# ----------------------------------------------------------------------------- class loaders


def _loaders(run: Run, class_name: str, method: str) -> list[str]:
    return [loader for o in hook_outcomes(run.of(HookStatus)) if (o.class_name, o.method) == (class_name, method) for loader in o.loaders]


def test_sdk_hooks_wait_for_the_apks_class_loader(zygote_demo: Run) -> None:
    statuses = [s for s in zygote_demo.in_process(PACKAGE) if isinstance(s, HookStatus)]
    umeng = [s for s in statuses if s.api.class_name == "com.umeng.commonsdk.UMConfigure"]
    assert [s.state for s in umeng] == ["pending", "installed"]
    assert umeng[1].loader.startswith("dalvik.system.PathClassLoader@")
    sdk = {(e.detail, e.party) for e in zygote_demo.of(ConsentEvent) if e.source == "sdk_call"}
    assert ("UMConfigure.submitPolicyGrantResult(true)", party("umeng")) in sdk
    assert ("PushManager.setPrivacyPolicyStrategy(true)", party("getui")) in sdk
    # framework hooks stay as early as before: the first read (a static initializer) is caught
    first = [e for e in zygote_demo.in_process(PACKAGE) if isinstance(e, HookEvent)][0]
    assert first.phase == "before_application_oncreate" and "<clinit>" in first.caller


def test_packed_variant_hooks_follow_the_shells_loader(packed_demo: Run) -> None:
    assert [line.get("event") for line in packed_demo.log if line.kind == "PACKER"] == ["decrypted", "real_application"]
    loaders = _loaders(packed_demo, "com.umeng.commonsdk.UMConfigure", "submitPolicyGrantResult")
    assert len(loaders) == 1 and loaders[0].startswith("dalvik.system.InMemoryDexClassLoader@")
    assert _loaders(packed_demo, "com.bun.miitmdid.core.MdidSdkHelper", "InitSdk")[0].startswith("dalvik.system.InMemoryDexClassLoader@")
    oaid = [e for e in packed_demo.of(HookEvent) if e.api.method == "InitSdk"]
    assert oaid and oaid[0].party == party("umeng")  # the OAID itself arrives in a callback
    consent = {e.detail: e.party for e in packed_demo.of(ConsentEvent) if e.source == "sdk_call"}
    assert consent["UMConfigure.submitPolicyGrantResult(true)"] == party("umeng")
    imei = [e for e in packed_demo.of(HookEvent) if e.api.method == "getDeviceId"]
    assert imei and all(e.party == party("umeng") for e in imei)


def test_plugin_sdk_loaded_later_is_hooked_in_its_loader(zygote_demo: Run) -> None:
    [status] = [
        s for s in zygote_demo.of(HookStatus) if s.api.class_name == "com.qq.e.comm.managers.setting.GlobalSetting" and s.state == "installed"
    ]
    assert status.loader.startswith("dalvik.system.DexClassLoader@") and status.process == PACKAGE
    loaded = next(line for line in zygote_demo.log if line.kind == "PLUGIN")
    latency = status.time - loaded.time
    print(f"late class load to hooks active: {latency * 1000:.0f} ms")  # a figure the issue asks for
    assert 0 <= latency < 5
    consent = [e for e in zygote_demo.of(ConsentEvent) if e.detail.startswith("GlobalSetting.setAgreePrivacyStrategy")]
    assert [(e.decision, e.party) for e in consent] == [("granted", party("tencent-gdt"))]
    gdt = [e for e in zygote_demo.of(HookEvent) if e.party == party("tencent-gdt")]
    assert {e.data_type for e in gdt} == {"imei", "android_id"}
    assert all(e.process == PACKAGE and e.caller.startswith("com.qq.e.comm.plugin.") for e in gdt)


def test_unpin_works_on_a_certificate_pinner_that_loads_late(classpath: Path, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    session_dir = tmp_path / "session"
    proxy = Proxy.mitmdump(port, tmp_path / "conf", session_dir, "--set", "piaudit_sinkhole=true", "--set", "connection_strategy=lazy")
    props = {"standin.timeout_ms": 3000}
    with proxy:
        store = make_truststore(proxy.ca, tmp_path / "ca.p12")
        pinned = run_standin(classpath, "pinned", proxy=("127.0.0.1", port), truststore=store, props=props)
        unpinned = run_standin(classpath, "pinned", proxy=("127.0.0.1", port), truststore=store, props=props, unpin=True)
        time.sleep(0.5)
    assert pinned.uploads()["pangle"] == "pin_failed" and unpinned.uploads()["pangle"] == "200"
    loaders = _loaders(unpinned, "okhttp3.CertificatePinner", "check")
    assert len(loaders) == 1 and loaders[0].startswith("dalvik.system.PathClassLoader@")  # real OkHttp, in the APK's loader
    session = Session.open(session_dir)
    failures = list(session.store.rows("tls_failures"))
    findings = [f for f in rows.latest_findings(session.store) if f.rule == "UNINSPECTED_TLS"]
    session.store.close()
    # OkHttp checked the pin after the handshake and closed without a request: not inspected
    stages = {(f["sni"], f["stage"]) for f in failures}
    assert ("api-access.pangolin-sdk-toutiao.com", "after_handshake") in stages
    assert ("mobilegw.alipay.com", "handshake") in stages  # Conscrypt's pin fails inside the handshake
    assert {f.host for f in findings} >= {"api-access.pangolin-sdk-toutiao.com", "mobilegw.alipay.com"}


# ----------------------------------------------------------------------------- reads around the getters

AROUND = [
    # (class, method, args subset, data type, value)
    ("java.lang.Runtime", "exec", {"command": "getprop ro.serialno"}, "serial", DEFAULT_VALUES["serial"]),
    ("java.lang.ProcessBuilder", "start", {"command": "getprop gsm.sim.operator.numeric"}, "carrier", DEFAULT_VALUES["sim_operator"]),
    ("java.lang.Runtime", "exec", {"command": "cat /sys/class/net/wlan0/address"}, "mac", None),
    ("java.lang.Runtime", "exec", {"command": "ip link"}, "mac", "lo=00:00:00:00:00:00"),
    ("java.lang.Runtime", "exec", {"command": "pm list packages"}, "installed_apps", None),
    ("java.lang.Runtime", "exec", {"command": "settings get secure android_id"}, "android_id", None),
    ("libc", "open", {"path": "/sys/class/net/lo/address"}, "mac", "00:00:00:00:00:00"),
    ("libc", "open", {"path": "/sys/class/net/wlan0/address", "failed": True}, "mac", None),
    ("libc", "open", {"path": "/proc/net/arp"}, "bssid", "IP address"),
    ("libc", "open", {"path": "/proc/cpuinfo"}, "device_info", "processor: 0"),
    ("libc", "open", {"path": "/sys/class/bluetooth/hci0/address", "failed": True}, "bluetooth_mac", None),
    ("libc", "__system_property_get", {"key": "ro.serialno"}, "serial", DEFAULT_VALUES["serial"]),
    ("libc", "__system_property_read_callback", {"key": "ro.boot.serialno"}, "serial", DEFAULT_VALUES["serial"]),
]


def _matches(event: HookEvent, class_name: str, method: str, args: dict) -> bool:
    if (event.api.class_name, event.api.method) != (class_name, method):
        return False
    for key, want in args.items():
        got = event.args.get(key)
        if key == "command" and isinstance(got, str):
            if not got.endswith(want):
                return False
        elif got != want:
            return False
    return True


@pytest.mark.parametrize(("class_name", "method", "args", "data_type", "value"), AROUND)
def test_reads_around_the_getters(around: Run, class_name: str, method: str, args: dict, data_type: str, value: str | None) -> None:
    found = [e for e in around.of(HookEvent) if _matches(e, class_name, method, args)]
    assert found, f"no event for {class_name}.{method} {args}"
    event = found[0]
    assert event.data_type == data_type
    if value is None:
        assert event.value in (None, "")
    else:
        assert event.value is not None and value in event.value
    assert event.process == PACKAGE and event.stack
    if method == "__system_property_read_callback":
        # a native thread of the SDK's library: no Java stack, a native backtrace with module names
        assert event.stack[0].startswith("libstandin_native.so!") and event.party is None
    else:
        assert event.party == party("getui"), (event.party, event.stack[:5])


def test_native_read_on_a_java_thread_keeps_the_java_stack(around: Run) -> None:
    [event] = [e for e in around.of(HookEvent) if e.api.method == "__system_property_get"]
    assert event.stack[0] == "com.igexin.push.core.NativeProbe.systemProperty(Native Method)"
    assert event.args["native_stack"][0].startswith("libstandin_native.so!Java_com_igexin_push_core_NativeProbe_systemProperty")


def test_exec_value_is_read_again_from_its_source(zygote_demo: Run) -> None:
    # the command's output stays the app's: the agent reads the same property itself
    push_exec = [e for e in zygote_demo.in_process(PUSH) if isinstance(e, HookEvent) and e.api.class_name == "java.lang.Runtime"]
    assert push_exec and push_exec[0].identifiers == {"serial": [DEFAULT_VALUES["serial"]]}
