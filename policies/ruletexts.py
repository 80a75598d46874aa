"""What each rule means for people, in zh and en: title, explanation, legal basis (``policies/data/rules.yaml``).

The data file is keyed by rule name; a new rule adds one entry there and every report shows
it. A rule without an entry still renders (its name stands in), but the test suite fails.

>>> rule_text("PRE_CONSENT_ACCESS").title.en
'Personal data read before consent'
"""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict

from piaudit.policies.policy import DATA_DIR
from piaudit.policies.yamlfile import load_yaml_file

RULES_FILE = DATA_DIR / "rules.yaml"
LANGUAGES = ("zh", "en")


class Text(BaseModel):
    """One text in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str
    en: str

    def __call__(self, lang: str) -> str:
        """The text in ``lang`` (``zh`` or ``en``)."""
        return self.zh if lang == "zh" else self.en


class RuleText(BaseModel):
    """A rule's title, explanation and legal basis (one line per law or clause)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Text
    explanation: Text
    legal_basis: list[Text]


@cache
def rule_texts() -> dict[str, RuleText]:
    """Every rule's texts, by rule name."""
    data, _ = load_yaml_file(RULES_FILE)
    return {name: RuleText(**entry) for name, entry in data["rules"].items()}


def rule_text(rule: str) -> RuleText:
    """The texts of ``rule``; a rule without an entry gets its name as title and empty texts."""
    found = rule_texts().get(rule)
    if found is not None:
        return found
    name = Text(zh=rule, en=rule)
    return RuleText(title=name, explanation=Text(zh="", en=""), legal_basis=[])
