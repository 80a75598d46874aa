"""Choosing the device among those adb lists, and reading its properties."""

from __future__ import annotations

import pytest

from piaudit.scripts.device import devices, fridaserver
from piaudit.scripts.device.checklist import StepFailed
from tests.scripts.device.fake import (
    FAKE_ADB_DATA,
    SERIAL,
)


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
    assert [(d.serial, d.state) for d in devices.parse_devices(output)] == expected


def attached(*pairs: tuple[str, str]) -> list[devices.AttachedDevice]:
    return [devices.AttachedDevice(serial, state) for serial, state in pairs]


@pytest.mark.parametrize(
    ("listed", "serial", "problem", "fix"),
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
def test_choose_device_failures(listed: list, serial: str | None, problem: str, fix: str) -> None:
    with pytest.raises(StepFailed) as failure:
        devices.choose_device(attached(*listed), serial)
    assert problem in failure.value.problem
    assert fix in failure.value.fix


def test_choose_device_picks_the_one_ready_device_among_stale_ones() -> None:
    listed = attached(("emulator-5554", "offline"), ("emulator-5556", "device"))
    assert devices.choose_device(listed, None).serial == "emulator-5556"
    assert devices.choose_device(listed + attached(("x", "device")), "x").serial == "x"


@pytest.mark.parametrize(
    ("scenario", "release", "sdk", "conscrypt"), [("android11", "11", 30, False), ("android14", "14", 34, True)]
)
def test_parse_getprop_of_recorded_dumps(scenario: str, release: str, sdk: int, conscrypt: bool) -> None:
    properties = devices.parse_getprop((FAKE_ADB_DATA / scenario / "getprop.txt").read_text())
    info = devices.device_info(SERIAL, properties)
    assert (info.release, info.sdk, info.abi, info.debuggable) == (release, sdk, "x86_64", True)
    assert info.frida_arch == "x86_64"
    assert info.uses_conscrypt_apex is conscrypt
    assert info.ca_store == (devices.CONSCRYPT_CA_STORE if conscrypt else devices.SYSTEM_CA_STORE)


@pytest.mark.parametrize(
    ("abi", "arch"), [("x86_64", "x86_64"), ("arm64-v8a", "arm64"), ("x86", "x86"), ("armeabi-v7a", "arm"), ("riscv64", None)]
)
def test_frida_arch_for_abi(abi: str, arch: str | None) -> None:
    info = devices.DeviceInfo(SERIAL, "14", 34, abi, True, "userdebug")
    assert info.frida_arch == arch
    if arch is None:
        with pytest.raises(StepFailed, match="no Android build for ABI riscv64"):
            fridaserver.check_abi(info)
    else:
        assert fridaserver.check_abi(info).endswith(f"-android-{arch}")
