"""A session directory: created 0700, continued when it is a session, refused when it holds anything else."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from piaudit.policies.session import Session, SessionError

ENTRY = Path(__file__).resolve().parents[2] / "addons" / "piaudit.py"
BIN = Path(sys.executable).parent


def someones_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"years of work")
    (folder / "photos").mkdir()
    os.chmod(folder, 0o755)
    return folder


def test_a_folder_holding_other_files_is_refused_untouched(tmp_path: Path) -> None:
    folder = someones_folder(tmp_path)
    with pytest.raises(SessionError, match=r"Documents: not empty and not a piaudit session \(it holds photos, thesis\.docx\)"):
        Session.create(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["photos", "thesis.docx"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755


def test_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(SessionError, match="not a directory"):
        Session.create(tmp_path / "f")


def test_new_empty_and_existing_sessions_are_fine(tmp_path: Path) -> None:
    Session.create(tmp_path / "new").close()
    (tmp_path / "empty").mkdir()
    Session.create(tmp_path / "empty").close()
    again = Session.create(tmp_path / "new")
    assert any(n.startswith("continued at") for n in again.meta.notes)
    again.close()


def test_a_session_that_stopped_before_its_metadata_is_continued(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "flows.mitm").write_bytes(b"")
    (tmp_path / "s" / "evidence.db").write_bytes(b"")
    Session.create(tmp_path / "s").close()
    assert (tmp_path / "s" / "session.json").is_file()


@pytest.mark.slow
def test_the_mitmproxy_addon_refuses_it_too(tmp_path: Path) -> None:
    folder = someones_folder(tmp_path)
    argv = [str(BIN / "mitmdump"), "-q", "--listen-host", "127.0.0.1", "--listen-port", "0", "-s", str(ENTRY)]
    argv += ["--set", f"confdir={tmp_path / 'conf'}", "--set", f"piaudit_session={folder}"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "not empty and not a piaudit session" in done.stdout + done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["photos", "thesis.docx"]
