"""Registrable domains (eTLD+1) from the Public Suffix List shipped in ``policies/data``.

The list is parsed by our own code (no runtime dependency on a PSL package) and
covers both the ICANN and the private sections, with wildcard (``*.ck``) and
exception (``!www.ck``) rules, as specified at https://publicsuffix.org/list/.

>>> registrable_domain("a.b.example.co.uk")
'example.co.uk'
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

PUBLIC_SUFFIX_LIST_FILE = Path(__file__).parent / "data" / "public_suffix_list.dat"


def normalize_host(host: str) -> str:
    """Return ``host`` lower-cased, without surrounding dots, brackets or whitespace.

    >>> normalize_host(" WWW.Example.COM. ")
    'www.example.com'
    >>> normalize_host("[::1]")
    '::1'
    """
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.strip(".")


@lru_cache(maxsize=16384)
def is_ip_address(host: str) -> bool:
    """Return True if ``host`` is an IPv4 or IPv6 literal (brackets allowed)."""
    try:
        ipaddress.ip_address(normalize_host(host))
    except ValueError:
        return False
    return True


def _idna_forms(rule: str) -> set[str]:
    """The rule as written plus, for internationalised rules, its punycode form."""
    forms = {rule}
    if not rule.isascii():
        try:
            forms.add(rule.encode("idna").decode("ascii"))
        except UnicodeError:
            # A few IDNA 2008-only labels cannot be encoded by Python's IDNA 2003
            # codec; the Unicode form of the rule still applies.
            pass
    return forms


@dataclass(frozen=True, slots=True)
class PublicSuffixList:
    """Parsed rules of one Public Suffix List file.

    ``rules`` holds normal rules, ``wildcards`` the parents of ``*.`` rules
    (``*.ck`` is stored as ``ck``) and ``exceptions`` the ``!`` rules without
    the ``!``. Rules are stored both as written and in punycode.
    """

    rules: frozenset[str]
    wildcards: frozenset[str]
    exceptions: frozenset[str]
    version: str | None = None

    @classmethod
    def parse(cls, text: str) -> PublicSuffixList:
        """Parse the text of a ``public_suffix_list.dat`` file."""
        rules: set[str] = set()
        wildcards: set[str] = set()
        exceptions: set[str] = set()
        version = None
        for raw_line in text.splitlines():
            line = raw_line.strip()
            if line.startswith("// VERSION:"):
                version = line.removeprefix("// VERSION:").strip()
            if not line or line.startswith("//"):
                continue
            rule = line.split()[0].lower()
            if rule.startswith("!"):
                exceptions |= _idna_forms(rule[1:])
            elif rule.startswith("*."):
                wildcards |= _idna_forms(rule[2:])
            else:
                rules |= _idna_forms(rule)
        return cls(frozenset(rules), frozenset(wildcards), frozenset(exceptions), version)

    @classmethod
    def from_file(cls, path: Path) -> PublicSuffixList:
        """Read and parse a ``public_suffix_list.dat`` file."""
        return cls.parse(path.read_text(encoding="utf-8"))

    def public_suffix(self, host: str) -> str:
        """Return the public suffix of ``host`` ("co.uk" for "a.example.co.uk").

        A name no rule matches falls under the implicit ``*`` rule: its last label.
        IP literals return themselves.
        """
        host = normalize_host(host)
        if not host or is_ip_address(host):
            return host
        labels = host.split(".")
        # An exception rule prevails over every other matching rule.
        for index in range(len(labels)):
            if ".".join(labels[index:]) in self.exceptions:
                return ".".join(labels[index + 1 :])
        for index in range(len(labels)):
            candidate = ".".join(labels[index:])
            if candidate in self.rules:
                return candidate
            if index + 1 < len(labels) and ".".join(labels[index + 1 :]) in self.wildcards:
                return candidate
        return labels[-1]

    def registrable_domain(self, host: str) -> str:
        """Return the registrable domain (eTLD+1) of ``host``.

        IP literals, single-label names and names that are themselves a public
        suffix are returned unchanged (normalised), so the result is never empty
        for a non-empty host.
        """
        host = normalize_host(host)
        if not host or is_ip_address(host):
            return host
        suffix = self.public_suffix(host)
        if suffix == host or not suffix:
            return host
        prefix = host[: -len(suffix) - 1]
        return f"{prefix.rsplit('.', 1)[-1]}.{suffix}"


@cache
def default_public_suffix_list() -> PublicSuffixList:
    """The Public Suffix List shipped with piaudit, parsed once."""
    return PublicSuffixList.from_file(PUBLIC_SUFFIX_LIST_FILE)


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """Return the registrable domain (eTLD+1) of ``host`` using the shipped list.

    >>> registrable_domain("foo.bar.github.io")
    'bar.github.io'
    >>> registrable_domain("203.0.113.7")
    '203.0.113.7'
    """
    return default_public_suffix_list().registrable_domain(host)


@lru_cache(maxsize=65536)
def public_suffix(host: str) -> str:
    """Return the public suffix of ``host`` using the shipped list."""
    return default_public_suffix_list().public_suffix(host)
