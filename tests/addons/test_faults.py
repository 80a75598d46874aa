"""Faults in the live proxy: the app's traffic keeps flowing, every failure is recorded, the session stays readable.

A real ``mitmdump -s addons/piaudit.py`` on 127.0.0.1, a real misbehaving HTTPS upstream
(:class:`tests.support.faulty.FaultyUpstream`) and real clients (curl, raw sockets, ``h2``).
Most faults share one proxy and one session, which must still close complete and verify at
the end; the full disk gets a proxy of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from piaudit.policies.session import Session
from piaudit.policies.store import verify_chains
from tests.support.faulty import SLOW_SECONDS, DrainedProxy, FaultyUpstream, abandon_body, h2_reset_then_request, raw_exchange
from tests.support.proxy import curl
from tests.support.upstream import free_port

pytestmark = pytest.mark.slow

MB = 1024 * 1024


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory):
    with FaultyUpstream(tmp_path_factory.mktemp("faulty-upstream")) as server:
        yield server


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, upstream: FaultyUpstream):
    """One proxy and session for the faults that must not end the session (lazy: h2 to the client, HTTP/1.1 upstream)."""
    base = tmp_path_factory.mktemp("faults")
    proxy = DrainedProxy.mitmdump(
        free_port(), base / "conf", base / "session",
        "--set", f"ssl_verify_upstream_trusted_ca={upstream.ca}", "--set", "connection_strategy=lazy",
    )  # fmt: skip
    proxy.session_dir = base / "session"  # type: ignore[attr-defined]
    proxy.start()
    yield proxy
    if proxy.proc is not None and proxy.proc.poll() is None:
        proxy.stop()


def _flows(session_dir: Path, match: Callable[[dict[str, Any]], bool], timeout: float = 30.0) -> list[dict[str, Any]]:
    """The flow rows matching ``match``, waiting (the audit process writes within 250 ms, later under load)."""
    deadline = time.monotonic() + timeout
    while True:
        session = Session.open(session_dir)
        try:
            found = [r for r in session.store.rows("flows") if match(r)]
        finally:
            session.store.conn.close()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _path_is(path: str) -> Callable[[dict[str, Any]], bool]:
    return lambda r: r["url"].split("://", 1)[-1].split("/", 1)[-1].split("?")[0] == path.lstrip("/")


def _still_serving(proxy: DrainedProxy, upstream: FaultyUpstream, tag: str) -> None:
    assert proxy.proc is not None and proxy.proc.poll() is None, proxy.output[-3000:]
    r = curl(proxy, f"{upstream.url}/after-{tag}")
    assert r.returncode == 0 and json.loads(r.stdout) == {"path": f"/after-{tag}"}, r


# ---------------------------------------------------------------------------- upstream faults


@pytest.mark.parametrize(
    ("path", "error_words"),
    [
        ("/reset", ("reset", "closed", "disconnect")),  # TCP RST after the request was read
        ("/hangup", ("closed", "disconnect", "eof")),  # closed without an answer
        ("/garbage", ("invalid", "bad", "malformed", "http")),  # an answer that is not HTTP
    ],
)
def test_upstream_fault_gives_502_and_the_flow_records_the_error(
    live: DrainedProxy, upstream: FaultyUpstream, path: str, error_words: tuple[str, ...]
) -> None:
    r = curl(live, f"{upstream.url}{path}", "-o", "/dev/null", "-w", "%{http_code}")
    assert r.returncode == 0 and r.stdout == b"502", r
    assert any(line.startswith(f"GET {path} ") for line in upstream.requests), "the request never reached the upstream"
    (row,) = _flows(live.session_dir, _path_is(path))
    assert row["status_code"] is None or row["status_code"] == 502
    error = (row["error"] or "").lower()
    assert error and any(w in error for w in error_words), row["error"]
    _still_serving(live, upstream, path.strip("/"))


def test_slow_upstream_does_not_delay_other_requests(live: DrainedProxy, upstream: FaultyUpstream) -> None:
    slow: dict[str, Any] = {}

    def fetch_slow() -> None:
        start = time.monotonic()
        slow["result"] = curl(live, f"{upstream.url}/slow")
        slow["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=fetch_slow)
    thread.start()
    time.sleep(0.3)  # the slow request is waiting on the upstream
    fast_times = []
    for i in range(3):
        start = time.monotonic()
        r = curl(live, f"{upstream.url}/fast-{i}")
        fast_times.append(time.monotonic() - start)
        assert r.returncode == 0, r
    thread.join(20)
    assert slow["result"].returncode == 0 and json.loads(slow["result"].stdout)["slow"] == SLOW_SECONDS
    assert slow["seconds"] >= SLOW_SECONDS
    assert max(fast_times) < 1.0, f"fast requests took {fast_times} while a slow one waited"
    (row,) = _flows(live.session_dir, _path_is("/slow"))
    assert row["status_code"] == 200 and row["timestamp_end"] - row["timestamp_start"] >= SLOW_SECONDS - 0.1


# ---------------------------------------------------------------------------- big bodies


def test_100_mb_post_passes_and_is_recorded_with_size_and_sha256(
    live: DrainedProxy, upstream: FaultyUpstream, tmp_path: Path
) -> None:
    # mitmproxy's defaults: body_size_limit and stream_large_bodies unset, so the proxy
    # buffers the whole body and the flow (with it) reaches the audit process
    body = tmp_path / "body.bin"
    chunk = os.urandom(MB)
    with open(body, "wb") as fh:
        for _ in range(100):
            fh.write(chunk)
    expected = hashlib.sha256(chunk * 100).hexdigest()
    r = curl(
        live,
        f"{upstream.url}/upload",
        "-X",
        "POST",
        "-H",
        "Expect:",
        "-H",
        "Content-Type: application/octet-stream",
        "--data-binary",
        f"@{body}",
        timeout=60,
    )
    assert r.returncode == 0, r
    assert json.loads(r.stdout) == {"received": 100 * MB, "sha256": expected}
    (row,) = _flows(live.session_dir, _path_is("/upload"), timeout=60)
    assert row["request_size"] == 100 * MB and row["request_sha256"] == expected
    assert row["status_code"] == 200 and not row["error"]
    assert "scanned only in part" in (row["truncated"] or "")
    _still_serving(live, upstream, "upload")


# ---------------------------------------------------------------------------- hostile clients


def test_garbage_request_line_gets_400_and_the_proxy_keeps_serving(live: DrainedProxy, upstream: FaultyUpstream) -> None:
    answer = raw_exchange(live, b"\x16\x03GARBAGE \xff\xfe NOT/HTTP\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    _still_serving(live, upstream, "garbage-request")
    # what is recorded: nothing could be parsed into a request, so no flow row (mitmproxy
    # calls no flow hook for it); the proxy's own log names the client error
    rows = _flows(live.session_dir, lambda r: "GARBAGE" in r["url"] or "NOT/HTTP" in r["url"], timeout=1.0)
    assert rows == []


def test_client_disconnecting_mid_body_is_recorded_and_others_keep_flowing(live: DrainedProxy, upstream: FaultyUpstream) -> None:
    abandon_body(live, "127.0.0.1", upstream.port, "/abandoned", declared=100_000, sent=10)
    _still_serving(live, upstream, "abandoned")
    (row,) = _flows(live.session_dir, _path_is("/abandoned"))
    assert row["method"] == "POST" and row["status_code"] is None
    assert "disconnect" in (row["error"] or "").lower() or "closed" in (row["error"] or "").lower(), row["error"]
    assert not any("/abandoned" in line for line in upstream.requests)  # with lazy, nothing reached the server


def test_h2_stream_reset_by_client_is_recorded_and_the_connection_goes_on(live: DrainedProxy, upstream: FaultyUpstream) -> None:
    protocol, status, body = h2_reset_then_request(live, "127.0.0.1", upstream.port, "/h2-reset", "/h2-after")
    assert protocol == "h2"
    assert status == 200 and json.loads(body) == {"path": "/h2-after"}  # the same connection, a new stream
    (after,) = _flows(live.session_dir, _path_is("/h2-after"))
    assert after["http_version"] == "HTTP/2.0" and after["status_code"] == 200
    (reset,) = _flows(live.session_dir, _path_is("/h2-reset"))
    assert reset["status_code"] is None and "reset" in (reset["error"] or "").lower(), reset["error"]
    _still_serving(live, upstream, "h2")


def test_the_session_that_saw_all_those_faults_closes_complete_and_verifies(live: DrainedProxy, upstream: FaultyUpstream) -> None:
    _still_serving(live, upstream, "last")
    out = live.stop()
    assert live.proc is not None and live.proc.returncode == 0, out[-3000:]
    assert "Traceback" not in out, out[-3000:]
    session = Session.open(live.session_dir)
    assert session.meta.complete and session.meta.incomplete_reason is None
    assert all(problem is None for problem in verify_chains(session.store.conn).values())
    # faults of the traffic are the flows' errors, not failures of the audit; the one audit
    # note is the detector saying honestly that it scanned only part of the 100 MB body
    errors = [(e["source"], e["message"]) for e in session.store.rows("errors")]
    assert all(source == "detector" and "size limit" in message for source, message in errors), errors


# ---------------------------------------------------------------------------- the store cannot be written


@pytest.mark.parametrize(
    ("what_fills", "header_pad", "body_size", "requests", "logged"),
    [
        # headers go to the evidence db: it fills up (and flows.mitm with it)
        ("store", 6000, 20_000, 120, "cannot write the evidence store"),
        # small headers, large bodies: only flows.mitm fills up, the db stays writable
        ("capture", 0, 100_000, 15, "flows.mitm could not be written"),
    ],
)
def test_full_disk_keeps_traffic_flowing_and_marks_the_session_incomplete(
    tmp_path: Path, upstream: FaultyUpstream, what_fills: str, header_pad: int, body_size: int, requests: int, logged: str
) -> None:
    session_dir = tmp_path / "session"
    proxy = DrainedProxy.mitmdump(
        free_port(), tmp_path / "conf", session_dir, "--set", f"ssl_verify_upstream_trusted_ca={upstream.ca}"
    )
    proxy.max_file_bytes = 512 * 1024  # files of the proxy and its audit process stop growing here: EFBIG
    proxy.start()
    try:
        statuses = []
        pad = ["-H", f"X-Pad: {'x' * header_pad}"] if header_pad else []
        for i in range(requests):
            r = curl(
                proxy,
                f"{upstream.url}/upload?n={i}",
                "-X",
                "POST",
                *pad,
                "--data-binary",
                "y" * body_size,
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
            )
            statuses.append(r.stdout)
        assert set(statuses) == {b"200"}, statuses  # during the failure
        time.sleep(0.5)
        assert proxy.proc is not None and proxy.proc.poll() is None, proxy.output[-3000:]
        r = curl(proxy, f"{upstream.url}/after-full-disk")
        assert r.returncode == 0 and json.loads(r.stdout) == {"path": "/after-full-disk"}  # and after it
    finally:
        out = proxy.stop()
    assert logged in out, out[-3000:]  # loudly ...
    assert out.count(logged) <= 3, out[-3000:]  # ... but not once per retry (every 100 ms)
    assert "session marked incomplete" in out, out[-3000:]
    meta = json.loads((session_dir / "session.json").read_text())
    assert meta["complete"] is False and meta["incomplete_reason"], meta
    assert meta["stopped"] is not None
    session = Session.open(session_dir)
    assert all(problem is None for problem in verify_chains(session.store.conn).values())
    recorded = session.store.count("flows")
    assert 0 < recorded <= requests + 1, recorded  # flows stored before (store) or despite (capture) the full disk
    if what_fills == "capture":
        assert recorded == requests + 1  # the db was writable: every flow is in it
        errors = [e["message"] for e in session.store.rows("errors")]
        assert errors and all("File too large" in m for m in errors), errors


_STORE_UNDER_LIMIT = """
import resource, signal, sys
from piaudit.policies.store import Store
store = Store(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
try:
    for i in range(1000):
        store.insert_many("errors", [{"time": 1.0, "source": "t", "message": "x" * 4000}] * 20)
except Exception as e:
    print(f"{type(e).__name__}: {e}")
"""


def test_a_store_write_failure_names_its_cause(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    r = subprocess.run(
        [sys.executable, "-c", _STORE_UNDER_LIMIT, str(tmp_path / "evidence.db")],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=60,
    )
    assert r.stdout.strip(), r.stderr
    assert "no transaction is active" not in r.stdout, r.stdout
