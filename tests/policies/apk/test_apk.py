"""The APK reader on real APKs built by apktool, and on hostile archives built from them."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from piaudit.policies.apk.axml import parse_axml
from piaudit.policies.apk.dex import defined_classes
from piaudit.policies.apk.inventory import read_apk, read_class_dir
from piaudit.policies.apk.zipread import ApkError, Budget, ZipArchive
from piaudit.policies.catalog import default_catalog
from tests.support.apks import EMBEDDED, PERMISSIONS, REFERENCED_ONLY, BuiltApk


def _rezip(src: Path, dest: Path, extra: dict[str, bytes] | None = None, *, method: int = zipfile.ZIP_DEFLATED) -> Path:
    """Copy an APK's entries into a new zip, adding ``extra`` entries (signatures are dropped)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", method) as zout:
        for info in zin.infolist():
            if not info.filename.startswith("META-INF/"):
                zout.writestr(info.filename, zin.read(info.filename))
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dest


class TestRealApk:
    def test_every_dex_and_nested_assets_are_inventoried(self, fixture_apk: BuiltApk) -> None:
        inv = read_apk(fixture_apk.signed, default_catalog())
        found = {s.catalog_id: s.locations for s in inv.sdks}
        for catalog_id, locations in EMBEDDED.items():
            assert found.get(catalog_id) == locations, catalog_id
        # pangle and pangle-global share their package prefix: the tie is reported, not hidden
        assert found["pangle-global"] == EMBEDDED["pangle"]
        assert next(s for s in inv.sdks if s.catalog_id == "pangle").ambiguous_with == ["pangle-global"]
        assert set(found) == set(EMBEDDED) | {"pangle-global"}
        for catalog_id in REFERENCED_ONLY:
            assert catalog_id not in found, "a class only called, not defined, is not embedded"
        assert inv.dex_files == {
            "classes.dex": 3,
            "classes2.dex": 2,
            "assets/plugin.jar!classes.dex": 1,
            "assets/bundle.zip!inner.jar!classes.dex": 1,
        }
        assert inv.other_packages == []  # the app's own package is not an unknown SDK
        assert inv.warnings == []

    def test_manifest(self, fixture_apk: BuiltApk) -> None:
        inv = read_apk(fixture_apk.signed, default_catalog())
        assert (inv.package, inv.version_code, inv.version_name) == ("com.example.fixture", "7", "1.2.3")
        assert (inv.min_sdk, inv.target_sdk) == ("21", "30")
        assert inv.permissions == PERMISSIONS

    def test_signer_digest_equals_apksigner(self, fixture_apk: BuiltApk) -> None:
        inv = read_apk(fixture_apk.signed, default_catalog())
        assert {c.scheme for c in inv.certificates} == {"v1", "v2", "v3"}
        assert {c.sha256 for c in inv.certificates} == {fixture_apk.signer_sha256}
        assert all(c.subject == "CN=piaudit fixture" for c in inv.certificates)
        assert read_apk(fixture_apk.unsigned, default_catalog()).certificates == []

    def test_sha256_of_the_file(self, fixture_apk: BuiltApk) -> None:
        import hashlib

        inv = read_apk(fixture_apk.signed, default_catalog())
        assert inv.sha256 == hashlib.sha256(fixture_apk.signed.read_bytes()).hexdigest()

    def test_attribute_names_resolved_by_resource_id(self, fixture_apk: BuiltApk) -> None:
        """A manifest whose attribute-name strings were renamed still reads as Android reads it."""
        with zipfile.ZipFile(fixture_apk.unsigned) as z:
            manifest = z.read("AndroidManifest.xml")
        tampered = manifest
        for encoding in ("utf-16-le", "utf-8"):
            for word in ("name", "versionCode", "versionName"):
                tampered = tampered.replace(word.encode(encoding), ("z" * len(word)).encode(encoding))
        assert tampered != manifest
        elements = parse_axml(tampered, "tampered")
        permissions = [e.attrs.get("name") for e in elements if e.tag == "uses-permission"]
        assert permissions == PERMISSIONS
        assert elements[0].attrs["versionCode"] == "7"

    def test_class_directory_inventory(self, tmp_path: Path) -> None:
        for cls in ("com/umeng/analytics/MobclickAgent", "com/example/demoapp/Main", "org/acme/tracker/Beacon"):
            (tmp_path / cls).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / f"{cls}.class").write_bytes(b"\xca\xfe\xba\xbe")
        inv = read_class_dir(tmp_path, default_catalog(), package="com.example.demoapp")
        assert [s.catalog_id for s in inv.sdks] == ["umeng"]
        assert [(o.package, o.classes) for o in inv.other_packages] == [("org.acme.tracker", 1)]
        assert inv.kind == "classes" and inv.permissions == []


class TestHostileArchives:
    def test_not_an_apk(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.apk"
        bad.write_text("hello")
        with pytest.raises(ApkError, match=r"bad\.apk: not a ZIP/APK file"):
            read_apk(bad, default_catalog())

    def test_truncated(self, fixture_apk: BuiltApk, tmp_path: Path) -> None:
        cut = tmp_path / "cut.apk"
        cut.write_bytes(fixture_apk.signed.read_bytes()[:-200])
        with pytest.raises(ApkError, match=r"cut\.apk"):
            read_apk(cut, default_catalog())

    def test_zip_bomb_in_assets_is_skipped_with_a_warning(self, fixture_apk: BuiltApk, tmp_path: Path) -> None:
        bomb = _rezip(fixture_apk.unsigned, tmp_path / "bomb.apk", {"assets/huge.bin": b"\0" * (64 << 20)})
        assert bomb.stat().st_size < 2 << 20  # 64 MiB of zeros deflate to ~64 KiB
        inv = read_apk(bomb, default_catalog(), Budget(max_entry_bytes=8 << 20))
        assert any("assets/huge.bin" in w and "per-entry limit" in w for w in inv.warnings)
        assert {s.catalog_id for s in inv.sdks} >= set(EMBEDDED)

    def test_total_budget_is_an_error(self, fixture_apk: BuiltApk, tmp_path: Path) -> None:
        bomb = _rezip(fixture_apk.unsigned, tmp_path / "bomb.apk", {f"assets/z{i}.bin": b"\0" * (4 << 20) for i in range(6)})
        with pytest.raises(ApkError, match=r"inflated in all"):
            read_apk(bomb, default_catalog(), Budget(max_entry_bytes=8 << 20, max_total_bytes=16 << 20, max_ratio=10**6))

    def test_ratio_limit(self) -> None:
        payload = zlib.compress(b"\0" * (32 << 20))[2:-4]
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("x.bin", b"\0" * (32 << 20))
        archive = ZipArchive(data.getvalue(), "ratio.zip", Budget(max_ratio=100))
        with pytest.raises(ApkError, match="a zip bomb"):
            archive.read(archive.entries[0])
        assert len(payload) < 64 << 10

    def test_nesting_deeper_than_the_limit_is_skipped(self, fixture_apk: BuiltApk, tmp_path: Path) -> None:
        with zipfile.ZipFile(fixture_apk.workdir / "plugin.apk") as z:
            dex = z.read("classes.dex")
        blob = dex
        for level in range(4):
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr("classes.dex" if level == 0 else f"level{level}.jar", blob)
            blob = buf.getvalue()
        deep = _rezip(fixture_apk.unsigned, tmp_path / "deep.apk", {"assets/deep.jar": blob})
        inv = read_apk(deep, default_catalog(), Budget(max_depth=3))
        assert any("nested deeper than 3" in w for w in inv.warnings)
        inv = read_apk(deep, default_catalog(), Budget(max_depth=5))
        assert "assets/deep.jar!level3.jar!level2.jar!level1.jar!classes.dex" in inv.dex_files

    def test_fake_compression_method_is_read_like_android(self, fixture_apk: BuiltApk, tmp_path: Path) -> None:
        """Android inflates any method that is not 'stored': a bogus method number does not hide the dex."""
        data = bytearray(fixture_apk.unsigned.read_bytes())
        archive = ZipArchive(bytes(data), "x")
        entry = archive.find("classes2.dex")
        assert entry is not None and entry.method == 8
        struct.pack_into("<H", data, entry.local_offset + 8, 0x63)
        cd = bytes(data).find(b"PK\x01\x02" + bytes(data[archive.cd_offset + 4 : archive.cd_offset + 6]), archive.cd_offset)
        while cd >= 0:
            name_len = struct.unpack_from("<H", data, cd + 28)[0]
            if bytes(data[cd + 46 : cd + 46 + name_len]) == b"classes2.dex":
                struct.pack_into("<H", data, cd + 10, 0x63)
                break
            cd = bytes(data).find(b"PK\x01\x02", cd + 4)
        tampered = tmp_path / "tampered.apk"
        tampered.write_bytes(bytes(data))
        with pytest.raises((zipfile.BadZipFile, NotImplementedError)):  # Python's zipfile gives up
            zipfile.ZipFile(tampered).read("classes2.dex")
        inv = read_apk(tampered, default_catalog())
        assert {"getui", "jpush"} <= {s.catalog_id for s in inv.sdks}

    def test_comment_with_trailing_bytes(self, fixture_apk: BuiltApk, tmp_path: Path) -> None:
        raw = fixture_apk.unsigned.read_bytes()
        odd = tmp_path / "odd.apk"
        odd.write_bytes(raw[:-2] + struct.pack("<H", 40) + b"junk" * 10)
        inv = read_apk(odd, default_catalog())
        assert inv.package == "com.example.fixture"

    def test_damaged_dex_is_a_warning(self, fixture_apk: BuiltApk, tmp_path: Path) -> None:
        junk = bytearray(b"dex\n035\0" + b"\xff" * 200)
        apk = _rezip(fixture_apk.unsigned, tmp_path / "junk.apk", {"assets/evil.dex": bytes(junk)})
        inv = read_apk(apk, default_catalog())
        assert any(w.startswith("skipped assets/evil.dex") for w in inv.warnings)
        with pytest.raises(ApkError, match="lies outside the file"):
            defined_classes(bytes(junk), "evil.dex")

    def test_time_limit(self, fixture_apk: BuiltApk) -> None:
        with pytest.raises(ApkError, match="time limit"):
            read_apk(fixture_apk.signed, default_catalog(), Budget(max_seconds=-1))

    def test_too_many_entries(self, tmp_path: Path) -> None:
        many = tmp_path / "many.apk"
        with zipfile.ZipFile(many, "w") as z:
            for i in range(50):
                z.writestr(f"f{i}", b"")
        with pytest.raises(ApkError, match="entry-count limit"):
            read_apk(many, default_catalog(), Budget(max_entries=10))

    def test_no_manifest(self, tmp_path: Path) -> None:
        bare = tmp_path / "bare.apk"
        with zipfile.ZipFile(bare, "w") as z:
            z.writestr("classes.dex", b"")
        with pytest.raises(ApkError, match="no AndroidManifest.xml"):
            read_apk(bare, default_catalog())
