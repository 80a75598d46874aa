"""One writer per session: a second run or an in-place re-judgement is refused; `consent` says when no run is active."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from piaudit.policies.session import Session, SessionBusy, SessionLock, session_active
from piaudit.scripts.cli import main
from tests.support.proxy import Proxy
from tests.support.sessions import build_session
from tests.support.upstream import free_port

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "examples" / "demoapp.yaml"
BIN = Path(sys.executable).parent


def test_the_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    first = Session.create(tmp_path / "s", lock=True)
    assert session_active(tmp_path / "s")
    with pytest.raises(SessionBusy, match="in use by another piaudit run"):
        Session.create(tmp_path / "s", lock=True)
    with pytest.raises(SessionBusy):
        Session.open(tmp_path / "s", lock=True)
    first.close()
    assert not session_active(tmp_path / "s")
    Session.open(tmp_path / "s", lock=True).unlock()


def test_rejudging_in_place_while_a_run_writes_is_refused(tmp_path: Path, capsys) -> None:
    built = build_session(tmp_path / "s")
    held = SessionLock(built.dir).acquire()
    try:
        assert main(["replay", str(built.dir), "--policy", str(POLICY)]) == 2
    finally:
        held.release()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "in use by another piaudit run or re-judgement" in err[0], err
    assert main(["replay", str(built.dir), "--policy", str(POLICY)]) == 0  # once it ended


def test_consent_warns_when_no_run_is_active(tmp_path: Path, capsys) -> None:
    Session.create(tmp_path / "s").close()
    assert main(["consent", "--session", str(tmp_path / "s")]) == 0
    assert "warning: no piaudit run is active" in capsys.readouterr().err
    assert main(["consent", "--session", str(tmp_path / "s"), "--at", "2026-11-28T17:03:00+00:00"]) == 0
    assert "warning" not in capsys.readouterr().err
    held = SessionLock(tmp_path / "s").acquire()
    try:
        assert main(["consent", "--session", str(tmp_path / "s")]) == 0
    finally:
        held.release()
    assert "warning" not in capsys.readouterr().err


@pytest.mark.slow
def test_a_second_proxy_on_the_same_session_is_refused(tmp_path: Path) -> None:
    s = tmp_path / "s"
    with Proxy.mitmdump(free_port(), tmp_path / "conf", s):
        second = Proxy.mitmdump(free_port(), tmp_path / "conf2", s)
        done = subprocess.run(second.argv, capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert done.returncode != 0
        assert "in use by another piaudit run" in done.stdout + done.stderr
        rejudge = subprocess.run(
            [str(BIN / "piaudit"), "replay", str(s), "--policy", str(POLICY)], capture_output=True, text=True, timeout=120
        )
        assert rejudge.returncode == 2 and "in use" in rejudge.stderr
    assert Session.open(s).meta.complete  # the first run ended cleanly, its session.json intact
