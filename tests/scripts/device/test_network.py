"""The proxy address, reverse tunnels and the WireGuard client configuration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from piaudit.scripts.device import network
from piaudit.scripts.device.checklist import StepFailed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:8080", ("127.0.0.1", 8080, True)),
        ("localhost:9000", ("localhost", 9000, True)),
        ("10.0.2.2:8080", ("10.0.2.2", 8080, False)),
    ],
)
def test_parse_proxy(text: str, expected: tuple[str, int, bool]) -> None:
    proxy = network.parse_proxy(text)
    assert (proxy.host, proxy.port, proxy.is_loopback) == expected
    assert str(proxy) == text


@pytest.mark.parametrize("text", ["8080", "host:", ":8080", "host:0", "host:70000", "host:http", "[::1]:8080"])
def test_parse_proxy_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        network.parse_proxy(text)


def test_parse_reverse_list() -> None:
    output = "host-19 tcp:8080 tcp:8080\nUsbFfs tcp:27042 tcp:27042\n\n"
    assert network.parse_reverse_list(output) == {("tcp:8080", "tcp:8080"), ("tcp:27042", "tcp:27042")}


def test_wireguard_config_from_text_file_and_key_file(tmp_path: Path) -> None:
    import mitmproxy_rs

    endpoint = network.parse_proxy(network.DEFAULT_WIREGUARD_ENDPOINT)
    printed = "[Interface]\nPrivateKey = abc\n\n[Peer]\nEndpoint = 192.168.1.5:51820"
    assert network.wireguard_client_config(printed, tmp_path, endpoint) == printed
    conf_file = tmp_path / "client.conf"
    conf_file.write_text(printed + "\n")
    assert network.wireguard_client_config(str(conf_file), tmp_path, endpoint) == printed

    keys = {"server_key": mitmproxy_rs.wireguard.genkey(), "client_key": mitmproxy_rs.wireguard.genkey()}
    (tmp_path / "wireguard.conf").write_text(json.dumps(keys))
    config = network.wireguard_client_config(None, tmp_path, endpoint)
    assert f"PrivateKey = {keys['client_key']}" in config
    assert f"PublicKey = {mitmproxy_rs.wireguard.pubkey(keys['server_key'])}" in config
    assert "Endpoint = 10.0.2.2:51820" in config


def test_wireguard_config_missing_explains_where_it_comes_from(tmp_path: Path) -> None:
    with pytest.raises(StepFailed) as failure:
        network.wireguard_client_config(None, tmp_path, network.parse_proxy("10.0.2.2:51820"))
    assert "mitmdump --mode wireguard" in failure.value.fix
