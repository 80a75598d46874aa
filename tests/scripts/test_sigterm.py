"""SIGTERM while clients still hold connections: `piaudit run` stops quietly, every time.

The traceback (asyncio.CancelledError in StreamReaderProtocol's callback) appeared in some runs
only, so the test repeats the stop; before the fix every one of these runs printed it here.
"""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

import pytest

from piaudit.policies.session import Session
from tests.support.proxy import Proxy
from tests.support.upstream import free_port

pytestmark = pytest.mark.slow
REPEAT = 3  # before the fix every run printed the traceback here; three runs keep the margin at a third of the time


def test_sigterm_with_open_client_connections_is_quiet(tmp_path: Path) -> None:
    noisy = []
    for i in range(REPEAT):
        proxy = Proxy.piaudit_run(free_port(), tmp_path / "conf", tmp_path / f"s{i}")
        proxy.argv.remove("-q")  # the log on the terminal, as a user sees it
        proxy.start()
        clients = [socket.create_connection(("127.0.0.1", proxy.port)) for _ in range(4)]
        clients[0].sendall(b"GET http://127.0.0.1:9/ HTTP/1.1\r\nHost: 127.0.0.1:9\r\n")  # half a request
        clients[1].sendall(b"CONNECT 127.0.0.1:9 HTTP/1.1\r\n\r\n")  # a tunnel to nowhere
        time.sleep(0.3)
        out = proxy.stop(signal.SIGTERM, timeout=60)
        for c in clients:
            c.close()
        if "Traceback" in out or "CancelledError" in out or proxy.proc.returncode != 0:
            noisy.append((i, proxy.proc.returncode, out[-1500:]))
        assert Session.open(tmp_path / f"s{i}").meta.complete
    assert noisy == []
