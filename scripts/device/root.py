"""Root on the device: ``adb root`` for setup, a look at ``id`` for doctor."""

from piaudit.scripts.device.adb import Adb
from piaudit.scripts.device.devices import DeviceInfo
from piaudit.scripts.device.errors import StepFailed


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
