"""The adb runner: every adb call piaudit makes goes through :class:`Adb`."""

import shlex
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from piaudit.scripts.device.checklist import StepFailed


class AdbError(StepFailed):
    """adb is missing, did not answer in time, or a command failed."""


@dataclass(frozen=True)
class AdbResult:
    """What one adb call returned."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        """True if adb (and, for ``adb shell``, the device command) exited 0."""
        return self.returncode == 0

    @property
    def output(self) -> str:
        """stdout and stderr together, stripped: what a user would have seen."""
        return "\n".join(text for text in (self.stdout.strip(), self.stderr.strip()) if text)


class Adb:
    """Runs ``adb [-s SERIAL] ...`` with a timeout: the one place piaudit talks to adb.

    >>> Adb.locate(serial="emulator-5554").shell("getprop ro.build.version.sdk").stdout
    '34\\n'
    """

    def __init__(self, executable: str, serial: str | None = None, timeout: float = 30.0) -> None:
        self.executable = executable
        self.serial = serial
        self.timeout = timeout

    @classmethod
    def locate(cls, serial: str | None = None) -> "Adb":
        """The adb on PATH; raises :class:`AdbError` saying how to install it if there is none."""
        executable = shutil.which("adb")
        if executable is None:
            raise AdbError(
                "adb is not on PATH",
                "Install the Android SDK platform-tools (Android Studio's SDK Manager, `sdkmanager platform-tools`, "
                "or `apt install adb`) and add the platform-tools folder (e.g. $ANDROID_HOME/platform-tools) to PATH.",
            )
        return cls(executable, serial)

    def for_device(self, serial: str) -> "Adb":
        """The same adb, addressing one device."""
        return Adb(self.executable, serial, self.timeout)

    def command_line(self, args: Sequence[str]) -> str:
        """How the user would type this call, for messages."""
        prefix = ["adb", "-s", self.serial] if self.serial else ["adb"]
        return shlex.join([*prefix, *args])

    def run(self, *args: str, timeout: float | None = None, check: bool = True) -> AdbResult:
        """Run one adb command; with ``check``, a non-zero exit raises :class:`AdbError`."""
        argv = [self.executable, *(["-s", self.serial] if self.serial else []), *args]
        limit = self.timeout if timeout is None else timeout
        try:
            completed = subprocess.run(
                argv,
                capture_output=True,
                stdin=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=limit,
                check=False,
            )
        except FileNotFoundError as error:
            raise AdbError(f"cannot run {self.executable}", "Check that adb is installed and on PATH.") from error
        except subprocess.TimeoutExpired as error:
            raise AdbError(
                f"`{self.command_line(args)}` did not finish within {limit:g} s",
                "Check the device is still responsive (`adb devices`); if it hangs, run `adb kill-server` "
                "and try again, or cold-boot the emulator.",
            ) from error
        result = AdbResult(tuple(argv), completed.returncode, completed.stdout, completed.stderr)
        if check and not result.ok:
            raise AdbError(
                f"`{self.command_line(args)}` failed (exit {result.returncode}): {result.output or 'no output'}",
                "Check the device is still connected and booted (`adb devices`), then run this again.",
            )
        return result

    def shell(self, command: str, *, check: bool = True, timeout: float | None = None) -> AdbResult:
        """Run one command line in the device's shell (exit code is the device command's)."""
        return self.run("shell", command, check=check, timeout=timeout)

    def exec_out(self, command: str, *, timeout: float | None = None) -> bytes:
        """The raw bytes a device command writes (``adb exec-out``: no terminal, no newline rewriting).

        ``adb exec-out screencap -p`` gives a PNG as it is on the device.
        """
        argv = [self.executable, *(["-s", self.serial] if self.serial else []), "exec-out", command]
        limit = self.timeout if timeout is None else timeout
        try:
            completed = subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL, timeout=limit, check=False)
        except FileNotFoundError as error:
            raise AdbError(f"cannot run {self.executable}", "Check that adb is installed and on PATH.") from error
        except subprocess.TimeoutExpired as error:
            raise AdbError(
                f"`{self.command_line(['exec-out', command])}` did not finish within {limit:g} s",
                "Check the device is still responsive (`adb devices`).",
            ) from error
        if completed.returncode != 0:
            message = completed.stderr.decode("utf-8", "replace").strip() or "no output"
            raise AdbError(
                f"`{self.command_line(['exec-out', command])}` failed (exit {completed.returncode}): {message}",
                "Check the device is still connected and booted (`adb devices`), then run this again.",
            )
        return completed.stdout
