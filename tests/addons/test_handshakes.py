"""A client that completes the TLS handshake and closes without a request was not inspected."""

from __future__ import annotations

import socket
import ssl
import time
from pathlib import Path

import pytest

from piaudit.addons.handshakes import HandshakeWatch
from piaudit.policies import rows
from piaudit.policies.session import Session
from tests.support.proxy import Proxy
from tests.support.upstream import free_port


def test_watch_reports_only_connections_without_a_request() -> None:
    watch = HandshakeWatch(max_open=2)
    for conn in ("a", "b", "c"):
        watch.established(conn, time=1.0, client_addr="127.0.0.1:1", server_addr="h:443", host="h", sni=f"{conn}.example")
    assert watch.dropped == 1  # bounded: the oldest is forgotten, never grows without limit
    watch.used("b")
    assert watch.closed("a") is None  # dropped
    assert watch.closed("b") is None  # carried a request
    failure = watch.closed("c")
    assert failure is not None and failure.stage == "after_handshake" and failure.sni == "c.example"
    assert watch.closed("c") is None  # reported once


def _tunnel(port: int, ca: Path, host: str, request: bytes | None) -> bytes:
    """CONNECT through the proxy, finish the TLS handshake trusting its CA, then send ``request`` or just close."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    raw.sendall(f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
    assert raw.recv(4096).startswith(b"HTTP/1.1 200")
    context = ssl.create_default_context(cafile=str(ca))
    with context.wrap_socket(raw, server_hostname=host) as tls:
        if request is None:
            return b""  # handshake done, closed without a request: what OkHttp does when a pin fails
        tls.sendall(request)
        return tls.recv(4096)


@pytest.mark.slow
def test_handshake_then_close_is_uninspected(tmp_path: Path) -> None:
    session_dir = tmp_path / "session"
    port = free_port()
    proxy = Proxy.mitmdump(port, tmp_path / "conf", session_dir, "--set", "piaudit_sinkhole=true")
    with proxy:
        _tunnel(port, proxy.ca, "pinned.example", None)
        answer = _tunnel(port, proxy.ca, "open.example", b"GET / HTTP/1.1\r\nHost: open.example\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 200")
        time.sleep(0.5)
    session = Session.open(session_dir)
    failures = list(session.store.rows("tls_failures"))
    assert [(f["sni"], f["stage"]) for f in failures] == [("pinned.example", "after_handshake")]
    assert failures[0]["client_addr"].startswith("127.0.0.1:")
    findings = [f for f in rows.latest_findings(session.store) if f.rule == "UNINSPECTED_TLS"]
    assert [f.host for f in findings] == ["pinned.example"]
    assert "without sending a request" in findings[0].message
    session.store.close()
