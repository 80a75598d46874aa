"""Tampering with a session directory: what each integrity check finds, with and without a key."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from piaudit.policies import rows
from piaudit.policies.integrity import check
from piaudit.policies.keys import keygen, load_private_key, load_public_key
from piaudit.policies.models import ConsentEvent, ErrorRecord, HookEvent
from piaudit.policies.session import Session
from piaudit.policies.store import CHAINED_TABLES, GENESIS, row_digest

T0 = 1_764_000_000.0


def make_session(directory: Path, key: Path | None = None) -> Path:
    """A closed session with rows in several tables (written in several transactions, like flushes)."""
    session = Session.create(directory, app="com.example.app")
    for i in range(5):
        session.store.insert_many("errors", [rows.error_row(ErrorRecord(time=T0 + i, source="test", message=f"e{i}"))])
        event = HookEvent(time=T0 + i, data_type="imei", api={"class_name": "T", "method": "getImei"}, value="359881030314356")
        session.store.write_batch([rows.event_row(event)])
    session.store.write_batch([rows.event_row(ConsentEvent(time=T0 + 9, decision="granted", source="manual"))])
    session.close(sign_key=load_private_key(key) if key else None)
    return directory


def integrity(directory: Path, pub: Path | None = None):
    session = Session.open(directory)
    try:
        return check(session.store.conn, session.meta, load_public_key(pub) if pub else None)
    finally:
        session.store.conn.close()


def rechain(db: Path, table: str, start: int) -> None:
    """Recompute ``table``'s chain from row ``start`` on, as a careful editor would."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    prev = conn.execute(f"SELECT chain FROM {table} WHERE id = ?", (start - 1,)).fetchone()
    chain = prev[0] if prev else GENESIS
    for row in conn.execute(f"SELECT * FROM {table} WHERE id >= ? ORDER BY id", (start,)).fetchall():
        chain = row_digest(chain, dict(row))
        conn.execute(f"UPDATE {table} SET chain = ? WHERE id = ?", (chain, row["id"]))
    conn.commit()
    conn.close()


def sql(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def sync_heads(db: Path) -> None:
    """Make ``_heads`` agree with the tables again (the next step of a careful editor)."""
    conn = sqlite3.connect(db)
    for table in CHAINED_TABLES:
        last = conn.execute(f"SELECT id, chain FROM {table} ORDER BY id DESC LIMIT 1").fetchone()
        if last:
            conn.execute("UPDATE _heads SET rows = ?, head = ? WHERE name = ?", (last[0], last[1], table))
    conn.commit()
    conn.close()


def sync_session_json(directory: Path) -> None:
    """And make session.json's closing record agree as well (the last step without a key)."""
    meta = json.loads((directory / "session.json").read_text())
    conn = sqlite3.connect(directory / "evidence.db")
    for table, head in meta["heads"].items():
        last = conn.execute(f"SELECT id, chain FROM {table} ORDER BY id DESC LIMIT 1").fetchone()
        head["rows"], head["head"] = (last[0], last[1]) if last else (0, GENESIS)
    conn.close()
    (directory / "session.json").write_text(json.dumps(meta))


def test_an_untouched_session_is_intact(tmp_path: Path) -> None:
    result = integrity(make_session(tmp_path / "s"))
    assert result.ok, result.problems
    assert all(v is None for v in result.chains.values())


@pytest.mark.parametrize("table", ["errors", "hook_events", "consent_events"])
def test_deleting_the_last_rows_is_found(tmp_path: Path, table: str) -> None:
    s = make_session(tmp_path / "s")
    sql(s / "evidence.db", f"DELETE FROM {table} WHERE id = (SELECT max(id) FROM {table})")
    result = integrity(s)
    assert not result.ok
    assert any(p.startswith(f"{table}: ") and "deleted at the end" in p for p in result.problems), result.problems


def test_editing_a_row_and_recomputing_its_chain_is_found(tmp_path: Path) -> None:
    s = make_session(tmp_path / "s")
    sql(s / "evidence.db", "UPDATE errors SET message = 'nothing happened' WHERE id = 2")
    rechain(s / "evidence.db", "errors", 2)
    result = integrity(s)
    assert result.chains["errors"] is None  # the chain itself checks out now
    assert any(p.startswith("errors: rewritten") for p in result.problems), result.problems


def test_rewriting_the_recorded_heads_too_is_found_by_the_closing_record(tmp_path: Path) -> None:
    s = make_session(tmp_path / "s")
    sql(s / "evidence.db", "DELETE FROM hook_events WHERE id >= 4", "UPDATE errors SET message = 'x' WHERE id = 1")
    rechain(s / "evidence.db", "errors", 1)
    sync_heads(s / "evidence.db")
    problems = integrity(s).problems
    assert any(p.startswith("hook_events: rows 4–5 deleted (the session closed with 5 rows)") for p in problems), problems
    assert any(p.startswith("errors: changed after the session closed") for p in problems), problems


def test_without_a_key_a_consistent_rewrite_of_every_file_goes_unnoticed(tmp_path: Path) -> None:
    """The limit README states: without a signature, whoever can write every file can rewrite history."""
    s = make_session(tmp_path / "s")
    sql(s / "evidence.db", "DELETE FROM hook_events WHERE id >= 4")
    sync_heads(s / "evidence.db")
    sync_session_json(s)
    assert integrity(s).ok


def test_with_a_signature_a_consistent_rewrite_is_found(tmp_path: Path) -> None:
    key, pub = keygen(tmp_path / "lab")
    s = make_session(tmp_path / "s", key)
    assert integrity(s, pub).ok and any("signature valid" in n for n in integrity(s, pub).notes)
    sql(s / "evidence.db", "DELETE FROM hook_events WHERE id >= 4")
    sync_heads(s / "evidence.db")
    sync_session_json(s)
    assert any("changed after they were signed" in p for p in integrity(s, pub).problems)
    # without the public key the signature cannot be checked, and the report says so
    unchecked = integrity(s)
    assert unchecked.ok and any("NOT checked" in n for n in unchecked.notes)


def test_a_signature_by_another_key_or_none_at_all_is_found(tmp_path: Path) -> None:
    key, pub = keygen(tmp_path / "lab")
    other, _ = keygen(tmp_path / "other")
    signed = make_session(tmp_path / "signed", other)
    assert any("not by the given key" in p for p in integrity(signed, pub).problems)
    meta = json.loads((signed / "session.json").read_text())
    meta["heads_signature"] = None
    (signed / "session.json").write_text(json.dumps(meta))
    assert any("no signature over the closing heads" in p for p in integrity(signed, pub).problems)


def test_rows_piaudit_appends_after_the_close_are_notes_not_problems(tmp_path: Path) -> None:
    key, pub = keygen(tmp_path / "lab")
    s = make_session(tmp_path / "s", key)
    session = Session.open(s)
    session.store.write_batch([rows.event_row(ConsentEvent(time=T0 + 20, decision="withdrawn", source="manual"))])
    session.store.conn.close()
    result = integrity(s, pub)
    assert result.ok, result.problems
    assert any(n.startswith("consent_events: row 2 added after the session closed") for n in result.notes), result.notes


def test_rows_inserted_by_hand_with_a_valid_chain_are_found(tmp_path: Path) -> None:
    s = make_session(tmp_path / "s")
    conn = sqlite3.connect(s / "evidence.db")
    conn.row_factory = sqlite3.Row
    last = dict(conn.execute("SELECT * FROM consent_events ORDER BY id DESC LIMIT 1").fetchone())
    forged = last | {"id": last["id"] + 1, "time": T0 + 0.5, "decision": "granted"}
    forged["chain"] = row_digest(last["chain"], forged)
    conn.execute(
        f"INSERT INTO consent_events ({', '.join(forged)}) VALUES ({', '.join('?' * len(forged))})", list(forged.values())
    )
    conn.commit()
    conn.close()
    assert any(p.startswith("consent_events: row 2 not written by piaudit") for p in integrity(s).problems)
