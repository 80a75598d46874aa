"""Which catalog entry a privacy policy means: by SDK name or alias (zh or en), else by company.

>>> index = CatalogIndex(default_catalog(), load_terms())     # doctest: +SKIP
>>> index.by_name("友盟统计SDK")                                 # doctest: +SKIP
(['umeng'], 'alias', '友盟统计')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from piaudit.policies.catalog import Catalog
from piaudit.policies.draft.terms import Terms, normalize

_NOISE = re.compile(r"[（(][^（）()]*[）)]|\bsdk\b|sdk|\bandroid\b|安卓版|安卓|android版|插件|组件|服务|\s|[-_·.]", re.IGNORECASE)


def _key(name: str) -> str:
    return _NOISE.sub("", normalize(name))


def _short_enough(key: str) -> bool:
    """Long enough to be looked for inside a longer name: 2 CJK characters or 3 Latin ones."""
    return len(key) >= (2 if any(ord(c) > 0x2E80 for c in key) else 3)


@dataclass
class Resolution:
    """How a mention maps onto the catalog."""

    ids: list[str] = field(default_factory=list)
    how: str = ""  # "name", "alias 'x'", "company 'y'", "company 'y' + APK"
    confidence: str = "low"
    candidates: list[str] = field(default_factory=list)  # when the company alone could not decide


class CatalogIndex:
    """Catalog names, aliases and companies, normalised for lookups."""

    def __init__(self, catalog: Catalog, terms: Terms):
        self.catalog = catalog
        self.terms = terms
        self.names: dict[str, set[str]] = {}
        self.companies: dict[str, set[str]] = {}
        for entry in catalog:
            for name in (entry.name, *entry.aliases, entry.id, re.sub(r"\s*[（(].*$", "", entry.name)):
                key = _key(name)
                if key:
                    self.names.setdefault(key, set()).add(entry.id)
            if entry.company:
                for part in re.split(r"[()（）]", entry.company):
                    key = _key(part)
                    if len(key) >= 3:
                        self.companies.setdefault(key, set()).add(entry.id)
        for legal, ids in terms.companies.items():
            self.companies.setdefault(_key(legal), set()).update(i for i in ids if i in catalog)
        self._contained = sorted((k for k in self.names if _short_enough(k)), key=len, reverse=True)

    def known_names(self) -> list[str]:
        """Every name and alias, for finding SDK names in prose."""
        out = []
        for entry in self.catalog:
            out += [a for a in (entry.name, *entry.aliases) if _short_enough(_key(a))]
        return out

    def by_name(self, name: str) -> tuple[list[str], str, str]:
        """(ids, how, matched text): exact name/alias first, else the longest alias inside ``name``."""
        key = _key(name)
        if not key:
            return [], "", ""
        if key in self.names:
            return sorted(self.names[key]), "name", name
        for alias in self._contained:
            if alias in key:
                return sorted(self.names[alias]), "alias", alias
        return [], "", ""

    def by_company(self, company: str) -> tuple[list[str], str]:
        """(ids, matched company key) for a vendor named by its company."""
        key = _key(company)
        if not key:
            return [], ""
        if key in self.companies:
            return sorted(self.companies[key]), key
        best = max((k for k in self.companies if k in key or (len(key) >= 4 and key in k)), key=len, default="")
        return (sorted(self.companies[best]), best) if best else ([], "")

    def resolve(self, name: str, company: str, embedded: set[str]) -> Resolution:
        """Map a (name, company) pair; ``embedded`` (catalog ids found in the APK) decides between candidates."""
        ids, how, matched = self.by_name(name) if name else ([], "", "")
        if not ids and name:
            ids, matched = self.by_company(name)  # a company written in the name column
            how = "company" if ids else ""
        if ids:
            if len(ids) > 1 and (narrowed := [i for i in ids if i in embedded]):
                ids = narrowed
            confidence = "high" if how == "name" else "medium"
            if how == "company" and len(ids) > 1:
                return Resolution([], "", "low", ids)
            label = "name" if how == "name" else f"{how} '{matched}'"
            return Resolution(ids[:1] if how != "company" else ids, label, confidence, ids if len(ids) > 1 else [])
        if company:
            cids, matched = self.by_company(company)
            if len(cids) == 1:
                return Resolution(cids, f"company '{company}'", "medium")
            if cids:
                inside = [i for i in cids if i in embedded]
                if len(inside) == 1:
                    return Resolution(inside, f"company '{company}' + the APK embeds only this one of its SDKs", "low", cids)
                return Resolution([], "", "low", inside or cids)
        return Resolution()
