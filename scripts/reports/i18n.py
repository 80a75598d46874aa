"""The reports' words in zh and en: one catalogue per language (``scripts/reports/i18n/<lang>.yaml``).

Keys are dotted (``section.summary``); values may hold ``{name}`` placeholders. A key missing in
zh falls back to en, a key missing in both shows the key itself (and the test of the
catalogues fails). Rule titles, explanations and legal basis live with the rules
(:mod:`policies.ruletexts`), checklist items with the checklist (:mod:`policies.checklist`).

>>> Words("zh")("section.findings")
'发现'
>>> Words("en")("summary.groups_of", n=3, total=7)
'7 findings in 3 groups'
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from piaudit.policies.yamlfile import load_yaml_file

CATALOGUES = Path(__file__).parent / "i18n"
LANGUAGES = ("zh", "en")


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The flat catalogue of ``lang``."""
    data, _ = load_yaml_file(CATALOGUES / f"{lang}.yaml")

    def flatten(prefix: str, node: Any) -> dict[str, str]:
        if isinstance(node, dict):
            out: dict[str, str] = {}
            for key, value in node.items():
                out |= flatten(f"{prefix}.{key}" if prefix else str(key), value)
            return out
        return {prefix: str(node)}

    return flatten("", data)


class Words:
    """The words of one language: ``words(key, **values)``."""

    def __init__(self, lang: str):
        if lang not in LANGUAGES:
            raise ValueError(f"unknown report language {lang!r}; choose one of: {', '.join(LANGUAGES)}")
        self.lang = lang
        self._own = catalogue(lang)
        self._en = catalogue("en")

    def __call__(self, key: str, **values: Any) -> str:
        text = self._own.get(key) or self._en.get(key)
        if text is None:
            return key
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        """Whether ``key`` is in this language's catalogue or the English one."""
        return key in self._own or key in self._en

    def field(self, name: str) -> str:
        """The label of a findings field; a field added later shows its name with spaces until the catalogue has it."""
        key = f"field.{name}"
        return self(key) if self.has(key) else name.replace("_", " ")
