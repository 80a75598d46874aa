"""Which catalog entries a party the policy declares stands for: the one answer to "is this Umeng?".

Host classification (:mod:`policies.classify`) and the rules (:mod:`policies.rules.context`)
both ask it; they must never disagree, so they both call :func:`named_entries`.

A declared party names a catalog entry when any of these holds:

* its ``catalog_id`` is the entry's id;
* its name is the entry's name or one of its aliases (case ignored): "Umeng Analytics" names
  the entry ``umeng`` (name "Umeng", aliases "Umeng Analytics", "Umeng+");
* one of its ``sdk_prefixes`` and one of the entry's package prefixes contain each other on a
  dotted boundary (``com.umeng`` and ``com.umeng.analytics``; not ``com.umengx``).

>>> from piaudit.policies.catalog import load_catalog
>>> from piaudit.policies.policy import ThirdParty
>>> umeng = ThirdParty(name="Umeng Analytics", domains=["alog.umeng.com"], purpose="statistics")
>>> named_entries(umeng, load_catalog())
['umeng']
"""

from __future__ import annotations

from collections.abc import Iterable

from piaudit.policies.catalog import REGEX_PREFIX, Catalog, CatalogEntry
from piaudit.policies.policy import ThirdParty


def within(name: str, prefix: str) -> bool:
    """``com.umeng.a.B`` is within ``com.umeng``; ``com.umengx.B`` is not.

    >>> within("com.umeng.a.B", "com.umeng"), within("com.umengx.B", "com.umeng")
    (True, False)
    """
    return name == prefix or name.startswith(prefix + ".")


def prefixes_overlap(first: str, second: str) -> bool:
    """True if one Java package prefix contains the other on a dotted boundary."""
    return within(first, second) or within(second, first)


def entry_names(entry: CatalogEntry) -> set[str]:
    """The names an entry answers to, case-folded: its name and its aliases."""
    return {entry.name.casefold(), *(alias.casefold() for alias in entry.aliases)}


def is_named(entry: CatalogEntry, name: str) -> bool:
    """True if ``name`` is the entry's name or one of its aliases (case ignored)."""
    return name.casefold() in entry_names(entry)


def names_entry(party: ThirdParty, entry: CatalogEntry) -> bool:
    """True if the declared ``party`` stands for the catalog ``entry`` (id, name or alias, package prefixes)."""
    if party.catalog_id and party.catalog_id == entry.id:
        return True
    if is_named(entry, party.name):
        return True
    mine = [prefix.strip().rstrip(".") for prefix in party.sdk_prefixes]
    theirs = [prefix for prefix in entry.package_prefixes if not prefix.startswith(REGEX_PREFIX)]
    return any(prefixes_overlap(a, b) for a in mine if a for b in theirs)


def named_entries(party: ThirdParty, catalog: Iterable[CatalogEntry] | None) -> list[str]:
    """The ids of the catalog entries the declared ``party`` stands for, in catalog order."""
    return [entry.id for entry in catalog or () if names_entry(party, entry)]


def entries_named(name: str, catalog: Catalog | None) -> list[str]:
    """The ids of the catalog entries called ``name`` (by name or alias): how an event's ``party`` is read."""
    return [entry.id for entry in catalog or () if is_named(entry, name)]


def declared_by_entry(parties: Iterable[ThirdParty], catalog: Catalog | None) -> dict[str, list[ThirdParty]]:
    """Catalog entry id -> every declared party that stands for it, in policy order."""
    found: dict[str, list[ThirdParty]] = {}
    for party in parties:
        for entry_id in named_entries(party, catalog):
            found.setdefault(entry_id, []).append(party)
    return found
