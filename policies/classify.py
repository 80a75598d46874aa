"""Classify a host as first party, declared third party, known or unknown third party.

The order of the questions (first match wins):

1. the host is, or is a subdomain of, a first-party domain → ``first_party``;
2. it matches a domain of a party the policy declares → ``declared_third_party``;
3. its most specific catalog entries are named by a declared party (by
   ``catalog_id``, by name or alias, or by overlapping SDK package prefixes:
   :func:`policies.partymatch.named_entries`, the rules' answer too)
   → ``declared_third_party``;
4. it matches a catalog entry → ``known_third_party`` (ties: ``ambiguous``);
5. its registrable domain differs from every first-party domain's
   → ``unknown_third_party``; otherwise ``first_party``.

IP literals are never first party by registrable domain: they are
``unknown_third_party`` unless declared, listed in the catalog, or listed
verbatim as a first-party domain.

>>> from piaudit.policies.catalog import load_catalog
>>> classifier = Classifier(["example.com"], [], load_catalog())
>>> classifier.classify("api.example.com").kind
'first_party'
>>> classifier.classify("bugly.qq.com").party
'Tencent Bugly'
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from piaudit.policies.catalog import Catalog, CatalogEntry
from piaudit.policies.partymatch import declared_by_entry
from piaudit.policies.policy import ThirdParty
from piaudit.policies.psl import is_ip_address, normalize_host, registrable_domain

HostKind = Literal["first_party", "declared_third_party", "known_third_party", "unknown_third_party"]

PARTY_SEPARATOR = " / "


class HostClass(BaseModel):
    """Who a host belongs to, as far as the policy and the catalog tell."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    kind: HostKind
    party: str | None
    """Declared party name (policy) or catalog entry name; None for first party and unknown."""
    catalog_ids: list[str]
    """All catalog entries that match the host most specifically (even when declared or first party)."""
    ambiguous: bool
    """Several parties match equally well; ``party`` then joins their names with ' / '."""
    registrable_domain: str


def _normalize_domain(domain: str) -> str:
    return normalize_host(domain).removeprefix("*.")


def _suffixes(host: str) -> list[str]:
    """``a.b.c`` → ``["a.b.c", "b.c", "c"]``; an IP literal only yields itself."""
    if is_ip_address(host):
        return [host]
    labels = host.split(".")
    return [".".join(labels[index:]) for index in range(len(labels))]


def _joined(names: Sequence[str]) -> tuple[str | None, bool]:
    unique = list(dict.fromkeys(names))
    if not unique:
        return None, False
    return PARTY_SEPARATOR.join(unique), len(unique) > 1


class Classifier:
    """Classifies hosts for one audit (one policy, one catalog), caching per host.

    Build it once per session; :meth:`classify` is then a cache hit for every
    flow to a host already seen.
    """

    def __init__(
        self,
        first_party_domains: Sequence[str],
        declared_parties: Sequence[ThirdParty],
        catalog: Catalog,
    ) -> None:
        """Prepare lookups from the policy's first-party domains and declared parties."""
        self.catalog = catalog
        self._first_party = {_normalize_domain(domain) for domain in first_party_domains if domain.strip()}
        self._first_party_registrable = {registrable_domain(domain) for domain in self._first_party if not is_ip_address(domain)}
        self._declared_domains: dict[str, list[str]] = {}
        for party in declared_parties:
            for domain in party.domains:
                if domain.strip():
                    self._declared_domains.setdefault(_normalize_domain(domain), []).append(party.name)
        self._declared_by_catalog_id = {
            entry_id: [party.name for party in parties] for entry_id, parties in declared_by_entry(declared_parties, catalog).items()
        }
        self._cached_classify = lru_cache(maxsize=65536)(self._classify)

    def classify(self, host: str) -> HostClass:
        """Classify ``host`` (a name or an IP literal; case and trailing dot ignored)."""
        return self._cached_classify(normalize_host(host))

    def _classify(self, host: str) -> HostClass:
        domain = registrable_domain(host)
        suffixes = _suffixes(host)
        matches: list[CatalogEntry] = self.catalog.match_host(host)
        catalog_ids = [entry.id for entry in matches]

        def result(kind: HostKind, party: str | None = None, ambiguous: bool = False) -> HostClass:
            return HostClass(kind=kind, party=party, catalog_ids=catalog_ids, ambiguous=ambiguous, registrable_domain=domain)

        if any(suffix in self._first_party for suffix in suffixes):
            return result("first_party")
        for suffix in suffixes:  # most specific declared domain first
            if suffix in self._declared_domains:
                party, ambiguous = _joined(self._declared_domains[suffix])
                return result("declared_third_party", party, ambiguous)
        declared_names = [name for entry in matches for name in self._declared_by_catalog_id.get(entry.id, ())]
        if declared_names:
            party, ambiguous = _joined(declared_names)
            return result("declared_third_party", party, ambiguous)
        if matches:
            party, ambiguous = _joined([entry.name for entry in matches])
            return result("known_third_party", party, ambiguous)
        if is_ip_address(host) or domain not in self._first_party_registrable:
            return result("unknown_third_party")
        return result("first_party")


def classify_host(
    host: str,
    *,
    first_party_domains: Sequence[str],
    declared_parties: Sequence[ThirdParty],
    catalog: Catalog,
) -> HostClass:
    """Classify one host; for many hosts build a :class:`Classifier` once instead.

    >>> from piaudit.policies.catalog import load_catalog
    >>> classify_host("cdn.unknown-tracker.example", first_party_domains=["example.com"],
    ...               declared_parties=[], catalog=load_catalog()).kind
    'unknown_third_party'
    """
    return Classifier(first_party_domains, declared_parties, catalog).classify(host)
