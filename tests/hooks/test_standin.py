"""The stand-in Android app (hooks/standin): build, scenarios and fake API signatures, without Frida.

Every test runs the real JVM. The mitmdump test runs a real proxy on 127.0.0.1 and is skipped
only when mitmdump is not installed. Each test ends only the processes it started, by pid.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.standin import LogLine, parse_log, parse_log_line, standin, standin_command

APIS_TXT = standin.STANDIN_DIR / "APIS.txt"
FAST = {"standin.consent_delay_ms": 100, "standin.exit_delay_ms": 20}


@pytest.fixture(scope="module")
def classpath() -> Path:
    return standin.build_standin()


def run(
    classpath: Path,
    scenario: str,
    *,
    proxy: tuple[str, int] | None = None,
    truststore: Path | None = None,
    **props: object,
) -> tuple[int, list[LogLine], str]:
    """Run a scenario to the end; return (exit code, parsed log, raw stdout)."""
    extra = {k.replace("__", "."): v for k, v in props.items()}
    argv = standin_command(classpath, proxy=proxy, truststore=truststore, scenario=scenario, extra_props=extra)
    proc = subprocess.run(argv, capture_output=True, text=True, encoding="utf-8", timeout=60)
    return proc.returncode, parse_log(proc.stdout), proc.stdout + proc.stderr


def index_of(lines: list[LogLine], kind: str, **fields: str) -> int:
    """Index of the first line of ``kind`` whose fields include ``fields``; fails when there is none."""
    for i, line in enumerate(lines):
        if line.kind == kind and all(line.get(k) == v for k, v in fields.items()):
            return i
    raise AssertionError(f"no {kind} line with {fields}")


def phase_index(lines: list[LogLine], n: int) -> int:
    return index_of(lines, "PHASE", n=str(n))


def uploads(lines: list[LogLine]) -> list[LogLine]:
    return [line for line in lines if line.kind == "UPLOAD"]


# ----------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("line", "kind", "fields"),
    [
        ("1700000000.123 [main] PHASE n=1 name=before_application_oncreate", "PHASE",
         {"n": "1", "name": "before_application_oncreate"}),
        ('1700000000.123 [umeng-worker] UPLOAD url="https://a.example/x?a=1&b=2" status=200', "UPLOAD",
         {"url": "https://a.example/x?a=1&b=2", "status": "200"}),
        ('1700000000.001 [main] DIALOG buttons=同意,不同意 msg="say \\"hi\\"\\nthere"', "DIALOG",
         {"buttons": "同意,不同意", "msg": 'say "hi"\nthere'}),
        ("1700000000.001 [main] DONE", "DONE", {}),
    ],
)  # fmt: skip
def test_parse_log_line(line: str, kind: str, fields: dict[str, str]) -> None:
    parsed = parse_log_line(line)
    assert parsed is not None
    assert parsed.kind == kind
    assert parsed.fields == fields
    assert parsed.time == pytest.approx(float(line.split()[0]))


def test_parse_log_skips_foreign_lines() -> None:
    text = "OpenJDK 64-Bit Server VM warning: blah\n1700000000.000 [main] BOOT scenario=demo\n"
    assert [line.kind for line in parse_log(text)] == ["BOOT"]


def test_sources_hash_follows_content(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    java = tmp_path / "a" / "b" / "C.java"
    java.write_text("class C {}")
    first = standin.sources_hash(tmp_path)
    assert standin.sources_hash(tmp_path) == first
    java.write_text("class C { }")
    assert standin.sources_hash(tmp_path) != first
    java.write_text("class C {}")
    (tmp_path / "a" / "D.java").write_text("")
    assert standin.sources_hash(tmp_path) != first


def test_standin_command_shape(classpath: Path, tmp_path: Path) -> None:
    argv = standin_command(classpath, proxy=None, truststore=None)
    assert Path(argv[0]).is_absolute() and Path(argv[0]).name == "java" and not Path(argv[0]).is_symlink()
    assert "-Xint" not in argv
    assert argv[-1] == standin.MAIN_CLASS
    assert "-Dstandin.scenario=demo" in argv
    assert "-Dstandin.network=false" in argv  # no proxy: never send fake data to the real SDK hosts
    assert not any(a.startswith("-Dhttps.proxyHost") for a in argv)

    store = tmp_path / "ca.p12"
    argv = standin_command(
        classpath,
        proxy=("127.0.0.1", 8080),
        truststore=store,
        scenario="pinned",
        extra_props={"standin.network": True, "standin.n": 5},
    )
    for prop in (
        "-Dhttps.proxyHost=127.0.0.1",
        "-Dhttps.proxyPort=8080",
        "-Dhttp.proxyHost=127.0.0.1",
        "-Dhttp.proxyPort=8080",
        f"-Djavax.net.ssl.trustStore={store.resolve()}",
        f"-Djavax.net.ssl.trustStorePassword={standin.TRUSTSTORE_PASSWORD}",
        "-Djavax.net.ssl.trustStoreType=PKCS12",
        "-Dstandin.scenario=pinned",
        "-Dstandin.network=true",
        "-Dstandin.n=5",
    ):
        assert prop in argv
    with pytest.raises(ValueError, match="unknown scenario"):
        standin_command(classpath, proxy=None, truststore=None, scenario="nope")


# ----------------------------------------------------------------------------- build


def test_build_is_cached(classpath: Path) -> None:
    compiled = standin.compile_count
    marker = classpath / "android" / "app" / "ActivityThread.class"
    mtime = marker.stat().st_mtime_ns
    assert standin.build_standin() == classpath
    assert standin.compile_count == compiled  # unchanged sources: javac did not run
    assert marker.stat().st_mtime_ns == mtime
    assert standin.HASH_FILE.read_text().strip() == standin.sources_hash()
    assert standin.HASH_FILE.parent == classpath.parent.parent  # the hash is stored next to the output


def test_build_output_is_gitignored() -> None:
    ignore = (standin.STANDIN_DIR / ".gitignore").read_text().split()
    assert "build/" in ignore


# ----------------------------------------------------------------------------- fake API signatures


def test_apis_txt_signatures_exist(classpath: Path) -> None:
    apis = APIS_TXT.read_text().split()
    assert len(apis) == len(set(apis)) > 90
    proc = subprocess.run(
        [standin.java_executable(), "-cp", standin.introspection_classpath(classpath), standin.INTROSPECT_CLASS],
        input="\n".join(apis),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    results = {line.split()[1]: line for line in proc.stdout.splitlines()}
    assert [api for api in apis if not results.get(api, "").startswith("OK ")] == []

    expect = {
        "android.provider.Settings$Secure#getString(android.content.ContentResolver,java.lang.String)":
            "static=true returns=java.lang.String",
        "android.provider.Settings$System#getString(android.content.ContentResolver,java.lang.String)":
            "static=true returns=java.lang.String",
        "android.telephony.TelephonyManager#getDeviceId(int)": "static=false returns=java.lang.String",
        "android.telephony.TelephonyManager#getAllCellInfo()": "static=false returns=java.util.List",
        "android.telephony.TelephonyManager#getCellLocation()": "static=false returns=android.telephony.CellLocation",
        "android.os.Build#getSerial()": "static=true returns=java.lang.String",
        "android.bluetooth.BluetoothAdapter#getDefaultAdapter()": "static=true returns=android.bluetooth.BluetoothAdapter",
        "com.google.android.gms.ads.identifier.AdvertisingIdClient#getAdvertisingIdInfo(android.content.Context)":
            "static=true returns=com.google.android.gms.ads.identifier.AdvertisingIdClient$Info",
        "com.android.id.impl.IdProviderImpl#getOAID(android.content.Context)": "static=false returns=java.lang.String",
        "android.content.ClipboardManager#getPrimaryClip()": "static=false returns=android.content.ClipData",
        "android.widget.TextView#getText()": "static=false returns=java.lang.CharSequence",
        "android.accounts.AccountManager#getAccounts()": "static=false returns=android.accounts.Account[]",
        "okhttp3.CertificatePinner#check(java.lang.String,java.util.List)": "static=false returns=void",
        "com.umeng.commonsdk.UMConfigure#submitPolicyGrantResult(android.content.Context,boolean)":
            "static=true returns=void",
    }  # fmt: skip
    for api, fragment in expect.items():
        assert fragment in results[api], results[api]
    assert (
        "modifiers=public,final"
        in results[
            "android.content.ContentResolver#query(android.net.Uri,java.lang.String[],java.lang.String,"
            "java.lang.String[],java.lang.String)"
        ]
    )
    assert (
        "modifiers=private"
        in results[
            "com.android.org.conscrypt.TrustManagerImpl#verifyChain(java.util.List,java.util.List,java.lang.String,"
            "boolean,byte[],byte[])"
        ]
    )


def test_class_hierarchy_and_build_serial_field(classpath: Path) -> None:
    javap = shutil.which("javap")
    assert javap is not None, "javap comes with the JDK that scripts/setup.sh installs"
    out = subprocess.run(
        [javap, "-cp", standin.introspection_classpath(classpath), "-constants", "android.os.Build", "android.app.ApplicationPackageManager",
         "android.widget.Button", "android.provider.Settings$Secure", "android.app.SharedPreferencesImpl$EditorImpl"],
        capture_output=True, text=True, timeout=30,
    ).stdout  # fmt: skip
    # assigned in a static block: a real field read, not a constant inlined into callers
    assert "public static final java.lang.String SERIAL;" in out
    assert "class android.app.ApplicationPackageManager extends android.content.pm.PackageManager" in out
    assert "class android.widget.Button extends android.widget.TextView" in out
    assert "class android.provider.Settings$Secure extends android.provider.Settings$NameValueTable" in out
    assert "android.app.SharedPreferencesImpl$EditorImpl implements android.content.SharedPreferences$Editor" in out


# ----------------------------------------------------------------------------- scenarios


def test_values_scenario_matches_python_defaults(classpath: Path) -> None:
    code, lines, out = run(classpath, "values")
    assert code == 0, out
    values = {line.get("key"): line.get("value") for line in lines if line.kind == "VALUE"}
    assert values == standin.DEFAULT_VALUES


def test_value_override(classpath: Path) -> None:
    code, lines, out = run(classpath, "values", standin__value__imei="490154203237518")
    assert code == 0, out
    values = {line.get("key"): line.get("value") for line in lines if line.kind == "VALUE"}
    assert values["imei"] == "490154203237518"
    assert values["android_id"] == standin.DEFAULT_VALUES["android_id"]


def test_all_apis_logs_every_api_with_its_value(classpath: Path) -> None:
    code, lines, out = run(classpath, "all_apis")
    assert code == 0, out
    api_lines = [line for line in lines if line.kind == "API"]
    first_seen: list[str] = []
    for line in api_lines:
        if line.get("api") not in first_seen:
            first_seen.append(line.get("api"))
    assert first_seen == APIS_TXT.read_text().split()  # every API, in the documented order

    v = standin.DEFAULT_VALUES

    def value(api: str, args: str | None = None) -> str | None:
        for line in api_lines:
            if line.get("api") == api and (args is None or line.get("args") == args):
                return line.get("value")
        raise AssertionError(f"{api} {args} not logged")

    tm = "android.telephony.TelephonyManager#"
    assert value(tm + "getDeviceId()") == v["imei"]
    assert value(tm + "getDeviceId(int)", "1") == v["imei2"]
    assert value(tm + "getImei(int)", "0") == v["imei"]
    assert value(tm + "getMeid()") == v["meid"]
    assert value(tm + "getSubscriberId()") == v["imsi"]
    assert value(tm + "getSimSerialNumber()") == v["iccid"]
    assert value(tm + "getLine1Number()") == v["phone"]
    assert value("android.telephony.SubscriptionInfo#getIccId()") == v["iccid"]
    secure = "android.provider.Settings$Secure#getString(android.content.ContentResolver,java.lang.String)"
    assert value(secure, "android_id") == v["android_id"]
    assert value(secure, "bluetooth_address") == v["bluetooth_mac"]
    assert value("android.os.Build#getSerial()") == v["serial"]
    assert value("android.os.SystemProperties#get(java.lang.String)", "ro.serialno") == v["serial"]
    assert value("android.net.wifi.WifiInfo#getMacAddress()") == v["mac"]
    assert value("android.net.wifi.WifiInfo#getBSSID()") == v["bssid"]
    assert value("android.net.wifi.WifiInfo#getSSID()") == v["ssid"]
    assert value("android.net.wifi.WifiInfo#getIpAddress()") == str(
        int.from_bytes(socket.inet_aton(v["ip"]), "little", signed=True)
    )
    assert value("android.bluetooth.BluetoothAdapter#getAddress()") == v["bluetooth_mac"]
    assert value("com.google.android.gms.ads.identifier.AdvertisingIdClient$Info#getId()") == v["gaid"]
    assert value("com.huawei.hms.ads.identifier.AdvertisingIdClient$Info#getId()") == v["huawei_oaid"]
    assert value("com.bun.miitmdid.supplier.DefaultIdSupplier#getOAID()") == v["oaid"]
    assert value("com.android.id.impl.IdProviderImpl#getOAID(android.content.Context)") == v["oaid"]
    assert value("android.location.Location#getLatitude()") == v["latitude"]
    assert value("android.location.Location#getLongitude()") == v["longitude"]
    assert value("android.content.ClipboardManager#getText()") == v["clipboard"]
    assert v["installed_packages"].split(",")[1] in value("android.app.ApplicationPackageManager#getInstalledPackages(int)")
    assert v["account_email"] in value("android.accounts.AccountManager#getAccounts()")
    assert v["sms_body"] in value(
        "android.content.ContentResolver#query(android.net.Uri,java.lang.String[],java.lang.String,"
        "java.lang.String[],java.lang.String)",
        "content://sms/inbox",
    )
    assert value("android.widget.TextView#getText()") == "同意"
    assert value("android.view.View#performClick()") == "true"
    # the pinning checks reject: there is nothing to unpin them here
    assert value("okhttp3.CertificatePinner#check(java.lang.String,java.util.List)").startswith(
        "!javax.net.ssl.SSLPeerUnverifiedException"
    )
    assert value(
        "com.android.org.conscrypt.TrustManagerImpl#verifyChain(java.util.List,java.util.List,java.lang.String,"
        "boolean,byte[],byte[])"
    ).startswith("!")
    assert index_of(lines, "FIELD", api="android.os.Build#SERIAL") >= 0
    assert lines[-1].kind == "DONE"
    assert not [line for line in lines if line.kind in ("ERROR", "READ", "UPLOAD")]  # SDK side effects are off


def test_demo_runs_through_all_phases_in_order(classpath: Path) -> None:
    code, lines, out = run(classpath, "demo", **FAST)
    assert code == 0, out
    p = [phase_index(lines, n) for n in range(1, 7)]
    assert p == sorted(p)
    assert [lines[i].get("name") for i in p] == [
        "before_application_oncreate",
        "application_oncreate",
        "foreground_privacy_dialog",
        "post_consent",
        "background",
        "exit",
    ]

    def between(i: int, a: int, b: int) -> None:
        assert p[a - 1] < i < p[b - 1], f"line {lines[i]} not between phase {a} and {b}"

    # 1: an SDK's static initializer reads android_id before Application.onCreate
    between(index_of(lines, "READ", party="umeng", type="android_id"), 1, 2)
    assert index_of(lines, "READ", party="umeng", type="android_id") < index_of(lines, "LIFECYCLE", event="Application.onCreate")
    # 2: SDK init before consent
    for party, data_type in [("umeng", "imei"), ("umeng", "imsi"), ("umeng", "mac"), ("umeng", "oaid"),
                             ("bugly", "android_id"), ("talkingdata", "installed_apps"), ("app", "clipboard")]:  # fmt: skip
        between(index_of(lines, "READ", party=party, type=data_type), 2, 3)
    between(index_of(lines, "UPLOAD", party="umeng"), 2, 3)
    between(index_of(lines, "UPLOAD", party="talkingdata"), 2, 3)
    # 3: foreground, privacy dialog, the click on 同意
    between(index_of(lines, "LIFECYCLE", event="MainActivity.onResume", foreground="true"), 3, 4)
    between(index_of(lines, "DIALOG", buttons="同意,不同意"), 3, 4)
    between(index_of(lines, "CONSENT", choice="agree", button="同意"), 3, 4)
    # 4: after consent, the app's own location call and Bugly's heartbeat
    between(index_of(lines, "PERMISSION", granted="true"), 4, 5)
    between(index_of(lines, "READ", party="app", type="location"), 4, 5)
    between(index_of(lines, "UPLOAD", party="app"), 4, 5)
    between(index_of(lines, "UPLOAD", party="bugly"), 4, 5)
    # 5: background collection by the AMap SDK
    between(index_of(lines, "LIFECYCLE", event="MainActivity.onStop", foreground="false"), 5, 6)
    between(index_of(lines, "READ", party="amap", type="location"), 5, 6)
    between(index_of(lines, "UPLOAD", party="amap"), 5, 6)

    ups = uploads(lines)
    assert {u.get("party") for u in ups} == {"umeng", "talkingdata", "bugly", "app", "amap", "gdt"}
    assert all(u.get("status") == "skipped" and u.get("url").startswith("https://") for u in ups)
    assert lines[-1].kind == "DONE" and lines[-1].get("msg") == "scenario done"
    assert not [line for line in lines if line.kind == "ERROR"]
    times = [line.time for line in lines]
    assert times == sorted(times)


def test_refuse_scenario_keeps_collecting(classpath: Path) -> None:
    code, lines, out = run(classpath, "refuse", **FAST)
    assert code == 0, out
    refusal = index_of(lines, "CONSENT", choice="refuse", button="不同意")
    assert phase_index(lines, 3) < refusal < phase_index(lines, 4)
    assert lines[phase_index(lines, 4)].get("name") == "post_refusal"
    after = lines[phase_index(lines, 4) : phase_index(lines, 5)]
    assert {u.get("party") for u in after if u.kind == "UPLOAD"} == {"umeng", "jpush"}
    assert {(r.get("party"), r.get("type")) for r in after if r.kind == "READ"} >= {
        ("umeng", "imei"),
        ("umeng", "android_id"),
        ("jpush", "running_apps"),
        ("jpush", "bssid"),
    }
    assert any(line.kind == "PERMISSION" for line in after)  # asks again right after the refusal
    assert not any(line.kind == "UPLOAD" and line.get("party") in ("app", "amap") for line in lines)
    assert lines[-1].kind == "DONE"


def test_pinned_scenario_without_network(classpath: Path) -> None:
    code, lines, out = run(classpath, "pinned", **FAST)
    assert code == 0, out
    ups = uploads(lines)
    assert {u.get("party") for u in ups} == {"pangle", "alipay"}
    assert all(u.get("status") == "skipped" for u in ups)
    assert all(phase_index(lines, 4) < lines.index(u) < phase_index(lines, 5) for u in ups)
    assert not any(line.kind == "READ" and line.time < lines[index_of(lines, "CONSENT")].time for line in lines)


def test_hammer_reports_ns_per_call(classpath: Path) -> None:
    code, lines, out = run(classpath, "hammer", standin__n=20000, standin__threads=2, standin__warmup=1000)
    assert code == 0, out
    result = lines[index_of(lines, "HAMMER", stage="result")]
    assert result.get("threads") == "2" and result.get("calls") == "40000"
    assert float(result.get("ns_per_call")) > 0
    assert int(result.get("wall_ns")) > 0


def test_wait_for_stdin_holds_the_scenario(classpath: Path) -> None:
    argv = standin_command(
        classpath, proxy=None, truststore=None, scenario="hammer",
        extra_props={"standin.wait_for_stdin": True, "standin.n": 1000, "standin.threads": 1, "standin.warmup": 0},
    )  # fmt: skip
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        ready = parse_log_line(proc.stdout.readline())
        assert ready is not None and ready.kind == "READY"
        assert ready.get("pid") == str(proc.pid)  # argv[0] is java itself: the pid to attach to
        time.sleep(0.2)
        assert proc.poll() is None  # still waiting
        out, _ = proc.communicate("\n", timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    kinds = [line.kind for line in parse_log(out)]
    assert kinds[0] == "BOOT" and "HAMMER" in kinds and kinds[-1] == "DONE"


# ----------------------------------------------------------------------------- trust store


def _make_ca(confdir: Path) -> Path:
    from mitmproxy.certs import CertStore

    CertStore.from_store(confdir, "mitmproxy", 2048)
    return confdir / "mitmproxy-ca.pem"


def test_make_truststore(tmp_path: Path) -> None:
    pytest.importorskip("mitmproxy")
    ca = _make_ca(tmp_path / "conf")
    store = standin.make_truststore(ca, tmp_path / "out" / "ca.p12")
    listing = subprocess.run(
        [shutil.which("keytool") or "keytool", "-list", "-keystore", str(store), "-storetype", "PKCS12",
         "-storepass", standin.TRUSTSTORE_PASSWORD],
        capture_output=True, text=True, timeout=30,
    ).stdout  # fmt: skip
    assert "mitmproxy, " in listing and "trustedCertEntry" in listing
    # again over an existing file: replaced, not an alias clash
    assert standin.make_truststore(ca, store) == store
    with pytest.raises(standin.StandinBuildError, match="no PEM certificate"):
        (tmp_path / "empty.pem").write_text("nothing")
        standin.make_truststore(tmp_path / "empty.pem", tmp_path / "x.p12")


# ----------------------------------------------------------------------------- through a real mitmdump

RESPONDER = """
import json
from mitmproxy import http

OUT = {out!r}

class Responder:
    def _write(self, record):
        with open(OUT, "a") as f:
            f.write(json.dumps(record) + "\\n")

    def request(self, flow: http.HTTPFlow) -> None:
        self._write({{"url": flow.request.pretty_url, "method": flow.request.method,
                      "headers": dict(flow.request.headers), "body": flow.request.raw_content.hex()}})
        flow.response = http.Response.make(200, b'{{"ok":true}}', {{"Content-Type": "application/json"}})

    def tls_failed_client(self, data) -> None:
        self._write({{"tls_failed": data.conn.sni}})

addons = [Responder()]
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mitmdump(tmp_path: Path):
    """A real mitmdump on 127.0.0.1 answering every request with 200 and recording it."""
    exe = Path(sys.executable).with_name("mitmdump")
    if not exe.exists():
        exe = Path(shutil.which("mitmdump") or "")
    assert exe.is_file(), "mitmdump is installed with piaudit (scripts/setup.sh)"
    record = tmp_path / "flows.jsonl"
    script = tmp_path / "responder.py"
    script.write_text(RESPONDER.format(out=str(record)))
    confdir = tmp_path / "conf"
    port = _free_port()
    proc = subprocess.Popen(
        [str(exe), "-q", "--listen-host", "127.0.0.1", "-p", str(port), "--set", f"confdir={confdir}",
         "--set", "connection_strategy=lazy", "-s", str(script)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail(f"mitmdump exited: {proc.stderr.read().decode(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("mitmdump did not start listening")
                time.sleep(0.05)

        def flows() -> list[dict]:
            return [json.loads(x) for x in record.read_text().splitlines()] if record.exists() else []

        yield ("127.0.0.1", port), confdir / "mitmproxy-ca.pem", flows
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _spki_pin(ca_pem: Path) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate(ca_pem.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "sha256/" + base64.b64encode(hashlib.sha256(spki).digest()).decode()


def test_uploads_through_mitmdump(classpath: Path, tmp_path: Path, mitmdump) -> None:
    proxy, ca, flows = mitmdump
    store = standin.make_truststore(ca, tmp_path / "ca.p12")
    v = standin.DEFAULT_VALUES

    code, lines, out = run(classpath, "demo", proxy=proxy, truststore=store, **FAST)
    assert code == 0, out
    ups = {u.get("party"): u for u in uploads(lines)}
    assert {p: u.get("status") for p, u in ups.items()} == dict.fromkeys(["umeng", "talkingdata", "bugly", "app", "amap", "gdt"], "200")
    seen = {urlsplit(f["url"]).hostname: f for f in flows()}
    assert set(seen) == {
        "ulogs.umeng.com", "sdk.open.talkingdata.com", "android.bugly.qq.com", "api.demoapp.example", "restsdk.amap.com",
        "mi.gdt.qq.com",
    }  # fmt: skip
    for f in seen.values():  # sent by OkHttp: it asks for gzip on its own (HttpURLConnection does not)
        headers = {k.lower(): v for k, v in f["headers"].items()}
        assert headers["user-agent"].startswith("Dalvik/") and headers["accept-encoding"] == "gzip", headers
    umeng = json.loads(bytes.fromhex(seen["ulogs.umeng.com"]["body"]))["header"]
    assert umeng["imei"] == base64.b64encode(v["imei"].encode()).decode()
    assert umeng["mac"] == hashlib.md5(v["mac"].replace(":", "").upper().encode()).hexdigest()
    assert umeng["android_id"] == v["android_id"] and umeng["imsi"] == v["imsi"] and umeng["oaid"] == v["oaid"]
    td = seen["sdk.open.talkingdata.com"]
    assert {k.lower(): v for k, v in td["headers"].items()}["content-encoding"] == "gzip"
    td_apps = [a["pkg"] for a in json.loads(gzip.decompress(bytes.fromhex(td["body"])))["apps"]]
    assert td_apps == v["installed_packages"].split(",")
    assert json.loads(bytes.fromhex(seen["android.bugly.qq.com"]["body"]))["deviceId"] == v["android_id"]
    nearby = json.loads(bytes.fromhex(seen["api.demoapp.example"]["body"]))
    assert (nearby["lat"], nearby["lon"]) == (float(v["latitude"]), float(v["longitude"]))
    location = parse_qs(urlsplit(seen["restsdk.amap.com"]["url"]).query)["location"][0]
    assert location == f"{v['longitude']},{v['latitude']}"

    # pinned SDKs: both refuse the proxy's certificate ...
    before = len(flows())
    code, lines, out = run(classpath, "pinned", proxy=proxy, truststore=store, **FAST)
    assert code == 0, out
    assert {u.get("party"): u.get("status") for u in uploads(lines)} == {"pangle": "pin_failed", "alipay": "pin_failed"}
    new = flows()[before:]
    assert not [f for f in new if "url" in f]  # nothing was sent
    assert {"tls_failed": "mobilegw.alipay.com"} in new  # Conscrypt's pin check fails the handshake itself

    # ... and send once the pin is the proxy's key (mitmproxy signs every leaf with its CA key)
    pin = _spki_pin(ca)
    code, lines, out = run(
        classpath, "pinned", proxy=proxy, truststore=store, standin__pin__pangle=pin, standin__pin__alipay=pin, **FAST
    )
    assert code == 0, out
    assert {u.get("party"): u.get("status") for u in uploads(lines)} == {"pangle": "200", "alipay": "200"}
