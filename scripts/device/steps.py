"""The steps setup and doctor share: finding the device at the start, and stopping on a failure."""

from piaudit.scripts.device.adb import Adb
from piaudit.scripts.device.checklist import Checklist
from piaudit.scripts.device.devices import DeviceInfo, connect, read_device_info
from piaudit.scripts.device.errors import EXIT_CHECK_FAILED


def stopped(checklist: Checklist, command: str) -> int:
    """Say that ``command`` stopped at the ✗ above and how to go on; returns :data:`EXIT_CHECK_FAILED`."""
    checklist.note(f"\n{command} stopped: fix the ✗ above, then run `piaudit device {command}` again.")
    return EXIT_CHECK_FAILED


def connect_steps(checklist: Checklist, serial: str | None) -> tuple[Adb, DeviceInfo] | None:
    """The steps both commands start with: adb, the device, its properties."""
    adb = checklist.step("adb", Adb.locate, lambda a: a.executable)
    device = adb and checklist.step("device", lambda: connect(adb, serial), lambda a: f"{a.serial}")
    info = device and checklist.step("Android", lambda: read_device_info(device), DeviceInfo.describe)
    return (device, info) if device and info else None
