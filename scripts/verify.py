"""Verifying an evidence bundle: every file against the manifest, the signature, and every hash chain.

:func:`verify_bundle` names exactly what changed: a file, a table row, the tail of a
table, the manifest or the signature. Bundles are made by :mod:`scripts.bundle`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from piaudit.policies.store import CHAINED_TABLES, GENESIS, OPTIONAL_TABLES, row_digest
from piaudit.scripts.bundle import (
    DB_MEMBER,
    MANIFEST,
    SIGNATURE,
    _envelope_bytes,
    _manifest_bytes,
    fingerprint,
)


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


def _read(zf: zipfile.ZipFile, name: str, sink: Any = None) -> tuple[str, int]:
    """SHA-256 and size of a member, streamed (optionally copied into ``sink``)."""
    digest, size = hashlib.sha256(), 0
    with zf.open(name) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
            if sink is not None:
                sink.write(chunk)
    return digest.hexdigest(), size


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
        raw = zf.read(SIGNATURE)
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


def _check_chains(db_path: Path, heads: dict[str, Any], result: VerifyResult, member: str) -> None:
    """Recompute every hash chain of the bundled database and compare each table's head with the manifest."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro&immutable=1", uri=True)
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in CHAINED_TABLES:
            if table not in tables:
                if not (table in OPTIONAL_TABLES and table not in heads):  # else: bundled before the table existed
                    result.problems.append(Problem(f"{member} {table}", "the table was deleted"))
                continue
            cursor = conn.execute(f"SELECT * FROM [{table}] ORDER BY id")
            names = [d[0] for d in cursor.description]
            prev, expected, last_id, changed = GENESIS, 1, 0, []
            for values in cursor:
                row = dict(zip(names, values, strict=True))
                if row["id"] != expected:
                    result.problems.append(Problem(f"{member} {table}", f"rows {expected}–{row['id'] - 1} were deleted"))
                elif row_digest(prev, row) != row["chain"]:
                    changed.append(row["id"])
                prev, expected, last_id = row["chain"], row["id"] + 1, row["id"]
            for row_id in changed[:20]:
                result.problems.append(
                    Problem(f"{member} {table}:{row_id}", "row was changed (its hash does not match the chain)")
                )
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
                result.problems.append(
                    Problem(f"{member} {table}", f"rows {recorded['rows'] + 1}–{last_id} were added after bundling")
                )
            elif prev != recorded["head"]:
                result.problems.append(
                    Problem(f"{member} {table}", "the chain head differs from the manifest: the table was rewritten")
                )
    finally:
        conn.close()


def _check_screens(db_path: Path, files: dict[str, Any], result: VerifyResult) -> None:
    """Every screen file a ``screens`` row names is in the bundle with the SHA-256 the row records.

    The manifest binds each file's bytes; this binds the file to its chained row, so a replaced
    screenshot is caught even if the manifest was rewritten for it.
    """
    conn = sqlite3.connect(f"file:{db_path}?mode=ro&immutable=1", uri=True)
    try:
        try:
            found = conn.execute("SELECT id, png, png_sha256, xml, xml_sha256 FROM screens ORDER BY id").fetchall()
        except sqlite3.OperationalError:
            return  # bundled before screens existed
    finally:
        conn.close()
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


def verify_bundle(path: Path | str, key: Ed25519PublicKey | None = None) -> VerifyResult:
    """Check a bundle: every file against the manifest, the signature, and every evidence hash chain."""
    result, path = VerifyResult(), Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        result.problems.append(Problem(str(path), f"not a readable zip archive ({e})"))
        return result
    with zf, tempfile.TemporaryDirectory(prefix="piaudit-verify-") as tmp:
        names = zf.namelist()
        for name in sorted({n for n in names if names.count(n) > 1}):
            result.problems.append(Problem(name, f"appears {names.count(name)} times in the archive (one copy may hide another)"))
        try:
            manifest_bytes = zf.read(MANIFEST)
            manifest = json.loads(manifest_bytes)
            if not isinstance(manifest, dict):
                raise ValueError("not a JSON object")
        except KeyError:
            result.problems.append(Problem(MANIFEST, "missing: this is not a piaudit bundle, or its manifest was removed"))
            return result
        except Exception as e:  # CRC error, bad JSON: the manifest's bytes were changed
            result.problems.append(
                Problem(MANIFEST, f"unreadable ({type(e).__name__}): it was changed; nothing else can be checked")
            )
            return result
        _check_signature(zf, manifest_bytes, manifest.get("signed_by"), key, result)
        if _manifest_bytes(manifest) != manifest_bytes:
            result.problems.append(Problem(MANIFEST, "changed: it is not as piaudit wrote it"))
        files, heads = manifest.get("files"), manifest.get("chains")
        if not _well_formed(files, {"sha256": str, "size": int}) or not _well_formed(heads, {"rows": int, "head": str}):
            result.problems.append(
                Problem(MANIFEST, "changed: its files or chains records are malformed; nothing else can be checked")
            )
            return result
        assert isinstance(files, dict) and isinstance(heads, dict)
        db_copy = Path(tmp) / "evidence.db"
        for name, recorded in sorted(files.items()):
            if name not in names:
                result.problems.append(Problem(name, "missing from the bundle"))
                continue
            sink = open(db_copy, "wb") if name == DB_MEMBER else None
            try:
                sha, size = _read(zf, name, sink)
            except Exception as e:  # CRC or inflate error: the stored bytes were changed
                result.problems.append(
                    Problem(name, f"cannot be read ({type(e).__name__}: {e}): its bytes in the archive were changed")
                )
                db_copy.unlink(missing_ok=True)
                continue
            finally:
                if sink is not None:
                    sink.close()
            if sha != recorded["sha256"] or size != recorded["size"]:
                result.problems.append(
                    Problem(
                        name,
                        f"changed (sha256 {sha[:16]}…, size {size}; the manifest says "
                        f"{recorded['sha256'][:16]}…, size {recorded['size']})",
                    )
                )
        for name in sorted(set(names) - set(files) - {MANIFEST, SIGNATURE}):
            result.problems.append(Problem(name, "not in the manifest (added after bundling)"))
        if db_copy.is_file():
            try:
                _check_chains(db_copy, heads, result, DB_MEMBER)
                _check_screens(db_copy, files, result)
            except sqlite3.DatabaseError as e:
                result.problems.append(Problem(DB_MEMBER, f"not a readable SQLite database ({e})"))
        result.notes.append(f"files: {len(files)} checked against the manifest; chains: {len(CHAINED_TABLES)} tables recomputed")
    return result
