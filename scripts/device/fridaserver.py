"""frida-server: the file here (its version and CPU, unpacking the .xz release) and the process on the
device (stop, push and start it, check the version it runs)."""

from __future__ import annotations

import contextlib
import importlib.metadata
import lzma
import mmap
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from piaudit.scripts.device.adb import Adb
from piaudit.scripts.device.checklist import StepFailed
from piaudit.scripts.device.devices import DeviceInfo

ELF_MACHINE_ARCH = {3: "x86", 40: "arm", 62: "x86_64", 183: "arm64"}
XZ_MAGIC = b"\xfd7zXZ\x00"
FRIDA_SERVER_RELEASE_NAME = re.compile(
    r"^frida-server-(?P<version>\d+\.\d+\.\d+)-android-(?P<arch>x86_64|x86|arm64|arm)(?:\.xz)?$"
)


def installed_frida_version() -> str | None:
    """Version of the installed ``frida`` Python package (equals ``frida.__version__``), None if missing."""
    try:
        return importlib.metadata.version("frida")
    except importlib.metadata.PackageNotFoundError:
        return None


def require_frida_version() -> str:
    """The installed frida version, or :class:`StepFailed` if frida is not installed."""
    version = installed_frida_version()
    if version is None:
        raise StepFailed("the frida Python package is not installed", "Install piaudit's dependencies: `pip install -e .`.")
    return version


def check_abi(info: DeviceInfo) -> str:
    """The frida-server build this device needs, or :class:`StepFailed` if frida has none."""
    if info.frida_arch is None:
        raise StepFailed(
            f"frida-server has no Android build for ABI {info.abi}",
            "Use an emulator image for x86_64 or arm64-v8a.",
        )
    version = installed_frida_version() or "VERSION"
    return f"{info.abi}: use frida-server-{version}-android-{info.frida_arch}"


def elf_arch(header: bytes) -> str | None:
    """CPU arch from an ELF header (frida's arch names), ``"e_machine N"`` if unknown, None if not ELF."""
    if len(header) < 20 or header[:4] != b"\x7fELF":
        return None
    byteorder = "little" if header[5] == 1 else "big"
    machine = int.from_bytes(header[18:20], byteorder)
    return ELF_MACHINE_ARCH.get(machine, f"e_machine {machine}")


@dataclass(frozen=True)
class FridaServerFile:
    """What a frida-server file on this computer says about itself."""

    path: Path
    arch: str | None  # from the ELF header; None if the file is not an ELF executable
    contains_version: bool  # the expected version string occurs in the binary
    name_version: str | None  # from the release name frida-server-VERSION-android-ARCH


def inspect_frida_server(path: Path, expected_version: str, name: str | None = None) -> FridaServerFile:
    """Read the ELF arch and look for ``expected_version`` in the binary (frida-server embeds its version)."""
    match = FRIDA_SERVER_RELEASE_NAME.match(name or path.name)
    with path.open("rb") as file:
        header = file.read(64)
        if path.stat().st_size == 0:
            found = False
        else:
            with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
                pattern = rb"(?<![\d.])" + re.escape(expected_version.encode()) + rb"(?![\d.])"
                found = re.search(pattern, data) is not None
    return FridaServerFile(
        path=path,
        arch=elf_arch(header),
        contains_version=found,
        name_version=match["version"] if match else None,
    )


def frida_server_problem(server: FridaServerFile, expected_version: str, device_arch: str) -> StepFailed | None:
    """Why this frida-server file cannot serve this device and frida version, or None if it can."""
    wanted = f"frida-server-{expected_version}-android-{device_arch}"
    if server.arch is None:
        return StepFailed(
            f"{server.path} is not an ELF executable",
            f"Download {wanted}.xz from frida's GitHub releases, unpack it (`unxz`), and pass the result.",
        )
    if server.arch != device_arch:
        return StepFailed(
            f"{server.path} is built for {server.arch}, but the device needs {device_arch}",
            f"Use {wanted} (from frida's GitHub releases).",
        )
    if server.contains_version:
        return None
    if server.name_version is not None and server.name_version != expected_version:
        found = f"frida-server {server.name_version}"
    else:
        found = f"a frida-server without the version string {expected_version} in it"
    return StepFailed(
        f"{server.path} is {found}, but the frida Python package is {expected_version}; both must be the same version",
        f"Use {wanted}, or install the matching Python package: "
        f"`pip install frida=={server.name_version or 'VERSION'}` (with a matching frida-tools).",
    )


@contextlib.contextmanager
def unpacked(path: Path) -> Iterator[Path]:
    """``path`` itself, or an unpacked temporary copy if it is xz-compressed (frida's releases are)."""
    with path.open("rb") as file:
        compressed = file.read(len(XZ_MAGIC)) == XZ_MAGIC
    if not compressed:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="piaudit-") as folder:
        target = Path(folder) / path.name.removesuffix(".xz")
        try:
            with lzma.open(path) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink)
        except lzma.LZMAError as error:
            raise StepFailed(f"{path} looks xz-compressed but cannot be unpacked ({error})", "Download it again.") from error
        yield target


def prepare_frida_server(path: Path, info: DeviceInfo, cleanup: contextlib.ExitStack) -> tuple[Path, str]:
    """Check a frida-server file against the device and the frida package: (file to push, its version)."""
    version = require_frida_version()
    check_abi(info)
    assert info.frida_arch is not None
    binary = cleanup.enter_context(unpacked(path))
    problem = frida_server_problem(inspect_frida_server(binary, version, name=path.name), version, info.frida_arch)
    if problem is not None:
        raise problem
    return binary, version


FRIDA_SERVER_PATH = "/data/local/tmp/frida-server"


@dataclass
class Waits:
    """How long to wait for frida-server to start or stop: ``attempts`` polls ``interval`` s apart."""

    attempts: int = 12
    interval: float = 0.25


WAITS = Waits()


def poll[T](probe: Callable[[], T]) -> T:
    """Call ``probe`` until it returns something truthy or :data:`WAITS` runs out; return the last value."""
    waits = WAITS  # read on each call: tests replace it (a fake adb answers at once)
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
