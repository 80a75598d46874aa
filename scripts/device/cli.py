"""argparse wiring for ``piaudit device setup|doctor``: options, their checks (exit 2), and the handlers."""

import argparse
import sys
from pathlib import Path
from typing import TextIO

from piaudit.scripts.device.ca import CA_CERT_FILE, DEFAULT_CONFDIR
from piaudit.scripts.device.commands import DoctorOptions, SetupOptions, run_doctor, run_setup
from piaudit.scripts.device.network import DEFAULT_PROXY, DEFAULT_WIREGUARD_ENDPOINT, ProxyAddress, parse_proxy
from piaudit.scripts.usage import EXIT_USAGE


def _proxy_argument(text: str) -> ProxyAddress:
    try:
        return parse_proxy(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _usage_error(command: str, message: str) -> int:
    print(f"piaudit device {command}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _confdir(args: argparse.Namespace, command: str) -> Path | int:
    confdir = getattr(args, "confdir", None)
    if confdir is None:
        return DEFAULT_CONFDIR
    confdir = Path(confdir).expanduser()
    if not confdir.is_dir():
        return _usage_error(command, f"--confdir {confdir} is not a folder")
    return confdir


def _proxy(args: argparse.Namespace, command: str) -> ProxyAddress | None | int:
    proxy = getattr(args, "proxy", None)
    if proxy is None or isinstance(proxy, ProxyAddress):
        return proxy
    try:
        return parse_proxy(proxy)
    except ValueError as error:
        return _usage_error(command, f"--proxy: {error}")


def handle_setup(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Handler for ``piaudit device setup``: returns the exit code."""
    confdir = _confdir(args, "setup")
    proxy = _proxy(args, "setup")
    if isinstance(confdir, int):
        return confdir
    if isinstance(proxy, int):
        return proxy
    mode = getattr(args, "mode", "regular") or "regular"
    if mode not in ("regular", "wireguard"):
        return _usage_error("setup", f"--mode must be regular or wireguard, not {mode!r}")
    if mode == "wireguard" and proxy is not None and proxy.is_loopback:
        return _usage_error(
            "setup",
            f"--proxy {proxy}: WireGuard uses UDP, which adb reverse cannot carry; on an emulator use {DEFAULT_WIREGUARD_ENDPOINT}",
        )
    frida_server = getattr(args, "frida_server", None)
    if frida_server is not None:
        frida_server = Path(frida_server).expanduser()
        if not frida_server.is_file():
            return _usage_error("setup", f"--frida-server {frida_server}: no such file")
    options = SetupOptions(
        serial=getattr(args, "serial", None),
        frida_server=frida_server,
        proxy=proxy,
        mode=mode,
        confdir=confdir,
        wireguard_config=getattr(args, "wireguard_config", None),
    )
    return run_setup(options, out or sys.stdout)


def handle_doctor(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Handler for ``piaudit device doctor``: returns the exit code."""
    confdir = _confdir(args, "doctor")
    proxy = _proxy(args, "doctor")
    if isinstance(confdir, int):
        return confdir
    if isinstance(proxy, int):
        return proxy
    options = DoctorOptions(
        serial=getattr(args, "serial", None),
        proxy=proxy,
        mode=getattr(args, "mode", "regular") or "regular",
        confdir=confdir,
    )
    return run_doctor(options, out or sys.stdout)


def _add_shared_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--serial", metavar="ID", help="the device to use when several are connected (see `adb devices`)")
    parser.add_argument(
        "--proxy",
        type=_proxy_argument,
        metavar="HOST:PORT",
        help=f"regular mode: the proxy the device uses (default {DEFAULT_PROXY}; 127.0.0.1 is reached through "
        f"`adb reverse`); wireguard mode: mitmdump's WireGuard server (default {DEFAULT_WIREGUARD_ENDPOINT})",
    )
    parser.add_argument(
        "--mode",
        choices=("regular", "wireguard"),
        default="regular",
        help="regular: set Android's global proxy; wireguard: apps' traffic goes through the WireGuard app to "
        "`mitmdump --mode wireguard` (catches apps that ignore the proxy)",
    )
    parser.add_argument(
        "--confdir",
        type=Path,
        metavar="DIR",
        help=f"mitmproxy's conf dir, holding {CA_CERT_FILE} (default {DEFAULT_CONFDIR})",
    )


def add_device_commands(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> argparse.ArgumentParser:
    """Add ``device setup`` and ``device doctor`` to the piaudit CLI; each sets ``handler`` (as scripts/cli.py expects) to its handler function."""
    device = subparsers.add_parser(
        "device",
        help="Prepare or check an Android emulator for an audit.",
        description="Prepare an Android emulator or rooted device for an audit (setup), or check it (doctor).",
        epilog="example:\n  piaudit device setup --frida-server frida-server-17.2.0-android-x86_64 --proxy 127.0.0.1:8080\n  piaudit device doctor",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = device.add_subparsers(dest="device_command", metavar="{setup,doctor}", required=True)
    setup = commands.add_parser(
        "setup",
        help="install the mitmproxy CA, route traffic to the proxy, start frida-server",
        description="Install the mitmproxy CA into the system store, route the device's traffic to the proxy "
        "and start frida-server. Each step prints ✓ or ✗; the first ✗ stops with what to do. "
        "Exit codes: 0 ready, 1 a step failed, 2 usage error.",
        epilog="example:\n  piaudit device setup --frida-server ~/Downloads/frida-server-17.2.0-android-x86_64 --proxy 127.0.0.1:8080\n"
        "  piaudit device setup --mode wireguard --serial emulator-5554",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_shared_options(setup)
    setup.add_argument(
        "--frida-server",
        type=Path,
        metavar="FILE",
        help="frida-server binary to push and start (frida-server-VERSION-android-ARCH[.xz] from frida's releases; "
        "its version must equal the installed frida package). Nothing is downloaded.",
    )
    setup.add_argument(
        "--wireguard-config",
        metavar="FILE",
        help="wireguard mode: the client config mitmdump printed, or its key file (default: DIR/wireguard.conf in --confdir)",
    )
    setup.set_defaults(handler=handle_setup)
    doctor = commands.add_parser(
        "doctor",
        help="check the device without changing it",
        description="Check adb, the device, root, the CA, the proxy setting and frida-server without changing "
        "anything, and say what to fix. Exit codes: 0 all good, 1 something to fix, 2 usage error.",
        epilog="example:\n  piaudit device doctor --proxy 127.0.0.1:8080\n  piaudit device doctor --serial emulator-5554 --mode wireguard",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_shared_options(doctor)
    doctor.set_defaults(handler=handle_doctor)
    return device
