"""`piaudit bundle` / `verify` / `keygen`: a bundle verifies clean, and every change to it is named."""

from __future__ import annotations

import json
import sqlite3
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from piaudit.policies import rows
from piaudit.policies.keys import keygen, load_private_key, load_public_key
from piaudit.policies.models import ErrorRecord
from piaudit.policies.session import Session
from piaudit.policies.store import GENESIS, row_digest
from piaudit.scripts.bundle import create_bundle
from piaudit.scripts.cli import main
from piaudit.scripts.verify import verify_bundle
from tests.support.sessions import build_session

MEMBERS = [
    "manifest.json",
    "manifest.sig",
    "catalog/catalog.json",
    "policy/app1-policy.yaml",
    "reports/report.csv",
    "reports/report.html",
    "reports/report.json",
    "session/evidence.db",
    "session/flows.mitm",
    "session/session.json",
]
DB = "session/evidence.db"


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("bundle")
    built = build_session(root / "app1")
    key, pub = keygen(root / "lab")
    other_key, other_pub = keygen(root / "other")
    signed = create_bundle(built.dir, root / "signed.zip", key=load_private_key(key))
    unsigned = create_bundle(built.dir, root / "unsigned.zip")
    return {
        "root": root,
        "built": built,
        "key": key,
        "pub": pub,
        "other_pub": other_pub,
        "signed": signed.path,
        "unsigned": unsigned.path,
        "manifest": signed.manifest,
    }


def rewrite(src: Path, dst: Path, changes: dict[str, bytes | None]) -> Path:
    """Copy a zip, replacing (bytes) or dropping (None) members; new names are added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in changes:
                zout.writestr(info, zin.read(info.filename))
            elif changes[info.filename] is not None:
                zout.writestr(info, changes[info.filename])
        for name, data in changes.items():
            if name not in zin.namelist() and data is not None:
                zout.writestr(name, data)
    return dst


def flip(data: bytes, offset: int | None = None) -> bytes:
    at = len(data) // 2 if offset is None else offset
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def named(result, subject: str) -> bool:
    return any(p.subject == subject or p.subject.startswith(subject + " ") for p in result.problems)


def edit_db(case: dict, tmp_path: Path, sql: list[str], *, rehash_manifest: bool = True, rechain: str | None = None) -> Path:
    """Change the bundled database; optionally also fix its hash in the manifest (an unsigned bundle)."""
    with zipfile.ZipFile(case["unsigned"]) as zf:
        (tmp_path / "e.db").write_bytes(zf.read(DB))
        manifest = json.loads(zf.read("manifest.json"))
    conn = sqlite3.connect(tmp_path / "e.db", isolation_level=None)
    for statement in sql:
        conn.execute(statement)
    if rechain:  # a careful forger recomputes the whole chain of the table
        prev = GENESIS
        cursor = conn.execute(f"SELECT * FROM [{rechain}] ORDER BY id")
        names = [d[0] for d in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            prev = row_digest(prev, row)
            conn.execute(f"UPDATE [{rechain}] SET chain = ? WHERE id = ?", (prev, row["id"]))
    conn.close()
    data = (tmp_path / "e.db").read_bytes()
    changes: dict[str, bytes | None] = {DB: data}
    if rehash_manifest:
        import hashlib

        manifest["files"][DB] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        changes["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    return rewrite(case["unsigned"], tmp_path / "edited.zip", changes)


class TestBundle:
    def test_members_and_manifest(self, case: dict) -> None:
        screens = sorted(f"session/screens/{p.name}" for p in (case["built"].dir / "screens").iterdir())
        assert len(screens) == 4  # two captures: a PNG and a hierarchy each
        with zipfile.ZipFile(case["signed"]) as zf:
            assert sorted(zf.namelist()) == sorted(MEMBERS + screens)
            db = zf.read(DB)
        manifest = case["manifest"]
        assert sorted(manifest["files"]) == sorted(set(MEMBERS + screens) - {"manifest.json", "manifest.sig"})
        assert manifest["chains"]["screens"]["rows"] == 2 and manifest["chains"]["checks"]["rows"] == 3
        assert manifest["chains"]["findings"]["rows"] == len(case["built"].findings) + 1
        assert manifest["catalog"]["matches_session"] and manifest["policy"]["matches_session"]
        assert manifest["files"]["catalog/catalog.json"]["sha256"] == manifest["catalog"]["sha256"]
        assert db[18:20] == b"\x01\x01"  # a rollback-journal database: one self-contained file, no -wal needed
        assert stat.S_IMODE(case["signed"].stat().st_mode) == 0o600

    def test_uncheckpointed_rows_are_in_the_snapshot(self, tmp_path: Path) -> None:
        built = build_session(tmp_path / "live")
        store = Session.open(built.dir).store  # left open: its rows sit in the WAL, as in a running proxy
        store.insert_many("errors", [rows.error_row(ErrorRecord(time=1.0, source="test", message="late row"))])
        result = create_bundle(built.dir, tmp_path / "live.zip")
        store.conn.close()
        assert result.manifest["chains"]["errors"]["rows"] == 2
        assert verify_bundle(result.path).ok


class TestVerify:
    def test_clean_bundle(self, case: dict, capsys) -> None:
        assert main(["verify", str(case["signed"]), "--key", str(case["pub"])]) == 0
        out = capsys.readouterr().out
        assert "signature: valid" in out and "OK:" in out

    @pytest.mark.parametrize("member", MEMBERS)
    def test_a_changed_byte_in_any_file_is_named(self, case: dict, tmp_path: Path, member: str) -> None:
        with zipfile.ZipFile(case["signed"]) as zf:
            original = zf.read(member)
        changed = rewrite(case["signed"], tmp_path / "c.zip", {member: flip(original)})
        result = verify_bundle(changed, load_public_key(case["pub"]))
        assert not result.ok and named(result, member), [str(p) for p in result.problems]

    @pytest.mark.parametrize("member", MEMBERS)
    def test_a_changed_byte_inside_the_archive_is_named(self, case: dict, tmp_path: Path, member: str) -> None:
        data = bytearray(case["signed"].read_bytes())
        with zipfile.ZipFile(case["signed"]) as zf:
            info = zf.getinfo(member)
        name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
        start = info.header_offset + 30 + name_len + extra_len
        data[start + info.compress_size // 2] ^= 0x01
        (tmp_path / "raw.zip").write_bytes(bytes(data))
        result = verify_bundle(tmp_path / "raw.zip", load_public_key(case["pub"]))
        assert not result.ok and named(result, member), [str(p) for p in result.problems]

    def test_an_edited_row_is_named(self, case: dict, tmp_path: Path, capsys) -> None:
        edited = edit_db(case, tmp_path, ["UPDATE detections SET value = '000000000000000' WHERE id = 2"])
        assert main(["verify", str(edited)]) == 1
        out = capsys.readouterr().out.splitlines()
        assert "CHANGED session/evidence.db detections:2: row was changed (its hash does not match the chain)" in out
        assert not any(line.startswith("CHANGED session/evidence.db:") for line in out)  # the forger fixed the file hash

    def test_an_edited_row_without_a_fixed_manifest(self, case: dict, tmp_path: Path) -> None:
        result = verify_bundle(
            edit_db(case, tmp_path, ["UPDATE findings SET before_consent = 0 WHERE id = 3"], rehash_manifest=False)
        )
        assert named(result, DB) and any(p.subject == f"{DB} findings:3" for p in result.problems)

    def test_deleted_tail_rows(self, case: dict, tmp_path: Path) -> None:
        result = verify_bundle(edit_db(case, tmp_path, ["DELETE FROM findings WHERE id >= 9"]))
        rows_recorded = case["manifest"]["chains"]["findings"]["rows"]
        assert [str(p) for p in result.problems] == [
            f"{DB} findings: rows 9–{rows_recorded} were deleted at the end (the manifest recorded {rows_recorded} rows)"
        ]

    def test_deleted_middle_row(self, case: dict, tmp_path: Path) -> None:
        result = verify_bundle(edit_db(case, tmp_path, ["DELETE FROM hook_events WHERE id = 3"]))
        assert [str(p) for p in result.problems] == [f"{DB} hook_events: rows 3–3 were deleted"]

    def test_rewritten_chain(self, case: dict, tmp_path: Path) -> None:
        result = verify_bundle(edit_db(case, tmp_path, ["UPDATE detections SET value = 'x' WHERE id = 1"], rechain="detections"))
        assert [str(p) for p in result.problems] == [
            f"{DB} detections: the chain head differs from the manifest: the table was rewritten"
        ]

    def test_missing_and_extra_files(self, case: dict, tmp_path: Path) -> None:
        changed = rewrite(case["unsigned"], tmp_path / "m.zip", {"reports/report.csv": None, "notes.txt": b"added later"})
        result = verify_bundle(changed)
        assert {str(p) for p in result.problems} == {
            "reports/report.csv: missing from the bundle",
            "notes.txt: not in the manifest (added after bundling)",
        }


class TestSignature:
    def test_wrong_key(self, case: dict, capsys) -> None:
        assert main(["verify", str(case["signed"]), "--key", str(case["other_pub"])]) == 1
        assert "CHANGED manifest.sig: signed by sha256:" in capsys.readouterr().out

    def test_without_a_key_the_signature_is_unchecked(self, case: dict, capsys) -> None:
        assert main(["verify", str(case["signed"])]) == 0
        out = capsys.readouterr().out
        assert "signature: present (sha256:" in out and "but NOT checked" in out

    def test_unsigned_bundle_with_a_key(self, case: dict) -> None:
        result = verify_bundle(case["unsigned"], load_public_key(case["pub"]))
        assert [p.subject for p in result.problems] == ["manifest.sig"]

    def test_removed_signature(self, case: dict, tmp_path: Path) -> None:
        result = verify_bundle(rewrite(case["signed"], tmp_path / "s.zip", {"manifest.sig": None}))
        assert [p.subject for p in result.problems] == ["manifest.sig"] and "says the bundle was signed" in result.problems[
            0
        ].detail

    def test_keygen_files_and_no_overwrite(self, case: dict, capsys) -> None:
        assert stat.S_IMODE(case["key"].stat().st_mode) == 0o600
        assert case["key"].read_text().startswith("-----BEGIN PRIVATE KEY-----")
        assert case["pub"].read_text().startswith("-----BEGIN PUBLIC KEY-----")
        assert main(["keygen", "-o", str(case["root"] / "lab")]) == 2
        assert main(["bundle", str(case["built"].dir), "-o", str(case["root"] / "x.zip"), "--sign", str(case["pub"])]) == 2
        assert main(["bundle", str(case["built"].dir), "-o", str(case["signed"])]) == 2  # exists, no --force
        assert "exists" in capsys.readouterr().err

    def test_cli_bundle_and_verify(self, case: dict, tmp_path: Path, capsys) -> None:
        out = tmp_path / "cli.zip"
        assert main(["bundle", str(case["built"].dir), "-o", str(out), "--sign", str(case["key"])]) == 0
        assert main(["verify", str(out), "--key", str(case["pub"])]) == 0
        assert main(["verify", str(tmp_path / "none.zip")]) == 2
        (tmp_path / "junk.zip").write_bytes(b"not a zip")
        assert main(["verify", str(tmp_path / "junk.zip")]) == 1
