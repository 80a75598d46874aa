"""Regular mode: route the device's traffic to the proxy with Android's global ``http_proxy`` setting."""

import shlex
from dataclasses import dataclass

from piaudit.scripts.device.adb import Adb
from piaudit.scripts.device.errors import StepFailed

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
