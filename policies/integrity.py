"""Is a session's evidence as piaudit wrote it? Its chains, its recorded heads, its closing record, its signature.

Four checks, each catching more (``piaudit info``, ``report`` and ``bundle`` run them all):

1. **Chains.** Every row's ``chain`` hashes the previous row's: an edited row, or a gap in the
   middle of a table, is found — unless the editor recomputed the chain from that row on.
2. **Recorded heads.** Every write transaction also records each table's row count and chain
   head in ``_heads`` (:mod:`policies.store`), so at every flush the database says how it ended:
   rows deleted at the end, rows added by hand and a recomputed chain are found — unless the
   editor rewrote ``_heads`` too.
3. **The closing record.** When the session closes, the heads are copied into ``session.json``:
   an editor must change that file as well.
4. **The signature.** ``piaudit run --sign KEY`` signs the closing heads as the session ends;
   with the public key (``--key NAME.pub``) any change to rows written before the close is
   found, whatever else was rewritten, because a new signature needs the private key.

Rows appended after the close by piaudit itself (``piaudit consent --at``, ``piaudit replay DIR
--policy``) keep the chain going; they are listed as added after the close, not covered by the
closing record or its signature.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from piaudit.policies.keys import fingerprint, sign, signature_valid
from piaudit.policies.models import HeadsSignature, SessionMeta, TableHead
from piaudit.policies.store import CHAINED_TABLES, recorded_heads, table_heads, verify_chains

SIGNED_FORMAT = "piaudit-heads/1"


@dataclass
class Integrity:
    """What the checks found: per-table chain status, problems (evidence was changed) and notes."""

    chains: dict[str, str | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing was changed that the checks could see."""
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        """For the JSON report and the bundle manifest."""
        return {"ok": self.ok, "problems": self.problems, "notes": self.notes}


def signed_bytes(meta: SessionMeta, signature: HeadsSignature | None = None) -> bytes:
    """The exact bytes a closing signature covers: the heads, the session's start, when and by whom."""
    sig = signature or meta.heads_signature
    body = {
        "format": SIGNED_FORMAT,
        "started": meta.started,
        "heads": {t: h.model_dump() for t, h in sorted(meta.heads.items())},
        "signed_at": sig.signed_at if sig else None,
        "key": sig.key_fingerprint if sig else None,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def record_close(conn: sqlite3.Connection, meta: SessionMeta, key: Ed25519PrivateKey | None = None) -> None:
    """Copy every table's head into ``meta`` (the closing record) and sign it with ``key`` if given."""
    meta.heads = {t: TableHead(**h) for t, h in table_heads(conn).items()}
    meta.heads_signature = None
    if key is not None:
        unsigned = HeadsSignature(key_fingerprint=fingerprint(key.public_key()), signature="", signed_at=time.time())
        unsigned.signature = sign(signed_bytes(meta, unsigned), key)
        meta.heads_signature = unsigned


def _span(a: int, b: int) -> str:
    return f"row {a}" if a == b else f"rows {a}–{b}"


def _against(table: str, rows: int, head: str, recorded: dict[str, Any], what: str) -> str | None:
    n = recorded["rows"]
    if rows < n:
        return f"{table}: {_span(rows + 1, n)} deleted at the end ({what} {n} rows)"
    if rows > n:
        return f"{table}: {_span(n + 1, rows)} not written by piaudit ({what} {n} rows)"
    if head != recorded["head"]:
        return f"{table}: rewritten: its chain head differs from the one {what} (rows edited and the chain recomputed)"
    return None


def check(
    conn: sqlite3.Connection,
    meta: SessionMeta,
    key: Ed25519PublicKey | None = None,
    *,
    chains: dict[str, str | None] | None = None,
) -> Integrity:
    """Run every check on one session's database and metadata, in one read snapshot.

    ``chains`` are the chain results when the caller has recomputed them already (``piaudit verify``).
    """
    result = Integrity()
    conn.execute("BEGIN")  # one snapshot: a running session's writer does not move the heads mid-check
    try:
        result.chains = verify_chains(conn) if chains is None else chains
        actual = table_heads(conn)
        recorded = recorded_heads(conn)
        closing = {
            t: conn.execute(f"SELECT chain FROM [{t}] WHERE id = ?", (h.rows,)).fetchone() if h.rows else None
            for t, h in meta.heads.items()
            if t in CHAINED_TABLES
        }
    finally:
        conn.execute("ROLLBACK")
    for table, problem in result.chains.items():
        if problem:
            result.problems.append(f"{table}: {problem}")
    if recorded is None:
        result.notes.append("no recorded heads: the database was written before piaudit recorded them")
    else:
        for table in CHAINED_TABLES:
            rows, head = actual[table]["rows"], actual[table]["head"]
            if table not in recorded:
                if rows:
                    result.problems.append(f"{table}: {_span(1, rows)} not written by piaudit (no head recorded for the table)")
                continue
            if problem := _against(table, rows, head, recorded[table], "piaudit's writer recorded"):
                result.problems.append(problem)
    _check_closing(meta, actual, closing, result)
    _check_signature(meta, key, result)
    return result


def _check_closing(meta: SessionMeta, actual: dict[str, Any], closing: dict[str, Any], result: Integrity) -> None:
    if not meta.heads:
        if meta.complete:
            result.notes.append("no closing record in session.json (a session closed before piaudit recorded one)")
        return
    for table, head in meta.heads.items():
        if table not in CHAINED_TABLES:
            continue
        rows = actual[table]["rows"]
        if rows < head.rows:
            result.problems.append(f"{table}: {_span(rows + 1, head.rows)} deleted (the session closed with {head.rows} rows)")
        elif head.rows and closing.get(table) is None:
            result.problems.append(f"{table}: row {head.rows} deleted (it ended the table when the session closed)")
        elif head.rows and closing[table][0] != head.head:
            result.problems.append(
                f"{table}: changed after the session closed (row {head.rows} no longer ends the recorded chain)"
            )
        elif rows > head.rows:
            signed = " or its signature" if meta.heads_signature else ""
            result.notes.append(
                f"{table}: {_span(head.rows + 1, rows)} added after the session closed"
                f" (`piaudit consent --at`, a re-judgement); not covered by the closing record{signed}"
            )


def _check_signature(meta: SessionMeta, key: Ed25519PublicKey | None, result: Integrity) -> None:
    sig = meta.heads_signature
    if sig is None:
        if key is not None:
            result.problems.append(
                "session.json: no signature over the closing heads, but --key was given (removed, or never signed)"
            )
        return
    if key is None:
        result.notes.append(f"closing heads signed by {sig.key_fingerprint}; signature NOT checked: give --key NAME.pub")
        return
    if sig.key_fingerprint != fingerprint(key):
        result.problems.append(
            f"session.json: the closing heads are signed by {sig.key_fingerprint}, not by the given key {fingerprint(key)}"
        )
    elif not signature_valid(signed_bytes(meta), sig.signature, key):
        result.problems.append(
            "session.json: the closing heads were changed after they were signed (the signature does not match)"
        )
    else:
        result.notes.append(f"closing heads: signature valid (ed25519 key {sig.key_fingerprint})")
