"""One name per party: what reports, the timeline and `diff` call a third party, whatever name reached them.

A finding names a party as the policy declares it ("Bugly"), a hook event as the catalog
does ("Tencent Bugly"), a flow by the catalog entry of its host. :class:`PartyDirectory` maps
every one of those to one :class:`PartyInfo` whose ``name`` is shown everywhere:

1. a name the policy declared (as the judgement stored it: :class:`models.JudgedParty`)
   stands for the catalog entries that party matched (:mod:`policies.partymatch`);
2. any other name is looked up in the catalog by name or alias;
3. a party that stands for exactly one catalog entry is called by the entry's name; otherwise
   it keeps the name it came with. Ambiguous names (``"A / B"``) are resolved part by part.

One more step links what a session saw: a transmission to a host whose catalog entry is a
broader product of the same company (``amap``: "AMap (Gaode Maps)") is named after the one
SDK of that product family the hooks saw reading in the session (``amap-location``: "AMap
Location") — :meth:`PartyDirectory.link_family`. Only nested entries of one company qualify
(the SDK's package prefixes lie within the broader entry's), and only when exactly one such SDK
was seen; the catalog entry of the host stays in the evidence.

>>> from piaudit.policies.catalog import load_catalog
>>> from piaudit.policies.models import JudgedParty
>>> names = PartyDirectory(load_catalog(), [JudgedParty(name="Bugly", catalog_ids=["tencent-bugly"])])
>>> names.resolve("Bugly").name, names.resolve("Tencent Bugly").name, names.resolve("Bugly").declared
('Tencent Bugly', 'Tencent Bugly', True)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from piaudit.policies.catalog import REGEX_PREFIX, Catalog, CatalogEntry
from piaudit.policies.classify import PARTY_SEPARATOR
from piaudit.policies.models import JudgedParty
from piaudit.policies.partymatch import entries_named, within


@dataclass(frozen=True)
class PartyInfo:
    """A third party as reports show it."""

    name: str  # the one name shown everywhere
    key: str  # stable across sessions and policies: "catalog:<id>[+<id>]" or "name:<casefolded name>"
    catalog_ids: tuple[str, ...] = ()
    company: str | None = None
    country: str | None = None
    category: str | None = None
    declared: bool | None = None  # the policy names it (None: the judgement did not record the policy's parties)
    declared_as: tuple[str, ...] = ()  # the names the policy declares it under


class PartyDirectory:
    """Resolves any party name to one :class:`PartyInfo` (cached per name)."""

    def __init__(self, catalog: Catalog, declared: Iterable[JudgedParty] | None = None):
        self.catalog = catalog
        self.known_declarations = declared is not None
        self._declared: dict[str, JudgedParty] = {p.name.casefold(): p for p in declared or ()}
        self._declared_ids: dict[str, list[str]] = {}
        for party in declared or ():
            for entry_id in party.catalog_ids:
                self._declared_ids.setdefault(entry_id, []).append(party.name)
        self._cache: dict[str, PartyInfo] = {}
        self._links: dict[str, str] = {}  # catalog id of a host's entry -> catalog id of the SDK seen

    def resolve(self, name: str | None) -> PartyInfo | None:
        """The party called ``name`` (None for none: the app itself or an unknown host)."""
        if not name:
            return None
        found = self._cache.get(name)
        if found is None:
            found = self._cache[name] = self._resolve(name)
        return found

    def display(self, name: str | None) -> str | None:
        """The one name of the party called ``name``."""
        info = self.resolve(name)
        return info.name if info else None

    def _entries_of(self, name: str) -> list[str]:
        declared = self._declared.get(name.casefold())
        if declared is not None:
            return list(declared.catalog_ids)
        return entries_named(name, self.catalog)

    def _resolve(self, name: str) -> PartyInfo:
        parts = [p.strip() for p in name.split(PARTY_SEPARATOR)] if PARTY_SEPARATOR in name else [name]
        if len(parts) > 1:
            infos = [self._resolve(p) for p in parts if p]
            return PartyInfo(
                name=PARTY_SEPARATOR.join(dict.fromkeys(i.name for i in infos)),
                key="+".join(sorted({i.key for i in infos})),
                catalog_ids=tuple(dict.fromkeys(c for i in infos for c in i.catalog_ids)),
                declared=None if not self.known_declarations else all(i.declared for i in infos),
            )
        own = self._entries_of(name)
        ids = list(dict.fromkeys(self._links.get(i, i) for i in own))
        entries = [e for e in (self.catalog.get(i) for i in ids) if e is not None]
        declared_as = tuple(
            dict.fromkeys(
                ([self._declared[name.casefold()].name] if name.casefold() in self._declared else [])
                + [n for i in dict.fromkeys([*own, *ids]) for n in self._declared_ids.get(i, [])]
            )
        )
        declared = bool(declared_as) if self.known_declarations else None
        if len(entries) == 1:
            entry = entries[0]
            return PartyInfo(
                name=entry.name,
                key=f"catalog:{entry.id}",
                catalog_ids=(entry.id,),
                company=entry.company,
                country=entry.country,
                category=entry.category,
                declared=declared,
                declared_as=declared_as,
            )
        companies = {e.company for e in entries}
        return PartyInfo(
            name=name,
            key="catalog:" + "+".join(sorted(e.id for e in entries)) if entries else f"name:{name.casefold()}",
            catalog_ids=tuple(e.id for e in entries),
            company=companies.pop() if len(companies) == 1 else None,
            declared=declared,
            declared_as=declared_as,
        )

    def link_family(self, readers: Iterable[str | None], receivers: Iterable[str | None]) -> dict[str, str]:
        """Name each receiving host's broader catalog entry after the one nested SDK of the same company seen reading.

        ``readers`` are the party names the hooks saw read (catalog names), ``receivers`` the
        parties data was sent to. Returns the links made (host entry id -> SDK entry id); later
        :meth:`resolve` calls follow them.
        """
        seen = {i for name in readers if name for i in self._entries_of(name)}
        links: dict[str, str] = {}
        for name in {n for n in receivers if n}:
            for host_id in self._entries_of(name):
                host = self.catalog.get(host_id)
                if host is None or host_id in seen:
                    continue
                nested = [s for s in seen if (sdk := self.catalog.get(s)) is not None and _nested(sdk, host)]
                if len(nested) == 1:
                    links[host_id] = nested[0]
        self._links.update(links)
        self._cache.clear()
        return links


def _prefixes(entry: CatalogEntry) -> list[str]:
    return [p for p in entry.package_prefixes if not p.startswith(REGEX_PREFIX)]


def _nested(sdk: CatalogEntry, product: CatalogEntry) -> bool:
    """The SDK is part of the broader product: same company, and every package of the SDK lies within the product's."""
    if sdk.id == product.id or not sdk.company or sdk.company != product.company:
        return False
    mine, theirs = _prefixes(sdk), _prefixes(product)
    return bool(mine and theirs) and all(any(within(a, b) for b in theirs) for a in mine)
