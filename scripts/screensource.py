"""Where screens come from: a device through adb, or the stand-in's display folder.

A source is named by a spec, recorded in ``session.json`` (``options.screens``) so that `piaudit
snap` in another terminal captures from the same place:

- ``adb`` or ``adb:SERIAL``: ``adb exec-out screencap -p`` for the PNG, ``adb shell uiautomator
  dump`` into a file on the device and ``adb exec-out cat`` of it for the hierarchy;
- ``display:DIR``: the folder the stand-in draws into (``-Dstandin.display=DIR``:
  ``screen.png``, ``window_dump.xml``, and ``seq``, which it writes last and which tells that the
  pair belongs together).

A capture never raises for what the device does: what could not be taken is named in
:attr:`policies.screens.Capture.errors` and the rest is kept.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol

from piaudit.policies.screens import MAX_PNG, MAX_XML, Capture

DUMP_PATH = "/sdcard/piaudit_window_dump.xml"
ADB_TIMEOUT = 20.0  # uiautomator waits for the UI to be idle: seconds on a busy emulator


class ScreenSource(Protocol):
    """Anything that can take one capture."""

    spec: str

    def capture(self) -> Capture: ...


class SourceError(ValueError):
    """A screen-source spec that cannot be used, phrased for the user."""


class AdbScreenSource:
    """Screens of a device through adb."""

    def __init__(self, serial: str | None = None, adb: object | None = None):
        from piaudit.scripts.device.adb import Adb

        self.adb = adb if adb is not None else Adb.locate(serial)
        self.serial = serial
        self.spec = f"adb:{serial}" if serial else "adb"

    def capture(self) -> Capture:
        from piaudit.scripts.device.adb import AdbError

        shot = Capture(time=time.time(), source=self.spec)
        try:
            png = self.adb.exec_out("screencap -p", timeout=ADB_TIMEOUT)  # type: ignore[attr-defined]
            shot.png = png if len(png) <= MAX_PNG else None
            if shot.png is None:
                shot.errors.append(f"screencap gave {len(png)} bytes, over {MAX_PNG}")
        except AdbError as e:
            shot.errors.append(f"screencap: {e}")
        try:
            self.adb.shell(f"uiautomator dump {DUMP_PATH}", timeout=ADB_TIMEOUT)  # type: ignore[attr-defined]
            xml = self.adb.exec_out(f"cat {DUMP_PATH}", timeout=ADB_TIMEOUT)  # type: ignore[attr-defined]
            self.adb.shell(f"rm -f {DUMP_PATH}", check=False)  # type: ignore[attr-defined]
            shot.xml = xml if len(xml) <= MAX_XML else None
            if shot.xml is None:
                shot.errors.append(f"uiautomator dump gave {len(xml)} bytes, over {MAX_XML}")
        except AdbError as e:
            shot.errors.append(f"uiautomator dump: {e}")
        return shot


class DisplaySource:
    """Screens the stand-in draws into a folder (``-Dstandin.display=DIR``)."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.spec = f"display:{self.folder.resolve()}"

    def capture(self) -> Capture:
        shot = Capture(time=time.time(), source=self.spec)
        for _ in range(20):  # the stand-in writes seq last; a pair read between two frames is read again
            try:
                before = (self.folder / "seq").read_bytes()
                png = (self.folder / "screen.png").read_bytes()
                xml = (self.folder / "window_dump.xml").read_bytes()
                after = (self.folder / "seq").read_bytes()
            except FileNotFoundError:
                shot.errors.append(f"nothing on screen yet ({self.folder} has no frame)")
                return shot
            except OSError as e:
                shot.errors.append(f"cannot read the display: {e}")
                return shot
            if before == after:
                shot.png, shot.xml = png[: MAX_PNG + 1], xml[: MAX_XML + 1]
                return shot
            time.sleep(0.01)
        shot.errors.append("the display changed during every read")
        return shot


def source_for(spec: str) -> ScreenSource:
    """The source a spec names (``adb``, ``adb:SERIAL``, ``display:DIR``)."""
    kind, _, rest = spec.partition(":")
    if kind == "adb":
        return AdbScreenSource(rest or None)
    if kind == "display" and rest:
        return DisplaySource(rest)
    raise SourceError(f"screen source {spec!r}: give adb, adb:SERIAL, display:DIR or off")
