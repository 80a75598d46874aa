"""``piaudit device setup``: install the CA, route traffic, start frida-server, stopping at the first failure."""

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from piaudit.scripts.device.ca import DEFAULT_CONFDIR, load_ca
from piaudit.scripts.device.ca_install import install_ca
from piaudit.scripts.device.checklist import Checklist
from piaudit.scripts.device.errors import EXIT_OK
from piaudit.scripts.device.frida_file import prepare_frida_server
from piaudit.scripts.device.frida_server import install_frida_server
from piaudit.scripts.device.proxy import DEFAULT_PROXY, ProxyAddress, clear_proxy, parse_proxy, route_through_proxy
from piaudit.scripts.device.root import ensure_root
from piaudit.scripts.device.steps import connect_steps, stopped
from piaudit.scripts.device.wireguard import DEFAULT_WIREGUARD_ENDPOINT, wireguard_client_config, wireguard_instructions


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
