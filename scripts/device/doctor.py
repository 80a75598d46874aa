"""``piaudit device doctor``: check everything setup does, change nothing, say what to fix."""

from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from piaudit.scripts.device.ca import DEFAULT_CONFDIR, load_ca
from piaudit.scripts.device.ca_install import check_device_ca
from piaudit.scripts.device.checklist import Checklist
from piaudit.scripts.device.errors import EXIT_CHECK_FAILED, EXIT_OK
from piaudit.scripts.device.frida_file import check_abi, require_frida_version
from piaudit.scripts.device.frida_server import check_frida_server_running, check_frida_server_version
from piaudit.scripts.device.proxy import DEFAULT_PROXY, ProxyAddress, check_no_proxy, check_proxy, parse_proxy
from piaudit.scripts.device.root import check_root, describe_root
from piaudit.scripts.device.steps import connect_steps, stopped


@dataclass(frozen=True)
class DoctorOptions:
    """What ``piaudit device doctor`` checks against."""

    serial: str | None = None
    proxy: ProxyAddress | None = None
    mode: str = "regular"
    confdir: Path = DEFAULT_CONFDIR


def run_doctor(options: DoctorOptions, out: TextIO) -> int:
    """``piaudit device doctor``: check everything setup does, change nothing, say what to fix."""
    checklist = Checklist(out)
    if (connected := connect_steps(checklist, options.serial)) is None:
        checklist.note("\nThe other checks need a device.")
        return stopped(checklist, "doctor")
    adb, info = connected
    checklist.step("ABI", lambda: check_abi(info))
    root_now = checklist.step("root", lambda: check_root(adb, info), describe_root)
    ca = checklist.step("mitmproxy CA", lambda: load_ca(options.confdir), lambda c: f"{c.device_name} from {c.path}")
    if ca is None:
        checklist.skip("CA installed", "not checked (no CA on this computer to compare with)")
    else:
        checklist.step("CA installed", lambda: check_device_ca(adb, info, ca, root_now is True))
    if options.mode == "wireguard":
        checklist.step("proxy setting", lambda: check_no_proxy(adb))
    else:
        checklist.step("proxy", lambda: check_proxy(adb, options.proxy or parse_proxy(DEFAULT_PROXY)))
    version = checklist.step("frida", require_frida_version, lambda v: f"Python package {v}")
    if version is not None:
        checklist.step("frida-server version", lambda: check_frida_server_version(adb, version, info.frida_arch))
    checklist.step("frida-server running", lambda: check_frida_server_running(adb))
    if checklist.failures:
        plural = "s" if checklist.failures > 1 else ""
        checklist.note(f"\n{checklist.failures} problem{plural}: fix the ✗ lines above (`piaudit device setup` fixes most).")
        return EXIT_CHECK_FAILED
    checklist.note(f"\nAll checks passed: {adb.serial} is ready for an audit.")
    return EXIT_OK
