"""Choosing the device, reading its properties, and root on it (``adb root`` for setup, ``id`` for doctor)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from piaudit.scripts.device.adb import Adb
from piaudit.scripts.device.checklist import Checklist, StepFailed

SYSTEM_CA_STORE = "/system/etc/security/cacerts"
CONSCRYPT_CA_STORE = "/apex/com.android.conscrypt/cacerts"
FIRST_CONSCRYPT_APEX_SDK = 34  # Android 14 reads system CAs from the Conscrypt APEX


# ro.product.cpu.abi -> the arch in frida's release names (frida-server-V-android-ARCH)
FRIDA_ARCH_BY_ABI = {"x86_64": "x86_64", "arm64-v8a": "arm64", "x86": "x86", "armeabi-v7a": "arm"}


@dataclass(frozen=True)
class AttachedDevice:
    """One line of ``adb devices``: a serial and its state (device, unauthorized, offline, ...)."""

    serial: str
    state: str


def parse_devices(output: str) -> list[AttachedDevice]:
    """Parse ``adb devices`` output.

    >>> parse_devices("List of devices attached\\nemulator-5554\\tdevice\\n\\n")
    [AttachedDevice(serial='emulator-5554', state='device')]
    """
    devices = []
    for line in output.splitlines():
        line = line.strip()
        # "* daemon not running; starting now at tcp:5037" and similar lines are not devices.
        if not line or line.startswith("*") or line.startswith("List of devices"):
            continue
        serial, _, state = line.partition("\t") if "\t" in line else line.partition(" ")
        devices.append(AttachedDevice(serial.strip(), state.strip()))
    return devices


def choose_device(devices: Sequence[AttachedDevice], serial: str | None) -> AttachedDevice:
    """The device to work on, or :class:`StepFailed` saying how to get one ready."""
    listed = ", ".join(f"{d.serial} ({d.state})" for d in devices)
    if serial is not None:
        chosen = next((d for d in devices if d.serial == serial), None)
        if chosen is None:
            raise StepFailed(
                f"device {serial} is not connected" + (f"; connected: {listed}" if devices else ""),
                "Start or connect it, or choose one of the connected devices with --serial.",
            )
    elif not devices:
        raise StepFailed(
            "no device connected (`adb devices` lists none)",
            "Start an emulator (`emulator -avd NAME -writable-system` for Android 7-13) or connect a device "
            "with USB debugging on, wait until it has booted, then run this again.",
        )
    else:
        ready = [d for d in devices if d.state == "device"]
        if len(devices) > 1 and len(ready) != 1:
            raise StepFailed(
                f"{len(devices)} devices connected: {listed}",
                f"Choose one with --serial, e.g. --serial {(ready or devices)[0].serial}.",
            )
        chosen = ready[0] if ready else devices[0]
    if chosen.state == "unauthorized":
        raise StepFailed(
            f"{chosen.serial} is unauthorized: it has not allowed USB debugging from this computer",
            "Unlock the device and accept the 'Allow USB debugging?' prompt. No prompt? Revoke USB debugging "
            "authorisations in Developer options and reconnect; for an emulator, `adb kill-server` and try again.",
        )
    if chosen.state == "offline":
        raise StepFailed(
            f"{chosen.serial} is offline: adb sees it but gets no answer",
            "Wait until the emulator has finished booting; if it stays offline, run `adb kill-server` or cold-boot the emulator.",
        )
    if chosen.state != "device":
        raise StepFailed(
            f"{chosen.serial} is in state '{chosen.state}', not 'device'",
            "Boot it into Android with USB debugging on (on Linux, 'no permissions' needs a udev rule for the device).",
        )
    return chosen


def connect(adb: Adb, serial: str | None) -> Adb:
    """Pick the one device to use (``adb devices``); the returned runner addresses it."""
    devices = parse_devices(adb.run("devices").stdout)
    return adb.for_device(choose_device(devices, serial).serial)


@dataclass(frozen=True)
class DeviceInfo:
    """What the device's properties say about it."""

    serial: str
    release: str
    sdk: int
    abi: str
    debuggable: bool
    build_type: str

    @property
    def frida_arch(self) -> str | None:
        """The arch name in frida-server release names for this ABI, or None if frida has none."""
        return FRIDA_ARCH_BY_ABI.get(self.abi)

    @property
    def uses_conscrypt_apex(self) -> bool:
        """Android 14+ reads system CAs from the Conscrypt APEX, not /system."""
        return self.sdk >= FIRST_CONSCRYPT_APEX_SDK

    @property
    def ca_store(self) -> str:
        """The folder apps read system CAs from."""
        return CONSCRYPT_CA_STORE if self.uses_conscrypt_apex else SYSTEM_CA_STORE

    def describe(self) -> str:
        """One line for the ✓ list."""
        return f"Android {self.release} (API {self.sdk}), ABI {self.abi}, {self.build_type} build"


def parse_getprop(output: str) -> dict[str, str]:
    """Parse ``adb shell getprop`` (lines like ``[ro.build.version.sdk]: [30]``)."""
    return dict(re.findall(r"^\[([^\]]+)\]: \[(.*)\]\s*$", output, flags=re.MULTILINE))


def device_info(serial: str, properties: dict[str, str]) -> DeviceInfo:
    """Build :class:`DeviceInfo` from properties; :class:`StepFailed` if they make no sense."""
    sdk = properties.get("ro.build.version.sdk", "")
    if not sdk.isdigit():
        raise StepFailed(
            f"{serial} reports no Android API level (ro.build.version.sdk={sdk!r})",
            "Wait until the device has finished booting (`adb wait-for-device`), then run this again.",
        )
    return DeviceInfo(
        serial=serial,
        release=properties.get("ro.build.version.release", "?"),
        sdk=int(sdk),
        abi=properties.get("ro.product.cpu.abi", "?"),
        debuggable=properties.get("ro.debuggable") == "1",
        build_type=properties.get("ro.build.type", "?"),
    )


def read_device_info(adb: Adb) -> DeviceInfo:
    """Read the device's properties with one ``getprop``."""
    assert adb.serial is not None
    return device_info(adb.serial, parse_getprop(adb.shell("getprop").stdout))


def production_build_fix() -> str:
    """What to do when a build cannot give adb root."""
    return (
        "This is a production (user) build, as on 'Google Play' emulator images. Create an AVD with a "
        "'Google APIs' system image (a userdebug build), which allows `adb root`."
    )


def ensure_root(adb: Adb) -> str:
    """Restart adbd as root (``adb root``) unless it already is."""
    result = adb.run("root", check=False)
    text = result.output
    # adb root exits 0 even when adbd refuses, so the words are what count.
    if "cannot run as root" in text:
        raise StepFailed(f"`adb root` refused: {text}", production_build_fix())
    if not result.ok or not ("restarting adbd as root" in text or "already running as root" in text):
        raise StepFailed(
            f"`adb root` failed: {text or 'no output'}",
            "Enable 'Rooted debugging' in Developer options if the device has it, or use a 'Google APIs' emulator image.",
        )
    if "restarting" in text:
        adb.run("wait-for-device", timeout=60)
        return "adbd restarted as root"
    return "adbd already runs as root"


def check_root(adb: Adb, info: DeviceInfo) -> bool:
    """Doctor: whether adbd runs as root now (``id``); :class:`StepFailed` if root is not available at all."""
    if adb.shell("id", check=False).stdout.startswith("uid=0("):
        return True
    if info.debuggable:
        return False
    raise StepFailed(f"no root: {info.serial} is a {info.build_type} build (ro.debuggable is not 1)", production_build_fix())


def describe_root(root_now: bool) -> str:
    """The ✓ line for :func:`check_root`."""
    if root_now:
        return "adbd runs as root"
    return "available (adbd runs as shell now; `piaudit device setup` runs `adb root`)"


def connect_steps(checklist: Checklist, serial: str | None) -> tuple[Adb, DeviceInfo] | None:
    """The steps both commands start with: adb, the device, its properties."""
    adb = checklist.step("adb", Adb.locate, lambda a: a.executable)
    device = adb and checklist.step("device", lambda: connect(adb, serial), lambda a: f"{a.serial}")
    info = device and checklist.step("Android", lambda: read_device_info(device), DeviceInfo.describe)
    return (device, info) if device and info else None
