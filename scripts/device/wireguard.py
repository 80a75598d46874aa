"""WireGuard mode: the client config for the device, and how to install it there."""

import json
from pathlib import Path

from piaudit.scripts.device.ca import DEFAULT_CONFDIR
from piaudit.scripts.device.errors import StepFailed
from piaudit.scripts.device.proxy import ProxyAddress

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
