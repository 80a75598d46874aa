"""Everything piaudit writes that holds personal data is 0600, its directories 0700, whatever the umask.

The tests run with the usual umask 022, under which a plain ``open()`` makes 0644 files.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from piaudit.scripts.cli import main
from piaudit.scripts.reports import write_report
from tests.support.proxy import Proxy, curl
from tests.support.sessions import build_session
from tests.support.upstream import Upstream, free_port


@pytest.fixture(autouse=True)
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(directory: Path) -> dict[str, int]:
    return {str(p.relative_to(directory)): mode(p) for p in [directory, *directory.rglob("*")]}


def assert_private(directory: Path) -> None:
    found = modes(directory)
    wrong = {name: oct(m) for name, m in found.items() if m != (0o700 if (directory / name).is_dir() else 0o600)}
    assert wrong == {}, wrong


@pytest.fixture
def session(tmp_path: Path) -> Path:
    return build_session(tmp_path / "s").dir


@pytest.mark.parametrize("fmt", ["html", "json", "csv", "xlsx", "har"])
def test_every_report_format_is_0600(session: Path, tmp_path: Path, fmt: str) -> None:
    assert mode(write_report(session, fmt, tmp_path / f"r.{fmt}")) == 0o600
    assert mode(write_report(session, fmt, tmp_path / f"redacted.{fmt}", redact=True)) == 0o600
    assert mode(write_report(session, fmt, None)) == 0o600  # DIR/report.<fmt>


def test_an_existing_report_file_is_made_private(session: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.har"
    out.write_text("old")
    os.chmod(out, 0o644)
    write_report(session, "har", out)
    assert mode(out) == 0o600


def test_a_built_session_and_its_database_files(session: Path) -> None:
    from piaudit.policies.session import Session

    s = Session.open(session)  # an open writer: the WAL and shared-memory files exist now
    s.store.insert_many("errors", [{"time": 1.0, "source": "t", "message": "m"}])
    assert (session / "evidence.db-wal").exists() and (session / "evidence.db-shm").exists()
    assert_private(session)
    s.store.close()


def test_a_replayed_session(session: Path, tmp_path: Path) -> None:
    assert main(["replay", str(session), "--out", str(tmp_path / "again")]) == 0
    assert_private(tmp_path / "again")
    assert main(["report", str(tmp_path / "again"), "--format", "har", "-o", str(tmp_path / "again.har")]) == 0
    assert mode(tmp_path / "again.har") == 0o600


@pytest.mark.slow
def test_a_live_session_while_it_runs_and_after(tmp_path: Path) -> None:
    s = tmp_path / "live"
    with Upstream(tmp_path / "up") as upstream:
        proxy = Proxy.piaudit_run(free_port(), tmp_path / "conf", s, "--set", f"ssl_verify_upstream_trusted_ca={upstream.ca}")
        proxy.start()
        try:
            assert curl(proxy, f"{upstream.url}/a?imei=359881030314356").returncode == 0
            deadline = time.monotonic() + 30
            while not (s / "flows.mitm").exists() or not (s / "flows.mitm").stat().st_size:
                assert time.monotonic() < deadline, "flows.mitm was not written"
                time.sleep(0.05)
            running = modes(s)
            assert {"evidence.db-wal", "evidence.db-shm", "flows.mitm", "session.json"} <= set(running)
        finally:
            proxy.stop()
    assert {k: oct(v) for k, v in running.items() if v not in (0o600, 0o700)} == {}
    assert_private(s)


def test_a_bundle_is_0600_and_leaves_the_session_private(session: Path, tmp_path: Path) -> None:
    assert main(["bundle", str(session), "-o", str(tmp_path / "case.zip")]) == 0
    assert mode(tmp_path / "case.zip") == 0o600
    assert_private(session)
