"""Verifying an evidence bundle: every file against the manifest, the signature, and every hash chain.

:func:`verify_bundle` names exactly what changed: a file, a table row, the tail of a
table, the manifest or the signature. Bundles are made by :mod:`scripts.bundle`.

A bundle is outside input, perhaps hostile, so verification is bounded (:class:`VerifyLimits`):
the archive's layout is checked before it is parsed (nothing prepended, appended or hidden
between entries; a bounded number of entries, :mod:`scripts.zipcheck`); files are hashed as they
inflate, never extracted, except the database, which is copied to a private temporary
directory (removed on every exit) only up to the size the manifest records; the manifest and
the signature are read up to a size limit; a database holding anything but plain tables
(views, triggers, virtual tables) is refused before any query; and every step, SQLite's
included, stops at a time limit.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from piaudit.policies.keys import fingerprint
from piaudit.policies.store import ANALYST_VIEWS, CHAINED_TABLES, GENESIS, OPTIONAL_TABLES, row_digest
from piaudit.scripts.bundle import DB_MEMBER, MANIFEST, SIGNATURE, _envelope_bytes, _manifest_bytes
from piaudit.scripts.zipcheck import LayoutError, check_entries, check_layout

META_MEMBER = "session/session.json"


@dataclass(frozen=True)
class VerifyLimits:
    """How much work a bundle may ask for: bytes, entries and time."""

    max_entries: int = 10_000  # a bundle has about ten
    max_manifest_bytes: int = 64 << 20  # manifest.json (and session.json); manifest.sig is a few hundred bytes
    max_total_bytes: int = 1 << 40  # every file together, inflated, as the manifest records them
    max_seconds: float = 3600.0


class OutOfTime(Exception):
    """The time limit was reached."""


class Deadline:
    """A point in time every step checks (and SQLite, through a progress handler)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def check(self) -> None:
        """Raise :class:`OutOfTime` once the time is up."""
        if time.monotonic() > self.at:
            raise OutOfTime(f"verification stopped: the time limit of {self.seconds:g} s was reached")

    def expired(self) -> int:
        """SQLite's progress handler: non-zero interrupts the statement."""
        return int(time.monotonic() > self.at)


@dataclass
class Problem:
    """One thing that was changed, named: a file, a row (``table:id``), a table's tail, the signature."""

    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.detail}"


@dataclass
class VerifyResult:
    """What :func:`verify_bundle` found: problems (empty when clean) and notes."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing was changed."""
        return not self.problems


def _read(zf: zipfile.ZipFile, name: str, cap: int, deadline: Deadline, sink: Any = None) -> tuple[str, int]:
    """SHA-256 and size of a member as it inflates (copied into ``sink`` if given), reading at most ``cap + 1`` bytes."""
    digest, size = hashlib.sha256(), 0
    with zf.open(name) as fh:
        while size <= cap and (chunk := fh.read(min(1 << 20, cap + 1 - size))):
            deadline.check()
            digest.update(chunk)
            size += len(chunk)
            if sink is not None:
                sink.write(chunk)
    return digest.hexdigest(), size


def _small(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member read whole, refused above ``limit`` bytes (by its header and by what actually inflates)."""
    if zf.getinfo(name).file_size > limit:
        raise ValueError(f"larger than {limit} bytes")
    with zf.open(name) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than {limit} bytes")
    return data


def _check_signature(
    zf: zipfile.ZipFile, manifest_bytes: bytes, signed_by: str | None, key: Ed25519PublicKey | None, result: VerifyResult
) -> None:
    """Check ``manifest.sig``; name whichever of it and ``manifest.json`` was changed."""
    problems = result.problems
    if SIGNATURE not in zf.namelist():
        if signed_by:
            problems.append(Problem(SIGNATURE, f"missing, but the manifest says the bundle was signed by {signed_by}"))
        elif key is not None:
            problems.append(Problem(SIGNATURE, "missing: the bundle is not signed, but --key was given"))
        else:
            result.notes.append("signature: none (the bundle is not signed)")
        return
    try:
        raw = _small(zf, SIGNATURE, 64 << 10)
        envelope = json.loads(raw)
        signature = base64.b64decode(envelope["signature"], validate=True)
        recorded_sha, signer = envelope["manifest_sha256"], envelope["key_fingerprint"]
    except Exception as e:  # any damage to the envelope: CRC, JSON, base64, missing field
        problems.append(Problem(SIGNATURE, f"unreadable ({type(e).__name__}): it was changed"))
        return
    if _envelope_bytes(envelope) != raw or envelope.get("algorithm") != "ed25519" or envelope.get("signed_file") != MANIFEST:
        problems.append(Problem(SIGNATURE, "changed: it is not as piaudit wrote it"))
        return
    actual_sha = hashlib.sha256(manifest_bytes).hexdigest()
    if key is None:
        if recorded_sha != actual_sha:
            problems.append(
                Problem(
                    MANIFEST,
                    "differs from the manifest that was signed: it (or manifest.sig) was changed; give --key to tell which",
                )
            )
        elif signed_by != signer:
            problems.append(Problem(SIGNATURE, f"names signer {signer}, the manifest names {signed_by}: it was replaced"))
        else:
            result.notes.append(f"signature: present ({signer}) but NOT checked: give --key NAME.pub")
        return
    try:
        key.verify(signature, manifest_bytes)
    except InvalidSignature:
        if signer != fingerprint(key):
            problems.append(Problem(SIGNATURE, f"signed by {signer}, not by the given key {fingerprint(key)}"))
        elif recorded_sha != actual_sha:
            problems.append(Problem(MANIFEST, "changed after it was signed (the signature does not match it)"))
        else:
            problems.append(Problem(SIGNATURE, "the signature does not match manifest.json: manifest.sig was changed"))
        return
    if recorded_sha != actual_sha or signer != fingerprint(key):
        problems.append(Problem(SIGNATURE, "changed: its recorded hash or key no longer match its valid signature"))
    else:
        result.notes.append(f"signature: valid, ed25519 key {signer}")


ANALYST_VIEW_SQL = {name: f"CREATE VIEW [{name}] AS {sql}" for name, sql in ANALYST_VIEWS.items()}


def _schema_problem(conn: sqlite3.Connection) -> str | None:
    """Why the database must not be queried: anything but the plain tables (and the analyst views) piaudit writes."""
    found = conn.execute("SELECT type, name, coalesce(sql, '') FROM sqlite_master").fetchall()
    for kind, name, sql in found:
        if kind == "view" and sql == ANALYST_VIEW_SQL.get(name):
            continue  # one of piaudit's own views for analysts, exactly as its migration wrote it
        if kind == "view":
            return f"holds a view ({name!r}): piaudit writes only tables and its own analyst views; not queried"
        if kind == "trigger":
            return f"holds a trigger ({name!r}): piaudit writes only tables; not queried"
        if kind == "table" and sql.lstrip().upper().startswith("CREATE VIRTUAL"):
            return f"holds a virtual table ({name!r}): piaudit writes only plain tables; not queried"
    return None


def _check_chains(conn: sqlite3.Connection, heads: dict[str, Any], result: VerifyResult, member: str) -> dict[str, str | None]:
    """Recompute every hash chain of the bundled database and compare each table's head with the manifest.

    Returns each table's first chain problem (None when intact), for the session's own checks.
    """
    chains: dict[str, str | None] = {}
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table in CHAINED_TABLES:
        if table not in tables:
            chains[table] = None
            if not (table in OPTIONAL_TABLES and table not in heads):  # else: bundled before the table existed
                result.problems.append(Problem(f"{member} {table}", "the table was deleted"))
            continue
        cursor = conn.execute(f"SELECT * FROM [{table}] ORDER BY id")
        names = [d[0] for d in cursor.description]
        prev, expected, last_id, changed = GENESIS, 1, 0, []
        first: str | None = None
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            if row.get("id") != expected:
                first = first or "rows deleted"
                result.problems.append(Problem(f"{member} {table}", f"rows {expected}–{row.get('id', 0) - 1} were deleted"))
            elif row_digest(prev, row) != row.get("chain"):
                first = first or "rows changed"
                changed.append(row["id"])
            prev, expected, last_id = row.get("chain"), (row.get("id") or 0) + 1, row.get("id") or 0
        chains[table] = first
        for row_id in changed[:20]:
            result.problems.append(Problem(f"{member} {table}:{row_id}", "row was changed (its hash does not match the chain)"))
        if len(changed) > 20:
            result.problems.append(Problem(f"{member} {table}", f"{len(changed) - 20} more changed rows"))
        recorded = heads.get(table)
        if recorded is None:
            result.problems.append(Problem(f"{MANIFEST} chains", f"no head recorded for {table}"))
        elif last_id < recorded["rows"]:
            result.problems.append(
                Problem(
                    f"{member} {table}",
                    f"rows {last_id + 1}–{recorded['rows']} were deleted at the end "
                    f"(the manifest recorded {recorded['rows']} rows)",
                )
            )
        elif last_id > recorded["rows"]:
            result.problems.append(Problem(f"{member} {table}", f"rows {recorded['rows'] + 1}–{last_id} were added after bundling"))
        elif prev != recorded["head"]:
            result.problems.append(Problem(f"{member} {table}", "the chain head differs from the manifest: the table was rewritten"))
    return chains


def _check_session(
    conn: sqlite3.Connection, zf: zipfile.ZipFile, chains: dict[str, str | None], key: Ed25519PublicKey | None, result: VerifyResult
) -> None:
    """The session's own checks (recorded heads, closing record, its signature): was it changed before bundling?"""
    from piaudit.policies.integrity import check
    from piaudit.policies.models import SessionMeta

    try:
        meta = SessionMeta.model_validate_json(_small(zf, META_MEMBER, VerifyLimits.max_manifest_bytes))
    except Exception as e:  # missing, too large or not a session.json: the file checks name it if it was changed
        result.notes.append(f"session: its own checks were not run ({META_MEMBER}: {type(e).__name__})")
        return
    sig = meta.heads_signature
    same_key = key is not None and sig is not None and sig.key_fingerprint == fingerprint(key)
    integrity = check(conn, meta, key if same_key else None, chains=chains)
    for problem in integrity.problems:
        table, _, detail = problem.partition(": ")
        result.problems.append(Problem(f"session {table}", f"{detail} — changed before it was bundled"))
    result.notes += [f"session: {note}" for note in integrity.notes]


def _check_screens(conn: sqlite3.Connection, files: dict[str, Any], result: VerifyResult) -> None:
    """Every screen file a ``screens`` row names is in the bundle with the SHA-256 the row records.

    The manifest binds each file's bytes; this binds the file to its chained row, so a replaced
    screenshot is caught even if the manifest was rewritten for it.
    """
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'screens'").fetchone():
        return  # bundled before screens existed
    found = conn.execute("SELECT id, png, png_sha256, xml, xml_sha256 FROM screens ORDER BY id").fetchall()
    for row_id, *pairs in found:
        for name, sha in (pairs[0:2], pairs[2:4]):
            if not name:
                continue
            member = f"session/screens/{name}"
            recorded = files.get(member)
            if recorded is None:
                result.problems.append(Problem(f"{DB_MEMBER} screens:{row_id}", f"its file {member} is not in the bundle"))
            elif recorded["sha256"] != sha:
                result.problems.append(Problem(member, f"is not the file screens:{row_id} recorded (sha256 {recorded['sha256'][:16]}… ≠ {str(sha)[:16]}…)"))
    if found:
        result.notes.append(f"screens: {len(found)} rows, each bound to its files by SHA-256")


def _well_formed(records: Any, fields: dict[str, type]) -> bool:
    """A manifest map of name → record with the given typed fields."""
    return isinstance(records, dict) and all(
        isinstance(r, dict) and all(isinstance(r.get(k), t) for k, t in fields.items()) for r in records.values()
    )


def verify_bundle(path: Path | str, key: Ed25519PublicKey | None = None, limits: VerifyLimits | None = None) -> VerifyResult:
    """Check a bundle: its layout, every file against the manifest, the signature, every evidence hash chain."""
    limits = limits or VerifyLimits()
    result, path, deadline = VerifyResult(), Path(path), Deadline(limits.max_seconds)
    try:
        layout = check_layout(path, limits.max_entries)
        zf = zipfile.ZipFile(path)
    except (LayoutError, zipfile.BadZipFile, OSError) as e:
        result.problems.append(Problem(str(path), f"not a bundle as piaudit writes it: {e}"))
        return result
    with zf, tempfile.TemporaryDirectory(prefix="piaudit-verify-") as tmp:
        try:
            check_entries(zf, layout)
            _verify(zf, key, limits, deadline, Path(tmp), result)
        except LayoutError as e:
            result.problems.append(Problem(str(path), f"not a bundle as piaudit writes it: {e}"))
        except OutOfTime as e:
            result.problems.append(Problem(str(path), str(e)))
    return result


def _verify(zf: zipfile.ZipFile, key: Ed25519PublicKey | None, limits: VerifyLimits, deadline: Deadline, tmp: Path, result: VerifyResult) -> None:
    names = zf.namelist()
    for name, n in sorted((name, n) for name, n in Counter(names).items() if n > 1):
        result.problems.append(Problem(name, f"appears {n} times in the archive (one copy may hide another)"))
    try:
        manifest_bytes = _small(zf, MANIFEST, limits.max_manifest_bytes)
        manifest = json.loads(manifest_bytes)
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except KeyError:
        result.problems.append(Problem(MANIFEST, "missing: this is not a piaudit bundle, or its manifest was removed"))
        return
    except Exception as e:  # CRC error, bad JSON, too large: the manifest's bytes were changed
        result.problems.append(Problem(MANIFEST, f"unreadable ({type(e).__name__}: {e}): it was changed; nothing else can be checked"))
        return
    _check_signature(zf, manifest_bytes, manifest.get("signed_by"), key, result)
    if _manifest_bytes(manifest) != manifest_bytes:
        result.problems.append(Problem(MANIFEST, "changed: it is not as piaudit wrote it"))
    files, heads = manifest.get("files"), manifest.get("chains")
    if not _well_formed(files, {"sha256": str, "size": int}) or not _well_formed(heads, {"rows": int, "head": str}):
        result.problems.append(Problem(MANIFEST, "changed: its files or chains records are malformed; nothing else can be checked"))
        return
    assert isinstance(files, dict) and isinstance(heads, dict)
    total = sum(max(0, r["size"]) for r in files.values())
    if total > limits.max_total_bytes:
        result.problems.append(Problem(MANIFEST, f"records {total} bytes of files, more than the limit of {limits.max_total_bytes}: not checked"))
        return
    db_copy = tmp / "evidence.db"
    db_ok = False
    present = set(names)
    for name, recorded in sorted(files.items()):
        deadline.check()
        if name not in present:
            result.problems.append(Problem(name, "missing from the bundle"))
            continue
        stored = zf.getinfo(name).file_size
        if stored != recorded["size"]:  # not inflated at all: the archive says it is not the file the manifest names
            result.problems.append(Problem(name, f"changed (size {stored} in the archive; the manifest says {recorded['size']})"))
            continue
        sink = open(db_copy, "wb") if name == DB_MEMBER else None
        try:
            sha, size = _read(zf, name, recorded["size"], deadline, sink)
        except OutOfTime:
            raise
        except Exception as e:  # CRC or inflate error: the stored bytes were changed
            result.problems.append(Problem(name, f"cannot be read ({type(e).__name__}: {e}): its bytes in the archive were changed"))
            continue
        finally:
            if sink is not None:
                sink.close()
        if sha != recorded["sha256"] or size != recorded["size"]:
            shown = f"more than {recorded['size']}" if size > recorded["size"] else str(size)
            result.problems.append(
                Problem(
                    name,
                    f"changed (sha256 {sha[:16]}…, size {shown}; the manifest says {recorded['sha256'][:16]}…, size {recorded['size']})",
                )
            )
        elif name == DB_MEMBER:
            db_ok = True
    for name in sorted(present - set(files) - {MANIFEST, SIGNATURE}):
        result.problems.append(Problem(name, "not in the manifest (added after bundling)"))
    if db_copy.is_file() and db_copy.stat().st_size:
        _check_database(db_copy, heads, zf, key, deadline, result, db_ok, files)
    result.notes.append(f"files: {len(files)} checked against the manifest; chains: {len(CHAINED_TABLES)} tables recomputed")


def _check_database(
    db: Path,
    heads: dict[str, Any],
    zf: zipfile.ZipFile,
    key: Ed25519PublicKey | None,
    deadline: Deadline,
    result: VerifyResult,
    as_bundled: bool,
    files: dict[str, Any],
) -> None:
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True, isolation_level=None)
    conn.set_progress_handler(deadline.expired, 10_000)
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        problem = _schema_problem(conn)
        if problem:
            result.problems.append(Problem(DB_MEMBER, problem))
            return
        before = len(result.problems)
        chains = _check_chains(conn, heads, result, DB_MEMBER)
        _check_screens(conn, files, result)
        if as_bundled and len(result.problems) == before:  # the database is as bundled: was the session changed before?
            _check_session(conn, zf, chains, key, result)
    except sqlite3.OperationalError as e:
        deadline.check()  # an interrupted statement: say it was the time limit
        result.problems.append(Problem(DB_MEMBER, f"not a readable SQLite database ({e})"))
    except sqlite3.DatabaseError as e:
        result.problems.append(Problem(DB_MEMBER, f"not a readable SQLite database ({e})"))
    finally:
        conn.close()
