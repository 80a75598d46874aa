"""The privacy-policy term list (``policies/data/policy_terms.yaml``): phrases to data types, headers, cue words.

>>> terms = load_terms()
>>> [t for t, _ in terms.data_types_in("设备信息（IMEI、Android ID）、崩溃发生的代码位置").types]
['imei', 'android_id']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from piaudit.policies.vocab import DATA_TYPES, DataType
from piaudit.policies.yamlfile import load_yaml_file

TERMS_FILE = Path(__file__).resolve().parent.parent / "data" / "policy_terms.yaml"
ROLES = ("name", "company", "purpose", "data", "permissions", "link")


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def normalize(text: str) -> str:
    """Case-folded NFKC text with whitespace collapsed, and removed next to CJK characters ("MAC 地址" → "mac地址")."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"(?<=[\u2e80-\U0010ffff]) | (?=[\u2e80-\U0010ffff])", "", text)


def _pattern(terms: list[str]) -> re.Pattern[str]:
    parts = []
    for term in sorted(set(terms), key=len, reverse=True):
        escaped = re.escape(term)
        if term and term[0].isascii() and term[0].isalnum():
            escaped = r"(?<![a-z0-9])" + escaped
        if term and term[-1].isascii() and term[-1].isalnum():
            escaped += r"(?![a-z0-9])"
        parts.append(escaped)
    return re.compile("|".join(parts) if parts else r"(?!x)x")


@dataclass
class PhraseMap:
    """What a phrase says about data: vocabulary types (with the term that gave each), generic and non-personal phrases."""

    types: list[tuple[DataType, str]] = field(default_factory=list)
    generic: list[tuple[str, list[DataType]]] = field(default_factory=list)
    not_personal: list[str] = field(default_factory=list)

    def all_types(self) -> list[DataType]:
        """Specific types, else the generic phrases' types."""
        found = list(dict.fromkeys(t for t, _ in self.types))
        if not found:
            found = list(dict.fromkeys(t for _, ts in self.generic for t in ts))
        return found


class Terms:
    """The loaded term list, with compiled matchers."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self._kind: dict[str, tuple[str, list[DataType]]] = {}
        for name, terms in data["data_types"].items():
            if name not in DATA_TYPES:
                raise ValueError(f"{TERMS_FILE}: data_types.{name} is not a data type of the vocabulary")
            for term in terms:
                self._kind.setdefault(normalize(str(term)), ("type", [DataType(name)]))
        for term, types in data["generic"].items():
            self._kind.setdefault(normalize(str(term)), ("generic", [DataType(t) for t in types]))
        for term in data["not_personal"]:
            self._kind[normalize(str(term))] = ("none", [])
        self._data_re = _pattern(list(self._kind))
        self.columns = {role: [normalize(str(t)) for t in data["columns"][role]] for role in ROLES}
        self.record_keys = {role: [normalize(str(t)) for t in data["record_keys"][role]] for role in ROLES}
        self.share_re = _pattern([normalize(str(t)) for t in data["share_words"]])
        self.negation_re = _pattern([normalize(str(t)) for t in data["negations"]])
        self.first_party_re = _pattern([normalize(str(t)) for t in data["first_party_words"]])
        self.operator_re = _pattern([normalize(str(t)) for t in data["operator_markers"]])
        self.companies = {normalize(k): list(v) for k, v in data["companies"].items()}
        self.company_re = _pattern(list(self.companies))
        self.not_first_party_domains = [str(d).lower() for d in data["not_first_party_domains"]]

    def data_types_in(self, text: str) -> PhraseMap:
        """Map every data phrase in ``text`` (longest match first at each place)."""
        out = PhraseMap()
        for match in self._data_re.finditer(normalize(text)):
            term = match.group(0)
            kind, types = self._kind[term]
            if kind == "type":
                if types[0] not in [t for t, _ in out.types]:
                    out.types.append((types[0], term))
            elif kind == "generic":
                out.generic.append((term, types))
            elif term not in out.not_personal:
                out.not_personal.append(term)
        return out

    def column_role(self, cell: str) -> str | None:
        """Which field a table header cell names (the longest header term it contains wins)."""
        norm = normalize(cell)
        if not norm or len(norm) > 24:
            return None
        best, best_len = None, 0
        for role in ROLES:
            for term in self.columns[role]:
                if term in norm and len(term) > best_len:
                    best, best_len = role, len(term)
        # a header cell is mostly the term ("SDK名称", "收集个人信息类型（字段）"), a data cell is not ("定位服务")
        return best if best_len * 2 >= len(norm) else None

    def record_key(self, key: str) -> str | None:
        """Which field a ``key:`` of a list-form record names (exact match of a record key)."""
        norm = normalize(key)
        for role in ROLES:
            if norm in self.record_keys[role]:
                return role
        return None

    def companies_in(self, text: str) -> list[tuple[str, list[str]]]:
        """Known vendor legal names in ``text`` and the catalog ids each operates."""
        return [(m.group(0), self.companies[m.group(0)]) for m in self.company_re.finditer(normalize(text))]


@cache
def load_terms(path: Path | None = None) -> Terms:
    """The shipped term list (or ``path``), loaded once."""
    return Terms(load_yaml_file(path or TERMS_FILE)[0])
