"""`piaudit device doctor`: every problem is named, nothing on the device changes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from piaudit.scripts.device import ca, devices, fridaserver
from piaudit.scripts.usage import EXIT_FAIL, EXIT_OK
from tests.scripts.device.fake import (
    CA_NAME,
    FRIDA_VERSION,
    SERIAL,
    FakeAdb,
    cli,
    device_state,
    make_frida_server,
)


def doctor(confdir: Path, *argv: str) -> tuple[int, str]:
    return cli("doctor", "--confdir", str(confdir), *argv)


def test_doctor_after_setup_is_all_green_and_changes_nothing(ready: FakeAdb, confdir: Path) -> None:
    before = device_state(ready)
    code, output = doctor(confdir)

    assert code == EXIT_OK, output
    assert "✗" not in output
    store = devices.CONSCRYPT_CA_STORE if ready.load()["scenario"] == "android14" else devices.SYSTEM_CA_STORE
    assert f"✓ CA installed: {store}/{CA_NAME} matches {confdir / ca.CA_CERT_FILE}" in output
    assert "✓ proxy: http_proxy=127.0.0.1:8080, reversed to this computer" in output
    assert f"✓ frida-server version: {FRIDA_VERSION}" in output
    assert "✓ frida-server running: pid 4321" in output
    assert output.rstrip().endswith(f"All checks passed: {SERIAL} is ready for an audit.")
    assert device_state(ready) == before


def test_doctor_on_a_fresh_emulator_lists_every_problem(emulator: FakeAdb, confdir: Path) -> None:
    before = device_state(emulator)
    code, output = doctor(confdir)
    assert code == EXIT_FAIL
    assert "✓ root: available (adbd runs as shell now; `piaudit device setup` runs `adb root`)" in output
    if emulator.load()["scenario"] == "android14":
        assert "✗ CA installed: cannot look into apps' CA store (/apex/com.android.conscrypt/cacerts) without root" in output
    else:
        assert f"✗ CA installed: {devices.SYSTEM_CA_STORE}/{CA_NAME} is missing" in output
    assert "✗ proxy: http_proxy is not set, expected 127.0.0.1:8080: apps connect directly" in output
    assert "✗ frida-server version: there is no frida-server at /data/local/tmp/frida-server" in output
    assert "✗ frida-server running: frida-server is not running" in output
    assert "4 problems: fix the ✗ lines above" in output
    assert device_state(emulator) == before


def test_doctor_ca_not_present(ready: FakeAdb, confdir: Path) -> None:
    state = ready.load()
    if state["scenario"] == "android14":
        state["conscrypt_bound"] = False  # what a reboot does
    else:
        del state["files"][f"{devices.SYSTEM_CA_STORE}/{CA_NAME}"]
    ready.save(state)
    code, output = doctor(confdir)
    assert code == EXIT_FAIL
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
    assert code == EXIT_FAIL
    assert f"is a different CA than {new_confdir / ca.CA_CERT_FILE} (mitmproxy's CA was regenerated?)" in output


@pytest.mark.parametrize("emulator", ["android11"], indirect=True)
def test_doctor_proxy_not_set(ready: FakeAdb, confdir: Path) -> None:
    ready.set(settings={"http_proxy": ":0"})
    code, output = doctor(confdir)
    assert code == EXIT_FAIL
    assert "✗ proxy: http_proxy is not set, expected 127.0.0.1:8080: apps connect directly" in output
    assert "fix: Run `piaudit device setup --proxy 127.0.0.1:8080`" in output


@pytest.mark.parametrize("emulator", ["android11"], indirect=True)
def test_doctor_proxy_other_address_and_lost_reverse(ready: FakeAdb, confdir: Path) -> None:
    code, output = doctor(confdir, "--proxy", "10.0.2.2:8080")
    assert "✗ proxy: http_proxy is 127.0.0.1:8080, expected 10.0.2.2:8080" in output
    ready.set(reverse=[])
    code, output = doctor(confdir)
    assert code == EXIT_FAIL
    assert "✗ proxy: http_proxy is 127.0.0.1:8080 but there is no `adb reverse` for port 8080" in output
    assert "fix: Run `adb reverse tcp:8080 tcp:8080`" in output


@pytest.mark.parametrize("emulator", ["android14"], indirect=True)
def test_doctor_wireguard_mode_wants_no_proxy(ready: FakeAdb, confdir: Path) -> None:
    code, output = doctor(confdir, "--mode", "wireguard")
    assert code == EXIT_FAIL
    assert "✗ proxy setting: http_proxy is still 127.0.0.1:8080: apps that honour it bypass the WireGuard tunnel" in output
    ready.set(settings={"http_proxy": ":0"})
    code, output = doctor(confdir, "--mode", "wireguard")
    assert code == EXIT_OK, output


@pytest.mark.parametrize("emulator", ["android11"], indirect=True)
def test_doctor_frida_server_version_mismatch_and_not_running(ready: FakeAdb, confdir: Path, tmp_path: Path) -> None:
    ready.replace_device_file(fridaserver.FRIDA_SERVER_PATH, make_frida_server(tmp_path / "old", version="16.5.9"))
    ready.set(frida_pid=None)
    code, output = doctor(confdir)
    assert code == EXIT_FAIL
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
    assert code == EXIT_FAIL
    assert f"✓ ABI: arm64-v8a: use frida-server-{FRIDA_VERSION}-android-arm64" in output
    assert (
        "✗ frida-server version: frida-server at /data/local/tmp/frida-server is built for another CPU: "
        "/system/bin/sh: /data/local/tmp/frida-server: not executable: 64-bit ELF file"
    ) in output
    assert f"--frida-server frida-server-{FRIDA_VERSION}-android-arm64" in output


def test_doctor_no_root_on_production_build(android11: FakeAdb, confdir: Path) -> None:
    android11.set_prop(ro_debuggable="0", ro_build_type="user")
    code, output = doctor(confdir)
    assert code == EXIT_FAIL
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
    before = device_state(android11)
    code, output = doctor(confdir)
    assert code == EXIT_FAIL
    assert expected in output
    assert "The other checks need a device." in output
    assert device_state(android11) == before


def test_piaudit_cli_runs_device_doctor(android11: FakeAdb, confdir: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from piaudit.scripts.cli import main; sys.exit(main())",
            "device",
            "doctor",
            "--confdir",
            str(confdir),
        ],
        cwd=confdir,  # outside the checkout: the installed package, not a folder named scripts
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == EXIT_FAIL, result.stderr
    assert f"✓ device: {SERIAL}" in result.stdout
    assert "✗ proxy: http_proxy is not set" in result.stdout
