"""Build and run the stand-in "Android app": fake ``android.*`` classes and fake SDKs on the HotSpot JVM.

The Java sources live in ``hooks/standin/src``; :func:`build_standin` compiles them with
``javac --release 17`` into ``hooks/standin/build/classes`` and skips the compile when the sources
are unchanged (their hash is stored in ``hooks/standin/build/sources.sha256``).
:func:`standin_command` gives the ``java`` argv for a scenario, :func:`make_truststore` a PKCS12
trust store holding the mitmproxy CA, and :func:`parse_log` reads the app's stdout log back.

Example::

    cp = build_standin()
    argv = standin_command(cp, proxy=("127.0.0.1", 8080), truststore=make_truststore(ca, tmp / "ca.p12"))
    out = subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout
    uploads = [line for line in parse_log(out) if line.kind == "UPLOAD"]

Command line: ``python hooks/standin/build.py [--force] [--run SCENARIO] [-D key=value ...]``.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

STANDIN_DIR = Path(__file__).resolve().parent
SRC_DIR = STANDIN_DIR / "src"
NATIVE_SRC = STANDIN_DIR / "native" / "standin_native.c"
SYSTEM_BIN = STANDIN_DIR / "system" / "bin"
ZYGOTE = STANDIN_DIR / "zygote.py"
BUILD_DIR = STANDIN_DIR / "build"
OUT_DIR = BUILD_DIR / "out"
CLASSES_DIR = OUT_DIR / "classes"  # the framework: the JVM's class path ("boot" classes)
APK_DIR = OUT_DIR / "apk"  # the app and its SDKs: loaded by the PathClassLoader LoadedApk creates
PACKED_DIR = OUT_DIR / "packed"  # the packed variant: a shell Application and the encrypted real code
PLUGIN_JAR = OUT_DIR / "plugin" / "gdt-plugin.jar"  # a plugin SDK loaded later with a DexClassLoader
LIB_DIR = OUT_DIR / "lib"  # libstandin_native.so
HASH_FILE = BUILD_DIR / "sources.sha256"
LOCK_FILE = BUILD_DIR / ".lock"

#: The app's libraries as an APK bundles them: real OkHttp 3 and Okio from Debian (libokhttp-java, libokio-java).
APP_LIBRARIES = (Path("/usr/share/java/okhttp.jar"), Path("/usr/share/java/okio.jar"))
PACKAGE = "com.example.demoapp"
MAIN_CLASS = "android.app.ActivityThread"
#: Class-file path prefixes of the APK's code (everything else is framework); the plugin's and the shell's.
APP_PREFIXES = (
    "com/example/", "com/umeng/", "com/tencent/", "com/tendcloud/", "cn/", "com/amap/", "com/bytedance/",
    "com/alipay/", "com/google/", "com/huawei/", "com/bun/", "com/igexin/", "com/android/internal/standin/okhttp/",
    "com/sensorsdata/",
    "com/qq/e/comm/managers/GDTAdSdk",
)  # fmt: skip
PLUGIN_PREFIXES = ("com/qq/e/comm/managers/setting/", "com/qq/e/comm/plugin/")
SHELL_PREFIXES = ("com/stub/",)
PACKER_KEY = 0x5A  # StubApp.KEY
VARIANTS = ("apk", "packed")
INTROSPECT_CLASS = "com.android.internal.standin.Introspect"
JAVA_RELEASE = "17"
TRUSTSTORE_PASSWORD = "changeit"
SCENARIOS = ("demo", "refuse", "pinned", "retest", "refuse_exit", "refuse_permission", "wake", "restart", "all_apis", "around", "hammer", "read_loop", "values")

#: The fake device's values (mirrors ``Fake.DEFAULTS`` in the Java sources; a test keeps them equal).
#: Override one with ``extra_props={"standin.value.imei": "..."}``.
DEFAULT_VALUES: dict[str, str] = {
    "imei": "867530912345673",
    "imei2": "867530912345681",
    "meid": "A0000049B1C2D3",
    "imsi": "460011234567890",
    "iccid": "89860112345678901234",
    "phone": "+8613912345678",
    "voicemail": "+8613010200500",
    "nai": "460011234567890@nai.epc.mnc001.mcc460.3gppnetwork.org",
    "sim_operator": "46001",
    "sim_operator_name": "中国联通",
    "network_operator": "46001",
    "android_id": "9774d56d682e549c",
    "serial": "R58M123ABCD",
    "mac": "3c:a6:16:5e:2b:7d",
    "bluetooth_mac": "f4:60:e2:9a:11:c3",
    "bluetooth_name": "Redmi Note 12",
    "bt_device_mac": "c8:f7:42:10:6a:5e",
    "bt_device_name": "Mi Smart Band 7",
    "bssid": "d8:0d:17:4c:9e:21",
    "ssid": '"DemoCorp-5G"',
    "ip": "192.168.1.100",
    "gaid": "5f2d7c3a-1b9e-4e2a-9c41-7d3b2a6e8f10",
    "huawei_oaid": "a7c1e2d3-4b5f-4a6e-8d9c-0b1a2c3d4e5f",
    "oaid": "7e3f1a9c2b4d6e80",
    "vaid": "c4b2e1f0a9d8c7b6",
    "aaid": "0b6f3c2a-8e1d-4f7a-9b5c-2d4e6f8a1c3e",
    "udid": "e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091",
    "latitude": "31.230416",
    "longitude": "121.473701",
    "accuracy": "12.5",
    "lte_ci": "52435711",
    "lte_tac": "12345",
    "lte_pci": "301",
    "gsm_lac": "4096",
    "gsm_cid": "28731",
    "clipboard": "DEMO-INVITE-7731 https://demoapp.example/i/7731",
    "account_email": "zhangwei.demo@example.com",
    "account_phone": "13912345678",
    "installed_packages": (
        "com.example.demoapp,com.tencent.mm,com.eg.android.AlipayGphone,com.ss.android.ugc.aweme,"
        "com.taobao.taobao,com.sina.weibo,com.android.settings"
    ),
    "running_processes": "com.example.demoapp,com.tencent.mm,com.android.systemui",
    "model": "22101316C",
    "brand": "Redmi",
    "manufacturer": "Xiaomi",
    "fingerprint": "Redmi/sunstone/sunstone:13/TKQ1.221013.002/V14.0.6.0.TMRCNXM:user/release-keys",
    "os_version": "13",
    "sim_country_iso": "cn",
    "network_type": "LTE",
    "contact_name": "李雷",
    "contact_phone": "13800001111",
    "sms_address": "10086",
    "sms_body": "您的验证码是 482913",
    "call_number": "13800002222",
    "calendar_title": "Dentist 牙医",
    "media_path": "/storage/emulated/0/DCIM/Camera/IMG_20240501_101010.jpg",
}

#: How many times :func:`build_standin` actually ran javac in this process (tests check caching).
compile_count = 0


class StandinBuildError(RuntimeError):
    """javac, java or keytool is missing or failed; the message says what to do."""


# --------------------------------------------------------------------------------- tools


def _tool(name: str) -> str:
    """The absolute, symlink-free path of a JDK tool on PATH (Frida's spawn needs an absolute path)."""
    found = shutil.which(name)
    if found is None:
        raise StandinBuildError(f"{name} not found on PATH: install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless)")
    return os.path.realpath(found)


def java_executable() -> str:
    """The absolute path of ``java`` (symlinks resolved)."""
    return _tool("java")


def javac_executable() -> str:
    """The absolute path of ``javac`` (symlinks resolved)."""
    return _tool("javac")


# --------------------------------------------------------------------------------- build


def source_files(src_dir: Path = SRC_DIR) -> list[Path]:
    """Every ``.java`` file under ``src_dir``, sorted by relative path."""
    return sorted(src_dir.rglob("*.java"), key=lambda p: p.relative_to(src_dir).as_posix())


def sources_hash(src_dir: Path = SRC_DIR) -> str:
    """SHA-256 over the relative paths and contents of the sources and the javac release."""
    h = hashlib.sha256(f"release={JAVA_RELEASE}\n".encode())
    extra = [NATIVE_SRC, *APP_LIBRARIES] if src_dir == SRC_DIR else []
    for path in [*source_files(src_dir), *extra]:
        rel = (path.relative_to(src_dir) if path.is_relative_to(src_dir) else path).as_posix().encode()
        data = path.read_bytes() if path.exists() else b"<missing>"
        h.update(len(rel).to_bytes(4, "big") + rel + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def build_standin(force: bool = False) -> Path:
    """Compile the stand-in if its sources changed (or ``force``); return the framework classpath directory.

    The one javac run is split by package into the framework (the JVM class path), the APK, the
    packed APK (shell + encrypted payload), the plugin jar; gcc builds the native library.
    Concurrent callers (e.g. parallel test workers) serialise on a lock file; the new build is
    made in a temporary directory and renamed into place, so a reader never sees half a build.
    """
    global compile_count
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    with open(LOCK_FILE, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        digest = sources_hash()
        stored = HASH_FILE.read_text().strip() if HASH_FILE.exists() else ""
        if not force and stored == digest and CLASSES_DIR.is_dir():
            return CLASSES_DIR
        sources = source_files()
        if not sources:
            raise StandinBuildError(f"no Java sources under {SRC_DIR}")
        missing = [str(p) for p in APP_LIBRARIES if not p.is_file()]
        if missing:
            raise StandinBuildError(f"{', '.join(missing)} missing: install Debian's libokhttp-java and libokio-java (scripts/setup.sh does)")
        tmp = Path(tempfile.mkdtemp(prefix="out.", dir=BUILD_DIR))
        try:
            argfile = tmp / "sources.txt"
            argfile.write_text("\n".join(f'"{p.as_posix()}"' for p in sources) + "\n")
            compiled = tmp / "javac"
            cmd = [
                javac_executable(),
                "--release", JAVA_RELEASE,
                "-encoding", "UTF-8",
                "-g",
                "-nowarn",
                "-Xlint:none",
                "-implicit:none",
                "-cp", ":".join(str(p) for p in APP_LIBRARIES),
                "-d", str(compiled),
                f"@{argfile}",
            ]  # fmt: skip
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                raise StandinBuildError(f"javac failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
            _split(compiled, tmp / "new")
            _build_native(tmp / "new" / "lib")
            HASH_FILE.unlink(missing_ok=True)
            # swap by renames: a JVM still running from the old build finds a build at every moment
            if OUT_DIR.exists():
                OUT_DIR.rename(tmp / "old")
            (tmp / "new").rename(OUT_DIR)
            HASH_FILE.write_text(digest + "\n")
            compile_count += 1
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return CLASSES_DIR


def _split(compiled: Path, out: Path) -> None:
    """Sort class files into framework, APK, packed APK, plugin jar; write manifests and the payload."""
    framework, apk, shell = out / "classes", out / "apk", out / "packed"
    plugin: dict[str, bytes] = {}
    for path in sorted(compiled.rglob("*.class")):
        rel = path.relative_to(compiled).as_posix()
        if rel.startswith(PLUGIN_PREFIXES):
            plugin[rel] = path.read_bytes()
            continue
        target = apk if rel.startswith(APP_PREFIXES) else shell if rel.startswith(SHELL_PREFIXES) else framework
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / rel)
    manifest = (
        f"package={PACKAGE}\nactivity.main=com.example.demoapp.MainActivity\n"
        "service.com.igexin.sdk.PushService=:push\n"
        "receiver.com.example.demoapp.BootReceiver=android.intent.action.BOOT_COMPLETED\n"
    )
    (apk / "AndroidManifest.properties").write_text(manifest + "application=com.example.demoapp.DemoApplication\n")
    (shell / "assets").mkdir(parents=True, exist_ok=True)
    (shell / "AndroidManifest.properties").write_text(
        manifest + "application=com.stub.StubApp\npacker.application=com.example.demoapp.DemoApplication\n"
    )
    # the packer's payload: the APK's classes and its libraries in one zip, XOR-encrypted
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as payload:
        for path in sorted(apk.rglob("*.class")):
            payload.writestr(path.relative_to(apk).as_posix(), path.read_bytes())
        for library in APP_LIBRARIES:
            with zipfile.ZipFile(library) as jar:
                for name in jar.namelist():
                    if name.endswith(".class"):
                        payload.writestr(name, jar.read(name))
    (shell / "assets" / "payload.bin").write_bytes(bytes(b ^ PACKER_KEY for b in buffer.getvalue()))
    (out / "plugin").mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out / "plugin" / PLUGIN_JAR.name, "w", zipfile.ZIP_DEFLATED) as jar:
        for rel, data in plugin.items():
            jar.writestr(rel, data)


def _build_native(lib_dir: Path) -> None:
    """gcc the stand-in's native library (fake bionic property API + an SDK's JNI code)."""
    gcc = shutil.which("gcc")
    if gcc is None:
        raise StandinBuildError("gcc not found: install gcc (scripts/setup.sh does)")
    include = Path(java_executable()).resolve().parent.parent / "include"
    lib_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        gcc, "-shared", "-fPIC", "-O1", "-g", "-Wall",
        f"-I{include}", f"-I{include / 'linux'}",
        "-o", str(lib_dir / "libstandin_native.so"), str(NATIVE_SRC), "-lpthread", "-ldl",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise StandinBuildError(f"gcc failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")


# --------------------------------------------------------------------------------- run


def _prop_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def standin_command(
    classpath: Path | str,
    *,
    proxy: tuple[str, int] | None,
    truststore: Path | None,
    scenario: str = "demo",
    extra_props: Mapping[str, object] | None = None,
    variant: str = "apk",
    zygote: bool = False,
) -> list[str]:
    """The argv that runs the stand-in app (``argv[0]`` is an absolute path: Frida's spawn needs it).

    ``proxy`` sets the JVM's ``http(s).proxyHost/Port``; without a proxy the uploads are skipped
    (``standin.network=false``) unless ``extra_props`` says ``standin.network=true`` — the SDK hosts
    are real companies' servers and the fake data must not reach them. ``truststore`` is a PKCS12
    file from :func:`make_truststore`. ``extra_props`` become ``-Dkey=value`` (``standin.*``
    options, see the README, or any JVM property); they come last and win. Never ``-Xint``: Frida
    hangs reverting hooks in the interpreter-only VM.

    ``variant``: ``apk`` (the app and its SDKs in the APK's class loader) or ``packed`` (a packer's
    shell that loads the real code through its own loader after start). ``zygote``: the argv runs
    the stand-in zygote (``zygote.py``), which starts the app's main process and, when the app asks
    the system for it, its ``:push`` process — each a JVM whose argv[0] is the process name, as
    Android's zygote names them. Without it the argv is the main process's JVM alone.
    """
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    out = Path(classpath).resolve().parent
    apk = [out / "packed"] if variant == "packed" else [out / "apk", *APP_LIBRARIES]
    props: dict[str, str] = {
        "file.encoding": "UTF-8",
        "sun.stdout.encoding": "UTF-8",
        "sun.stderr.encoding": "UTF-8",
        "standin.scenario": scenario,
        "standin.apk": ":".join(str(p) for p in apk),
        "standin.plugin": str(out / "plugin" / PLUGIN_JAR.name),
        "standin.native_lib_dir": str(out / "lib"),
        "standin.system_bin": str(SYSTEM_BIN),
    }
    if proxy is not None:
        host, port = proxy
        props |= {
            "http.proxyHost": host,
            "http.proxyPort": str(port),
            "https.proxyHost": host,
            "https.proxyPort": str(port),
        }
    else:
        props["standin.network"] = "false"
    if truststore is not None:
        props |= {
            "javax.net.ssl.trustStore": str(Path(truststore).resolve()),
            "javax.net.ssl.trustStorePassword": TRUSTSTORE_PASSWORD,
            "javax.net.ssl.trustStoreType": "PKCS12",
        }
    socket_path = None
    if zygote:
        socket_path = Path(tempfile.gettempdir()) / f"standin-zygote-{uuid.uuid4().hex[:12]}.sock"
        props["standin.zygote"] = str(socket_path)
    for key, value in (extra_props or {}).items():
        props[key] = _prop_value(value)
    if "standin.display" in props:
        props["java.awt.headless"] = "true"  # screens are drawn off-screen with Java's imaging (no X server)
    jvm = [
        java_executable(),
        "-cp",
        str(Path(classpath).resolve()),
        *(f"-D{k}={v}" for k, v in props.items()),
        MAIN_CLASS,
    ]
    if socket_path is None:
        return jvm
    python = os.path.realpath(sys.executable)
    return [python, str(ZYGOTE), "--socket", str(socket_path), "--package", PACKAGE, "--", *jvm]


def introspection_classpath(classpath: Path | str) -> str:
    """Framework, APK, its libraries and the plugin on one class path: for javap and Introspect only
    (the app itself never runs this way: its code is loaded by the APK's class loader)."""
    out = Path(classpath).resolve().parent
    parts = [out / "classes", out / "apk", *APP_LIBRARIES, out / "plugin" / PLUGIN_JAR.name, out / "packed"]
    return ":".join(str(p) for p in parts)


def make_truststore(ca_pem: Path, out: Path) -> Path:
    """Write a PKCS12 trust store holding the certificate(s) of ``ca_pem`` to ``out``; return ``out``.

    ``ca_pem`` may be ``mitmproxy-ca-cert.pem`` or ``mitmproxy-ca.pem`` (key + certificate: only
    the certificate blocks are imported). The password is :data:`TRUSTSTORE_PASSWORD`.
    """
    text = Path(ca_pem).read_text()
    blocks = re.findall(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", text, re.S)
    if not blocks:
        raise StandinBuildError(f"{ca_pem}: no PEM certificate in it (expected the mitmproxy CA certificate)")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    keytool = _tool("keytool")
    with tempfile.TemporaryDirectory() as tmp:
        for i, block in enumerate(blocks):
            cert = Path(tmp) / f"ca{i}.pem"
            cert.write_text(block + "\n")
            cmd = [
                keytool, "-importcert", "-noprompt",
                "-storetype", "PKCS12",
                "-keystore", str(out),
                "-storepass", TRUSTSTORE_PASSWORD,
                "-alias", "mitmproxy" if i == 0 else f"mitmproxy-{i}",
                "-file", str(cert),
            ]  # fmt: skip
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                raise StandinBuildError(f"keytool failed ({proc.returncode}): {proc.stdout}{proc.stderr}")
    return out


class DirectTlsServer:
    """The far end of Alipay's direct, pinned channel (``DirectChannel``): a TLS server on 127.0.0.1
    for ``mobilegw.alipay.com`` that answers every HTTP/1.1 POST with 200. The proxy never sees this
    traffic; only the hooks on the TLS write path do. Use as a context manager; :meth:`props` gives
    the stand-in's ``standin.direct_tls`` and ``standin.direct_tls_pin``; ``received`` the bodies.

    >>> with DirectTlsServer() as server:                      # doctest: +SKIP
    ...     argv = standin_command(cp, proxy=..., extra_props=server.props())
    """

    HOST = "mobilegw.alipay.com"

    def __init__(self) -> None:
        import base64
        import datetime
        import ssl
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.HOST)])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(self.HOST)]), critical=False)
            .sign(key, hashes.SHA256())
        )  # fmt: skip
        spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.pin = "sha256/" + base64.b64encode(hashlib.sha256(spki).digest()).decode()
        self._dir = Path(tempfile.mkdtemp(prefix="standin-direct-"))
        (self._dir / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (self._dir / "key.pem").write_bytes(
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
        received: list[bytes] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                received.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                self.send_response(200)
                self.send_header("Content-Length", "11")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(b'{"ok":true}')

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self._dir / "cert.pem", self._dir / "key.pem")
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="standin-direct-tls", daemon=True)

    def props(self) -> dict[str, str]:
        """The stand-in's properties that point Alipay's direct channel here."""
        return {"standin.direct_tls": f"127.0.0.1:{self.port}", "standin.direct_tls_pin": self.pin}

    def __enter__(self) -> DirectTlsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        shutil.rmtree(self._dir, ignore_errors=True)


# --------------------------------------------------------------------------------- log


@dataclass(frozen=True)
class LogLine:
    """One line of the stand-in's stdout log: ``<epoch.ms> [<thread>] <KIND> key=value ...``."""

    time: float
    thread: str
    kind: str
    fields: dict[str, str] = field(default_factory=dict)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.fields.get(key, default)


_LINE = re.compile(r"^(\d+\.\d{3}) \[([^\]]*)\] ([A-Z_]+)(.*)$")
_FIELD = re.compile(r' ([A-Za-z_][\w.]*)=("(?:[^"\\]|\\.)*"|\S*)')


def parse_log_line(line: str) -> LogLine | None:
    """Parse one log line; None for anything else (e.g. a JVM warning)."""
    m = _LINE.match(line.rstrip("\r\n"))
    if m is None:
        return None
    fields: dict[str, str] = {}
    for key, raw in _FIELD.findall(m.group(4)):
        fields[key] = json.loads(raw) if raw.startswith('"') else raw
    return LogLine(float(m.group(1)), m.group(2), m.group(3), fields)


def parse_log(text: str) -> list[LogLine]:
    """Parse the stand-in's stdout into :class:`LogLine` objects, skipping foreign lines."""
    return [p for p in map(parse_log_line, text.splitlines()) if p is not None]


# --------------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build (and optionally run) the stand-in Android app.")
    parser.add_argument("--force", action="store_true", help="recompile even if the sources are unchanged")
    parser.add_argument("--run", metavar="SCENARIO", choices=SCENARIOS, help="run a scenario after building")
    parser.add_argument("--proxy", metavar="HOST:PORT", help="HTTP proxy for the uploads (e.g. mitmdump)")
    parser.add_argument("--truststore", type=Path, help="PKCS12 trust store (see make_truststore)")
    parser.add_argument("--ca", type=Path, help="mitmproxy CA PEM: build a trust store from it")
    parser.add_argument("-D", dest="props", action="append", default=[], metavar="KEY=VALUE", help="extra property")
    args = parser.parse_args(argv)
    try:
        cp = build_standin(force=args.force)
        print(cp)
        if not args.run:
            return 0
        proxy = None
        if args.proxy:
            host, _, port = args.proxy.rpartition(":")
            proxy = (host or "127.0.0.1", int(port))
        truststore = args.truststore
        if args.ca:
            truststore = make_truststore(args.ca, BUILD_DIR / "truststore.p12")
        extra = dict(p.split("=", 1) for p in args.props)
        argv_java = standin_command(cp, proxy=proxy, truststore=truststore, scenario=args.run, extra_props=extra)
        return subprocess.run(argv_java).returncode
    except (StandinBuildError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
