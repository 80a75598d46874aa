"""Catalog of third-party SDKs and trackers: load, validate, look up by host or package.

The catalog is data (``policies/data/catalog.yaml``); this module only reads it,
checks it and answers two questions fast:

* which SDK does a host talk to? (:meth:`Catalog.match_host`)
* which SDK does a Java class belong to? (:meth:`Catalog.match_package`)

>>> catalog = load_catalog()
>>> [entry.id for entry in catalog.match_host("android.bugly.qq.com")]
['tencent-bugly']
>>> [entry.id for entry in catalog.match_package("com.umeng.analytics.MobclickAgent")]
['umeng']
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from piaudit.policies.psl import is_ip_address, normalize_host
from piaudit.policies.yamlfile import YamlError, load_yaml_file

CATALOG_FILE = Path(__file__).parent / "data" / "catalog.yaml"

REGEX_PREFIX = "regex:"

Category = Literal[
    "analytics",
    "ads",
    "attribution",
    "push",
    "crash",
    "location",
    "login",
    "payment",
    "social",
    "map",
    "cloud",
    "performance",
    "customer_support",
    "identity",
    "security",
    "other",
]
CATEGORIES: tuple[str, ...] = get_args(Category)

_ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_JAVA_PACKAGE_RE = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
_DOMAIN_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_DOMAIN_RE = re.compile(rf"{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})+")
_JVM_DESCRIPTOR_RE = re.compile(r"L([\w$/]+);")


class CatalogError(ValueError):
    """A catalog or import file is malformed; the message names the file and entry."""


def _compile_regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ValueError(f"invalid regex {pattern!r}: {error}") from None


def _dedupe(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


class CatalogEntry(BaseModel):
    """One third-party SDK or tracker and how to recognise it.

    ``domains`` holds plain domains (each matches itself and every subdomain)
    and ``regex:`` patterns (searched in the host). ``package_prefixes`` holds
    Java package prefixes matched on dotted boundaries, or ``regex:`` patterns
    searched in the class name.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Unique slug, e.g. 'tencent-bugly'.")
    name: str = Field(min_length=1, description="Display name, e.g. 'Tencent Bugly'.")
    aliases: list[str] = Field(
        default_factory=list,
        description="Other names of the SDK (e.g. its Exodus name); used when merging imports.",
    )
    company: str | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 code of the company.")
    category: Category
    package_prefixes: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    source: str = Field(min_length=1, description="Where the facts come from.")
    licence: str = Field(min_length=1, description="Licence the facts may be used under.")

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID_RE.fullmatch(value):
            raise ValueError(
                f"id {value!r} must be a lower-case slug of letters, digits and single hyphens, e.g. 'tencent-bugly'"
            )
        return value

    @field_validator("country", mode="before")
    @classmethod
    def _check_country(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError('quote the country code (YAML reads NO, ON, YES as booleans): "NO"')
        if isinstance(value, str):
            value = value.strip().upper()
            if not re.fullmatch(r"[A-Z]{2}", value):
                raise ValueError(f"country {value!r} must be an ISO 3166-1 alpha-2 code like 'CN'")
        return value

    @field_validator("package_prefixes")
    @classmethod
    def _check_packages(cls, values: list[str]) -> list[str]:
        cleaned = []
        for raw in values:
            value = raw.strip()
            if value.startswith(REGEX_PREFIX):
                _compile_regex(value.removeprefix(REGEX_PREFIX))
            else:
                value = value.rstrip(".")
                if not _JAVA_PACKAGE_RE.fullmatch(value):
                    raise ValueError(
                        f"package prefix {raw!r} is not a dotted Java package name like"
                        " 'com.umeng'; write 'regex:PATTERN' for a regular expression"
                    )
            cleaned.append(value)
        return _dedupe(cleaned)

    @field_validator("domains")
    @classmethod
    def _check_domains(cls, values: list[str]) -> list[str]:
        cleaned = []
        for raw in values:
            value = raw.strip()
            if value.startswith(REGEX_PREFIX):
                _compile_regex(value.removeprefix(REGEX_PREFIX))
            else:
                value = value.lower().strip(".")
                if not _DOMAIN_RE.fullmatch(value):
                    raise ValueError(
                        f"domain {raw!r} is not a plain domain like 'umeng.com' (which also"
                        " matches every subdomain; no '*', scheme, port or path; IDNs in"
                        " punycode); write 'regex:PATTERN' for a regular expression"
                    )
            cleaned.append(value)
        return _dedupe(cleaned)

    def canonical(self) -> dict[str, Any]:
        """This entry as plain JSON data with every list sorted (order carries no meaning)."""
        data = self.model_dump(mode="json")
        for key in ("aliases", "package_prefixes", "domains"):
            data[key] = sorted(data[key])
        return data


type _Indexed = tuple[CatalogEntry, ...]


def _best_matches(plain: _Indexed, plain_length: int, regex_hits: Iterable[tuple[int, CatalogEntry]]) -> _Indexed:
    """Entries whose longest match is the overall longest; ties keep all, sorted by id."""
    best_length = plain_length
    best = {entry.id: entry for entry in plain}
    for length, entry in regex_hits:
        if length > best_length:
            best_length, best = length, {entry.id: entry}
        elif length == best_length and length > 0:
            best.setdefault(entry.id, entry)
    return tuple(best[entry_id] for entry_id in sorted(best))


class Catalog:
    """An immutable, indexed set of :class:`CatalogEntry` objects with unique ids.

    Lookups walk a dict from the most specific label (hosts) or package
    component (classes) and only scan the few ``regex:`` patterns; results are
    cached per host and per class name.
    """

    def __init__(self, entries: Iterable[CatalogEntry], *, origins: Sequence[str] = ()) -> None:
        """Index ``entries``; raise :class:`CatalogError` on a duplicate id."""
        self._entries: dict[str, CatalogEntry] = {}
        for entry in entries:
            if entry.id in self._entries:
                raise CatalogError(f"duplicate catalog id {entry.id!r}")
            self._entries[entry.id] = entry
        self.origins: tuple[str, ...] = tuple(origins)
        self._domains: dict[str, list[CatalogEntry]] = {}
        self._ip_domains: dict[str, list[CatalogEntry]] = {}  # IP literals match only themselves
        self._domain_regexes: list[tuple[re.Pattern[str], CatalogEntry]] = []
        self._packages: dict[str, list[CatalogEntry]] = {}
        self._package_regexes: list[tuple[re.Pattern[str], CatalogEntry]] = []
        for entry in self._entries.values():
            for pattern in entry.domains:
                if pattern.startswith(REGEX_PREFIX):
                    regex = re.compile(pattern.removeprefix(REGEX_PREFIX))
                    self._domain_regexes.append((regex, entry))
                else:
                    index = self._ip_domains if is_ip_address(pattern) else self._domains
                    index.setdefault(pattern, []).append(entry)
            for pattern in entry.package_prefixes:
                if pattern.startswith(REGEX_PREFIX):
                    regex = re.compile(pattern.removeprefix(REGEX_PREFIX))
                    self._package_regexes.append((regex, entry))
                else:
                    self._packages.setdefault(pattern, []).append(entry)
        # Bound per instance so that the cache dies with the catalog.
        self._cached_match_host = lru_cache(maxsize=16384)(self._match_host)
        self._cached_match_package = lru_cache(maxsize=16384)(self._match_package)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[CatalogEntry]:
        return iter(self._entries.values())

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._entries

    def __repr__(self) -> str:
        return f"<Catalog {len(self)} entries sha256={self.sha256[:12]}>"

    @property
    def entries(self) -> tuple[CatalogEntry, ...]:
        """All entries in file order."""
        return tuple(self._entries.values())

    def get(self, entry_id: str) -> CatalogEntry | None:
        """The entry with id ``entry_id``, or None."""
        return self._entries.get(entry_id)

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of the canonical JSON of all entries (independent of order and layout)."""
        canonical = [self._entries[key].canonical() for key in sorted(self._entries)]
        text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def match_host(self, host: str) -> list[CatalogEntry]:
        """Entries whose most specific pattern matches ``host`` with the longest match.

        A plain domain matches itself and its subdomains; its match length is its
        own length, so ``bugly.qq.com`` beats ``qq.com``. A ``regex:`` pattern's
        match length is the length of the matched text. Several entries are
        returned only when they tie; an empty list means no match.

        >>> [e.id for e in load_catalog().match_host("firebaseinstallations.googleapis.com")]
        ['firebase-installations']
        """
        return list(self._cached_match_host(normalize_host(host)))

    def _match_host(self, host: str) -> _Indexed:
        if not host:
            return ()
        plain: _Indexed = ()
        plain_length = 0
        if is_ip_address(host):
            plain = tuple(self._ip_domains.get(host, ()))
            plain_length = len(host) if plain else 0
        else:
            labels = host.split(".")
            for index in range(len(labels)):
                suffix = ".".join(labels[index:])
                if suffix in self._domains:
                    plain, plain_length = tuple(self._domains[suffix]), len(suffix)
                    break
        hits = ((found.end() - found.start(), entry) for regex, entry in self._domain_regexes if (found := regex.search(host)))
        return _best_matches(plain, plain_length, hits)

    def match_package(self, class_or_package_name: str) -> list[CatalogEntry]:
        """Entries whose package prefix is the longest dotted-boundary prefix of the name.

        Accepts a class name (``com.umeng.analytics.MobclickAgent$1``), a package,
        a stack-frame text (``at com.foo.Bar.run(Bar.java:12)``) or a JVM descriptor
        (``Lcom/foo/Bar;``). ``com.umeng`` matches ``com.umeng.x.Y`` but not
        ``com.umengx.Y``. Ties return several entries.
        """
        return list(self._cached_match_package(class_or_package_name.strip()))

    def _match_package(self, name: str) -> _Indexed:
        name = name.removeprefix("at ").split("(", 1)[0].strip()
        if descriptor := _JVM_DESCRIPTOR_RE.fullmatch(name):
            name = descriptor.group(1)
        name = name.replace("/", ".")
        if not name:
            return ()
        plain: _Indexed = ()
        plain_length = 0
        parts = name.split(".")
        for count in range(len(parts), 0, -1):
            prefix = ".".join(parts[:count])
            if prefix in self._packages:
                plain, plain_length = tuple(self._packages[prefix]), len(prefix)
                break
        hits = ((found.end() - found.start(), entry) for regex, entry in self._package_regexes if (found := regex.search(name)))
        return _best_matches(plain, plain_length, hits)


# --------------------------------------------------------------------------- files


def _format_validation_error(error: ValidationError) -> str:
    parts = []
    for problem in error.errors():
        field = ".".join(str(item) for item in problem["loc"]) or "entry"
        message = problem["msg"].removeprefix("Value error, ")
        parts.append(f"field '{field}': {message}")
    return "; ".join(parts)


def read_catalog_file(path: Path) -> list[CatalogEntry]:
    """Read and validate one catalog YAML file.

    The file is a mapping with an ``entries`` list (or a bare list of entries).
    Raises :class:`CatalogError` naming the file, line and entry of the first
    problem found.
    """
    try:
        document, root = load_yaml_file(path, what="catalog file")
    except YamlError as error:
        raise CatalogError(str(error)) from None

    items_node: yaml.Node | None = root
    if isinstance(document, dict):
        unknown = sorted(str(key) for key in document if key != "entries")
        if unknown:
            raise CatalogError(
                f"{path}: unknown top-level key(s) {unknown}; a catalog file has only 'entries:' (a list of entries)"
            )
        items = document.get("entries") or []
        if isinstance(root, yaml.MappingNode):
            items_node = next((value for key, value in root.value if key.value == "entries"), None)
    elif isinstance(document, list):
        items = document
    elif document is None:
        items = []
    else:
        raise CatalogError(f"{path}: a catalog file must be a mapping with 'entries:' (a list)")
    if not isinstance(items, list):
        raise CatalogError(f"{path}: 'entries' must be a list of entries")
    item_nodes = items_node.value if isinstance(items_node, yaml.SequenceNode) else []

    entries: list[CatalogEntry] = []
    first_line: dict[str, int] = {}
    for index, item in enumerate(items):
        line = item_nodes[index].start_mark.line + 1 if index < len(item_nodes) else None
        where = f"{path}, line {line}" if line else f"{path}"
        label = f"entry #{index + 1}"
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            label += f" (id {item['id']!r})"
        if not isinstance(item, dict):
            raise CatalogError(f"{where}, {label}: an entry must be a mapping of fields")
        try:
            entry = CatalogEntry.model_validate(item)
        except ValidationError as error:
            raise CatalogError(f"{where}, {label}: {_format_validation_error(error)}") from None
        if entry.id in first_line:
            raise CatalogError(
                f"{where}, {label}: duplicate id {entry.id!r} (first defined at line {first_line[entry.id]}); ids must be unique"
            )
        first_line[entry.id] = line or 0
        entries.append(entry)
    return entries


def load_catalog(path: Path | None = None, *, extra: Path | None = None) -> Catalog:
    """Load the catalog at ``path`` (default: the shipped one), then merge ``extra``.

    Entries of the optional ``extra`` file are added; an extra entry with the id
    of an existing one replaces it (so a user can correct a shipped entry).

    >>> len(load_catalog()) >= 150
    True
    """
    base_path = path or CATALOG_FILE
    merged = {entry.id: entry for entry in read_catalog_file(base_path)}
    origins = [str(base_path)]
    if extra is not None:
        for entry in read_catalog_file(extra):
            merged[entry.id] = entry
        origins.append(str(extra))
    return Catalog(merged.values(), origins=origins)


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The shipped catalog, loaded once per process."""
    return load_catalog()


def catalog_yaml(catalog: Catalog | Iterable[CatalogEntry]) -> str:
    """Entries as the text of a catalog YAML file that :func:`read_catalog_file` reads."""
    entries = catalog.entries if isinstance(catalog, Catalog) else tuple(catalog)
    data = {"entries": [entry.model_dump(mode="json", exclude_defaults=True) for entry in entries]}
    header = (
        "# piaudit SDK / tracker catalog, written by piaudit (format: docs/catalog.md).\n"
        "# Each entry records its source and licence; keep them when editing.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def save_catalog(catalog: Catalog | Iterable[CatalogEntry], path: Path) -> None:
    """Write entries to ``path`` as a catalog YAML file."""
    path.write_text(catalog_yaml(catalog), encoding="utf-8")
