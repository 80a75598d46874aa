"""What an APK says about itself: package, version, permissions, signer, and the SDKs it embeds.

The SDK inventory is what Exodus Privacy reports statically: every class the APK *defines*
— in ``classes.dex``, ``classes2.dex``…, and in DEX files and archives nested in its assets
(plugins and packers hide code there) — mapped to catalog entries by package prefix
(:meth:`Catalog.match_package`, the same owner that attributes stack frames at run time).

>>> inv = read_apk("app.apk", default_catalog())          # doctest: +SKIP
>>> [(s.catalog_id, s.locations) for s in inv.sdks]       # doctest: +SKIP
[('umeng', ['classes.dex']), ('getui', ['classes2.dex', 'assets/plugin.jar!classes.dex'])]
"""

from __future__ import annotations

import mmap
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from piaudit.policies.apk.axml import parse_axml
from piaudit.policies.apk.dex import defined_classes, is_dex
from piaudit.policies.apk.signing import Certificate, certificates
from piaudit.policies.apk.zipread import ApkError, Budget, ZipArchive
from piaudit.policies.catalog import Catalog
from piaudit.policies.session import file_sha256

MAX_APK_BYTES = 4 * 1024 * 1024 * 1024  # mapped, not read: the per-entry and total budgets bound the work
_TOP_DEX = re.compile(r"classes\d*\.dex")
_NESTED_SUFFIXES = (".dex", ".jar", ".apk", ".zip", ".aar", ".odex", ".bin", ".dat", ".so.dex")
# packages of the platform and of build tools: never a third party, never worth a TODO
PLATFORM_PREFIXES = ("android.", "androidx.", "java.", "javax.", "kotlin.", "kotlinx.", "dalvik.", "org.intellij.", "org.jetbrains.", "com.android.")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmbeddedSdk(_Model):
    """A catalog entry whose package prefix matched classes defined in the APK."""

    catalog_id: str
    name: str
    prefixes: list[str]  # the matched classes' packages, shortened to the catalog prefix that matched
    classes: int
    locations: list[str]  # dex files, e.g. "classes2.dex", "assets/plugin.jar!classes.dex"
    ambiguous_with: list[str] = []  # other entries with the same prefix (the catalog cannot tell them apart)


class OtherPackage(_Model):
    """A package group with classes but no catalog entry (not the app's own, not the platform)."""

    package: str
    classes: int


class ApkInventory(_Model):
    """Everything read from one APK (or a class directory standing in for one)."""

    path: str
    sha256: str = ""
    kind: str = "apk"  # "apk", or "classes" for a JVM class directory (the demo's stand-in)
    package: str = ""
    version_code: str = ""
    version_name: str = ""
    min_sdk: str = ""
    target_sdk: str = ""
    permissions: list[str] = []
    certificates: list[Certificate] = []
    dex_files: dict[str, int] = {}  # location -> classes defined
    sdks: list[EmbeddedSdk] = []
    other_packages: list[OtherPackage] = []
    warnings: list[str] = []  # what was skipped (over a limit, unreadable) and why


# --------------------------------------------------------------------------- reading


def _manifest(archive: ZipArchive, inv: ApkInventory) -> None:
    entry = archive.find("AndroidManifest.xml")
    if entry is None:
        raise ApkError(f"{archive.label}: no AndroidManifest.xml (not an APK)")
    elements = parse_axml(archive.read(entry, limit=16 << 20), f"{archive.label}!AndroidManifest.xml")
    root = elements[0]
    if root.tag != "manifest":
        raise ApkError(f"{archive.label}!AndroidManifest.xml: the root element is <{root.tag}>, not <manifest>")
    inv.package = root.attrs.get("package", "")
    inv.version_code = root.attrs.get("versionCode", "")
    inv.version_name = root.attrs.get("versionName", "")
    permissions: list[str] = []
    for el in elements[1:]:
        if el.depth == 1 and el.tag in ("uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m"):
            name = el.attrs.get("name", "")
            if name and name not in permissions:
                permissions.append(name)
        elif el.depth == 1 and el.tag == "uses-sdk":
            inv.min_sdk = el.attrs.get("minSdkVersion", inv.min_sdk)
            inv.target_sdk = el.attrs.get("targetSdkVersion", inv.target_sdk)
    inv.permissions = permissions


def _nested_candidate(name: str) -> bool:
    lower = name.lower()
    return lower.startswith("assets/") or lower.endswith(_NESTED_SUFFIXES)


def _walk_code(archive: ZipArchive, prefix: str, depth: int, out: dict[str, list[str]], warnings: list[str]) -> None:
    """Collect the classes of every DEX in ``archive`` and in archives nested in it."""
    budget = archive.budget
    for entry in archive.entries:
        name = entry.name
        if name.endswith("/") or entry.size == 0:
            continue
        top_dex = depth == 0 and _TOP_DEX.fullmatch(name)
        if not top_dex and not (depth > 0 or _nested_candidate(name)):
            continue
        location = f"{prefix}{name}"
        try:
            data = archive.read(entry)
        except ApkError as e:
            if "in all" in str(e) or "time limit" in str(e):
                raise
            warnings.append(f"skipped {location}: {str(e).split(': ', 1)[-1]}")
            continue
        if is_dex(data):
            if location in out:
                continue  # a repeated name: Android uses the first
            try:
                out[location] = defined_classes(data, location)
            except ApkError as e:
                warnings.append(f"skipped {location}: {str(e).split(': ', 1)[-1]}")
        elif data[:4] == b"PK\x03\x04":
            if depth + 1 > budget.max_depth:
                warnings.append(f"skipped {location}: archives nested deeper than {budget.max_depth} (limit)")
                continue
            try:
                inner = ZipArchive(data, location, budget)
            except ApkError as e:
                if "in all" in str(e) or "time limit" in str(e):
                    raise
                warnings.append(f"skipped {location}: {str(e).split(': ', 1)[-1]}")
                continue
            _walk_code(inner, f"{location}!", depth + 1, out, warnings)


def read_apk(path: Path | str, catalog: Catalog, budget: Budget | None = None) -> ApkInventory:
    """Read ``path`` within ``budget``; raises :class:`ApkError` (one line naming the file) when it cannot."""
    path = Path(path)
    label = str(path)
    error: str | None = None
    try:
        size = path.stat().st_size
        if size > MAX_APK_BYTES:
            raise ApkError(f"{label}: {size} bytes, larger than the {MAX_APK_BYTES >> 30} GiB limit")
        if size == 0:
            raise ApkError(f"{label}: empty file, not an APK")
        with open(path, "rb") as fh:
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            try:
                inv, classes, warnings = _read_mapped(mapped, label, budget or Budget())
            except ApkError as e:
                error = str(e)  # the traceback's frames hold views of the map: let them go before closing it
            try:
                mapped.close()
            except BufferError:
                pass  # a view still alive: the map closes when it is collected
    except OSError as e:
        raise ApkError(f"{label}: cannot read: {e.strerror or e}") from None
    if error is not None:
        raise ApkError(error)
    if not classes:
        warnings.append("no DEX file found: no SDK can be inventoried")
    inv.sha256 = file_sha256(path)
    inv.warnings = warnings
    _inventory(inv, classes, catalog)
    return inv


def _read_mapped(data: mmap.mmap, label: str, budget: Budget) -> tuple[ApkInventory, dict[str, list[str]], list[str]]:
    archive = ZipArchive(data, label, budget)
    inv = ApkInventory(path=label)
    _manifest(archive, inv)
    inv.certificates = certificates(archive)
    classes: dict[str, list[str]] = {}
    warnings: list[str] = []
    _walk_code(archive, "", 0, classes, warnings)
    archive.data.release()
    return inv, classes, warnings


def read_class_dir(path: Path | str, catalog: Catalog, package: str = "") -> ApkInventory:
    """An inventory from a JVM class directory (``com/umeng/X.class`` …): the demo stand-in's "APK view".

    Only the SDK inventory is available: a class directory has no manifest, permissions,
    version or signer.
    """
    root = Path(path)
    if not root.is_dir():
        raise ApkError(f"{root}: not a directory of .class files")
    names = [str(p.relative_to(root).with_suffix("")).replace("/", ".") for p in sorted(root.rglob("*.class"))]
    inv = ApkInventory(path=str(root), kind="classes", package=package)
    inv.warnings.append("a JVM class directory, not an APK: no manifest, permissions, version or signing certificate")
    _inventory(inv, {root.name: names}, catalog)
    return inv


def _package_of(class_name: str) -> str:
    return class_name.rsplit(".", 1)[0] if "." in class_name else ""


def _inventory(inv: ApkInventory, classes: dict[str, list[str]], catalog: Catalog) -> None:
    """Map every defined class's package through the catalog; group what matched nothing."""
    inv.dex_files = {loc: len(names) for loc, names in classes.items()}
    per_entry: dict[str, Counter[str]] = defaultdict(Counter)
    locations: dict[str, list[str]] = defaultdict(list)
    ties: dict[str, set[str]] = defaultdict(set)
    others: Counter[str] = Counter()
    own = inv.package + "." if inv.package else None
    for location, names in classes.items():
        for package, count in Counter(_package_of(n) for n in names).items():
            if not package:
                continue
            matches = catalog.match_package(package + ".X")
            if not matches:
                if not package.startswith(PLATFORM_PREFIXES) and not (own and (package + ".").startswith(own)):
                    others[".".join(package.split(".")[:3])] += count
                continue
            ids = {m.id for m in matches}
            for m in matches:
                per_entry[m.id][_matched_prefix(m.package_prefixes, package)] += count
                if location not in locations[m.id]:
                    locations[m.id].append(location)
                ties[m.id] |= ids - {m.id}
    sdks = []
    for entry_id, prefixes in per_entry.items():
        entry = catalog.get(entry_id)
        assert entry is not None
        sdks.append(
            EmbeddedSdk(
                catalog_id=entry_id,
                name=entry.name,
                prefixes=sorted(prefixes),
                classes=sum(prefixes.values()),
                locations=locations[entry_id],
                ambiguous_with=sorted(ties[entry_id]),
            )
        )
    inv.sdks = sorted(sdks, key=lambda s: s.catalog_id)
    inv.other_packages = [OtherPackage(package=p, classes=n) for p, n in others.most_common(40)]


def _matched_prefix(prefixes: Iterable[str], package: str) -> str:
    best = ""
    for prefix in prefixes:
        if (package == prefix or package.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    return best or package
