"""A session's flows.mitm replayed by mitmproxy's server replay: the app meets the recorded servers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from piaudit.policies.session import Session
from tests.support.proxy import Proxy, curl
from tests.support.upstream import Upstream, free_port

pytestmark = pytest.mark.slow


def test_recorded_session_answers_again_without_the_upstream(tmp_path: Path) -> None:
    first = tmp_path / "first"
    conf = tmp_path / "conf"
    with Upstream(tmp_path / "up") as upstream:
        url = f"{upstream.url}/api/profile?id=42"
        proxy = Proxy.piaudit_run(free_port(), conf, first, "--set", f"ssl_verify_upstream_trusted_ca={upstream.ca}")
        proxy.start()
        live = curl(proxy, url)
        proxy.stop()
    assert live.returncode == 0 and json.loads(live.stdout)["path"] == "/api/profile?id=42"

    # the upstream is gone: only the recording can answer now
    second = tmp_path / "second"
    replay = Proxy.piaudit_run(
        free_port(),
        conf,
        second,
        "--set",
        f"server_replay={first / 'flows.mitm'}",
        "--set",
        "server_replay_reuse=true",
        "--set",
        "server_replay_extra=404",
        "--set",
        "connection_strategy=lazy",
    )
    replay.start()
    again = curl(replay, url)
    unknown = curl(replay, url.replace("profile", "other"), "-o", "/dev/null", "-w", "%{http_code}")
    replay.stop()
    assert again.returncode == 0 and again.stdout == live.stdout
    assert unknown.stdout == b"404"
    session = Session.open(second)
    assert session.meta.options["server_replay"] == [str(first / "flows.mitm")]
    assert session.store.count("flows") == 2
