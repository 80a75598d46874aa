"""`piaudit run` as a user types it: refusals in one line (exit 2), signing at close, the no-policy warning, -q."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from piaudit.policies.keys import keygen
from tests.support.upstream import free_port

pytestmark = pytest.mark.slow
PIAUDIT = Path(sys.executable).parent / "piaudit"
POLICY = Path(__file__).resolve().parents[2] / "policies" / "examples" / "demoapp.yaml"


def run(tmp_path: Path, session: Path, *extra: str, duration: str = "1") -> subprocess.CompletedProcess:
    argv = [
        str(PIAUDIT),
        "run",
        "--session",
        str(session),
        "--listen-port",
        str(free_port()),
        "--confdir",
        str(tmp_path / "conf"),
    ]
    return subprocess.run([*argv, "--duration", duration, *extra], capture_output=True, text=True, timeout=120)


def one_line(r: subprocess.CompletedProcess, needle: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stdout[-1000:], r.stderr[-2000:])
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and needle in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_a_folder_of_someones_files_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "thesis.docx").write_text("years of work")
    one_line(run(tmp_path, folder, "--policy", str(POLICY)), "not empty and not a piaudit session")
    assert [p.name for p in folder.iterdir()] == ["thesis.docx"]


def test_a_second_run_on_the_same_session_is_refused(tmp_path: Path) -> None:
    s = tmp_path / "s"
    argv = [str(PIAUDIT), "run", "-q", "--session", str(s), "--listen-port", str(free_port()), "--confdir", str(tmp_path / "c1")]
    first = subprocess.Popen(
        [*argv, "--policy", str(POLICY), "--duration", "8"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while not (s / "session.json").exists():
            assert time.monotonic() < deadline and first.poll() is None, "the first run did not start"
            time.sleep(0.05)
        one_line(run(tmp_path, s, "--policy", str(POLICY)), "in use by another piaudit run")
    finally:
        first.communicate(timeout=60)
    assert first.returncode == 0


def test_run_sign_then_info_key(tmp_path: Path) -> None:
    key, pub = keygen(tmp_path / "lab")
    r = run(tmp_path, tmp_path / "s", "--policy", str(POLICY), "--sign", str(key))
    assert r.returncode == 0, r.stderr[-2000:]
    info = subprocess.run(
        [str(PIAUDIT), "info", str(tmp_path / "s"), "--key", str(pub)], capture_output=True, text=True, timeout=60
    )
    assert info.returncode == 0 and "signature valid" in info.stdout, info.stdout
    one_line(run(tmp_path, tmp_path / "s2", "--sign", str(pub)), "not an unencrypted PEM private key")


def test_without_a_policy_the_terminal_says_so(tmp_path: Path) -> None:
    r = run(tmp_path, tmp_path / "s")
    assert r.returncode == 0 and "no policy: every third party counts as undeclared" in r.stderr


def test_quiet_means_quiet(tmp_path: Path) -> None:
    r = run(tmp_path, tmp_path / "s", "-q", "--policy", str(POLICY))
    assert r.returncode == 0
    assert [line for line in (r.stdout + r.stderr).splitlines() if line.startswith("INFO")] == []
