"""`piaudit batch` as a user runs it: real `piaudit run` processes, real Frida, real JVM stand-in devices.

A pool of three local stand-in devices in which one device dies mid-audit (its JVM is killed):
the app is retried on another device and completes, and what the dead device recorded is kept.
Ctrl-C stops a batch cleanly; a second run continues where the first stopped.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from piaudit.policies.store import Store
from tests.hooks import frida_tmpdir, pid_alive

pytestmark = pytest.mark.slow
PIAUDIT = str(Path(sys.executable).parent / "piaudit")
POLICY = Path(__file__).resolve().parents[2] / "policies" / "examples" / "demoapp.yaml"


def free_ports(n: int) -> list[int]:
    """``n`` distinct free TCP ports on 127.0.0.1."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def wait_for(what: str, check: Callable[[], object], timeout: float = 180.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def state(campaign: Path) -> dict:
    try:
        return json.loads((campaign / "campaign.json").read_text())
    except (OSError, ValueError):
        return {}


def rows(session: Path, table: str) -> int:
    db = session / "evidence.db"
    if not db.is_file():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def java_pids(marker: str, port: int) -> list[int]:
    """The stand-in JVMs this test's batch started for the device on ``port`` (their argv names both)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        text = b" ".join(argv).decode(errors="replace")
        if argv and argv[0].endswith(b"java") and f"-Dhttp.proxyPort={port}" in text and marker in text:
            found.append(int(entry))
    return found


def plan(tmp_path: Path, devices: list[int], apps: list[str]) -> Path:
    path = tmp_path / "plan.yaml"
    lines = ["name: test campaign", "defaults: {duration: 120, retries: 2}", "grace: 30", "devices:"]
    lines += [f"  - {{local: true, proxy_port: {port}}}" for port in devices]
    lines += ["apps:", *apps]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start_batch(plan_path: Path, campaign: Path, tmpdir: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PIAUDIT, "batch", str(plan_path), "--out", str(campaign), "--status-every", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, TMPDIR=tmpdir),
    )


def finish(proc: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError("the batch did not end:\n" + err[-4000:]) from None
    return proc.returncode, out + err


def test_a_device_dies_mid_audit_its_app_is_retried_elsewhere_and_nothing_is_lost(tmp_path: Path) -> None:
    ports = free_ports(3)
    campaign = tmp_path / "campaign"
    plan_path = plan(
        tmp_path,
        ports,
        [
            f"  - {{package: com.example.demoapp, policy: {POLICY}}}",
            # the consent dialog stays open long enough for its device to be killed mid-audit
            "  - {package: com.example.slow, id: slow, standin: {consent_delay_ms: 8000}}",
            "  - {package: com.example.third, id: third}",
        ],
    )
    with frida_tmpdir() as tmpdir:
        proc = start_batch(plan_path, campaign, tmpdir)
        try:
            first = wait_for("the slow app to run", lambda: next(iter(state(campaign).get("apps", {}).get("slow", {}).get("attempts", [])), None))
            device, attempt_dir = first["device"], campaign / first["dir"]
            port = dict(zip(["local-1", "local-2", "local-3"], ports, strict=True))[device]
            wait_for("hook events from the slow app", lambda: rows(attempt_dir, "hook_events") > 0)
            recorded_before = rows(attempt_dir, "hook_events")
            (victim,) = wait_for("the slow app's JVM", lambda: java_pids(str(campaign), port))
            os.kill(victim, signal.SIGKILL)  # the device dies mid-audit
            wait_for("the JVM to be gone", lambda: not pid_alive(victim), timeout=30)
        except BaseException:
            proc.kill()
            raise
        code, output = finish(proc)
    assert code == 0, output[-4000:]
    final = state(campaign)
    slow = final["apps"]["slow"]
    assert slow["status"] == "done" and slow["session"] == "sessions/slow", output[-3000:]
    failed, retried = slow["attempts"]
    assert failed["outcome"] == "failed" and failed["device"] == device and "vanished" in failed["reason"]
    assert retried["outcome"] == "done" and retried["device"] != device  # retried elsewhere
    assert final["devices"][device]["failures"] == 1
    # the dead device's evidence is kept as it was left: nothing recorded is lost, the chains verify
    kept = campaign / failed["dir"]
    assert rows(kept, "hook_events") >= recorded_before > 0
    store = Store(kept / "evidence.db")
    assert all(problem is None for problem in store.verify().values())
    store.close()
    lifecycle = json.loads((kept / "session.json").read_text())
    assert lifecycle["app"] == "com.example.slow"
    # every app has one complete session
    for key in ("com.example.demoapp", "slow", "third"):
        assert final["apps"][key]["status"] == "done"
        meta = json.loads((campaign / "sessions" / key / "session.json").read_text())
        assert meta["complete"] and meta["options"].get("sinkhole") is not False
    assert json.loads((campaign / "sessions" / "third" / "session.json").read_text())["app"] == "com.example.third"
    assert rows(campaign / "sessions" / "com.example.demoapp", "findings") > 0
    events = [json.loads(line) for line in (campaign / "events.jsonl").read_text().splitlines()]
    assert [e["outcome"] for e in events if e["kind"] == "attempt_ended" and e["app"] == "slow"] == ["failed", "done"]
    assert "FAIL   slow on " + device in output and "will be retried on another device" in output
    assert "3/3 done · 0 running · 0 failed" in output


def test_ctrl_c_stops_cleanly_and_a_second_run_continues(tmp_path: Path) -> None:
    (port,) = free_ports(1)
    campaign = tmp_path / "campaign"
    plan_path = plan(
        tmp_path,
        [port],
        ["  - {package: com.example.first, id: first}", "  - {package: com.example.second, id: second, standin: {consent_delay_ms: 8000}}"],
    )
    with frida_tmpdir() as tmpdir:
        proc = start_batch(plan_path, campaign, tmpdir)
        try:
            wait_for("the second app to start", lambda: state(campaign).get("apps", {}).get("second", {}).get("status") == "running")
            second_dir = campaign / state(campaign)["apps"]["second"]["attempts"][0]["dir"]
            wait_for("hook events from the second app", lambda: rows(second_dir, "hook_events") > 0)
            proc.send_signal(signal.SIGINT)  # Ctrl-C
        except BaseException:
            proc.kill()
            raise
        code, output = finish(proc, timeout=120)
        assert code == 130, output[-3000:]
        stopped = state(campaign)
        assert stopped["apps"]["first"]["status"] == "done"
        assert stopped["apps"]["second"]["status"] == "pending"
        assert stopped["apps"]["second"]["attempts"][0]["outcome"] == "interrupted"
        assert json.loads((second_dir / "session.json").read_text())["complete"]  # the run closed its session cleanly
        first = campaign / "sessions" / "first" / "evidence.db"
        before = (first.stat().st_mtime_ns, first.read_bytes())

        code, output = finish(start_batch(plan_path, campaign, tmpdir))
    assert code == 0, output[-3000:]
    assert "continuing: 1 of 2 apps already done" in output
    final = state(campaign)
    assert final["runs"] == 2
    assert [a["outcome"] for a in final["apps"]["second"]["attempts"]] == ["interrupted", "done"]
    assert final["apps"]["first"]["attempts"] == stopped["apps"]["first"]["attempts"]  # not run again
    assert (first.stat().st_mtime_ns, first.read_bytes()) == before  # the complete session is kept untouched
    assert rows(second_dir, "hook_events") > 0  # the interrupted attempt is kept too
