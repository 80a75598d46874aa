"""Score `policy draft` on the privacy-policy fixtures against their hand-written ground truth.

Run ``.venv/bin/python -m tests.policies.draft.evaluate`` for the table quoted in the docs;
tests/policies/draft/test_figures.py asserts the same numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from piaudit.policies.draft.pipeline import draft_policy

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Score:
    """Counts for one fixture (or the sum)."""

    name: str
    listed: int = 0
    found: int = 0
    false_parties: list[str] = field(default_factory=list)
    types_listed: int = 0
    types_correct: int = 0
    types_extra: int = 0  # drafted for a found party but not stated by the text
    own_listed: int = 0
    own_correct: int = 0
    own_extra: int = 0
    domains_listed: int = 0
    domains_correct: int = 0
    domains_extra: int = 0

    def add(self, other: Score) -> None:
        for key, value in other.__dict__.items():
            if isinstance(value, int):
                setattr(self, key, getattr(self, key) + value)
            elif isinstance(value, list):
                getattr(self, key).extend(value)


def score(fixture: str, truth: dict) -> Score:
    """Draft ``fixture`` and compare it with ``truth``."""
    _, draft = draft_policy("com.example.app", privacy_policy=FIXTURES / fixture)
    s = Score(fixture)
    drafted = {p.catalog_id: [t.value for t in p.data_types] for p in draft.parties}
    todos = [t for t in draft.todos if t.startswith("unmatched third party")]
    listed = truth["listed"]
    for key, types in listed.items():
        s.listed += 1
        s.types_listed += len(types)
        if key in drafted:
            got = drafted[key]
        else:
            todo = next((t for t in todos if f'"{key}"' in t), None)
            if todo is None:
                continue
            m = re.search(r"data ([a-z_, ]+?)(?:;|\))", todo)
            got = [x.strip() for x in m.group(1).split(",")] if m else []
        s.found += 1
        s.types_correct += len(set(types) & set(got))
        s.types_extra += len(set(got) - set(types))
    s.false_parties = [k for k in drafted if k not in listed]
    s.false_parties += [t.split('"')[1] for t in todos if t.split('"')[1] not in listed]
    own = {i.value for i in draft.declared_data_types}
    s.own_listed, s.own_correct, s.own_extra = len(truth["own"]), len(own & set(truth["own"])), len(own - set(truth["own"]))
    domains = {i.value for i in draft.first_party_domains}
    want = set(truth["first_party_domains"])
    s.domains_listed, s.domains_correct, s.domains_extra = len(want), len(domains & want), len(domains - want)
    return s


def evaluate() -> tuple[list[Score], Score]:
    """Scores per fixture and their sum."""
    truth = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))
    scores = [score(name, t) for name, t in truth.items()]
    total = Score("all fixtures")
    for s in scores:
        total.add(s)
    return scores, total


def table(scores: list[Score], total: Score) -> str:
    """A markdown table of the scores."""
    rows = ["| fixture | third parties found ÷ listed | false third parties | data types correct ÷ listed (extra) | own types | first-party domains |", "|---|---|---|---|---|---|"]
    for s in [*scores, total]:
        rows.append(
            f"| {s.name} | {s.found} ÷ {s.listed} | {len(s.false_parties)} | {s.types_correct} ÷ {s.types_listed} ({s.types_extra}) "
            f"| {s.own_correct} ÷ {s.own_listed} ({s.own_extra}) | {s.domains_correct} ÷ {s.domains_listed} ({s.domains_extra}) |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    print(table(*evaluate()))
