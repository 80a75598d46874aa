"""Routing the device's traffic to the proxy: the ``http_proxy`` setting with ``adb reverse``, or WireGuard."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

from piaudit.scripts.device.adb import Adb
from piaudit.scripts.device.ca import DEFAULT_CONFDIR
from piaudit.scripts.device.checklist import StepFailed

DEFAULT_PROXY = "127.0.0.1:8080"


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})


UNSET_PROXY_VALUES = frozenset({"", "null", ":0"})


@dataclass(frozen=True)
class ProxyAddress:
    """HOST:PORT of the proxy (regular mode) or of mitmdump's WireGuard server."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def is_loopback(self) -> bool:
        """True for the host's own loopback, which the device reaches through `adb reverse`."""
        return self.host in LOOPBACK_HOSTS


def parse_proxy(text: str) -> ProxyAddress:
    """Parse ``HOST:PORT``; ValueError with a readable message otherwise.

    >>> parse_proxy("127.0.0.1:8080")
    ProxyAddress(host='127.0.0.1', port=8080)
    """
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:8080)")
    if ":" in host or "[" in host:
        raise ValueError(f"{text!r}: Android's proxy setting takes a host name or IPv4 address, not IPv6")
    return ProxyAddress(host, int(port))


def parse_reverse_list(output: str) -> set[tuple[str, str]]:
    """``adb reverse --list`` lines (``<transport> <device side> <host side>``) as (device, host) pairs."""
    return {(fields[-2], fields[-1]) for line in output.splitlines() if len(fields := line.split()) >= 3}


def read_http_proxy(adb: Adb) -> str:
    """The device's global proxy setting, "" when unset."""
    value = adb.shell("settings get global http_proxy").stdout.strip()
    return "" if value in UNSET_PROXY_VALUES else value


def route_through_proxy(adb: Adb, proxy: ProxyAddress) -> str:
    """Regular mode: set the global proxy (plus `adb reverse` when the proxy is on the host's loopback)."""
    if proxy.is_loopback:
        adb.run("reverse", f"tcp:{proxy.port}", f"tcp:{proxy.port}")
    adb.shell(f"settings put global http_proxy {shlex.quote(str(proxy))}")
    value = read_http_proxy(adb)
    if value != str(proxy):
        raise StepFailed(
            f"the proxy setting is {value or 'unset'} after setting it to {proxy}",
            f"Set it by hand: `adb shell settings put global http_proxy {proxy}`, or start the emulator "
            f"with `-http-proxy http://{proxy}`.",
        )
    via = f" (device port {proxy.port} → this computer via adb reverse)" if proxy.is_loopback else ""
    return f"http_proxy={proxy}{via}; apps that ignore it need --mode wireguard"


def check_proxy(adb: Adb, proxy: ProxyAddress) -> str:
    """Doctor, regular mode: the global proxy is ``proxy`` and, on loopback, the reverse tunnel exists."""
    value = read_http_proxy(adb)
    if value != str(proxy):
        raise StepFailed(
            f"http_proxy is {value or 'not set'}, expected {proxy}" + (": apps connect directly" if not value else ""),
            f"Run `piaudit device setup --proxy {proxy}` (or pass --proxy to doctor if you use another address).",
        )
    if proxy.is_loopback:
        wanted = (f"tcp:{proxy.port}", f"tcp:{proxy.port}")
        if wanted not in parse_reverse_list(adb.run("reverse", "--list").stdout):
            raise StepFailed(
                f"http_proxy is {proxy} but there is no `adb reverse` for port {proxy.port} (it ends when adb reconnects)",
                f"Run `adb reverse tcp:{proxy.port} tcp:{proxy.port}` or `piaudit device setup`.",
            )
        return f"http_proxy={proxy}, reversed to this computer"
    return f"http_proxy={proxy}"


def check_no_proxy(adb: Adb) -> str:
    """Doctor, WireGuard mode: no global proxy is left over from regular mode."""
    value = read_http_proxy(adb)
    if value:
        raise StepFailed(
            f"http_proxy is still {value}: apps that honour it bypass the WireGuard tunnel",
            "Clear it: `adb shell settings put global http_proxy :0` (or run `piaudit device setup --mode wireguard`).",
        )
    return "no http_proxy set; traffic goes through the WireGuard tunnel when it is on"


def clear_proxy(adb: Adb) -> str:
    """WireGuard mode: remove a global proxy left over from regular mode."""
    previous = read_http_proxy(adb)
    if not previous:
        return "no http_proxy set"
    adb.shell("settings put global http_proxy :0")
    if read_http_proxy(adb):
        raise StepFailed("could not clear http_proxy", "Clear it by hand: `adb shell settings put global http_proxy :0`.")
    return f"cleared http_proxy (was {previous}) so traffic goes through the tunnel"


WIREGUARD_KEYS_FILE = "wireguard.conf"


# 10.0.2.2 is the emulator's alias for the host's loopback; WireGuard is UDP,
# which `adb reverse` cannot carry, so the tunnel must use it.
DEFAULT_WIREGUARD_ENDPOINT = "10.0.2.2:51820"


def wireguard_client_config(source: str | Path | None, confdir: Path, endpoint: ProxyAddress) -> str:
    """The WireGuard client config for the device.

    ``source`` may be the config text mitmdump printed, a file holding it, or mitmdump's key file
    (``wireguard.conf``: JSON with server_key and client_key). With None, the key file in ``confdir``
    is used; the config is then built the way mitmdump builds it, with ``endpoint`` as the server.
    """
    if isinstance(source, str) and "[Interface]" in source:
        return source.strip()
    path = Path(source).expanduser() if source is not None else confdir.expanduser() / WIREGUARD_KEYS_FILE
    if not path.is_file():
        raise StepFailed(
            f"no WireGuard configuration at {path}",
            "Start `mitmdump --mode wireguard` once: it writes its keys to "
            f"{DEFAULT_CONFDIR / WIREGUARD_KEYS_FILE} and prints the client config; pass either with --wireguard-config.",
        )
    text = path.read_text(encoding="utf-8")
    if "[Interface]" in text:
        return text.strip()
    try:
        keys = json.loads(text)
        client_key, server_key = keys["client_key"], keys["server_key"]
        import mitmproxy_rs  # only WireGuard mode needs it

        server_public_key = mitmproxy_rs.wireguard.pubkey(server_key)
    except (ValueError, KeyError, TypeError) as error:
        raise StepFailed(
            f"{path} is neither a WireGuard client config nor mitmdump's key file ({error})",
            "Pass the config mitmdump printed at start-up, or its wireguard.conf key file.",
        ) from error
    return "\n".join(
        [
            "[Interface]",
            f"PrivateKey = {client_key}",
            "Address = 10.0.0.1/32",
            "DNS = 10.0.0.53",
            "",
            "[Peer]",
            f"PublicKey = {server_public_key}",
            "AllowedIPs = 0.0.0.0/0",
            f"Endpoint = {endpoint}",
        ]
    )


def wireguard_instructions(config: str, endpoint: ProxyAddress) -> str:
    """What the user does on the device to send its traffic through mitmdump's WireGuard server."""
    indented = "\n".join(f"    {line}" for line in config.splitlines())
    return (
        "WireGuard mode: apps that ignore the proxy setting are captured too.\n"
        f"  1. On this computer run `mitmdump --mode wireguard` (UDP port {endpoint.port}).\n"
        "  2. On the device install the WireGuard app (Play Store, or `adb install` an APK from F-Droid).\n"
        "  3. Save the config below to a file, `adb push FILE /sdcard/Download/`, then in the app:\n"
        "     + → Import from file or archive. (mitmweb also shows it as a QR code to scan.)\n"
        f"{indented}\n"
        "  4. Turn the tunnel on; a key icon in the status bar shows it is up."
    )
