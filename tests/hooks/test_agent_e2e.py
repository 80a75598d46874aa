"""The Frida agent end to end: real Frida, real HotSpot JVM, the stand-in app (fake android.* classes).

Each scenario runs once per module (fixtures) and the tests read its events; every spawned
process is killed by pid in a ``finally`` (``HookHost.stop``) and checked gone.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from piaudit.hooks.hooklist import agent_hooks, default_hooklist
from piaudit.hooks.host import HookHost
from piaudit.policies.catalog import load_catalog
from piaudit.policies.hookcoverage import hook_outcomes
from piaudit.policies.models import ConsentEvent, ErrorRecord, HookEvent, HookStatus, LifecycleEvent, PermissionEvent
from tests.hooks import frida_tmpdir, pid_alive
from tests.support.hookrun import FAST, Run, run_standin
from tests.support.proxy import Proxy
from tests.support.standin import DEFAULT_VALUES, PACKAGE, LogLine, build_standin, make_truststore, parse_log, standin_command

CATALOG = load_catalog()
LOCATION = f"{DEFAULT_VALUES['latitude']},{DEFAULT_VALUES['longitude']}"
TM = "android.telephony.TelephonyManager"


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


def baseline(classpath: Path, scenario: str, props: dict | None = None) -> list[LogLine]:
    argv = standin_command(classpath, proxy=None, truststore=None, scenario=scenario, extra_props={**FAST, **(props or {})})
    result = subprocess.run(argv, capture_output=True, timeout=60, check=True)
    return parse_log(result.stdout.decode("utf-8", errors="replace"))


@pytest.fixture(scope="module")
def all_apis(classpath: Path) -> Run:
    return run_standin(classpath, "all_apis", package=PACKAGE)


@pytest.fixture(scope="module")
def demo(classpath: Path) -> Run:
    return run_standin(classpath, "demo")


@pytest.fixture(scope="module")
def refuse(classpath: Path) -> Run:
    return run_standin(classpath, "refuse")


# ----------------------------------------------------------------- every category, values, pass-through

EXPECTED_READS = [
    # (class, method, data type, identifier type, identifier value)
    (TM, "getDeviceId", "imei", "imei", DEFAULT_VALUES["imei"]),
    (TM, "getImei", "imei", "imei", DEFAULT_VALUES["imei"]),
    (TM, "getMeid", "meid", "meid", DEFAULT_VALUES["meid"]),
    (TM, "getSubscriberId", "imsi", "imsi", DEFAULT_VALUES["imsi"]),
    (TM, "getSimSerialNumber", "iccid", "iccid", DEFAULT_VALUES["iccid"]),
    (TM, "getLine1Number", "phone", "phone", DEFAULT_VALUES["phone"]),
    (TM, "getAllCellInfo", "cell_location", None, None),
    (TM, "getCellLocation", "cell_location", None, None),
    ("android.telephony.SubscriptionManager", "getActiveSubscriptionInfoList", "iccid", "iccid", DEFAULT_VALUES["iccid"]),
    ("android.telephony.SubscriptionInfo", "getNumber", "phone", "phone", DEFAULT_VALUES["phone"]),
    ("android.provider.Settings$Secure", "getString", "android_id", "android_id", DEFAULT_VALUES["android_id"]),
    ("android.provider.Settings$Secure", "getString", "bluetooth_mac", "bluetooth_mac", DEFAULT_VALUES["bluetooth_mac"]),
    ("android.provider.Settings$System", "getString", "android_id", "android_id", DEFAULT_VALUES["android_id"]),
    ("android.os.Build", "getSerial", "serial", "serial", DEFAULT_VALUES["serial"]),
    ("android.os.SystemProperties", "get", "serial", "serial", DEFAULT_VALUES["serial"]),
    ("android.net.wifi.WifiManager", "getConnectionInfo", "bssid", "bssid", DEFAULT_VALUES["bssid"]),
    ("android.net.wifi.WifiManager", "getConnectionInfo", "bssid", "ssid", "DemoCorp-5G"),
    ("android.net.wifi.WifiManager", "getConnectionInfo", "bssid", "mac", DEFAULT_VALUES["mac"]),
    ("android.net.wifi.WifiManager", "getScanResults", "bssid", "bssid", DEFAULT_VALUES["bssid"]),
    ("android.net.wifi.WifiInfo", "getMacAddress", "mac", "mac", DEFAULT_VALUES["mac"]),
    ("android.net.wifi.WifiInfo", "getBSSID", "bssid", "bssid", DEFAULT_VALUES["bssid"]),
    ("android.net.wifi.WifiInfo", "getSSID", "ssid", "ssid", "DemoCorp-5G"),
    ("android.net.wifi.WifiInfo", "getIpAddress", "ip", "ip", DEFAULT_VALUES["ip"]),
    ("java.net.NetworkInterface", "getHardwareAddress", "mac", None, None),
    ("android.bluetooth.BluetoothAdapter", "getAddress", "bluetooth_mac", "bluetooth_mac", DEFAULT_VALUES["bluetooth_mac"]),
    (
        "com.google.android.gms.ads.identifier.AdvertisingIdClient",
        "getAdvertisingIdInfo",
        "ad_id",
        "ad_id",
        DEFAULT_VALUES["gaid"],
    ),
    ("com.google.android.gms.ads.identifier.AdvertisingIdClient$Info", "getId", "ad_id", "ad_id", DEFAULT_VALUES["gaid"]),
    ("com.huawei.hms.ads.identifier.AdvertisingIdClient", "getAdvertisingIdInfo", "oaid", "oaid", DEFAULT_VALUES["huawei_oaid"]),
    ("com.android.id.impl.IdProviderImpl", "getOAID", "oaid", "oaid", DEFAULT_VALUES["oaid"]),
    ("android.location.LocationManager", "getLastKnownLocation", "location", "location", LOCATION),
    ("android.location.LocationManager", "requestLocationUpdates", "location", None, None),
    ("android.location.Location", "getLatitude", "location", "location", LOCATION),
    ("android.location.Location", "getLongitude", "location", "location", LOCATION),
    ("android.location.Geocoder", "getFromLocation", "location", "location", LOCATION),
    ("android.app.ApplicationPackageManager", "getInstalledPackages", "installed_apps", None, None),
    ("android.app.ApplicationPackageManager", "queryIntentActivities", "installed_apps", None, None),
    ("android.app.ActivityManager", "getRunningAppProcesses", "running_apps", None, None),
    ("android.content.ClipboardManager", "getPrimaryClip", "clipboard", "clipboard", DEFAULT_VALUES["clipboard"]),
    ("android.content.ContentResolver", "query", "contacts", None, None),
    ("android.content.ContentResolver", "query", "sms", None, None),
    ("android.content.ContentResolver", "query", "call_log", None, None),
    ("android.content.ContentResolver", "query", "calendar", None, None),
    ("android.content.ContentResolver", "query", "media", None, None),
    ("android.hardware.Camera", "open", "camera", None, None),
    ("android.hardware.camera2.CameraManager", "openCamera", "camera", None, None),
    ("android.media.AudioRecord", "startRecording", "microphone", None, None),
    ("android.media.MediaRecorder", "start", "microphone", None, None),
    ("android.hardware.SensorManager", "getSensorList", "sensors", None, None),
    ("android.hardware.SensorManager", "registerListener", "sensors", None, None),
    ("android.accounts.AccountManager", "getAccounts", "accounts", "email", DEFAULT_VALUES["account_email"]),
]


# The APIs other auditing tools hook (Camille, AppScan, MobSF, PrivacyCheck) that piaudit added.
EXPECTED_READS += [
    (TM, "getSimOperator", "carrier", "carrier", DEFAULT_VALUES["sim_operator"]),
    (TM, "getSimOperatorName", "carrier", "carrier", DEFAULT_VALUES["sim_operator_name"]),
    (TM, "getNetworkOperatorName", "carrier", "carrier", DEFAULT_VALUES["sim_operator_name"]),
    (TM, "getSimCountryIso", "carrier", "carrier", DEFAULT_VALUES["sim_country_iso"]),
    (TM, "getNetworkType", "network_state", None, None),
    ("android.telephony.UiccCardInfo", "getIccId", "iccid", "iccid", DEFAULT_VALUES["iccid"]),
    ("android.net.ConnectivityManager", "getActiveNetworkInfo", "network_state", None, None),
    ("android.net.NetworkInfo", "getTypeName", "network_state", None, None),
    ("android.net.NetworkInfo", "isConnected", "network_state", None, None),
    ("android.app.ApplicationPackageManager", "getPackageInfo", "installed_apps", "installed_apps", "com.tencent.mm"),
    ("android.location.Location", "getAccuracy", "location", None, None),
    ("android.location.Location", "getAltitude", "location", None, None),
    ("android.telephony.SmsManager", "sendTextMessage", "sms", "phone", "10690000"),
    ("android.content.ClipboardManager", "setPrimaryClip", "clipboard", None, None),
    ("android.content.ContentResolver", "insert", "media", None, None),
    ("java.net.Inet4Address", "getHostAddress", "ip", "ip", DEFAULT_VALUES["ip"]),
    ("android.app.admin.DevicePolicyManager", "getWifiMacAddress", "mac", "mac", DEFAULT_VALUES["mac"]),
    ("android.media.AudioRecord", "$init", "microphone", None, None),
]


@pytest.mark.parametrize(("class_name", "method", "data_type", "id_type", "id_value"), EXPECTED_READS)
def test_each_read_is_recorded_with_type_value_and_caller(
    all_apis: Run, class_name: str, method: str, data_type: str, id_type: str | None, id_value: str | None
) -> None:
    calls = [e for e in all_apis.calls(class_name, method) if e.data_type == data_type]
    assert calls, f"no {data_type} event for {class_name}.{method}"
    if id_type is not None:
        assert any(id_value in e.identifiers.get(id_type, []) for e in calls), [e.identifiers for e in calls]
    for event in calls:
        assert event.caller is not None and event.caller.startswith("com.example.demoapp."), event.caller
        assert event.party is None  # the app's own code
        assert event.stack[0].startswith(f"{class_name}.{'<init>' if method == '$init' else method}(")
        assert event.thread == "main" and event.pid == all_apis.pid and event.device_time is not None
        assert not event.canary


def test_probing_and_address_filters(all_apis: Run) -> None:
    probes = {e.args["package"]: e.value for e in all_apis.calls("android.app.ApplicationPackageManager", "getPackageInfo")}
    # another app's package is probing (installed or not); the app's own package is not recorded
    assert probes == {"com.tencent.mm": "com.tencent.mm: installed", "com.not.installed": "com.not.installed: not installed"}
    addresses = [e.value for e in all_apis.calls("java.net.Inet4Address", "getHostAddress")]
    assert addresses == [DEFAULT_VALUES["ip"]]  # a server's public address is not the device's: not recorded
    [sms] = all_apis.calls("android.telephony.SmsManager", "sendTextMessage")
    assert sms.args == {"destination": "10690000", "text": "DEMO-7731"}
    [clip] = all_apis.calls("android.content.ClipboardManager", "setPrimaryClip")
    assert clip.args == {"written": "https://demoapp.example/i/7731"}
    [insert] = all_apis.calls("android.content.ContentResolver", "insert")
    assert insert.args == {"uri": "content://media/external/images/media", "operation": "insert"}
    assert insert.value == "content://media/external/images/media/1001"


def test_every_data_category_fires(all_apis: Run) -> None:
    category_of = {(h.class_name, h.method): h.category for h in default_hooklist().java}
    seen = {category_of[(e.api.class_name, e.api.method)] for e in all_apis.of(HookEvent)}
    expected = {"telephony", "settings", "serial", "network", "bluetooth", "adid", "location", "packages",
                "clipboard", "providers", "media", "sensors", "accounts"}  # fmt: skip
    assert expected <= seen


def test_arguments_that_matter_are_recorded(all_apis: Run) -> None:
    settings = all_apis.calls("android.provider.Settings$Secure", "getString")
    assert {e.args["name"] for e in settings} >= {"android_id", "bluetooth_address"}
    uris = {e.args["uri"]: e.data_type for e in all_apis.calls("android.content.ContentResolver", "query")}
    assert uris["content://sms/inbox"] == "sms" and uris["content://call_log/calls"] == "call_log"
    properties = {e.args["key"]: (e.data_type, e.value) for e in all_apis.calls("android.os.SystemProperties", "get")}
    # the serial and the model (device_info) are recorded with their types; other keys are not
    assert properties == {"ro.serialno": ("serial", DEFAULT_VALUES["serial"]), "ro.product.model": ("device_info", DEFAULT_VALUES["model"])}
    geocoder = all_apis.calls("android.location.Geocoder", "getFromLocation")[0]
    assert geocoder.args == {"latitude": float(DEFAULT_VALUES["latitude"]), "longitude": float(DEFAULT_VALUES["longitude"])}


def test_all_overloads_are_hooked(all_apis: Run) -> None:
    assert {e.api.overload for e in all_apis.calls(TM, "getDeviceId")} == {"", "int"}
    assert {e.args.get("arg0") for e in all_apis.calls(TM, "getDeviceId", "int")} == {0, 1}
    assert {e.api.overload for e in all_apis.calls("android.content.ContentResolver", "query")} == {
        "android.net.Uri,java.lang.String[],java.lang.String,java.lang.String[],java.lang.String",
        "android.net.Uri,java.lang.String[],java.lang.String,java.lang.String[],java.lang.String,android.os.CancellationSignal",
        "android.net.Uri,java.lang.String[],android.os.Bundle,android.os.CancellationSignal",
    }
    assert all_apis.stats.overloads > all_apis.stats.installed


def test_the_app_sees_unchanged_return_values(all_apis: Run, classpath: Path) -> None:
    plain = Run(pid=0, exit_status=0, log=baseline(classpath, "all_apis"))
    hooked = all_apis.log_values()
    assert len(hooked) > 80
    assert hooked == plain.log_values()
    assert all_apis.exit_status == 0


def test_a_hook_that_cannot_install_is_reported(all_apis: Run) -> None:
    statuses = all_apis.of(HookStatus)
    java_listed = {(h["class"], h["method"]) for h in agent_hooks(unpin=False)["java"]}
    reported = {(s.api.class_name, s.api.method) for s in statuses if s.api.class_name != "libc"}
    assert reported == java_listed  # every listed hook says where it stands: nothing skipped silently
    outcomes = {(o.class_name, o.method): o for o in hook_outcomes(statuses)}
    # a class this app never loads: pending at start, never_loaded when the process ended
    oppo = outcomes[("com.heytap.openid.IOpenID$Stub$Proxy", "getSerID")]
    assert oppo.state == "never_loaded"
    assert [s.state for s in statuses if s.api.class_name == "com.heytap.openid.IOpenID$Stub$Proxy"] == ["pending", "never_loaded"]
    # the class exists but not the method: failed, with the reason
    failed = [s for s in statuses if s.state == "failed"]
    assert failed and all(s.error.startswith("method not found") for s in failed)
    # framework classes are hooked at start in the JVM's class path; SDK classes where the APK's loader defines them
    assert outcomes[(TM, "getDeviceId")].loaders[0].startswith("jdk.internal.loader.ClassLoaders$AppClassLoader@")
    assert outcomes[("com.umeng.commonsdk.UMConfigure", "submitPolicyGrantResult")].loaders[0].startswith("dalvik.system.PathClassLoader@")
    assert all_apis.stats.installed >= 80 and all_apis.stats.failed == len(failed)
    assert not [e for e in all_apis.errors if e.source == "agent"]


# ----------------------------------------------------------------- attribution, phases, consent


def test_sdk_reads_are_attributed_to_the_sdk(demo: Run) -> None:
    imei = demo.calls(TM, "getDeviceId")
    assert imei and all(e.party == party("umeng") for e in imei)
    assert imei[0].caller.startswith("com.umeng.")
    assert {e.party for e in demo.calls("android.provider.Settings$Secure", "getString")} >= {
        party("umeng"),
        party("tencent-bugly"),
    }
    background = [e for e in demo.calls("android.location.Location", "getLatitude") if e.party == party("amap-location")]
    assert background and all(e.foreground is False for e in background)


def test_the_apps_own_reads_are_the_app(demo: Run) -> None:
    clipboard = demo.calls("android.content.ClipboardManager", "getPrimaryClip")
    assert clipboard and clipboard[0].party is None
    assert clipboard[0].caller.startswith("com.example.demoapp.InviteCodeChecker.")
    nearby = [e for e in demo.of(HookEvent) if e.caller and e.caller.startswith("com.example.demoapp.NearbyRepository.")]
    assert nearby and all(e.party is None for e in nearby)


def test_spawn_catches_the_static_initializer_before_application_oncreate(demo: Run) -> None:
    first = demo.of(HookEvent)[0]
    assert first.phase == "before_application_oncreate"
    assert "<clinit>" in first.caller and first.party == party("umeng")
    oncreate = next(e for e in demo.of(LifecycleEvent) if e.state == "application_oncreate")
    assert first.time <= oncreate.time


def test_phases_foreground_and_lifecycle(demo: Run) -> None:
    states = [e.state for e in demo.of(LifecycleEvent)]
    assert states == [
        "process_start",
        "application_oncreate",
        "foreground",
        "activity_resumed",
        "activity_paused",
        "background",
        "process_exit",
    ]
    in_oncreate = demo.calls(TM, "getDeviceId")
    assert all(e.phase == "before_first_activity" and e.foreground is None for e in in_oncreate)
    after = demo.calls("android.location.LocationManager", "getLastKnownLocation")
    assert {(e.phase, e.foreground) for e in after} == {("running", True), ("running", False)}


def test_consent_click_and_sdk_consent_calls(demo: Run) -> None:
    consent = demo.of(ConsentEvent)
    click = [e for e in consent if e.source == "ui_click"]
    assert [(e.decision, e.detail) for e in click] == [("granted", "同意")]
    sdk = {e.detail: (e.decision, e.party) for e in consent if e.source == "sdk_call"}
    assert sdk["UMConfigure.submitPolicyGrantResult(true)"] == ("granted", party("umeng"))
    assert sdk["JCollectionAuth.setAuth(true)"][0] == "granted"
    assert sdk["MapsInitializer.updatePrivacyAgree(true)"][0] == "granted"
    assert any(detail.startswith("IABTCF_TCString=") and decision == "granted" for detail, (decision, _) in sdk.items())
    assert click[0].time <= min(e.time for e in consent if e.source == "sdk_call")
    post_consent_location = demo.calls("android.location.LocationManager", "getLastKnownLocation")[0]
    assert click[0].time < post_consent_location.time


def test_refusal_is_detected(refuse: Run) -> None:
    consent = refuse.of(ConsentEvent)
    assert [(e.decision, e.detail) for e in consent if e.source == "ui_click"] == [("refused", "不同意")]
    assert {e.decision for e in consent if e.source == "sdk_call"} == {"refused"}


def test_permission_requests_are_attributed(demo: Run) -> None:
    [request] = demo.of(PermissionEvent)
    assert request.permissions == ["android.permission.ACCESS_FINE_LOCATION", "android.permission.ACCESS_COARSE_LOCATION"]
    assert request.caller.startswith("com.example.demoapp.MainActivity.") and request.party is None


# ----------------------------------------------------------------- options: canary, unpin


CANARY = {
    "imei": "860000000000017",
    "android_id": "c0ffee00c0ffee00",
    "mac": "02:ca:fe:00:00:01",
    "location": "39.9042,116.4074",
    "ad_id": "cafecafe-0000-4000-8000-00000000c0de",
}


def test_canary_values_reach_the_app(classpath: Path) -> None:
    run = run_standin(classpath, "all_apis", canary=CANARY)
    seen = {(api, args): value for api, args, value in run.log_values()}
    assert seen[(f"{TM}#getDeviceId()", None)] == CANARY["imei"]
    assert seen[(f"{TM}#getImei()", None)] == CANARY["imei"]
    assert (
        seen[("android.provider.Settings$Secure#getString(android.content.ContentResolver,java.lang.String)", "android_id")]
        == CANARY["android_id"]
    )
    assert seen[("android.net.wifi.WifiInfo#getMacAddress()", None)] == CANARY["mac"]
    assert seen[("java.net.NetworkInterface#getHardwareAddress()", "eth0")] == CANARY["mac"]
    assert seen[("android.location.Location#getLatitude()", None)] == "39.9042"
    assert seen[("com.google.android.gms.ads.identifier.AdvertisingIdClient$Info#getId()", None)] == CANARY["ad_id"]
    assert seen[(f"{TM}#getSubscriberId()", None)] == DEFAULT_VALUES["imsi"]  # no canary: untouched
    imei = run.calls(TM, "getDeviceId", "")[0]
    assert imei.canary and imei.value == CANARY["imei"] and imei.identifiers == {"imei": [CANARY["imei"]]}
    assert not run.calls(TM, "getSubscriberId")[0].canary


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


RESPONDER = '''
from mitmproxy import http

class Respond:
    """Answer every request here: the test never connects to the real SDK hosts."""

    def request(self, flow):
        flow.response = http.Response.make(200, b'{"ok": true}', {"Content-Type": "application/json"})

addons = [Respond()]
'''


def test_unpin_lets_pinned_uploads_through_a_real_proxy(classpath: Path, tmp_path: Path) -> None:
    script = tmp_path / "respond.py"
    script.write_text(RESPONDER)
    port = _free_port()
    proxy = Proxy.mitmdump(port, tmp_path / "confdir", None, "-s", str(script), "--set", "connection_strategy=lazy")
    with proxy:
        truststore = make_truststore(proxy.ca, tmp_path / "ca.p12")
        props = {"standin.timeout_ms": 3000}
        pinned = run_standin(classpath, "pinned", proxy=("127.0.0.1", port), truststore=truststore, props=props)
        unpinned = run_standin(classpath, "pinned", proxy=("127.0.0.1", port), truststore=truststore, props=props, unpin=True)
    assert pinned.uploads()["pangle"] == "pin_failed" and pinned.uploads()["alipay"] == "pin_failed"
    assert unpinned.uploads()["pangle"] == "200" and unpinned.uploads()["alipay"] == "200"
    bypass = {(s.api.class_name, s.api.method) for s in unpinned.of(HookStatus) if s.installed}
    assert ("okhttp3.CertificatePinner", "check") in bypass
    assert ("okhttp3.CertificatePinner", "check") not in {(s.api.class_name, s.api.method) for s in pinned.of(HookStatus)}


# ----------------------------------------------------------------- spawn timing, attach, stop under load, native


def test_stop_under_load_kills_first_and_returns(classpath: Path) -> None:
    def during(host: HookHost, run: Run) -> None:
        # Hammer for a while: with a backlog of events and every hook busy, stop must still be quick.
        loaded = time.monotonic() + 2
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (len(run.of(HookEvent)) < 300 or time.monotonic() < loaded):
            time.sleep(0.02)
        started = time.monotonic()
        host.stop()
        assert time.monotonic() - started < 5

    run = run_standin(classpath, "hammer", props={"standin.threads": 4, "standin.n": 10**9, "standin.warmup": 0}, during=during)
    assert len(run.of(HookEvent)) >= 300
    assert {e.thread for e in run.of(HookEvent)} >= {"hammer-0", "hammer-1"}
    assert not [e for e in run.errors if e.source == "agent"]


def test_attach_to_a_running_jvm(classpath: Path) -> None:
    argv = standin_command(classpath, proxy=None, truststore=None, scenario="demo",
                           extra_props={**FAST, "standin.wait_for_stdin": True})  # fmt: skip
    app = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    events: list = []
    errors: list[ErrorRecord] = []
    host = HookHost(target=str(app.pid), attach=True, catalog=CATALOG, on_events=events.extend, on_error=errors.append)
    try:
        assert b"READY" in app.stdout.readline()
        host.start()
        app.stdin.write(b"go\n")
        app.stdin.flush()
        assert host.wait(30) == 0
    finally:
        host.stop()
        if app.poll() is None:
            app.kill()
        app.wait(10)
    reads = [e for e in events if isinstance(e, HookEvent)]
    assert reads and all(e.phase == "running" for e in reads)  # attached: the start-up phases are unknown
    assert any(e.party == party("umeng") for e in reads)


NATIVE_PROGRAM = r"""
import ctypes, fcntl, os, socket, struct, sys
names = sorted(os.listdir("/sys/class/net"))
for name in names:
    with open(f"/sys/class/net/{name}/address") as f:
        f.read()
with open("/proc/net/arp") as f:
    f.read()
s = socket.socket()
for name in names:
    fcntl.ioctl(s.fileno(), 0x8927, struct.pack("256s", name.encode()[:15]))
libc = ctypes.CDLL(None)
p = ctypes.c_void_p()
assert libc.getifaddrs(ctypes.byref(p)) == 0
libc.freeifaddrs(p)
sys.exit(0)
"""


def test_native_hooks_on_libc() -> None:
    events: list = []
    errors: list[ErrorRecord] = []
    host = HookHost(target=[sys.executable, "-c", NATIVE_PROGRAM], on_events=events.extend, on_error=errors.append)
    pid = host.start()
    try:
        assert host.wait(20) == 0
    finally:
        host.stop()
    assert not pid_alive(pid)
    reads = [e for e in events if isinstance(e, HookEvent)]
    names = sorted(os.listdir("/sys/class/net"))
    for name in names:
        mac = Path(f"/sys/class/net/{name}/address").read_text().strip()
        opened = [e for e in reads if e.args.get("path") == f"/sys/class/net/{name}/address"]
        assert opened and opened[0].value == mac and opened[0].data_type == "mac"
        ioctl = [e for e in reads if e.api.method == "ioctl" and e.args.get("interface") == name]
        assert ioctl and ioctl[0].value == mac
    assert [e.data_type for e in reads if e.args.get("path") == "/proc/net/arp"] == ["bssid"]
    [ifaddrs] = [e for e in reads if e.api.method == "getifaddrs"]
    real = [Path(f"/sys/class/net/{n}/address").read_text().strip() for n in names]
    assert set(ifaddrs.identifiers.get("mac", [])) == {m for m in real if m != "00:00:00:00:00:00"}
    assert all(e.api.class_name == "libc" and e.stack for e in reads)
