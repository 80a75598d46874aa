"""The two commands: ``piaudit device setup`` (install the CA, route traffic, start frida-server, stopping at
the first failure) and ``piaudit device doctor`` (check everything setup does, change nothing, say what to fix)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from piaudit.scripts.device.ca import DEFAULT_CONFDIR, check_device_ca, install_ca, load_ca
from piaudit.scripts.device.checklist import Checklist, stopped
from piaudit.scripts.device.devices import check_root, connect_steps, describe_root, ensure_root
from piaudit.scripts.device.fridaserver import (
    check_abi,
    check_frida_server_running,
    check_frida_server_version,
    install_frida_server,
    prepare_frida_server,
    require_frida_version,
)
from piaudit.scripts.device.network import (
    DEFAULT_PROXY,
    DEFAULT_WIREGUARD_ENDPOINT,
    ProxyAddress,
    check_no_proxy,
    check_proxy,
    clear_proxy,
    parse_proxy,
    route_through_proxy,
    wireguard_client_config,
    wireguard_instructions,
)
from piaudit.scripts.usage import EXIT_FAIL, EXIT_OK


@dataclass(frozen=True)
class SetupOptions:
    """What ``piaudit device setup`` was asked to do."""

    serial: str | None = None
    frida_server: Path | None = None
    proxy: ProxyAddress | None = None  # None: DEFAULT_PROXY, or DEFAULT_WIREGUARD_ENDPOINT in WireGuard mode
    mode: str = "regular"
    confdir: Path = DEFAULT_CONFDIR
    wireguard_config: str | Path | None = None

    @property
    def target(self) -> ProxyAddress:
        """The proxy (regular) or WireGuard endpoint (wireguard) the device should use."""
        if self.proxy is not None:
            return self.proxy
        return parse_proxy(DEFAULT_WIREGUARD_ENDPOINT if self.mode == "wireguard" else DEFAULT_PROXY)


def run_setup(options: SetupOptions, out: TextIO) -> int:
    """``piaudit device setup``: CA, traffic routing and frida-server, stopping at the first failure."""
    checklist = Checklist(out)
    if (connected := connect_steps(checklist, options.serial)) is None:
        return stopped(checklist, "setup")
    adb, info = connected
    # Everything that can be checked on this computer is checked before the device is changed.
    ca = checklist.step("mitmproxy CA", lambda: load_ca(options.confdir), lambda c: f"{c.device_name} from {c.path}")
    if ca is None:
        return stopped(checklist, "setup")
    config = None
    if options.mode == "wireguard":
        config = checklist.step(
            "WireGuard config",
            lambda: wireguard_client_config(options.wireguard_config, options.confdir, options.target),
            lambda _: f"endpoint {options.target}",
        )
        if config is None:
            return stopped(checklist, "setup")
    with contextlib.ExitStack() as cleanup:
        server = None
        if options.frida_server is not None:
            frida_server = options.frida_server
            server = checklist.step(
                "frida-server file",
                lambda: prepare_frida_server(frida_server, info, cleanup),
                lambda found: f"{frida_server} is {found[1]} for {info.frida_arch}",
            )
            if server is None:
                return stopped(checklist, "setup")
        if checklist.step("root", lambda: ensure_root(adb)) is None:
            return stopped(checklist, "setup")
        if checklist.step("CA installed", lambda: install_ca(adb, info, ca)) is None:
            return stopped(checklist, "setup")
        if options.mode == "wireguard":
            routed = checklist.step("proxy setting", lambda: clear_proxy(adb))
        else:
            routed = checklist.step("proxy", lambda: route_through_proxy(adb, options.target))
        if routed is None:
            return stopped(checklist, "setup")
        if server is None:
            checklist.skip("frida-server", "not installed (no --frida-server FILE given)")
        elif checklist.step("frida-server", lambda: install_frida_server(adb, info, *server)) is None:
            return stopped(checklist, "setup")
    if config is not None:
        checklist.note("\n" + wireguard_instructions(config, options.target))
    checklist.note(f"\nDevice {adb.serial} is ready. Check it any time with `piaudit device doctor`.")
    return EXIT_OK


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
        return EXIT_FAIL
    checklist.note(f"\nAll checks passed: {adb.serial} is ready for an audit.")
    return EXIT_OK
