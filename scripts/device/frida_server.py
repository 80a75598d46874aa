"""frida-server on the device: stop, push and start it, and check the version it runs."""

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from piaudit.scripts.device.adb import Adb
from piaudit.scripts.device.devices import DeviceInfo
from piaudit.scripts.device.errors import StepFailed

FRIDA_SERVER_PATH = "/data/local/tmp/frida-server"


@dataclass
class Waits:
    """How long to wait for frida-server to start or stop: ``attempts`` polls ``interval`` s apart."""

    attempts: int = 12
    interval: float = 0.25


WAITS = Waits()


def current_waits() -> Waits:
    """The package's ``WAITS`` (``scripts.device.WAITS``), read on each call so replacing it there takes effect."""
    package = sys.modules[__name__.rpartition(".")[0]]
    return getattr(package, "WAITS", WAITS)


def poll[T](probe: Callable[[], T]) -> T:
    """Call ``probe`` until it returns something truthy or :data:`WAITS` runs out; return the last value."""
    waits = current_waits()
    value = probe()
    for _ in range(waits.attempts - 1):
        if value:
            break
        time.sleep(waits.interval)
        value = probe()
    return value


def frida_server_pids(adb: Adb) -> list[str]:
    """PIDs of processes named frida-server on the device."""
    result = adb.shell("pidof frida-server", check=False)
    return result.stdout.split() if result.ok else []


def stop_frida_server(adb: Adb) -> None:
    """Stop a running frida-server, which would hold frida's port and keep the old version."""
    pids = frida_server_pids(adb)
    if not pids:
        return
    adb.shell(f"kill {' '.join(pids)}", check=False)
    if not poll(lambda: not frida_server_pids(adb)):
        raise StepFailed(
            f"frida-server (pid {' '.join(pids)}) is still running after kill",
            f"Stop it by hand: `adb shell kill -9 {' '.join(pids)}`, then run setup again.",
        )


def install_frida_server(adb: Adb, info: DeviceInfo, local_file: Path, expected_version: str) -> str:
    """Push frida-server, start it as root in the background, and check it runs the expected version."""
    stop_frida_server(adb)
    adb.run("push", str(local_file), FRIDA_SERVER_PATH, timeout=300)
    adb.shell(f"chmod 755 {FRIDA_SERVER_PATH}")
    # -D daemonizes: frida-server detaches, so `adb shell` returns.
    started = adb.shell(f"{FRIDA_SERVER_PATH} -D", check=False)
    if not started.ok:
        raise StepFailed(
            f"frida-server did not start: {started.output or f'exit {started.returncode}'}",
            f"Run `adb shell {FRIDA_SERVER_PATH}` (as root) to see why.",
        )
    pids = poll(lambda: frida_server_pids(adb))
    if not pids:
        raise StepFailed(
            "frida-server exited right after starting",
            f"Run `adb shell {FRIDA_SERVER_PATH}` (as root) to see its error; check `adb logcat` for a crash.",
        )
    version = check_frida_server_version(adb, expected_version, info.frida_arch)
    return f"{version} running as root (pid {' '.join(pids)})"


def check_frida_server_version(adb: Adb, expected_version: str, device_arch: str | None = None) -> str:
    """Run ``frida-server --version`` on the device; :class:`StepFailed` unless it is ``expected_version``."""
    wanted = f"frida-server-{expected_version}-android-{device_arch or 'ARCH'}"
    result = adb.shell(f"{FRIDA_SERVER_PATH} --version", check=False)
    text = result.output
    if result.ok:
        version = result.stdout.strip()
        if version == expected_version:
            return version
        raise StepFailed(
            f"frida-server on the device is {version}, but the frida Python package is {expected_version}",
            f"Run `piaudit device setup --frida-server {wanted}`, or `pip install frida=={version}`.",
        )
    if "not found" in text or "No such file" in text:
        raise StepFailed(
            f"there is no frida-server at {FRIDA_SERVER_PATH}",
            f"Download {wanted}.xz from frida's GitHub releases and run `piaudit device setup --frida-server FILE`.",
        )
    if "not executable" in text or "Exec format error" in text:
        raise StepFailed(
            f"frida-server at {FRIDA_SERVER_PATH} is built for another CPU: {text}",
            f"Run `piaudit device setup --frida-server {wanted}`.",
        )
    raise StepFailed(
        f"`{FRIDA_SERVER_PATH} --version` failed: {text or f'exit {result.returncode}'}",
        f"Run `piaudit device setup --frida-server {wanted}`.",
    )


def check_frida_server_running(adb: Adb) -> str:
    """Doctor: is a frida-server process running."""
    pids = frida_server_pids(adb)
    if not pids:
        raise StepFailed(
            "frida-server is not running",
            f"Run `piaudit device setup --frida-server FILE`, or start it as root: `adb shell {FRIDA_SERVER_PATH} -D`.",
        )
    return f"pid {' '.join(pids)}"
