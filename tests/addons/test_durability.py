"""kill -9 of the proxy under load: the store opens cleanly and holds every flow completed > 1 s before."""

from __future__ import annotations

import http.client
import json
import os
import random
import ssl
import threading
import time
from pathlib import Path

import pytest

from piaudit.policies.session import Session
from piaudit.policies.store import verify_chains
from tests.support.proxy import Proxy
from tests.support.upstream import Upstream, free_port

pytestmark = pytest.mark.slow
ROUNDS = int(os.environ.get("PIAUDIT_KILL_ROUNDS", "3"))  # the hardening run uses 20


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory):
    with Upstream(tmp_path_factory.mktemp("upstream")) as server:
        yield server


def _load(proxy: Proxy, upstream: Upstream, done: dict[int, float], stop: threading.Event, worker: int) -> None:
    """One keep-alive client: POSTs with a unique sequence number; notes when each answer arrived."""
    context = ssl.create_default_context(cafile=str(proxy.ca))
    seq = worker * 1_000_000
    while not stop.is_set():
        conn = http.client.HTTPSConnection("127.0.0.1", proxy.port, context=context, timeout=5)
        conn.set_tunnel("127.0.0.1", upstream.port)
        try:
            while not stop.is_set():
                seq += 1
                body = json.dumps({"seq": seq, "android_id": "9774d56d682e549c", "pad": "x" * 1500})
                conn.request("POST", f"/load?seq={seq}", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    done[seq] = time.time()
        except (OSError, http.client.HTTPException):
            time.sleep(0.05)  # the proxy is gone (killed): try again until told to stop
        finally:
            conn.close()


def _wait_closed(session_dir: Path, timeout: float = 30) -> Session:
    """The audit process notices the proxy died, writes what it holds, and closes the session."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session = Session.open(session_dir)
        if session.meta.stopped is not None:
            return session
        session.store.conn.close()
        time.sleep(0.2)
    raise AssertionError("the audit process did not close the session after the proxy was killed")


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_kill9_under_load_loses_nothing_older_than_a_second(tmp_path: Path, upstream: Upstream, round_: int) -> None:
    session_dir = tmp_path / "session"
    proxy = Proxy.mitmdump(free_port(), tmp_path / "conf", session_dir, "--set", f"ssl_verify_upstream_trusted_ca={upstream.ca}")
    proxy.start()
    done: dict[int, float] = {}
    stop = threading.Event()
    clients = [threading.Thread(target=_load, args=(proxy, upstream, done, stop, w), daemon=True) for w in range(4)]
    for c in clients:
        c.start()
    deadline = time.monotonic() + 30
    while len(done) < 30 and time.monotonic() < deadline:  # the load is up
        time.sleep(0.05)
    time.sleep(random.uniform(1.5, 4.0))  # then a random moment under load
    killed_at = time.time()
    proxy.kill9()
    stop.set()
    for c in clients:
        c.join(10)

    session = _wait_closed(session_dir)
    assert not session.meta.complete and session.meta.incomplete_reason
    assert all(problem is None for problem in verify_chains(session.store.conn).values())
    recorded = {int(r["url"].split("seq=")[1]) for r in session.store.rows("flows") if "seq=" in r["url"]}
    old = {seq for seq, t in done.items() if t < killed_at - 1.0}
    assert len(old) > 20, "the load was too light to test anything"
    assert old <= recorded, f"{len(old - recorded)} flows completed > 1 s before the kill are missing"
