"""Importing Exodus Privacy's tracker list (ETIP JSON export) into the SDK catalog.

Exodus signatures are ``|``-separated regular expressions: simple literals become package
prefixes and domains, the rest ``regex:`` patterns. Entries matched by name or alias are
enriched (their source and licence gain Exodus's); new ones are added as ``exodus-<id>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from piaudit.policies.catalog import (
    _DOMAIN_RE,
    _JAVA_PACKAGE_RE,
    REGEX_PREFIX,
    Catalog,
    CatalogEntry,
    CatalogError,
    _dedupe,
    _format_validation_error,
)

EXODUS_SOURCE = "Exodus Privacy ETIP"
EXODUS_LICENCE = "ODbL-1.0 / DbCL-1.0 (Exodus Privacy)"

# Exodus category names (as in its API) to ours; the first mapped category wins.
_EXODUS_CATEGORIES: dict[str, str] = {
    "advertisement": "ads",
    "ads": "ads",
    "analytics": "analytics",
    "profiling": "analytics",
    "crash reporting": "crash",
    "identification": "identity",
    "location": "location",
}


def _exodus_package(signature: str) -> str:
    """A code signature as a package prefix when it is a plain literal, else ``regex:``."""
    literal = signature.removeprefix("^").replace("\\.", ".").rstrip(".")
    if "\\" not in literal and _JAVA_PACKAGE_RE.fullmatch(literal):
        return literal
    return REGEX_PREFIX + signature


def _exodus_domain(signature: str) -> str:
    """A network signature as a plain domain when it is a plain literal, else ``regex:``."""
    literal = signature.replace("\\.", ".").removesuffix("$").strip(".").lower()
    if "\\" not in literal and _DOMAIN_RE.fullmatch(literal):
        return literal
    return REGEX_PREFIX + signature


def _split_signature(signature: Any) -> list[str]:
    if not isinstance(signature, str):
        return []
    return [part.strip() for part in signature.split("|") if part.strip()]


def _valid_patterns(patterns: Iterable[str]) -> list[str]:
    """Drop ``regex:`` patterns that Python cannot compile (Exodus uses another engine)."""
    kept = []
    for pattern in patterns:
        if pattern.startswith(REGEX_PREFIX):
            try:
                re.compile(pattern.removeprefix(REGEX_PREFIX))
            except re.error:
                continue
        kept.append(pattern)
    return _dedupe(kept)


def exodus_entry(tracker: dict[str, Any], *, fallback_id: str | None = None) -> CatalogEntry | None:
    """Convert one Exodus tracker object to a :class:`CatalogEntry`, or None if it has no signature.

    ``code_signature`` and ``network_signature`` are ``|``-separated regexes;
    simple literals (``com\\.umeng\\.``, ``umeng.com``) become package prefixes
    and plain domains, anything else stays a ``regex:`` pattern.
    """
    tracker_id = tracker.get("id", fallback_id)
    name = tracker.get("name")
    if tracker_id is None or not isinstance(name, str) or not name.strip():
        raise ValueError("a tracker needs an 'id' and a non-empty 'name'")
    packages = _valid_patterns(_exodus_package(s) for s in _split_signature(tracker.get("code_signature")))
    domains = _valid_patterns(_exodus_domain(s) for s in _split_signature(tracker.get("network_signature")))
    if not packages and not domains:
        return None
    categories = tracker.get("categories") or []
    category = next(
        (_EXODUS_CATEGORIES[str(item).strip().lower()] for item in categories if str(item).strip().lower() in _EXODUS_CATEGORIES),
        "other",
    )
    slug = re.sub(r"[^a-z0-9]+", "-", str(tracker_id).lower()).strip("-")
    return CatalogEntry(
        id=f"exodus-{slug}",
        name=name.strip(),
        category=category,  # type: ignore[arg-type]
        package_prefixes=packages,
        domains=domains,
        source=EXODUS_SOURCE,
        licence=EXODUS_LICENCE,
    )


def import_exodus(path: Path) -> list[CatalogEntry]:
    """Parse an Exodus ETIP export into catalog entries.

    Accepts the public API export ``{"trackers": {"<id>": {...}, ...}}``, the same
    with a list, or a bare list of tracker objects. Trackers without any code or
    network signature are skipped. Raises :class:`CatalogError` naming the file
    and tracker on malformed input.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CatalogError(f"{path}: cannot read Exodus file: {error.strerror or error}") from error
    except json.JSONDecodeError as error:
        raise CatalogError(
            f"{path}, line {error.lineno}: not valid JSON ({error.msg}); expected an Exodus tracker export"
        ) from error
    trackers: Iterable[tuple[str | None, Any]]
    if isinstance(document, dict) and "trackers" in document:
        document = document["trackers"]
    if isinstance(document, dict):
        trackers = document.items()
    elif isinstance(document, list):
        trackers = ((None, item) for item in document)
    else:
        raise CatalogError(f'{path}: expected {{"trackers": {{...}}}} or a list of trackers (Exodus /api/trackers)')
    entries: dict[str, CatalogEntry] = {}
    for key, tracker in trackers:
        label = f"tracker {key!r}" if key is not None else "a tracker"
        if not isinstance(tracker, dict):
            raise CatalogError(f"{path}, {label}: must be an object with id, name and signatures")
        label = f"tracker {tracker.get('id', key)!r} ({tracker.get('name', '?')})"
        try:
            entry = exodus_entry(tracker, fallback_id=key)
        except (ValueError, ValidationError) as error:
            detail = _format_validation_error(error) if isinstance(error, ValidationError) else error
            raise CatalogError(f"{path}, {label}: {detail}") from None
        if entry is not None:
            entries[entry.id] = entry
    return list(entries.values())


class MergeReport(BaseModel):
    """What :func:`merge_catalog` did, by entry id."""

    model_config = ConfigDict(extra="forbid")

    added: list[str] = Field(default_factory=list)
    enriched: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        """One line for the user, e.g. '12 added, 3 enriched, 5 unchanged'."""
        return f"{len(self.added)} added, {len(self.enriched)} enriched, {len(self.unchanged)} unchanged"


def _with_provenance(entry: CatalogEntry, source: str, licence: str) -> tuple[str, str]:
    new_source = entry.source if source in entry.source else f"{entry.source}; {source}"
    new_licence = entry.licence if licence in entry.licence else f"{entry.licence}; {licence}"
    return new_source, new_licence


def merge_catalog(base: Catalog, imported: Iterable[CatalogEntry]) -> tuple[Catalog, MergeReport]:
    """Merge imported entries into ``base``; return the new catalog and a report.

    An imported entry matches a base entry with the same id, else one whose
    name or alias equals its name (case-insensitive). A match gains the union of
    package prefixes and domains, and the import's source and licence are
    appended to its own. Unmatched entries are added as they are. Merging the
    same import twice changes nothing the second time.
    """
    merged: dict[str, CatalogEntry] = {entry.id: entry for entry in base}
    by_name: dict[str, str] = {}
    for entry in base:
        for name in (entry.name, *entry.aliases):
            by_name.setdefault(name.casefold(), entry.id)
    report = MergeReport()
    for new in imported:
        target_id = new.id if new.id in merged else by_name.get(new.name.casefold())
        if target_id is None:
            merged[new.id] = new
            by_name.setdefault(new.name.casefold(), new.id)
            report.added.append(new.id)
            continue
        old = merged[target_id]
        packages = _dedupe([*old.package_prefixes, *new.package_prefixes])
        domains = _dedupe([*old.domains, *new.domains])
        if packages == old.package_prefixes and domains == old.domains:
            if target_id not in report.enriched and target_id not in report.unchanged:
                report.unchanged.append(target_id)
            continue
        source, licence = _with_provenance(old, new.source, new.licence)
        merged[target_id] = old.model_copy(
            update={
                "package_prefixes": packages,
                "domains": domains,
                "source": source,
                "licence": licence,
            }
        )
        if target_id in report.unchanged:
            report.unchanged.remove(target_id)
        if target_id not in report.enriched:
            report.enriched.append(target_id)
    return Catalog(merged.values(), origins=base.origins), report

