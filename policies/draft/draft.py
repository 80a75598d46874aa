"""Assemble a policy draft from what the privacy policy names and what the APK embeds.

Every drafted item keeps the places it came from and a confidence; what cannot be decided
becomes a TODO for the auditor — nothing read is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from piaudit.policies.apk.inventory import ApkInventory
from piaudit.policies.catalog import REGEX_PREFIX, Catalog
from piaudit.policies.draft.extract import Extraction, Mention, split_names
from piaudit.policies.draft.match import CatalogIndex, Resolution
from piaudit.policies.draft.terms import Terms, normalize
from piaudit.policies.vocab import DataType

CONFIDENCE_ORDER = {"high": 2, "medium": 1, "low": 0}


@dataclass
class DraftParty:
    """A third party for the draft, with its sources and notes."""

    name: str
    catalog_id: str | None
    sdk_prefixes: list[str]
    domains: list[str]
    data_types: list[DataType]
    purpose: str
    country: str | None
    confidence: str
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class DraftItem:
    """A data type or domain for the draft, with where it came from."""

    value: str
    sources: list[str]
    confidence: str


@dataclass
class Draft:
    """A policy draft: what will be written, with the reasons."""

    package: str
    app_name: str = ""
    parties: list[DraftParty] = field(default_factory=list)
    declared_data_types: list[DraftItem] = field(default_factory=list)
    first_party_domains: list[DraftItem] = field(default_factory=list)
    todos: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    resolutions: list[tuple[Mention, Resolution]] = field(default_factory=list)
    apk: ApkInventory | None = None


def _source(m: Mention) -> str:
    split = f" (one of several SDKs in the cell \"{m.split_from}\")" if m.split_from else ""
    return f"{m.where}: \"{m.quote}\"{split}"


def _lower(a: str, b: str) -> str:
    return a if CONFIDENCE_ORDER[a] <= CONFIDENCE_ORDER[b] else b


def build_draft(
    package: str,
    extraction: Extraction | None,
    inventory: ApkInventory | None,
    catalog: Catalog,
    terms: Terms,
    index: CatalogIndex | None = None,
) -> Draft:
    """The draft for ``package`` from a privacy policy's extraction and/or an APK inventory."""
    draft = Draft(package=package, apk=inventory)
    index = index or CatalogIndex(catalog, terms)
    embedded = {s.catalog_id for s in inventory.sdks} if inventory else set()
    by_id: dict[str, DraftParty] = {}
    negative: dict[str, list[Mention]] = {}
    if extraction is not None:
        draft.app_name = extraction.app_name
        operators = {normalize(o) for o in extraction.operator_names}
        for mention in _expand_umbrellas(extraction.mentions, index, embedded):
            if mention.company and normalize(mention.company) in operators and not mention.name:
                draft.notes.append(f"not a third party: {mention.company} is the operator ({_source(mention)})")
                continue
            resolution = index.resolve(mention.name, mention.company, embedded)
            draft.mentions.append(mention)
            draft.resolutions.append((mention, resolution))
            if mention.negated:
                for entry_id in resolution.ids or resolution.candidates:
                    negative.setdefault(entry_id, []).append(mention)
                if not (resolution.ids or resolution.candidates):
                    draft.notes.append(f"named in a negative statement, not drafted: {mention.name or mention.company} — {_source(mention)}")
                continue
            if not resolution.ids:
                draft.todos.append(_unmatched_todo(mention, resolution, terms))
                continue
            for entry_id in resolution.ids:
                _add_party(by_id, entry_id, mention, resolution, catalog, terms, inventory)
        for entry_id, mentions in negative.items():
            entry = catalog.get(entry_id)
            name = entry.name if entry else entry_id
            where = "; ".join(_source(m) for m in mentions)
            if entry_id in by_id:
                by_id[entry_id].notes.append(f"also named in a negative statement: {where}")
            elif entry_id in embedded:
                draft.todos.append(f"{name} ({entry_id}) is named only in a negative statement, yet the APK embeds it — {where}")
            else:
                draft.notes.append(f"named only in a negative statement, not drafted: {name} ({entry_id}) — {where}")
        _own_data(draft, extraction, terms)
        _first_party_domains(draft, extraction, catalog)
    draft.parties = _unique_names(list(by_id.values()))
    if inventory is not None:
        _apk_todos(draft, inventory, catalog, set(by_id))
    if not draft.first_party_domains:
        draft.todos.append("first_party_domains: no domain of the operator found in the privacy policy; add the app's API hosts")
    draft.todos.append("app.category: choose the app type of the 2021 necessary-information rule (docs/policy.md), or keep `other`")
    return draft


def _add_party(
    by_id: dict[str, DraftParty],
    entry_id: str,
    mention: Mention,
    resolution: Resolution,
    catalog: Catalog,
    terms: Terms,
    inventory: ApkInventory | None,
) -> None:
    entry = catalog.get(entry_id)
    assert entry is not None
    phrases = terms.data_types_in(mention.data_text)
    types = phrases.all_types()
    confidence = resolution.confidence
    notes: list[str] = []
    if phrases.types:
        notes.append("data: " + ", ".join(f"{term}→{t.value}" for t, term in phrases.types))
    elif phrases.generic:
        confidence = _lower(confidence, "medium")
        notes.append(
            "data: only generic phrases ("
            + ", ".join(f"{term}→{'/'.join(t.value for t in ts)}" for term, ts in phrases.generic)
            + "): check the SDK's own policy (confidence lowered)"
        )
    if phrases.not_personal:
        notes.append("not personal data (no vocabulary type): " + ", ".join(phrases.not_personal))
    if mention.data_text and not types and not phrases.not_personal:
        notes.append(f"TODO no data type recognised in \"{mention.data_text[:80]}\"")
    if mention.company:
        notes.insert(0, f"company as written: {mention.company}")
    party = by_id.get(entry_id)
    source = _source(mention)
    if party is None:
        purpose = mention.purpose.strip() or f"{entry.category} (TODO: the policy states no purpose)"
        party = DraftParty(
            name=entry.name,
            catalog_id=entry.id,
            sdk_prefixes=[p for p in entry.package_prefixes if not p.startswith(REGEX_PREFIX)],
            domains=[d for d in entry.domains if not d.startswith(REGEX_PREFIX)],
            data_types=list(types),
            purpose=purpose,
            country=entry.country,
            confidence=confidence,
            sources=[source],
            notes=[f"catalog {entry.id} matched by {resolution.how} (confidence {resolution.confidence})", *notes],
        )
        if resolution.candidates:
            party.notes.append("other candidates: " + ", ".join(c for c in resolution.candidates if c != entry.id))
        if inventory is not None:
            found = next((s for s in inventory.sdks if s.catalog_id == entry.id), None)
            if found:
                party.notes.append(f"embedded: {', '.join(found.prefixes)} ({found.classes} classes in {', '.join(found.locations)})")
            elif inventory.kind == "apk" or inventory.sdks:
                party.notes.append("TODO not found in the APK: declared but not embedded (a server-side partner, or an old policy?)")
        by_id[entry_id] = party
        return
    party.sources.append(source)
    party.confidence = max(party.confidence, confidence, key=lambda c: CONFIDENCE_ORDER[c])
    for t in types:
        if t not in party.data_types:
            party.data_types.append(t)
    party.notes += [n for n in notes if n not in party.notes]
    if mention.purpose and "TODO" in party.purpose:
        party.purpose = mention.purpose


def _expand_umbrellas(mentions: list[Mention], index: CatalogIndex, embedded: set[str]) -> list[Mention]:
    """"厂商推送（小米推送、华为推送、OPPO推送）": an umbrella name that matches nothing, listing SDKs that do."""
    out: list[Mention] = []
    for mention in mentions:
        inner = re.findall(r"[（(]([^（）()]*)[）)]", mention.name)
        parts = [p for group in inner for p in split_names(group)] if inner else []
        if len(parts) >= 2 and not index.resolve(mention.name, "", embedded).ids:
            resolved = [p for p in parts if index.by_name(p)[0]]
            if resolved:
                out += [replace(mention, name=p, company="", split_from=mention.name) for p in resolved]
                continue
        out.append(mention)
    return out


def _unmatched_todo(m: Mention, r: Resolution, terms: Terms) -> str:
    what = m.name or m.company
    extra = []
    if types := terms.data_types_in(m.data_text).all_types():
        extra.append("data " + ", ".join(t.value for t in types))
    if m.company and m.name:
        extra.append(f"company {m.company}")
    if m.purpose:
        extra.append(f"purpose {m.purpose}")
    if r.candidates:
        extra.append("catalog candidates by company: " + ", ".join(r.candidates))
    if m.link:
        extra.append(f"link {m.link}")
    detail = f" ({'; '.join(extra)})" if extra else ""
    return f"unmatched third party \"{what}\"{detail}: no catalog entry decided — add it with sdk_prefixes or domains — {_source(m)}"


def _own_data(draft: Draft, extraction: Extraction, terms: Terms) -> None:
    seen: dict[str, DraftItem] = {}
    for own in extraction.own_data:
        phrases = terms.data_types_in(own.text)
        if own.negated:
            for t, term in phrases.types:
                draft.notes.append(f"the policy says it does not collect or share {t.value} ({term}): {own.where}")
            continue
        for t in phrases.all_types():
            item = seen.get(t.value)
            confidence = "medium" if phrases.types else "low"
            if item is None:
                seen[t.value] = item = DraftItem(t.value, [], confidence)
            if own.where not in item.sources:
                item.sources.append(own.where)
    draft.declared_data_types = list(seen.values())


def _first_party_domains(draft: Draft, extraction: Extraction, catalog: Catalog) -> None:
    for domain, places in extraction.domains.items():
        if domain in extraction.third_party_domains:
            continue
        if catalog.match_host(domain):
            continue
        draft.first_party_domains.append(DraftItem(domain, places[:3], "medium"))


def _apk_todos(draft: Draft, inventory: ApkInventory, catalog: Catalog, declared: set[str]) -> None:
    if inventory.package and inventory.package != draft.package:
        draft.todos.append(f"the APK's package is {inventory.package}, not {draft.package}: is this the right APK?")
    for sdk in inventory.sdks:
        if sdk.catalog_id in declared or set(sdk.ambiguous_with) & declared:
            continue
        draft.todos.append(
            f"embedded but not named in the privacy policy: {sdk.name} ({sdk.catalog_id}; {', '.join(sdk.prefixes)} in "
            f"{', '.join(sdk.locations)}) — an undeclared third party, or the policy names it in a way the draft missed"
        )
    for other in inventory.other_packages[:10]:
        draft.notes.append(f"code with no catalog entry: {other.package} ({other.classes} classes) — the app's own, or an SDK the catalog lacks")
    for warning in inventory.warnings:
        draft.notes.append(f"APK: {warning}")


def _unique_names(parties: list[DraftParty]) -> list[DraftParty]:
    seen: set[str] = set()
    for party in parties:
        base, n = party.name, 2
        while party.name.casefold() in seen:
            party.name = f"{base} ({party.catalog_id or n})"
            n += 1
        seen.add(party.name.casefold())
    return parties
