"""The checklist: the items of an audit a person must judge, and the answers recorded for a session.

The items come from the standards (``policies/data/checklist.yaml``: clause, text in zh and
en). An answer is a :class:`CheckRecord` row in the session's chained ``checks`` table; answers
are never edited or deleted: a later answer to an item replaces the earlier one in reports, and
both stay in the table. Re-judging a session appends findings only, so answers survive it.

>>> [item.id for item in checklist_items()][:2]
['policy_exists', 'policy_at_first_launch']
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import cache

from pydantic import BaseModel, ConfigDict

from piaudit.policies import rows
from piaudit.policies.models import CheckRecord
from piaudit.policies.policy import DATA_DIR
from piaudit.policies.store import Store
from piaudit.policies.yamlfile import load_yaml_file

CHECKLIST_FILE = DATA_DIR / "checklist.yaml"
MAX_NOTE = 4000  # characters: a note is a sentence or two, not a document


class ChecklistError(ValueError):
    """An unknown item or a bad answer, phrased for the user."""


class ChecklistItem(BaseModel):
    """One item a person judges: its id (a contract), the clauses it rests on, its text in zh and en."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    clauses: list[str]
    zh: str
    en: str

    def text(self, lang: str) -> str:
        """The item's text in ``lang`` (``zh`` or ``en``)."""
        return self.zh if lang == "zh" else self.en


@cache
def checklist_items() -> tuple[ChecklistItem, ...]:
    """The shipped checklist, in its file's order."""
    data, _ = load_yaml_file(CHECKLIST_FILE)
    return tuple(ChecklistItem(**item) for item in data["items"])


def item(item_id: str) -> ChecklistItem:
    """The item ``item_id``; :class:`ChecklistError` names the closest ids when there is none."""
    for found in checklist_items():
        if found.id == item_id:
            return found
    ids = [i.id for i in checklist_items()]
    close = difflib.get_close_matches(item_id, ids, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise ChecklistError(f"unknown checklist item {item_id!r}; {hint}the items are: {', '.join(ids)}")


def record(store: Store, answer: CheckRecord) -> int:
    """Append one answer (checked against the checklist) to the session; returns its row id."""
    item(answer.item)
    if len(answer.note) > MAX_NOTE:
        raise ChecklistError(f"--note is {len(answer.note)} characters; keep it under {MAX_NOTE}")
    if answer.screens:
        known = {r for (r,) in store.conn.execute("SELECT id FROM screens")}
        missing = [s for s in answer.screens if s not in known]
        if missing:
            raise ChecklistError(f"no screen {', '.join(map(str, missing))} in this session (see `piaudit info DIR`)")
    (row_id,) = store.insert_many("checks", [rows.check_row(answer)])
    return row_id


def current(answers: Iterable[CheckRecord]) -> dict[str, CheckRecord]:
    """The answer in force per item: the last one given (in row order)."""
    found: dict[str, CheckRecord] = {}
    for answer in answers:
        found[answer.item] = answer
    return found


def current_answers(store: Store) -> dict[str, CheckRecord]:
    """The answer in force per item in a session."""
    return current(rows.checks(store))
