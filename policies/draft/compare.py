"""Declared versus embedded: a policy against an APK's SDK inventory and manifest permissions.

Three lists: SDKs the APK embeds that the policy does not declare, parties the policy
declares that the APK does not embed, and dangerous
permissions in the manifest whose data types the app's category does not need
(``policies/data/necessary_scope.yaml`` via ``policies/data/permissions.yaml``).

A declared party stands for a catalog entry by its ``catalog_id``, by its name being the
entry's name or an alias (:func:`policies.partymatch.entries_named`, as for hosts and reads),
or by package prefix: here every embedded prefix must lie under a declared one (stricter than
the overlap the rules accept, since an APK shows the packages themselves).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from piaudit.policies.catalog import Catalog, default_catalog
from piaudit.policies.partymatch import entries_named, prefixes_overlap, within
from piaudit.policies.permissions import permission_table
from piaudit.policies.policy import OTHER_CATEGORY, Policy, app_categories


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SdkDifference(_Model):
    """One SDK on one side only."""

    catalog_id: str | None = None
    name: str
    prefixes: list[str] = []
    locations: list[str] = []
    note: str = ""


class PermissionJudgement(_Model):
    """A sensitive permission in the manifest and whether the category justifies it."""

    permission: str
    protection: str
    data_types: list[str]
    justified: bool | None  # None: not judged (category other, or no vocabulary type)
    reason: str


class Comparison(_Model):
    """The result of :func:`compare`; ``differences`` counts what an auditor must look at."""

    apk: str
    apk_sha256: str = ""
    package: str = ""
    category: str
    embedded_not_declared: list[SdkDifference] = []
    declared_not_embedded: list[SdkDifference] = []
    not_checkable: list[SdkDifference] = []  # declared with neither catalog id nor package prefix
    permissions: list[PermissionJudgement] = []
    notes: list[str] = []

    @property
    def differences(self) -> int:
        """Embedded-not-declared + declared-not-embedded + unjustified permissions."""
        unjustified = sum(1 for p in self.permissions if p.justified is False)
        return len(self.embedded_not_declared) + len(self.declared_not_embedded) + unjustified


def compare(policy: Policy, inventory: dict[str, Any] | Any, catalog: Catalog | None = None) -> Comparison:
    """Compare ``policy`` with an APK inventory (an :class:`ApkInventory` or its session summary).

    ``catalog`` (default: the shipped one) tells which entries each declared party stands for.
    """
    catalog = catalog if catalog is not None else default_catalog()
    named = {party.name: set(entries_named(party.name, catalog)) for party in policy.third_parties}
    inv = inventory if isinstance(inventory, dict) else inventory.model_dump()
    sdks = inv.get("sdks", [])
    result = Comparison(apk=inv.get("path", ""), apk_sha256=inv.get("sha256", ""), package=inv.get("package", ""), category=policy.app.category)
    if result.package and result.package != policy.app.package:
        result.notes.append(f"the APK's package is {result.package}, the policy's {policy.app.package}")
    declared_ids = {p.catalog_id for p in policy.third_parties if p.catalog_id} | {i for ids in named.values() for i in ids}
    declared_prefixes = [pre for p in policy.third_parties for pre in p.sdk_prefixes]
    embedded_ids = {s["catalog_id"] for s in sdks}
    for sdk in sdks:
        if sdk["catalog_id"] in declared_ids or set(sdk.get("ambiguous_with", [])) & declared_ids:
            continue
        if all(any(within(p, d) for d in declared_prefixes) for p in sdk["prefixes"]):
            continue  # every embedded prefix lies under a declared one
        result.embedded_not_declared.append(
            SdkDifference(catalog_id=sdk["catalog_id"], name=sdk.get("name", sdk["catalog_id"]), prefixes=sdk["prefixes"], locations=sdk["locations"])
        )
    embedded_prefixes = [p for s in sdks for p in s["prefixes"]]
    for party in policy.third_parties:
        if party.catalog_id and party.catalog_id in embedded_ids or named[party.name] & embedded_ids:
            continue
        if party.sdk_prefixes and any(prefixes_overlap(d, p) for d in party.sdk_prefixes for p in embedded_prefixes):
            continue
        if not party.catalog_id and not party.sdk_prefixes and not named[party.name]:
            result.not_checkable.append(SdkDifference(name=party.name, note="declared by domain only: an APK cannot show it"))
            continue
        result.declared_not_embedded.append(
            SdkDifference(catalog_id=party.catalog_id, name=party.name, prefixes=party.sdk_prefixes, note="no class of it in any DEX")
        )
    if inv.get("kind") == "classes":
        result.notes.append("a class directory, not an APK: no manifest, so permissions are not compared")
    else:
        result.permissions = _permissions(inv.get("permissions", []), policy.app.category)
    return result


def _permissions(permissions: list[str], category: str) -> list[PermissionJudgement]:
    table = permission_table()
    needed = set() if category == OTHER_CATEGORY else {t.value for t in app_categories()[category].data_types}
    out = []
    for name in permissions:
        info = table.get(name)
        if info is None:
            continue
        types = [t.value for t in info["data_types"]]
        if category == OTHER_CATEGORY:
            justified, reason = None, "category other: the necessary scope is not judged"
        elif not types:
            justified, reason = None, "opens no data type of the vocabulary: not judged"
        elif set(types) & needed:
            justified, reason = True, f"{category} needs {', '.join(sorted(set(types) & needed))}"
        else:
            justified, reason = False, f"{category} needs {', '.join(sorted(needed)) or 'no personal information'}; this opens {', '.join(types)}"
        out.append(PermissionJudgement(permission=name, protection=info["protection"], data_types=types, justified=justified, reason=reason))
    return out


def format_comparison(c: Comparison) -> str:
    """The comparison as text for the terminal and the demo."""
    lines = [f"APK {c.apk} ({c.package or 'no package'}, SHA-256 {c.apk_sha256[:16] or '-'}) vs policy (category {c.category})"]
    lines.append(f"embedded but not declared ({len(c.embedded_not_declared)}):")
    lines += [f"  {d.name:34s} {d.catalog_id or '':22s} {', '.join(d.prefixes)}  [{', '.join(d.locations)}]" for d in c.embedded_not_declared] or ["  (none)"]
    lines.append(f"declared but not embedded ({len(c.declared_not_embedded)}):")
    lines += [f"  {d.name:34s} {d.catalog_id or '':22s} {', '.join(d.prefixes)}" for d in c.declared_not_embedded] or ["  (none)"]
    if c.not_checkable:
        lines.append(f"declared by domain only, not checkable in an APK ({len(c.not_checkable)}):")
        lines += [f"  {d.name}" for d in c.not_checkable]
    unjustified = [p for p in c.permissions if p.justified is False]
    lines.append(f"dangerous permissions not justified by the category ({len(unjustified)}):")
    lines += [f"  {p.permission:48s} {p.reason}" for p in unjustified] or ["  (none)"]
    other = [p for p in c.permissions if p.justified is not False]
    if other:
        lines.append("other sensitive permissions:")
        lines += [f"  {p.permission:48s} {'justified: ' if p.justified else ''}{p.reason}" for p in other]
    lines += [f"note: {n}" for n in c.notes]
    return "\n".join(lines)
