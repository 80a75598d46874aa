"""End to end: a real proxy, a real HTTPS upstream, real clients; every flow lands in the session."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from mitmproxy import io

from piaudit.policies.session import Session
from tests.support.proxy import Proxy, curl, websocket_exchange
from tests.support.upstream import Upstream, closed_port, free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory):
    with Upstream(tmp_path_factory.mktemp("upstream")) as server:
        yield server


def _traffic(proxy: Proxy, upstream: Upstream) -> dict:
    """The acceptance mix: HTTP/1.1, HTTP/2, WebSocket, gzip, a client rejecting the CA, a refused upstream."""
    results = {}
    r = curl(proxy, f"{upstream.url}/h1?imei=359881030314356", "--http1.1")
    results["h1"] = r
    body = json.dumps({"android_id": "9774d56d682e549c", "pad": "x" * 2000})
    r = curl(proxy, f"{upstream.url}/h2", "--http2", "-X", "POST", "-H", "Content-Type: application/json", "--data", body, "-o", "/dev/null", "-w", "%{http_version}")
    results["h2"] = r
    r = curl(proxy, f"{upstream.url}/gzip", "--compressed")
    results["gzip"] = r
    results["ws"] = websocket_exchange(proxy, "127.0.0.1", upstream.port, ["hello", '{"oaid":"abc"}'])
    results["pinned"] = curl(proxy, f"{upstream.url}/pinned", trust=False)  # rejects the proxy's CA
    results["refused"] = curl(proxy, f"https://127.0.0.1:{closed_port()}/down")
    return results


def _check_session(session_dir: Path, results: dict) -> None:
    assert results["h1"].returncode == 0, results["h1"].stderr
    assert b'"path": "/h1' in results["h1"].stdout
    assert results["h2"].returncode == 0 and results["h2"].stdout == b"2", results["h2"]
    assert json.loads(results["gzip"].stdout)["gzip"] is True
    assert results["ws"] == ["echo:hello", 'echo:{"oaid":"abc"}']
    assert results["pinned"].returncode != 0
    assert results["refused"].returncode == 0  # mitmproxy answers 502 itself
    session = Session.open(session_dir)
    store = session.store
    flows = {r["url"].split("?")[0].rsplit("/", 1)[-1]: r for r in store.rows("flows")}
    assert {"h1", "h2", "gzip", "ws", "down"} <= set(flows), flows.keys()
    assert flows["h1"]["http_version"] == "HTTP/1.1"
    assert flows["h2"]["http_version"] == "HTTP/2.0"
    assert flows["h2"]["request_size"] > 2000
    assert flows["ws"]["kind"] == "websocket"
    assert "errno 111" in (flows["down"]["error"] or "").lower()  # ECONNREFUSED, recorded as the flow's error
    ws_messages = list(store.rows("messages", "flow_id = ?", (flows["ws"]["flow_id"],)))
    assert [m["content"] for m in ws_messages][:2] == [b"hello", b"echo:hello"]
    failures = list(store.rows("tls_failures"))
    assert failures and failures[0]["server_addr"].startswith("127.0.0.1"), failures
    assert all(v is None for v in store.verify().values())
    with open(session_dir / "flows.mitm", "rb") as fh:
        read = list(io.FlowReader(fh).stream())
    ids = {f.id for f in read}
    assert {r["flow_id"] for r in flows.values()} <= ids
    assert session.meta.complete
    assert oct(session_dir.stat().st_mode & 0o777) == "0o700"


def test_mitmdump_script_records_everything(tmp_path: Path, upstream: Upstream) -> None:
    session_dir = tmp_path / "session"
    port = free_port()
    # lazy: the client negotiates HTTP/2 with the proxy although the upstream speaks HTTP/1.1
    proxy = Proxy.mitmdump(port, tmp_path / "conf", session_dir, "--set", f"ssl_verify_upstream_trusted_ca={upstream.ca}", "--set", "connection_strategy=lazy")
    with proxy:
        results = _traffic(proxy, upstream)
        time.sleep(0.3)
    _check_session(session_dir, results)


def test_piaudit_run_records_everything(tmp_path: Path, upstream: Upstream) -> None:
    session_dir = tmp_path / "session"
    port = free_port()
    proxy = Proxy.piaudit_run(port, tmp_path / "conf", session_dir, "--set", f"ssl_verify_upstream_trusted_ca={upstream.ca}", "--set", "connection_strategy=lazy")
    proxy.start()
    results = _traffic(proxy, upstream)
    out = proxy.stop()
    assert "flows" in out  # the end-of-run summary
    _check_session(session_dir, results)
