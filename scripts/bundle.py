"""Evidence bundles: one zip with a session, its reports, policy and catalog, and a manifest naming every byte.

``manifest.json`` records the SHA-256 of every file, the head (last row id and chain
hash) of every evidence hash chain, and the versions used. ``manifest.sig`` (optional)
holds an Ed25519 signature over the exact bytes of ``manifest.json``, with the signing
key's fingerprint. ``scripts.verify.verify_bundle`` re-checks all of it and names what changed:
a file, a table row, the tail of a table, the manifest or the signature (:mod:`scripts.verify`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from piaudit.policies.integrity import check
from piaudit.policies.keys import fingerprint, sign
from piaudit.policies.session import DB_NAME, FLOWS_NAME, META_NAME, Session, file_sha256, versions

FORMAT = "piaudit-bundle/1"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
DB_MEMBER = "session/evidence.db"
REPORT_FORMATS = ("html", "json", "csv")
CATALOG_MEMBER = "catalog/catalog.json"


class BundleError(Exception):
    """A bundle or key that cannot be made or used, with what to do about it."""


@dataclass
class BundleResult:
    """A written bundle: where, its manifest, and anything the auditor should know."""

    path: Path
    manifest: dict[str, Any]
    signed: bool
    warnings: list[str] = field(default_factory=list)
    intact: bool = True  # the session's own integrity checks passed when it was bundled


# ----------------------------------------------------------------------------- keys


def sign_manifest(manifest_bytes: bytes, key: Ed25519PrivateKey) -> bytes:
    """The ``manifest.sig`` envelope: the signature over the exact manifest bytes, and who signed."""
    envelope = {
        "algorithm": "ed25519",
        "signed_file": MANIFEST,
        "manifest_sha256": hashlib.sha256(manifest_bytes).hexdigest(),
        "key_fingerprint": fingerprint(key.public_key()),
        "signature": sign(manifest_bytes, key),
    }
    return _envelope_bytes(envelope)


def _envelope_bytes(envelope: dict[str, Any]) -> bytes:
    return (json.dumps(envelope, indent=2, sort_keys=True) + "\n").encode()


def _manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


# --------------------------------------------------------------------------- bundle


def _snapshot(src: Path, dst: Path) -> None:
    """A consistent copy of a live WAL database (SQLite backup API), as a single self-contained file."""
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        source.close()
    target.execute("PRAGMA journal_mode=DELETE")
    target.close()


def _safe_member(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "policy"


def _policy(meta: Any, stage: Path, warnings: list[str]) -> dict[str, Any]:
    """Copy the policy the session was judged with into the bundle, noting whether it still matches."""
    if not meta.policy_path:
        return {"included": False, "reason": "the session was judged without a policy"}
    path = Path(meta.policy_path)
    if not path.is_file():
        warnings.append(f"policy file {path} not found: the bundle does not include it")
        return {"path": str(path), "included": False, "reason": "file not found when bundling"}
    member = "policy/" + _safe_member(path.name)
    (stage / "policy").mkdir()
    shutil.copyfile(path, stage / member)
    sha = file_sha256(path)
    if meta.policy_sha256 and sha != meta.policy_sha256:
        warnings.append(f"policy file {path} changed since the session used it (sha256 {sha[:12]}… ≠ {meta.policy_sha256[:12]}…)")
    return {
        "path": str(path),
        "member": member,
        "sha256": sha,
        "session_sha256": meta.policy_sha256,
        "matches_session": sha == meta.policy_sha256,
    }


def _catalog(meta: Any, stage: Path, warnings: list[str]) -> dict[str, Any]:
    """Write the shipped catalog's canonical JSON (whose sha256 is ``Catalog.sha256``) into the bundle."""
    from piaudit.policies.catalog import default_catalog

    catalog = default_catalog()
    canonical = [entry.canonical() for entry in sorted(catalog.entries, key=lambda entry: entry.id)]
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    (stage / "catalog").mkdir()
    (stage / CATALOG_MEMBER).write_text(text, encoding="utf-8")  # its sha256 is Catalog.sha256
    if meta.catalog_sha256 and meta.catalog_sha256 != catalog.sha256:
        warnings.append(
            "the shipped catalog differs from the one the session used (an extra catalog at run time?);"
            " the bundled catalog is the shipped one"
        )
    return {
        "member": CATALOG_MEMBER,
        "sha256": catalog.sha256,
        "session_sha256": meta.catalog_sha256,
        "matches_session": catalog.sha256 == meta.catalog_sha256,
        "entries": len(catalog),
    }


def _screens(session_dir: Path, target: Path, warnings: list[str]) -> None:
    """Copy the screen files the ``screens`` rows name (each bound to its row by SHA-256; `verify` checks both)."""
    from piaudit.policies.screens import SCREENS_DIR

    conn = sqlite3.connect(f"file:{session_dir / DB_NAME}?mode=ro", uri=True)
    try:
        names = sorted({n for row in conn.execute("SELECT png, xml FROM screens") for n in row if n})
    except sqlite3.OperationalError:  # a session from before screens existed
        names = []
    finally:
        conn.close()
    if not names:
        return
    (target / SCREENS_DIR).mkdir(mode=0o700)
    for name in names:
        source = session_dir / SCREENS_DIR / _safe_member(name)
        if source.is_file():
            shutil.copyfile(source, target / SCREENS_DIR / source.name)
        else:
            warnings.append(f"{source} does not exist: the screen is not in the bundle")


def create_bundle(session_dir: Path | str, out: Path | str, *, key: Ed25519PrivateKey | None = None) -> BundleResult:
    """Write the evidence bundle of ``session_dir`` to ``out`` (atomically, mode 0600)."""
    from piaudit.scripts.reports import write_report

    session_dir, out = Path(session_dir), Path(out)
    session = Session.open(session_dir)
    session.store.conn.close()
    meta = session.meta
    warnings: list[str] = []
    # staged next to the output: a copy of a large flows.mitm must not fill a small /tmp
    with tempfile.TemporaryDirectory(prefix=".piaudit-bundle-", dir=out.parent) as tmp:
        stage = Path(tmp)
        (stage / "session").mkdir(mode=0o700)
        _snapshot(session_dir / DB_NAME, stage / "session" / DB_NAME)
        for name in (FLOWS_NAME, META_NAME):
            if (session_dir / name).is_file():
                shutil.copyfile(session_dir / name, stage / "session" / name)
            else:
                warnings.append(f"{session_dir / name} does not exist: not in the bundle")
        _screens(session_dir, stage / "session", warnings)
        (stage / "reports").mkdir()
        for fmt in REPORT_FORMATS:
            write_report(stage / "session", fmt, stage / "reports" / f"report.{fmt}")
        staged = Session.open(stage / "session")  # the reports reopened it in WAL mode: back to one file below
        integrity = check(staged.store.conn, staged.meta)
        heads, chains = staged.store.heads(), integrity.chains
        staged.store.close()
        conn = sqlite3.connect(stage / "session" / DB_NAME)
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
        for problem in integrity.problems:
            warnings.append(f"the session was changed before it was bundled: {problem}")
        policy = _policy(meta, stage, warnings)
        catalog = _catalog(meta, stage, warnings)
        members = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
        now = time.time()
        manifest = {
            "format": FORMAT,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
            "created_epoch": now,
            "session": {k: getattr(meta, k) for k in ("app", "started", "stopped", "complete", "source")}
            | {"dir": session_dir.name},
            "versions": {"bundled_by": versions(), "session": meta.versions},
            "files": {m: {"sha256": file_sha256(stage / m), "size": (stage / m).stat().st_size} for m in members},
            "chains": heads,
            "chains_at_bundle": {t: p or "intact" for t, p in chains.items()},
            "integrity_at_bundle": integrity.as_json(),
            "policy": policy,
            "catalog": catalog,
            "signed_by": fingerprint(key.public_key()) if key else None,
        }
        manifest_bytes = _manifest_bytes(manifest)
        partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                stamp = time.gmtime(now)[:6]
                zf.writestr(zipfile.ZipInfo(MANIFEST, stamp), manifest_bytes, zipfile.ZIP_DEFLATED)
                if key is not None:
                    zf.writestr(zipfile.ZipInfo(SIGNATURE, stamp), sign_manifest(manifest_bytes, key), zipfile.ZIP_DEFLATED)
                for m in members:
                    zf.write(stage / m, m)
            os.replace(partial, out)
        finally:
            partial.unlink(missing_ok=True)
    return BundleResult(out, manifest, key is not None, warnings, integrity.ok)
