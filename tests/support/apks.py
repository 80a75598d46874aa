"""Real APKs for the tests, built from the smali sources in tests/policies/apk/apks with Debian's apktool.

Nothing is downloaded: `apktool b` assembles the smali into real DEX files and compiles the
manifest into binary XML with aapt; `apksigner` signs the result (v1, v2, v3) with a key made
by `keytool`. setup.sh installs apktool and apksigner; a missing tool fails the test.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

SOURCES = Path(__file__).resolve().parent.parent / "policies" / "apk" / "apks"

# What the fixture APK embeds, by catalog id: the dex location of each SDK's classes.
EMBEDDED = {
    "umeng": ["classes.dex"],
    "tencent-bugly": ["classes.dex"],
    "getui": ["classes2.dex"],
    "jpush": ["classes2.dex"],
    "pangle": ["assets/plugin.jar!classes.dex"],
    "amap-location": ["assets/bundle.zip!inner.jar!classes.dex"],
}
REFERENCED_ONLY = ["tencent-gdt"]  # called from MainActivity, not defined in the APK
PERMISSIONS = [
    "android.permission.INTERNET",
    "android.permission.READ_PHONE_STATE",
    "android.permission.ACCESS_FINE_LOCATION",
    "android.permission.READ_CONTACTS",
    "android.permission.QUERY_ALL_PACKAGES",
]


@dataclass
class BuiltApk:
    """The signed fixture APK, its unsigned twin, and the signer digest apksigner reports."""

    signed: Path
    unsigned: Path
    signer_sha256: str
    workdir: Path


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is not installed: run ./scripts/setup.sh (it installs Debian's {name})"
    return path


def _apktool(project: Path, out: Path) -> None:
    result = subprocess.run([_tool("apktool"), "b", str(project), "-o", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and out.is_file(), f"apktool b {project} failed: {result.stdout}\n{result.stderr}"


def _dex_of(apk: Path) -> bytes:
    with zipfile.ZipFile(apk) as z:
        return z.read("classes.dex")


def build_fixture_apk(workdir: Path) -> BuiltApk:
    """Build plugin and inner, nest their DEX files in the fixture's assets, build, sign."""
    workdir.mkdir(parents=True, exist_ok=True)
    projects = workdir / "src"
    shutil.copytree(SOURCES, projects, dirs_exist_ok=True)
    _apktool(projects / "plugin", workdir / "plugin.apk")
    _apktool(projects / "inner", workdir / "inner.apk")
    assets = projects / "fixture" / "assets"
    assets.mkdir(exist_ok=True)
    with zipfile.ZipFile(assets / "plugin.jar", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("classes.dex", _dex_of(workdir / "plugin.apk"))
    inner_jar = workdir / "inner.jar"
    with zipfile.ZipFile(inner_jar, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("classes.dex", _dex_of(workdir / "inner.apk"))
    with zipfile.ZipFile(assets / "bundle.zip", "w", zipfile.ZIP_STORED) as z:
        z.write(inner_jar, "inner.jar")
        z.writestr("readme.txt", "not code")
    unsigned = workdir / "fixture-unsigned.apk"
    _apktool(projects / "fixture", unsigned)
    keystore = workdir / "key.p12"
    subprocess.run(
        [_tool("keytool"), "-genkeypair", "-keystore", str(keystore), "-storetype", "PKCS12", "-storepass", "fixture-pass",
         "-alias", "fixture", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650", "-dname", "CN=piaudit fixture"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    signed = workdir / "fixture.apk"
    shutil.copyfile(unsigned, signed)
    subprocess.run(
        [_tool("apksigner"), "sign", "--ks", str(keystore), "--ks-pass", "pass:fixture-pass",
         "--v1-signing-enabled", "true", "--v2-signing-enabled", "true", "--v3-signing-enabled", "true", str(signed)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    verify = subprocess.run([_tool("apksigner"), "verify", "--print-certs", str(signed)], capture_output=True, text=True, timeout=300)
    digest = re.search(r"certificate SHA-256 digest: ([0-9a-f]{64})", verify.stdout)
    assert digest, f"apksigner verify printed no digest: {verify.stdout} {verify.stderr}"
    return BuiltApk(signed, unsigned, digest.group(1), workdir)
