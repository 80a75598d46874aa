"""`piaudit device setup` on a fake Android 11 and Android 14 emulator: what the device holds afterwards."""

from __future__ import annotations

import argparse
import io
import lzma
from pathlib import Path

import pytest

from piaudit.scripts.device import ca, devices, fridaserver
from piaudit.scripts.device.cli import handle_doctor, handle_setup
from piaudit.scripts.usage import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from tests.scripts.device.fake import (
    CA_NAME,
    FRIDA_VERSION,
    SERIAL,
    FakeAdb,
    SetupRun,
    cli,
    device_state,
    make_frida_server,
    setup_argv,
)


@pytest.mark.parametrize("scenario", ["android11", "android14"])
def test_setup_leaves_the_emulator_ready(setup_runs: dict[str, SetupRun], confdir: Path, scenario: str) -> None:
    """Root, the CA where apps read it, traffic through the proxy, the right frida-server running as root."""
    run = setup_runs[scenario]
    assert run.code == EXIT_OK, run.output
    state = run.fake.load()
    assert state["root"] is True
    ca_bytes = (confdir / ca.CA_CERT_FILE).read_bytes()
    system_ca = f"{devices.SYSTEM_CA_STORE}/{CA_NAME}"
    assert run.fake.device_file(system_ca) == ca_bytes and state["files"][system_ca]["mode"] == "644"
    if scenario == "android14":  # the Conscrypt APEX store, bound over in zygote: no remount, gone after a reboot
        assert state["conscrypt_bound"] is True and not state["remounted"]
        script = f"{ca.DEVICE_WORK_DIR}/{ca.ANDROID14_SCRIPT_NAME}"
        assert run.fake.device_file(script).decode() == ca.ANDROID14_CA_SCRIPT
        assert not Path(state["files"][script]["source"]).exists(), "the temporary script is removed here"
    else:
        assert state["remounted"] is True
    assert state["settings"]["http_proxy"] == "127.0.0.1:8080"
    assert state["reverse"] == [["tcp:8080", "tcp:8080"]]
    assert run.fake.device_file(fridaserver.FRIDA_SERVER_PATH) == run.frida_server.read_bytes()
    assert state["files"][fridaserver.FRIDA_SERVER_PATH]["mode"] == "755"
    assert (state["frida_pid"], state["frida_starts"]) == (4321, 1)


def test_setup_says_what_it_did(setup_runs: dict[str, SetupRun], confdir: Path) -> None:
    run = setup_runs["android11"]
    assert run.output.splitlines()[:10] == [
        f"✓ adb: {run.fake.folder / 'bin' / 'adb'}",
        f"✓ device: {SERIAL}",
        "✓ Android: Android 11 (API 30), ABI x86_64, userdebug build",
        f"✓ mitmproxy CA: {CA_NAME} from {confdir / ca.CA_CERT_FILE}",
        f"✓ frida-server file: {run.frida_server} is {FRIDA_VERSION} for x86_64",
        "✓ root: adbd restarted as root",
        f"✓ CA installed: {CA_NAME} in /system/etc/security/cacerts",
        "✓ proxy: http_proxy=127.0.0.1:8080 (device port 8080 → this computer via adb reverse); "
        "apps that ignore it need --mode wireguard",
        f"✓ frida-server: {FRIDA_VERSION} running as root (pid 4321)",
        "",
    ]
    assert (
        f"✓ CA installed: {CA_NAME} in /apex/com.android.conscrypt/cacerts (until the next reboot)"
        in setup_runs["android14"].output
    )


@pytest.mark.parametrize("emulator", ["android11"], indirect=True)
def test_setup_again_with_the_xz_release_restarts_frida_server(ready: FakeAdb, confdir: Path, frida_server: Path) -> None:
    packed = frida_server.with_name(frida_server.name + ".xz")
    packed.write_bytes(lzma.compress(frida_server.read_bytes()))

    code, output = cli(*setup_argv(confdir, packed))

    assert code == EXIT_OK, output
    assert "✓ root: adbd already runs as root" in output
    state = ready.load()
    assert ready.device_file(fridaserver.FRIDA_SERVER_PATH) == frida_server.read_bytes(), "the unpacked binary is on the device"
    pushed = Path(state["files"][fridaserver.FRIDA_SERVER_PATH]["source"])
    assert pushed.name == frida_server.name and not pushed.exists(), "unpacked under its own name, then removed here"
    assert (state["frida_pid"], state["frida_starts"]) == (4321, 2), "the running frida-server was stopped and started again"


def test_setup_without_frida_server_and_proxy_on_another_host(android14: FakeAdb, confdir: Path) -> None:
    code, output = cli(*setup_argv(confdir), "--proxy", "10.0.2.2:8081")
    assert code == EXIT_OK, output
    assert "- frida-server: not installed (no --frida-server FILE given)" in output
    state = android14.load()
    assert fridaserver.FRIDA_SERVER_PATH not in state["files"] and state["frida_pid"] is None
    # The emulator reaches 10.0.2.2 itself: no adb reverse tunnel.
    assert "✓ proxy: http_proxy=10.0.2.2:8081; apps that ignore it need --mode wireguard" in output
    assert state["settings"]["http_proxy"] == "10.0.2.2:8081" and state["reverse"] == []


def test_setup_wireguard_prints_config_and_clears_the_proxy(android14: FakeAdb, confdir: Path, tmp_path: Path) -> None:
    android14.set(settings={"http_proxy": "127.0.0.1:8080"})
    printed = "[Interface]\nPrivateKey = kEy=\nAddress = 10.0.0.1/32\n\n[Peer]\nEndpoint = 10.0.2.2:51820"

    code, output = cli(*setup_argv(confdir), "--mode", "wireguard", "--wireguard-config", printed)

    assert code == EXIT_OK, output
    assert "✓ proxy setting: cleared http_proxy (was 127.0.0.1:8080) so traffic goes through the tunnel" in output
    assert "    [Interface]\n    PrivateKey = kEy=\n" in output
    assert "mitmdump --mode wireguard" in output
    assert android14.load()["settings"]["http_proxy"] == ":0"
    assert android14.load()["reverse"] == []


def test_setup_wireguard_without_config_stops_before_changing_the_device(android11: FakeAdb, confdir: Path) -> None:
    before = device_state(android11)
    code, output = cli(*setup_argv(confdir), "--mode", "wireguard")
    assert code == EXIT_FAIL
    assert f"✗ WireGuard config: no WireGuard configuration at {confdir / 'wireguard.conf'}" in output
    assert device_state(android11) == before


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
    before = device_state(android11)
    code, output = cli(*setup_argv(confdir))
    assert code == EXIT_FAIL
    assert expected in output
    assert "    fix: " in output
    assert output.rstrip().endswith("setup stopped: fix the ✗ above, then run `piaudit device setup` again.")
    assert device_state(android11) == before


def test_setup_with_serial_among_several(android11: FakeAdb, confdir: Path) -> None:
    android11.set(devices=[["emulator-5556", "device"], [SERIAL, "device"]])
    code, output = cli(*setup_argv(confdir), "--serial", SERIAL)
    assert code == EXIT_OK, output
    # one simulated device holds the state: that every call after `adb devices` names the chosen one shows which it was
    assert {tuple(call[:2]) for call in android11.calls() if call != ["devices"]} == {("-s", SERIAL)}


def test_setup_serial_not_connected(android11: FakeAdb, confdir: Path) -> None:
    code, output = cli(*setup_argv(confdir), "--serial", "emulator-5558")
    assert code == EXIT_FAIL
    assert f"✗ device: device emulator-5558 is not connected; connected: {SERIAL} (device)" in output


def test_setup_no_root_on_production_build(emulator: FakeAdb, confdir: Path, frida_server: Path) -> None:
    emulator.set(failures=["no_root"])
    before = device_state(emulator)
    code, output = cli(*setup_argv(confdir, frida_server))
    assert code == EXIT_FAIL
    assert "✗ root: `adb root` refused: adbd cannot run as root in production builds" in output
    assert "'Google APIs' system image" in output
    assert device_state(emulator) == before, "setup stops there: no CA, no proxy, no frida-server"


def test_setup_remount_failure(android11: FakeAdb, confdir: Path) -> None:
    android11.set(failures=["remount_failure"])
    code, output = cli(*setup_argv(confdir, make_frida_server(android11.folder / "frida-server")))
    assert code == EXIT_FAIL
    assert (
        "✗ CA installed: `adb remount` failed: remount failed\n"
        "failed to remount partition dev:/dev/block/dm-0 mnt:/: Permission denied\n"
        "    fix: Start the emulator with a writable system: `emulator -avd NAME -writable-system`"
    ) in output
    state = android11.load()
    assert state["root"] is True and state["files"] == {} and state["settings"] == {} and state["frida_pid"] is None


def test_setup_remount_needs_reboot(android11: FakeAdb, confdir: Path) -> None:
    android11.set(failures=["remount_needs_reboot"])
    code, output = cli(*setup_argv(confdir))
    assert code == EXIT_FAIL
    assert "takes effect after a reboot" in output
    assert "Run `adb reboot`" in output


def test_setup_frida_version_mismatch_changes_nothing(emulator: FakeAdb, confdir: Path, tmp_path: Path) -> None:
    old = make_frida_server(tmp_path / "frida-server-16.5.9-android-x86_64", version="16.5.9")
    before = device_state(emulator)
    code, output = cli(*setup_argv(confdir, old))
    assert code == EXIT_FAIL
    assert f"✗ frida-server file: {old} is frida-server 16.5.9, but the frida Python package is {FRIDA_VERSION}" in output
    assert f"Use frida-server-{FRIDA_VERSION}-android-x86_64" in output
    assert device_state(emulator) == before


def test_setup_wrong_abi_changes_nothing(emulator: FakeAdb, confdir: Path, frida_server: Path) -> None:
    emulator.set_prop(ro_product_cpu_abi="arm64-v8a")
    before = device_state(emulator)
    code, output = cli(*setup_argv(confdir, frida_server))
    assert code == EXIT_FAIL
    assert "✓ Android: " in output and "ABI arm64-v8a" in output
    assert f"✗ frida-server file: {frida_server} is built for x86_64, but the device needs arm64" in output
    assert f"fix: Use frida-server-{FRIDA_VERSION}-android-arm64" in output
    assert device_state(emulator) == before


@pytest.mark.parametrize("emulator", ["android14"], indirect=True)
def test_setup_frida_server_not_running_after_start(emulator: FakeAdb, confdir: Path, frida_server: Path) -> None:
    emulator.set(failures=["frida_not_running"])
    code, output = cli(*setup_argv(confdir, frida_server))
    assert code == EXIT_FAIL
    assert "✗ frida-server: frida-server exited right after starting" in output
    state = emulator.load()
    assert fridaserver.FRIDA_SERVER_PATH in state["files"] and state["frida_pid"] is None


def test_setup_without_mitmproxy_ca(android11: FakeAdb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    before = device_state(android11)
    code, output = cli("setup")
    assert code == EXIT_FAIL
    assert f"✗ mitmproxy CA: no mitmproxy CA at {tmp_path / '.mitmproxy' / ca.CA_CERT_FILE}" in output
    assert device_state(android11) == before


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
    assert code == EXIT_USAGE
    assert output == ""
    assert message in capsys.readouterr().err
    assert android11.calls() == [], "a usage error is found before adb runs at all"


def test_setup_bad_proxy_is_an_argparse_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli("setup", "--proxy", "8080")
    assert exit_.value.code == EXIT_USAGE
    assert "'8080' is not HOST:PORT" in capsys.readouterr().err


def test_handler_accepts_a_namespace_built_by_other_code(android11: FakeAdb, confdir: Path) -> None:
    """The lead's CLI may build the Namespace itself: plain strings, missing optional attributes."""
    args = argparse.Namespace(serial=None, proxy="bad", confdir=str(confdir))
    assert handle_setup(args, out=io.StringIO()) == EXIT_USAGE
    assert android11.calls() == [], "a usage error is found before adb runs at all"
    android11.set(devices=[])  # past validation, setup starts and stops at the first adb step
    out = io.StringIO()
    assert handle_setup(argparse.Namespace(proxy="127.0.0.1:8080", confdir=str(confdir)), out=out) == EXIT_FAIL
    assert "✗ device: no device connected" in out.getvalue()
    assert handle_doctor(argparse.Namespace(), out=out) == EXIT_FAIL
