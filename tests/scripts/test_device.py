"""Tests for ``piaudit device setup|doctor`` (scripts/device.py).

The handlers run in-process against ``fake_adb/adb``, a stand-in that simulates an
Android 11 or Android 14 emulator and records every call. Pure functions are tested
directly; subject_hash_old is checked against the real ``openssl`` and the Android 14
CA script runs under the real ``sh`` with stub device tools.
"""

import argparse
import ast
import datetime
import io
import json
import lzma
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from piaudit.scripts import device

FAKE_ADB = Path(__file__).parent / "fake_adb" / "adb"
FAKE_ADB_DATA = Path(__file__).parent / "fake_adb" / "outputs"
REPO = Path(__file__).resolve().parents[2]
SERIAL = "emulator-5554"
FRIDA_VERSION = device.installed_frida_version()
assert FRIDA_VERSION is not None, "the frida package is a piaudit dependency"
CA_NAME = "c8750f0d.0"  # subject_hash_old of every mitmproxy CA (CN=mitmproxy, O=mitmproxy)
ELF_MACHINES = {"x86_64": 62, "arm64": 183, "x86": 3, "arm": 40}


# --------------------------------------------------------------------------- helpers and fixtures


def make_frida_server(path: Path, arch: str = "x86_64", version: str = FRIDA_VERSION) -> Path:
    """A small file shaped like frida-server: an ELF header for ``arch`` and the version string inside."""
    elf_class = b"\x02" if arch in ("x86_64", "arm64") else b"\x01"
    header = b"\x7fELF" + elf_class + b"\x01\x01" + bytes(9) + (3).to_bytes(2, "little")
    header += ELF_MACHINES[arch].to_bytes(2, "little") + bytes(44)
    path.write_bytes(header + bytes(200) + b"frida-server\x00" + version.encode() + b"\x00" + bytes(64))
    return path


def make_certificate(subject: x509.Name) -> x509.Certificate:
    """A self-signed certificate with this subject."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


@pytest.fixture(scope="session")
def confdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mitmproxy conf dir with a CA made by mitmproxy itself."""
    from mitmproxy import certs

    folder = tmp_path_factory.mktemp("mitmproxy")
    certs.CertStore.from_store(folder, "mitmproxy", 2048)
    assert (folder / device.CA_CERT_FILE).is_file()
    return folder


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """frida-server start/stop polls without sleeping (the fake adb answers at once; a real device needs the waits)."""
    monkeypatch.setattr(device, "WAITS", device.Waits(attempts=3, interval=0))


class FakeAdb:
    """The fake adb on PATH, its state file and its call log."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch, scenario: str) -> None:
        self.folder = folder
        bin_dir = folder / "bin"
        bin_dir.mkdir(parents=True)
        shutil.copy(FAKE_ADB, bin_dir / "adb")
        (bin_dir / "adb").chmod(0o755)
        # The fake's shebang is `/usr/bin/env python3`: make that this Python, started without site
        # (-I -S), which the fake does not need; it starts once per adb call.
        python = bin_dir / "python3"
        python.write_text(f'#!/bin/sh\nexec {shlex.quote(os.path.realpath(sys.executable))} -I -S "$@"\n')
        python.chmod(0o755)
        self.state_file = folder / "device" / "state.txt"
        self.state_file.parent.mkdir()
        self.log = folder / "adb-calls.txt"
        self.log.touch()
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        monkeypatch.setenv("FAKE_ADB_STATE", str(self.state_file))
        monkeypatch.setenv("FAKE_ADB_LOG", str(self.log))
        monkeypatch.setenv("FAKE_ADB_DATA", str(FAKE_ADB_DATA))
        messages = folder / "messages.txt"
        messages.write_text(repr(json.loads((FAKE_ADB_DATA / "messages.json").read_text())))
        monkeypatch.setenv("FAKE_ADB_MESSAGES", str(messages))
        self.save(
            {
                "scenario": scenario,
                "devices": [[SERIAL, "device"]],
                "failures": [],
                "props": {},
                "root": False,
                "remounted": False,
                "files": {},
                "settings": {},
                "reverse": [],
                "frida_pid": None,
            }
        )

    def load(self) -> dict:
        return ast.literal_eval(self.state_file.read_text())

    def save(self, state: dict) -> None:
        self.state_file.write_text(repr(state))

    def set(self, **changes: object) -> None:
        """Change the simulated device, e.g. ``set(failures=["no_root"])``."""
        self.save(self.load() | changes)

    def set_prop(self, **props: str) -> None:
        state = self.load()
        state["props"].update({key.replace("_", "."): value for key, value in props.items()})
        self.save(state)

    def calls(self) -> list[list[str]]:
        """Every adb call so far, arguments only."""
        return [ast.literal_eval(line) for line in self.log.read_text().splitlines()]

    def clear_log(self) -> None:
        self.log.write_text("")

    def device_file(self, path: str) -> bytes:
        entry = self.load()["files"][path]
        return (self.state_file.parent / "device-files" / entry["copy"]).read_bytes()

    def replace_device_file(self, path: str, source: Path) -> None:
        """Put ``source``'s bytes at ``path`` on the device, keeping its mode."""
        entry = self.load()["files"][path]
        shutil.copyfile(source, self.state_file.parent / "device-files" / entry["copy"])


@pytest.fixture
def android11(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeAdb:
    return FakeAdb(tmp_path, monkeypatch, "android11")


@pytest.fixture
def android14(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeAdb:
    return FakeAdb(tmp_path, monkeypatch, "android14")


@pytest.fixture(params=["android11", "android14"])
def emulator(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeAdb:
    return FakeAdb(tmp_path, monkeypatch, request.param)


@pytest.fixture
def frida_server(tmp_path: Path) -> Path:
    return make_frida_server(tmp_path / f"frida-server-{FRIDA_VERSION}-android-x86_64")


def cli(*argv: str) -> tuple[int, str]:
    """Parse ``piaudit device ARGV`` with the real parser and run its handler in-process."""
    parser = argparse.ArgumentParser(prog="piaudit")
    device.add_device_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["device", *argv])
    out = io.StringIO()
    code = args.handler(args, out=out)
    return code, out.getvalue()


def setup_argv(confdir: Path, frida_server: Path | None = None, *extra: str) -> list[str]:
    argv = ["setup", "--confdir", str(confdir), *extra]
    if frida_server is not None:
        argv += ["--frida-server", str(frida_server)]
    return argv


def shell(command: str) -> list[str]:
    return ["-s", SERIAL, "shell", command]


def on_device(*args: str) -> list[str]:
    return ["-s", SERIAL, *args]


CHANGING_COMMANDS = ("root", "remount", "push", "wait-for-device")


def changes_device(call: list[str]) -> bool:
    """Whether an adb call can change the device (doctor must send none of these)."""
    args = call[2:] if call[:1] == ["-s"] else call
    if args[0] in CHANGING_COMMANDS or (args[0] == "reverse" and args[1:] != ["--list"]):
        return True
    command = " ".join(args[1:]) if args[0] == "shell" else ""
    return re.search(r"settings put|\b(chmod|kill|mount|sh) |install-ca| -D\b", command) is not None


# --------------------------------------------------------------------------- pure functions


SUBJECTS = {
    "mitmproxy CA": x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "mitmproxy"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mitmproxy")]
    ),
    "one CN": x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Example Root CA")]),
    "full DN": x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Berlin"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "Berlin"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Audit e.V."),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Lab"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Audit Lab CA"),
        ]
    ),
    "non-ASCII UTF8String": x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Prüfstelle Datenschutz – Zertifizierungsstelle")]
    ),
    "email (IA5String)": x509.Name(
        [x509.NameAttribute(NameOID.EMAIL_ADDRESS, "ca@example.org"), x509.NameAttribute(NameOID.COMMON_NAME, "Mail CA")]
    ),
    "multi-valued RDN": x509.Name(
        [
            x509.RelativeDistinguishedName(
                [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Org"), x509.NameAttribute(NameOID.COMMON_NAME, "Two in one RDN")]
            )
        ]
    ),
}


@pytest.mark.parametrize("subject", SUBJECTS.values(), ids=SUBJECTS.keys())
def test_subject_hash_old_matches_openssl(subject: x509.Name, tmp_path: Path) -> None:
    certificate = make_certificate(subject)
    pem = tmp_path / "cert.pem"
    pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    openssl = subprocess.run(
        ["openssl", "x509", "-subject_hash_old", "-noout", "-in", str(pem)], capture_output=True, text=True, check=True
    )
    assert device.subject_hash_old(certificate) == openssl.stdout.strip()


def test_mitmproxy_ca_is_named_like_mitmproxy_documents(confdir: Path) -> None:
    ca = device.load_ca(confdir)
    assert ca.device_name == CA_NAME
    assert device.raw_subject(ca.certificate) == ca.certificate.subject.public_bytes()


def test_load_ca_missing_says_to_run_mitmdump(tmp_path: Path) -> None:
    with pytest.raises(device.StepFailed) as failure:
        device.load_ca(tmp_path)
    assert "no mitmproxy CA" in failure.value.problem
    assert "mitmdump" in failure.value.fix


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("List of devices attached\n\n", []),
        ("List of devices attached\nemulator-5554\tdevice\n\n", [("emulator-5554", "device")]),
        (
            "* daemon not running; starting now at tcp:5037\n* daemon started successfully\nList of devices attached\n"
            "emulator-5554\tdevice\nemulator-5556\toffline\n0123456789ABCDEF\tunauthorized\n\n",
            [("emulator-5554", "device"), ("emulator-5556", "offline"), ("0123456789ABCDEF", "unauthorized")],
        ),
        (
            "List of devices attached\n0123456789ABCDEF\tno permissions (missing udev rules? user is in the plugdev group)\n",
            [("0123456789ABCDEF", "no permissions (missing udev rules? user is in the plugdev group)")],
        ),
    ],
)
def test_parse_devices(output: str, expected: list[tuple[str, str]]) -> None:
    assert [(d.serial, d.state) for d in device.parse_devices(output)] == expected


def attached(*pairs: tuple[str, str]) -> list[device.AttachedDevice]:
    return [device.AttachedDevice(serial, state) for serial, state in pairs]


@pytest.mark.parametrize(
    ("devices", "serial", "problem", "fix"),
    [
        ([], None, "no device connected", "Start an emulator"),
        ([("emulator-5554", "unauthorized")], None, "unauthorized", "Allow USB debugging"),
        ([("emulator-5554", "offline")], None, "offline", "adb kill-server"),
        ([("emulator-5554", "device"), ("emulator-5556", "device")], None, "2 devices connected", "--serial emulator-5554"),
        (
            [("emulator-5554", "device")],
            "emulator-5556",
            "device emulator-5556 is not connected; connected: emulator-5554",
            "--serial",
        ),
        ([("R58M", "recovery")], None, "state 'recovery'", "Boot it into Android"),
    ],
)
def test_choose_device_failures(devices: list, serial: str | None, problem: str, fix: str) -> None:
    with pytest.raises(device.StepFailed) as failure:
        device.choose_device(attached(*devices), serial)
    assert problem in failure.value.problem
    assert fix in failure.value.fix


def test_choose_device_picks_the_one_ready_device_among_stale_ones() -> None:
    devices = attached(("emulator-5554", "offline"), ("emulator-5556", "device"))
    assert device.choose_device(devices, None).serial == "emulator-5556"
    assert device.choose_device(devices + attached(("x", "device")), "x").serial == "x"


@pytest.mark.parametrize(
    ("scenario", "release", "sdk", "conscrypt"), [("android11", "11", 30, False), ("android14", "14", 34, True)]
)
def test_parse_getprop_of_recorded_dumps(scenario: str, release: str, sdk: int, conscrypt: bool) -> None:
    properties = device.parse_getprop((FAKE_ADB_DATA / scenario / "getprop.txt").read_text())
    info = device.device_info(SERIAL, properties)
    assert (info.release, info.sdk, info.abi, info.debuggable) == (release, sdk, "x86_64", True)
    assert info.frida_arch == "x86_64"
    assert info.uses_conscrypt_apex is conscrypt
    assert info.ca_store == (device.CONSCRYPT_CA_STORE if conscrypt else device.SYSTEM_CA_STORE)


@pytest.mark.parametrize(
    ("abi", "arch"), [("x86_64", "x86_64"), ("arm64-v8a", "arm64"), ("x86", "x86"), ("armeabi-v7a", "arm"), ("riscv64", None)]
)
def test_frida_arch_for_abi(abi: str, arch: str | None) -> None:
    info = device.DeviceInfo(SERIAL, "14", 34, abi, True, "userdebug")
    assert info.frida_arch == arch
    if arch is None:
        with pytest.raises(device.StepFailed, match="no Android build for ABI riscv64"):
            device.check_abi(info)
    else:
        assert device.check_abi(info).endswith(f"-android-{arch}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:8080", ("127.0.0.1", 8080, True)),
        ("localhost:9000", ("localhost", 9000, True)),
        ("10.0.2.2:8080", ("10.0.2.2", 8080, False)),
    ],
)
def test_parse_proxy(text: str, expected: tuple[str, int, bool]) -> None:
    proxy = device.parse_proxy(text)
    assert (proxy.host, proxy.port, proxy.is_loopback) == expected
    assert str(proxy) == text


@pytest.mark.parametrize("text", ["8080", "host:", ":8080", "host:0", "host:70000", "host:http", "[::1]:8080"])
def test_parse_proxy_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        device.parse_proxy(text)


def test_parse_reverse_list() -> None:
    output = "host-19 tcp:8080 tcp:8080\nUsbFfs tcp:27042 tcp:27042\n\n"
    assert device.parse_reverse_list(output) == {("tcp:8080", "tcp:8080"), ("tcp:27042", "tcp:27042")}


@pytest.mark.parametrize("arch", ELF_MACHINES)
def test_elf_arch_from_header(arch: str, tmp_path: Path) -> None:
    server = make_frida_server(tmp_path / "frida-server", arch)
    assert device.elf_arch(server.read_bytes()[:64]) == arch


def test_elf_arch_of_non_elf_and_unknown_machine() -> None:
    assert device.elf_arch(b"\xfd7zXZ\x00" + bytes(60)) is None
    assert device.elf_arch(b"\x7fELF\x02\x01\x01" + bytes(11) + (243).to_bytes(2, "little")) == "e_machine 243"


@pytest.mark.parametrize(
    ("name", "arch", "version", "device_arch", "problem"),
    [
        (f"frida-server-{FRIDA_VERSION}-android-x86_64", "x86_64", FRIDA_VERSION, "x86_64", None),
        ("frida-server", "x86_64", FRIDA_VERSION, "x86_64", None),
        (
            f"frida-server-{FRIDA_VERSION}-android-x86_64",
            "x86_64",
            FRIDA_VERSION,
            "arm64",
            "built for x86_64, but the device needs arm64",
        ),
        (
            "frida-server-16.5.9-android-x86_64",
            "x86_64",
            "16.5.9",
            "x86_64",
            f"is frida-server 16.5.9, but the frida Python package is {FRIDA_VERSION}",
        ),
        ("frida-server", "x86_64", "16.5.9", "x86_64", f"without the version string {FRIDA_VERSION}"),
        # Named like the right version, but the binary says otherwise: the binary wins.
        (f"frida-server-{FRIDA_VERSION}-android-x86_64", "x86_64", "16.5.9", "x86_64", "without the version string"),
    ],
)
def test_frida_server_problem(name: str, arch: str, version: str, device_arch: str, problem: str | None, tmp_path: Path) -> None:
    server = device.inspect_frida_server(make_frida_server(tmp_path / name, arch, version), FRIDA_VERSION)
    found = device.frida_server_problem(server, FRIDA_VERSION, device_arch)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found.problem
        assert f"frida-server-{FRIDA_VERSION}-android-{device_arch}" in found.fix


def test_version_search_is_anchored(tmp_path: Path) -> None:
    """17.26.2 must not match inside 17.26.27 or 117.26.2."""
    path = make_frida_server(tmp_path / "frida-server", version=FRIDA_VERSION + "7")
    assert not device.inspect_frida_server(path, FRIDA_VERSION).contains_version
    path = make_frida_server(tmp_path / "frida-server", version="1" + FRIDA_VERSION)
    assert not device.inspect_frida_server(path, FRIDA_VERSION).contains_version


def test_not_an_elf_file(tmp_path: Path) -> None:
    page = tmp_path / "frida-server"
    page.write_text("<html>404</html>")
    found = device.frida_server_problem(device.inspect_frida_server(page, FRIDA_VERSION), FRIDA_VERSION, "x86_64")
    assert found is not None and "not an ELF executable" in found.problem
    assert "unxz" in found.fix


def test_unpacked_opens_xz_releases(frida_server: Path, tmp_path: Path) -> None:
    packed = tmp_path / (frida_server.name + ".xz")
    packed.write_bytes(lzma.compress(frida_server.read_bytes()))
    with device.unpacked(packed) as binary:
        assert binary.read_bytes() == frida_server.read_bytes()
        assert binary.name == frida_server.name
    assert not binary.exists()
    with device.unpacked(frida_server) as same:
        assert same == frida_server


def test_wireguard_config_from_text_file_and_key_file(tmp_path: Path) -> None:
    import mitmproxy_rs

    endpoint = device.parse_proxy(device.DEFAULT_WIREGUARD_ENDPOINT)
    printed = "[Interface]\nPrivateKey = abc\n\n[Peer]\nEndpoint = 192.168.1.5:51820"
    assert device.wireguard_client_config(printed, tmp_path, endpoint) == printed
    conf_file = tmp_path / "client.conf"
    conf_file.write_text(printed + "\n")
    assert device.wireguard_client_config(str(conf_file), tmp_path, endpoint) == printed

    keys = {"server_key": mitmproxy_rs.wireguard.genkey(), "client_key": mitmproxy_rs.wireguard.genkey()}
    (tmp_path / "wireguard.conf").write_text(json.dumps(keys))
    config = device.wireguard_client_config(None, tmp_path, endpoint)
    assert f"PrivateKey = {keys['client_key']}" in config
    assert f"PublicKey = {mitmproxy_rs.wireguard.pubkey(keys['server_key'])}" in config
    assert "Endpoint = 10.0.2.2:51820" in config


def test_wireguard_config_missing_explains_where_it_comes_from(tmp_path: Path) -> None:
    with pytest.raises(device.StepFailed) as failure:
        device.wireguard_client_config(None, tmp_path, device.parse_proxy("10.0.2.2:51820"))
    assert "mitmdump --mode wireguard" in failure.value.fix


# --------------------------------------------------------------------------- the Android 14 script


STUBS = {
    "id": 'echo "${STUB_UID:-0}"',
    "pidof": 'echo "100 200"',
    "ps": 'case "$4" in 100) printf "  PID\\n  301\\n  302\\n";; 200) printf "  PID\\n  401\\n";; esac',
    "chcon": 'echo "chcon $*" >> "$STUB_LOG"',
    "chown": 'echo "chown $*" >> "$STUB_LOG"',
    "mount": 'echo "mount $*" >> "$STUB_LOG"',
    # Each pid has its own mount namespace: `ls` of the APEX store inside one finds our CA
    # only after a bind mount inside that same one.
    "nsenter": (
        'echo "nsenter $1" >> "$STUB_LOG"; ns="${1#--mount=/proc/}"; ns="${ns%/ns/mnt}"; shift 2\n'
        'if [ "$1" = ls ]; then [ -e "$STUB_LOG.bound.$ns" ]; exit; fi\n'
        'if [ "$1 $2" = "mount --bind" ]; then touch "$STUB_LOG.bound.$ns"; fi\n'
        'exec "$@"'
    ),
}


def test_android14_script_binds_the_store_in_zygotes_and_apps(tmp_path: Path, confdir: Path) -> None:
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, body in STUBS.items():
        (stubs / name).write_text(f"#!/bin/sh\n{body}\n")
        (stubs / name).chmod(0o755)
    apex, store, work = tmp_path / "apex", tmp_path / "store", tmp_path / "work"
    for folder in (apex, store, work):
        folder.mkdir()
    (apex / "00673b5b.0").write_text("system CA 1")
    (apex / "02756ea4.0").write_text("system CA 2")
    cert = work / CA_NAME
    shutil.copy(confdir / device.CA_CERT_FILE, cert)
    script = tmp_path / device.ANDROID14_SCRIPT_NAME
    script.write_text(device.ANDROID14_CA_SCRIPT)
    log = tmp_path / "calls.log"
    env = os.environ | {
        "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}",
        "PIAUDIT_APEX_STORE": str(apex),
        "PIAUDIT_STORE": str(store),
        "STUB_LOG": str(log),
    }

    result = subprocess.run(["sh", str(script), str(cert)], env=env, capture_output=True, text=True, timeout=10)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"piaudit: {CA_NAME} is in the CA store of zygote and 3 running apps\n"
    assert sorted(p.name for p in store.iterdir()) == ["00673b5b.0", "02756ea4.0", CA_NAME]
    calls = log.read_text().splitlines()
    assert f"mount -t tmpfs tmpfs {store}" in calls
    binds = [calls[i - 1] for i, call in enumerate(calls) if call == f"mount --bind {store} {apex}"]
    assert binds == [f"nsenter --mount=/proc/{pid}/ns/mnt" for pid in (100, 200, 301, 302, 401)]
    assert f"chcon u:object_r:system_file:s0 {store}/00673b5b.0 {store}/02756ea4.0 {store}/{CA_NAME}" in calls
    assert not (work / "cacerts-staging").exists()

    # A second run (setup again on the same boot) binds nowhere new.
    log.write_text("")
    again = subprocess.run(["sh", str(script), str(cert)], env=env, capture_output=True, text=True, timeout=10)
    assert again.returncode == 0, again.stderr
    assert not [call for call in log.read_text().splitlines() if call.startswith("mount --bind")]

    refused = subprocess.run(["sh", str(script), str(cert)], env=env | {"STUB_UID": "2000"}, capture_output=True, text=True)
    assert refused.returncode == 1
    assert refused.stderr == "piaudit: must run as root: run 'adb root' first\n"


# --------------------------------------------------------------------------- the adb runner


def test_adb_missing_from_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, confdir: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(device.AdbError, match="adb is not on PATH"):
        device.Adb.locate()
    code, output = cli("doctor", "--confdir", str(confdir))
    assert code == device.EXIT_CHECK_FAILED
    assert output.startswith("✗ adb: adb is not on PATH\n    fix: Install the Android SDK platform-tools")


def test_adb_timeout_is_reported(tmp_path: Path) -> None:
    slow = tmp_path / "adb"
    slow.write_text("#!/bin/sh\nexec sleep 5\n")
    slow.chmod(0o755)
    with pytest.raises(device.AdbError) as failure:
        device.Adb(str(slow), SERIAL, timeout=0.1).shell("getprop")
    assert failure.value.problem == f"`adb -s {SERIAL} shell getprop` did not finish within 0.1 s"
    assert "adb kill-server" in failure.value.fix


def test_adb_failure_shows_the_command_and_adbs_words(android11: FakeAdb) -> None:
    adb = device.Adb.locate().for_device("emulator-9999")
    with pytest.raises(device.AdbError) as failure:
        adb.shell("id")
    assert failure.value.problem == "`adb -s emulator-9999 shell id` failed (exit 1): adb: device 'emulator-9999' not found"
    assert adb.shell("id", check=False).returncode == 1


def test_fake_adb_on_its_own_reads_messages_json(android14: FakeAdb, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake as a developer would run it by hand: its words straight from outputs/messages.json."""
    monkeypatch.delenv("FAKE_ADB_MESSAGES")
    adb = device.Adb.locate(serial=SERIAL)
    assert adb.run("root").stdout == "restarting adbd as root\n"
    assert adb.shell("getprop ro.build.version.sdk").stdout == "34\n"
    assert android14.calls() == [on_device("root"), shell("getprop ro.build.version.sdk")]


# --------------------------------------------------------------------------- setup


@dataclass
class SetupRun:
    """One `piaudit device setup` run on a fake emulator."""

    fake: FakeAdb
    frida_server: Path
    code: int
    output: str
    calls: list[list[str]]


@pytest.fixture(scope="session")
def setup_runs(tmp_path_factory: pytest.TempPathFactory, confdir: Path) -> dict[str, SetupRun]:
    """Setup with a frida-server on a fresh Android 11 and Android 14 emulator, run once per session.

    The sequence tests read these runs; the ``ready`` fixture copies the emulators they left.
    """
    runs = {}
    for scenario in ("android11", "android14"):
        folder = tmp_path_factory.mktemp(f"setup-{scenario}")
        with pytest.MonkeyPatch.context() as monkeypatch:
            monkeypatch.setattr(device, "WAITS", device.Waits(attempts=3, interval=0))  # the fake adb answers at once: no need to wait as for a real device
            fake = FakeAdb(folder, monkeypatch, scenario)
            frida_file = make_frida_server(folder / f"frida-server-{FRIDA_VERSION}-android-x86_64")
            code, output = cli(*setup_argv(confdir, frida_file))
        runs[scenario] = SetupRun(fake, frida_file, code, output, fake.calls())
    return runs


def expected_setup_android11(confdir: Path, frida_file: Path) -> list[list[str]]:
    ca_target = f"{device.SYSTEM_CA_STORE}/{CA_NAME}"
    return [
        ["devices"],
        shell("getprop"),
        on_device("root"),
        on_device("wait-for-device"),
        on_device("remount"),
        on_device("push", str(confdir / device.CA_CERT_FILE), ca_target),
        shell(f"chmod 644 {ca_target}"),
        shell(f"cat {ca_target}"),
        on_device("reverse", "tcp:8080", "tcp:8080"),
        shell("settings put global http_proxy 127.0.0.1:8080"),
        shell("settings get global http_proxy"),
        shell("pidof frida-server"),
        on_device("push", str(frida_file), "/data/local/tmp/frida-server"),
        shell("chmod 755 /data/local/tmp/frida-server"),
        shell("/data/local/tmp/frida-server -D"),
        shell("pidof frida-server"),
        shell("/data/local/tmp/frida-server --version"),
    ]


def test_setup_android11_sends_exactly_these_commands(setup_runs: dict[str, SetupRun], confdir: Path) -> None:
    run = setup_runs["android11"]
    frida_server = run.frida_server

    assert run.code == device.EXIT_OK, run.output
    assert run.calls == expected_setup_android11(confdir, frida_server)
    assert run.output.splitlines()[:10] == [
        f"✓ adb: {run.fake.folder / 'bin' / 'adb'}",
        f"✓ device: {SERIAL}",
        "✓ Android: Android 11 (API 30), ABI x86_64, userdebug build",
        f"✓ mitmproxy CA: {CA_NAME} from {confdir / device.CA_CERT_FILE}",
        f"✓ frida-server file: {frida_server} is {FRIDA_VERSION} for x86_64",
        "✓ root: adbd restarted as root",
        f"✓ CA installed: {CA_NAME} in /system/etc/security/cacerts",
        "✓ proxy: http_proxy=127.0.0.1:8080 (device port 8080 → this computer via adb reverse); "
        "apps that ignore it need --mode wireguard",
        f"✓ frida-server: {FRIDA_VERSION} running as root (pid 4321)",
        "",
    ]
    # The doctor tests rely on changes_device() to show doctor changes nothing: it must spot every change setup makes.
    expected = expected_setup_android11(confdir, frida_server)
    assert [call for call in run.calls if changes_device(call)] == [expected[i] for i in (2, 3, 4, 5, 6, 8, 9, 12, 13, 14)]
    state = run.fake.load()
    assert state["files"][f"{device.SYSTEM_CA_STORE}/{CA_NAME}"]["mode"] == "644"
    assert run.fake.device_file(f"{device.SYSTEM_CA_STORE}/{CA_NAME}") == (confdir / device.CA_CERT_FILE).read_bytes()
    assert state["settings"]["http_proxy"] == "127.0.0.1:8080"
    assert state["reverse"] == [["tcp:8080", "tcp:8080"]]


def test_setup_android14_sends_exactly_these_commands(setup_runs: dict[str, SetupRun], confdir: Path) -> None:
    run = setup_runs["android14"]
    frida_server, output = run.frida_server, run.output

    assert run.code == device.EXIT_OK, output
    calls = run.calls
    script_push = calls[5]
    assert script_push[:3] == on_device("push") and Path(script_push[3]).name == device.ANDROID14_SCRIPT_NAME
    work = device.DEVICE_WORK_DIR
    assert calls[:5] + calls[6:] == [
        ["devices"],
        shell("getprop"),
        on_device("root"),
        on_device("wait-for-device"),
        on_device("push", str(confdir / device.CA_CERT_FILE), f"{work}/{CA_NAME}"),
        # (push of the script, checked above)
        shell(f"sh {work}/install-ca-android14.sh {work}/{CA_NAME}"),
        shell(f"nsenter --mount=/proc/$(pidof zygote64 || pidof zygote)/ns/mnt -- cat {device.CONSCRYPT_CA_STORE}/{CA_NAME}"),
        on_device("reverse", "tcp:8080", "tcp:8080"),
        shell("settings put global http_proxy 127.0.0.1:8080"),
        shell("settings get global http_proxy"),
        shell("pidof frida-server"),
        on_device("push", str(frida_server), "/data/local/tmp/frida-server"),
        shell("chmod 755 /data/local/tmp/frida-server"),
        shell("/data/local/tmp/frida-server -D"),
        shell("pidof frida-server"),
        shell("/data/local/tmp/frida-server --version"),
    ]
    assert script_push[4] == f"{work}/{device.ANDROID14_SCRIPT_NAME}"
    assert run.fake.device_file(script_push[4]).decode() == device.ANDROID14_CA_SCRIPT
    assert not Path(script_push[3]).exists(), "the temporary script is removed"
    assert f"✓ CA installed: {CA_NAME} in /apex/com.android.conscrypt/cacerts (until the next reboot)" in output
    assert "remount" not in json.dumps(calls)


@pytest.mark.parametrize("emulator", ["android11"], indirect=True)
def test_setup_again_with_the_xz_release_restarts_frida_server(ready: FakeAdb, confdir: Path, frida_server: Path) -> None:
    packed = frida_server.with_name(frida_server.name + ".xz")
    packed.write_bytes(lzma.compress(frida_server.read_bytes()))

    code, output = cli(*setup_argv(confdir, packed))

    assert code == device.EXIT_OK, output
    assert "✓ root: adbd already runs as root" in output
    calls = ready.calls()
    assert on_device("wait-for-device") not in calls
    kill = calls.index(shell("kill 4321"))
    assert calls[kill - 1] == shell("pidof frida-server")
    push = calls[kill + 2]
    assert push[:3] == on_device("push") and push[4] == device.FRIDA_SERVER_PATH
    assert Path(push[3]).name == frida_server.name, "the unpacked file is pushed"
    assert not Path(push[3]).exists(), "and removed afterwards"
    assert ready.device_file(device.FRIDA_SERVER_PATH) == frida_server.read_bytes()


def test_setup_without_frida_server_and_proxy_on_another_host(android14: FakeAdb, confdir: Path) -> None:
    code, output = cli(*setup_argv(confdir), "--proxy", "10.0.2.2:8081")
    assert code == device.EXIT_OK, output
    assert "- frida-server: not installed (no --frida-server FILE given)" in output
    assert not [call for call in android14.calls() if "frida-server" in " ".join(call)]
    # The emulator reaches 10.0.2.2 itself: no adb reverse tunnel.
    assert "✓ proxy: http_proxy=10.0.2.2:8081; apps that ignore it need --mode wireguard" in output
    assert shell("settings put global http_proxy 10.0.2.2:8081") in android14.calls()
    assert not [call for call in android14.calls() if "reverse" in call]


def test_setup_wireguard_prints_config_and_clears_the_proxy(android14: FakeAdb, confdir: Path, tmp_path: Path) -> None:
    android14.set(settings={"http_proxy": "127.0.0.1:8080"})
    printed = "[Interface]\nPrivateKey = kEy=\nAddress = 10.0.0.1/32\n\n[Peer]\nEndpoint = 10.0.2.2:51820"

    code, output = cli(*setup_argv(confdir), "--mode", "wireguard", "--wireguard-config", printed)

    assert code == device.EXIT_OK, output
    assert "✓ proxy setting: cleared http_proxy (was 127.0.0.1:8080) so traffic goes through the tunnel" in output
    assert "    [Interface]\n    PrivateKey = kEy=\n" in output
    assert "mitmdump --mode wireguard" in output
    assert android14.load()["settings"]["http_proxy"] == ":0"
    assert not [call for call in android14.calls() if "reverse" in call]


def test_setup_wireguard_without_config_stops_before_changing_the_device(android11: FakeAdb, confdir: Path) -> None:
    code, output = cli(*setup_argv(confdir), "--mode", "wireguard")
    assert code == device.EXIT_CHECK_FAILED
    assert f"✗ WireGuard config: no WireGuard configuration at {confdir / 'wireguard.conf'}" in output
    assert not [call for call in android11.calls() if changes_device(call)]


# --------------------------------------------------------------------------- setup failures


@pytest.mark.parametrize(
    ("devices", "daemon_started", "expected"),
    [
        ([], True, "✗ device: no device connected (`adb devices` lists none)"),
        ([], False, "✗ device: no device connected (`adb devices` lists none)"),
        ([[SERIAL, "unauthorized"]], True, f"✗ device: {SERIAL} is unauthorized"),
        ([[SERIAL, "offline"]], True, f"✗ device: {SERIAL} is offline"),
        (
            [[SERIAL, "device"], ["emulator-5556", "device"]],
            True,
            f"✗ device: 2 devices connected: {SERIAL} (device), emulator-5556 (device)",
        ),
    ],
    ids=["no device", "no device, adb server starting", "unauthorized", "offline", "several devices without --serial"],
)
def test_setup_device_problems(android11: FakeAdb, confdir: Path, devices: list, daemon_started: bool, expected: str) -> None:
    android11.set(devices=devices, daemon_started=daemon_started)
    code, output = cli(*setup_argv(confdir))
    assert code == device.EXIT_CHECK_FAILED
    assert expected in output
    assert "    fix: " in output
    assert output.rstrip().endswith("setup stopped: fix the ✗ above, then run `piaudit device setup` again.")
    assert android11.calls() == [["devices"]]


def test_setup_with_serial_among_several(android11: FakeAdb, confdir: Path) -> None:
    android11.set(devices=[["emulator-5556", "device"], [SERIAL, "device"]])
    code, output = cli(*setup_argv(confdir), "--serial", SERIAL)
    assert code == device.EXIT_OK, output
    assert all(call[:2] == ["-s", SERIAL] for call in android11.calls()[1:])


def test_setup_serial_not_connected(android11: FakeAdb, confdir: Path) -> None:
    code, output = cli(*setup_argv(confdir), "--serial", "emulator-5558")
    assert code == device.EXIT_CHECK_FAILED
    assert f"✗ device: device emulator-5558 is not connected; connected: {SERIAL} (device)" in output


def test_setup_no_root_on_production_build(emulator: FakeAdb, confdir: Path, frida_server: Path) -> None:
    emulator.set(failures=["no_root"])
    code, output = cli(*setup_argv(confdir, frida_server))
    assert code == device.EXIT_CHECK_FAILED
    assert "✗ root: `adb root` refused: adbd cannot run as root in production builds" in output
    assert "'Google APIs' system image" in output
    assert emulator.calls()[-1] == on_device("root"), "nothing after root"


def test_setup_remount_failure(android11: FakeAdb, confdir: Path) -> None:
    android11.set(failures=["remount_failure"])
    code, output = cli(*setup_argv(confdir))
    assert code == device.EXIT_CHECK_FAILED
    assert (
        "✗ CA installed: `adb remount` failed: remount failed\n"
        "failed to remount partition dev:/dev/block/dm-0 mnt:/: Permission denied\n"
        "    fix: Start the emulator with a writable system: `emulator -avd NAME -writable-system`"
    ) in output
    assert android11.calls()[-1] == on_device("remount")


def test_setup_remount_needs_reboot(android11: FakeAdb, confdir: Path) -> None:
    android11.set(failures=["remount_needs_reboot"])
    code, output = cli(*setup_argv(confdir))
    assert code == device.EXIT_CHECK_FAILED
    assert "takes effect after a reboot" in output
    assert "Run `adb reboot`" in output


def test_setup_frida_version_mismatch_changes_nothing(emulator: FakeAdb, confdir: Path, tmp_path: Path) -> None:
    old = make_frida_server(tmp_path / "frida-server-16.5.9-android-x86_64", version="16.5.9")
    code, output = cli(*setup_argv(confdir, old))
    assert code == device.EXIT_CHECK_FAILED
    assert f"✗ frida-server file: {old} is frida-server 16.5.9, but the frida Python package is {FRIDA_VERSION}" in output
    assert f"Use frida-server-{FRIDA_VERSION}-android-x86_64" in output
    assert emulator.calls() == [["devices"], shell("getprop")]


def test_setup_wrong_abi_changes_nothing(emulator: FakeAdb, confdir: Path, frida_server: Path) -> None:
    emulator.set_prop(ro_product_cpu_abi="arm64-v8a")
    code, output = cli(*setup_argv(confdir, frida_server))
    assert code == device.EXIT_CHECK_FAILED
    assert "✓ Android: " in output and "ABI arm64-v8a" in output
    assert f"✗ frida-server file: {frida_server} is built for x86_64, but the device needs arm64" in output
    assert f"fix: Use frida-server-{FRIDA_VERSION}-android-arm64" in output
    assert emulator.calls() == [["devices"], shell("getprop")]


@pytest.mark.parametrize("emulator", ["android14"], indirect=True)
def test_setup_frida_server_not_running_after_start(emulator: FakeAdb, confdir: Path, frida_server: Path) -> None:
    emulator.set(failures=["frida_not_running"])
    code, output = cli(*setup_argv(confdir, frida_server))
    assert code == device.EXIT_CHECK_FAILED
    assert "✗ frida-server: frida-server exited right after starting" in output
    polls = [shell("pidof frida-server")] * device.WAITS.attempts
    assert emulator.calls()[-1 - len(polls) :] == [shell("/data/local/tmp/frida-server -D"), *polls]


def test_setup_without_mitmproxy_ca(android11: FakeAdb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    code, output = cli("setup")
    assert code == device.EXIT_CHECK_FAILED
    assert f"✗ mitmproxy CA: no mitmproxy CA at {tmp_path / '.mitmproxy' / device.CA_CERT_FILE}" in output
    assert android11.calls() == [["devices"], shell("getprop")]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--frida-server", "/nonexistent/frida-server"], "--frida-server /nonexistent/frida-server: no such file"),
        (["--confdir", "/nonexistent"], "--confdir /nonexistent is not a folder"),
        (["--mode", "wireguard", "--proxy", "127.0.0.1:51820"], "WireGuard uses UDP, which adb reverse cannot carry"),
    ],
)
def test_setup_usage_errors(android11: FakeAdb, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = cli("setup", *argv)
    assert code == device.EXIT_USAGE
    assert output == ""
    assert message in capsys.readouterr().err
    assert android11.calls() == []


def test_setup_bad_proxy_is_an_argparse_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli("setup", "--proxy", "8080")
    assert exit_.value.code == device.EXIT_USAGE
    assert "'8080' is not HOST:PORT" in capsys.readouterr().err


def test_handler_accepts_a_namespace_built_by_other_code(android11: FakeAdb, confdir: Path) -> None:
    """The lead's CLI may build the Namespace itself: plain strings, missing optional attributes."""
    args = argparse.Namespace(serial=None, proxy="bad", confdir=str(confdir))
    assert device.handle_setup(args, out=io.StringIO()) == device.EXIT_USAGE
    assert android11.calls() == []
    android11.set(devices=[])  # past validation, setup starts and stops at the first adb step
    out = io.StringIO()
    assert (
        device.handle_setup(argparse.Namespace(proxy="127.0.0.1:8080", confdir=str(confdir)), out=out) == device.EXIT_CHECK_FAILED
    )
    assert "✗ device: no device connected" in out.getvalue()
    assert device.handle_doctor(argparse.Namespace(), out=out) == device.EXIT_CHECK_FAILED


# --------------------------------------------------------------------------- doctor


@pytest.fixture
def ready(emulator: FakeAdb, setup_runs: dict[str, "SetupRun"]) -> FakeAdb:
    """An emulator after a successful setup (a copy of the session's), with an empty call log."""
    template = setup_runs[emulator.load()["scenario"]].fake.state_file.parent
    shutil.copytree(template, emulator.state_file.parent, dirs_exist_ok=True)
    return emulator


def doctor(confdir: Path, *argv: str) -> tuple[int, str]:
    return cli("doctor", "--confdir", str(confdir), *argv)


def test_doctor_after_setup_is_all_green_and_changes_nothing(ready: FakeAdb, confdir: Path) -> None:
    before = ready.load()
    code, output = doctor(confdir)

    assert code == device.EXIT_OK, output
    assert "✗" not in output
    store = device.CONSCRYPT_CA_STORE if ready.load()["scenario"] == "android14" else device.SYSTEM_CA_STORE
    assert f"✓ CA installed: {store}/{CA_NAME} matches {confdir / device.CA_CERT_FILE}" in output
    assert "✓ proxy: http_proxy=127.0.0.1:8080, reversed to this computer" in output
    assert f"✓ frida-server version: {FRIDA_VERSION}" in output
    assert "✓ frida-server running: pid 4321" in output
    assert output.rstrip().endswith(f"All checks passed: {SERIAL} is ready for an audit.")
    assert not [call for call in ready.calls() if changes_device(call)]
    assert ready.load() == before


def test_doctor_on_a_fresh_emulator_lists_every_problem(emulator: FakeAdb, confdir: Path) -> None:
    code, output = doctor(confdir)
    assert code == device.EXIT_CHECK_FAILED
    assert "✓ root: available (adbd runs as shell now; `piaudit device setup` runs `adb root`)" in output
    if emulator.load()["scenario"] == "android14":
        assert "✗ CA installed: cannot look into apps' CA store (/apex/com.android.conscrypt/cacerts) without root" in output
    else:
        assert f"✗ CA installed: {device.SYSTEM_CA_STORE}/{CA_NAME} is missing" in output
    assert "✗ proxy: http_proxy is not set, expected 127.0.0.1:8080: apps connect directly" in output
    assert "✗ frida-server version: there is no frida-server at /data/local/tmp/frida-server" in output
    assert "✗ frida-server running: frida-server is not running" in output
    assert "4 problems: fix the ✗ lines above" in output
    assert not [call for call in emulator.calls() if changes_device(call)]


def test_doctor_ca_not_present(ready: FakeAdb, confdir: Path) -> None:
    state = ready.load()
    if state["scenario"] == "android14":
        state["conscrypt_bound"] = False  # what a reboot does
    else:
        del state["files"][f"{device.SYSTEM_CA_STORE}/{CA_NAME}"]
    ready.save(state)
    code, output = doctor(confdir)
    assert code == device.EXIT_CHECK_FAILED
    assert f"{CA_NAME} is missing: apps will reject mitmproxy's certificates" in output
    if state["scenario"] == "android14":
        assert "lasts until the next reboot, so after every boot" in output
    assert "1 problem:" in output


@pytest.mark.parametrize("emulator", ["android14"], indirect=True)
def test_doctor_ca_regenerated_on_this_computer(ready: FakeAdb, tmp_path: Path) -> None:
    from mitmproxy import certs

    new_confdir = tmp_path / "new-mitmproxy"
    certs.CertStore.from_store(new_confdir, "mitmproxy", 1024)
    code, output = doctor(new_confdir)
    assert code == device.EXIT_CHECK_FAILED
    assert f"is a different CA than {new_confdir / device.CA_CERT_FILE} (mitmproxy's CA was regenerated?)" in output


@pytest.mark.parametrize("emulator", ["android11"], indirect=True)
def test_doctor_proxy_not_set(ready: FakeAdb, confdir: Path) -> None:
    ready.set(settings={"http_proxy": ":0"})
    code, output = doctor(confdir)
    assert code == device.EXIT_CHECK_FAILED
    assert "✗ proxy: http_proxy is not set, expected 127.0.0.1:8080: apps connect directly" in output
    assert "fix: Run `piaudit device setup --proxy 127.0.0.1:8080`" in output


@pytest.mark.parametrize("emulator", ["android11"], indirect=True)
def test_doctor_proxy_other_address_and_lost_reverse(ready: FakeAdb, confdir: Path) -> None:
    code, output = doctor(confdir, "--proxy", "10.0.2.2:8080")
    assert "✗ proxy: http_proxy is 127.0.0.1:8080, expected 10.0.2.2:8080" in output
    ready.set(reverse=[])
    code, output = doctor(confdir)
    assert code == device.EXIT_CHECK_FAILED
    assert "✗ proxy: http_proxy is 127.0.0.1:8080 but there is no `adb reverse` for port 8080" in output
    assert "fix: Run `adb reverse tcp:8080 tcp:8080`" in output


@pytest.mark.parametrize("emulator", ["android14"], indirect=True)
def test_doctor_wireguard_mode_wants_no_proxy(ready: FakeAdb, confdir: Path) -> None:
    code, output = doctor(confdir, "--mode", "wireguard")
    assert code == device.EXIT_CHECK_FAILED
    assert "✗ proxy setting: http_proxy is still 127.0.0.1:8080: apps that honour it bypass the WireGuard tunnel" in output
    ready.set(settings={"http_proxy": ":0"})
    code, output = doctor(confdir, "--mode", "wireguard")
    assert code == device.EXIT_OK, output


@pytest.mark.parametrize("emulator", ["android11"], indirect=True)
def test_doctor_frida_server_version_mismatch_and_not_running(ready: FakeAdb, confdir: Path, tmp_path: Path) -> None:
    ready.replace_device_file(device.FRIDA_SERVER_PATH, make_frida_server(tmp_path / "old", version="16.5.9"))
    ready.set(frida_pid=None)
    code, output = doctor(confdir)
    assert code == device.EXIT_CHECK_FAILED
    assert (
        f"✗ frida-server version: frida-server on the device is 16.5.9, but the frida Python package is {FRIDA_VERSION}" in output
    )
    assert f"fix: Run `piaudit device setup --frida-server frida-server-{FRIDA_VERSION}-android-x86_64`" in output
    assert "✗ frida-server running: frida-server is not running" in output
    assert "adb shell /data/local/tmp/frida-server -D" in output
    assert "2 problems:" in output


@pytest.mark.parametrize("emulator", ["android14"], indirect=True)
def test_doctor_frida_server_for_another_abi(ready: FakeAdb, confdir: Path) -> None:
    ready.set_prop(ro_product_cpu_abi="arm64-v8a")
    code, output = doctor(confdir)
    assert code == device.EXIT_CHECK_FAILED
    assert f"✓ ABI: arm64-v8a: use frida-server-{FRIDA_VERSION}-android-arm64" in output
    assert (
        "✗ frida-server version: frida-server at /data/local/tmp/frida-server is built for another CPU: "
        "/system/bin/sh: /data/local/tmp/frida-server: not executable: 64-bit ELF file"
    ) in output
    assert f"--frida-server frida-server-{FRIDA_VERSION}-android-arm64" in output


def test_doctor_no_root_on_production_build(android11: FakeAdb, confdir: Path) -> None:
    android11.set_prop(ro_debuggable="0", ro_build_type="user")
    code, output = doctor(confdir)
    assert code == device.EXIT_CHECK_FAILED
    assert f"✗ root: no root: {SERIAL} is a user build (ro.debuggable is not 1)" in output
    assert "'Google APIs' system image" in output


@pytest.mark.parametrize(
    ("devices", "expected"),
    [
        ([], "✗ device: no device connected"),
        ([[SERIAL, "unauthorized"]], f"✗ device: {SERIAL} is unauthorized"),
        ([[SERIAL, "device"], ["emulator-5556", "device"]], "✗ device: 2 devices connected"),
    ],
)
def test_doctor_without_a_usable_device(android11: FakeAdb, confdir: Path, devices: list, expected: str) -> None:
    android11.set(devices=devices)
    code, output = doctor(confdir)
    assert code == device.EXIT_CHECK_FAILED
    assert expected in output
    assert "The other checks need a device." in output
    assert android11.calls() == [["devices"]]


# --------------------------------------------------------------------------- the real CLI entry point


def test_piaudit_cli_runs_device_doctor(android11: FakeAdb, confdir: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from scripts.cli import main; sys.exit(main())",
            "device",
            "doctor",
            "--confdir",
            str(confdir),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == device.EXIT_CHECK_FAILED, result.stderr
    assert f"✓ device: {SERIAL}" in result.stdout
    assert "✗ proxy: http_proxy is not set" in result.stdout
