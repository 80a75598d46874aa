"""A session directory edited after the fact: `info`, `report` and `bundle`/`verify` all say so."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from piaudit.policies.keys import keygen
from piaudit.scripts.cli import main
from tests.policies.test_integrity import make_session, rechain, sql, sync_heads


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_session(tmp_path_factory.mktemp("tamper") / "session")


def attacked(pristine: Path, tmp_path: Path, attack: str) -> Path:
    s = tmp_path / "s"
    shutil.copytree(pristine, s)
    db = s / "evidence.db"
    if attack == "delete-tail":
        sql(db, "DELETE FROM hook_events WHERE id >= 4")
    elif attack == "edit-and-rechain":
        sql(db, "UPDATE errors SET message = 'nothing happened' WHERE id = 2")
        rechain(db, "errors", 2)
    elif attack == "edit-rechain-and-heads":
        sql(db, "UPDATE errors SET message = 'nothing happened' WHERE id = 2")
        rechain(db, "errors", 2)
        sync_heads(db)
    return s


ATTACKS = ["delete-tail", "edit-and-rechain", "edit-rechain-and-heads"]
TABLE = {"delete-tail": "hook_events", "edit-and-rechain": "errors", "edit-rechain-and-heads": "errors"}


@pytest.mark.parametrize("attack", ATTACKS)
def test_info_says_what_was_changed(pristine: Path, tmp_path: Path, attack: str, capsys) -> None:
    s = attacked(pristine, tmp_path, attack)
    assert main(["info", str(s)]) == 1
    out = capsys.readouterr().out
    assert "all intact" not in out and f"{TABLE[attack]}: " in out, out


@pytest.mark.parametrize("attack", ATTACKS)
def test_report_shows_it_and_exits_1(pristine: Path, tmp_path: Path, attack: str, capsys) -> None:
    s = attacked(pristine, tmp_path, attack)
    assert main(["report", str(s), "--format", "json", "-o", str(tmp_path / "r.json")]) == 1
    assert "evidence was changed" in capsys.readouterr().err
    doc = json.loads((tmp_path / "r.json").read_text())
    assert not doc["integrity"]["ok"] and any(p.startswith(TABLE[attack]) for p in doc["integrity"]["problems"])
    main(["report", str(s), "--format", "html", "-o", str(tmp_path / "r.html")])
    assert "evidence was changed" in (tmp_path / "r.html").read_text()


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_bundle_made_afterwards_does_not_verify(pristine: Path, tmp_path: Path, attack: str, capsys) -> None:
    s = attacked(pristine, tmp_path, attack)
    assert main(["bundle", str(s), "-o", str(tmp_path / "case.zip")]) == 1
    assert "changed before it was bundled" in capsys.readouterr().out
    assert main(["verify", str(tmp_path / "case.zip")]) == 1
    out = capsys.readouterr().out
    assert f"session {TABLE[attack]}: " in out, out


def test_an_untouched_session_is_clean_everywhere(pristine: Path, tmp_path: Path, capsys) -> None:
    assert main(["info", str(pristine)]) == 0
    assert "all intact" in capsys.readouterr().out
    assert main(["report", str(pristine), "--format", "json", "-o", str(tmp_path / "r.json")]) == 0
    assert main(["bundle", str(pristine), "-o", str(tmp_path / "case.zip")]) == 0
    assert main(["verify", str(tmp_path / "case.zip")]) == 0


def test_info_checks_the_closing_signature_with_a_key(tmp_path: Path, capsys) -> None:
    key, pub = keygen(tmp_path / "lab")
    s = make_session(tmp_path / "signed", key)
    assert main(["info", str(s), "--key", str(pub)]) == 0
    assert "signature valid" in capsys.readouterr().out
    conn = sqlite3.connect(s / "evidence.db")
    conn.execute("DELETE FROM errors WHERE id = 5")
    conn.execute("UPDATE _heads SET rows = 4, head = (SELECT chain FROM errors WHERE id = 4) WHERE name = 'errors'")
    conn.commit()
    conn.close()
    meta = json.loads((s / "session.json").read_text())
    meta["heads"]["errors"] = {
        "rows": 4,
        "head": sqlite3.connect(s / "evidence.db").execute("SELECT chain FROM errors WHERE id = 4").fetchone()[0],
    }
    (s / "session.json").write_text(json.dumps(meta))
    assert main(["info", str(s)]) == 0  # without the key nothing shows: README says so
    assert "NOT checked" in capsys.readouterr().out
    assert main(["info", str(s), "--key", str(pub)]) == 1
    assert "changed after they were signed" in capsys.readouterr().out
