"""Findings grouped as a reader wants them: one finding per rule, data type, party, host and place, with a count.

A session in which one SDK posted the IMEI 21,689 times has 21,690 findings but a handful of
groups. Grouping happens in SQLite (``GROUP BY`` and a window function over the current
findings run), so memory does not grow with the number of findings: Python holds the groups
and, per group, its first occurrence and the evidence rows of its first
:data:`SAMPLE_OCCURRENCES` occurrences.

Every occurrence keeps its own row in the JSON, CSV and XLSX reports, with its group's id
(:func:`group_id`): the same id in every format and every report of the session.

Order: the worst severity first, then time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from piaudit.policies import rows
from piaudit.policies.models import Finding
from piaudit.policies.store import Store

SAMPLE_OCCURRENCES = 20
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2, "info": 3}
_RANK_SQL = "CASE json_extract(json, '$.severity') WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END"
_PLACE_SQL = "json_extract(json, '$.where')"
_KEY_SQL = f"rule, data_type, party, host, {_PLACE_SQL}"


def group_id(rule: str, data_type: str | None, party: str | None, host: str | None, where: str | None) -> str:
    """The id of a group of findings: a hash of its key, the same in every report of a session.

    >>> group_id("PRE_CONSENT_TRANSMISSION", "imei", "Umeng", "ulogs.umeng.com", "body:$.imei")
    'g-d23491fa58f4'
    """
    text = "\x1f".join("" if v is None else str(v) for v in (rule, data_type, party, host, where))
    return "g-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def finding_group(finding: Finding) -> str:
    """The group id of one finding."""
    return group_id(finding.rule, finding.data_type, finding.party, finding.host, finding.where)


@dataclass
class Group:
    """Repeated findings as one: their key, how many, when, and the evidence of the first few."""

    id: str
    first: Finding  # the first occurrence, in full
    severity: str  # the worst severity of its occurrences
    count: int
    before_consent: int  # how many occurrences were before consent
    first_time: float
    last_time: float
    evidence_rows: list[str] = field(default_factory=list)  # of the first SAMPLE_OCCURRENCES occurrences
    occurrence_ids: list[int] = field(default_factory=list)  # findings row ids of the first occurrences

    @property
    def rule(self) -> str:
        return self.first.rule

    @property
    def more_rows(self) -> int:
        """Occurrences whose evidence rows are not in :attr:`evidence_rows`."""
        return max(0, self.count - len(self.occurrence_ids))


def groups(store: Store, run: int | None = None, sample: int = SAMPLE_OCCURRENCES) -> list[Group]:
    """The groups of findings run ``run`` (default: the current run), worst severity first, then time."""
    run = rows.latest_run(store) if run is None else run
    if run is None:
        return []
    found: dict[tuple[Any, ...], Group] = {}
    aggregate = (
        f"SELECT {_KEY_SQL}, min({_RANK_SQL}), count(*), sum(before_consent), min(time), max(time)"
        f" FROM findings WHERE run = ? GROUP BY {_KEY_SQL}"
    )
    totals = {tuple(r[:5]): r[5:] for r in store.conn.execute(aggregate, (run,))}
    firsts = (
        f"SELECT id, json, n FROM (SELECT id, json, time, row_number() OVER (PARTITION BY {_KEY_SQL} ORDER BY time, id) AS n"
        " FROM findings WHERE run = ?) WHERE n <= ? ORDER BY time, id"
    )
    for row_id, text, _ in store.conn.execute(firsts, (run, sample)):
        finding = Finding.model_validate_json(text)
        key = (finding.rule, finding.data_type, finding.party, finding.host, finding.where)
        group = found.get(key)
        if group is None:
            rank, count, before, first_time, last_time = totals[key]
            group = found[key] = Group(
                id=group_id(*key),
                first=finding,
                severity=next(s for s, r in SEVERITY_RANK.items() if r == rank),
                count=count,
                before_consent=before or 0,
                first_time=first_time,
                last_time=last_time,
            )
        group.occurrence_ids.append(row_id)
        group.evidence_rows += [r for r in finding.evidence_rows if r not in group.evidence_rows]
    return sorted(found.values(), key=lambda g: (SEVERITY_RANK[g.severity], g.first_time, g.rule, g.id))


def occurrences(store: Store, run: int | None = None) -> Iterator[tuple[int, Finding]]:
    """Every finding of the run (default: the current one), one by one: worst severity first, then time.

    Streams from SQLite (which sorts, on disk when it must): memory stays flat however many findings.
    """
    run = rows.latest_run(store) if run is None else run
    if run is None:
        return
    sql = f"SELECT id, json FROM findings WHERE run = ? ORDER BY {_RANK_SQL}, time, id"
    for row_id, text in store.conn.execute(sql, (run,)):
        yield row_id, Finding.model_validate_json(text)


def by_rule(store: Store, run: int | None = None) -> list[dict[str, Any]]:
    """Per rule: findings, groups, before consent, the worst severity; worst first."""
    run = rows.latest_run(store) if run is None else run
    if run is None:
        return []
    sql = f"SELECT rule, count(*), sum(before_consent), min({_RANK_SQL}) FROM findings WHERE run = ? GROUP BY rule"
    out = []
    for rule, count, before, rank in store.conn.execute(sql, (run,)):
        out.append({"rule": rule, "findings": count, "before_consent": before or 0, "severity": _severity(rank)})
    n_groups: dict[str, int] = {}
    for (rule,) in store.conn.execute(f"SELECT rule FROM findings WHERE run = ? GROUP BY {_KEY_SQL}", (run,)):
        n_groups[rule] = n_groups.get(rule, 0) + 1
    for entry in out:
        entry["groups"] = n_groups.get(entry["rule"], 0)
    return sorted(out, key=lambda e: (SEVERITY_RANK[e["severity"]], -e["findings"], e["rule"]))


def _severity(rank: int) -> str:
    return next(s for s, r in SEVERITY_RANK.items() if r == rank)


def finding_json(finding: Finding, group: str) -> dict[str, Any]:
    """A finding as the JSON report writes it: the contract fields plus its ``group`` id."""
    return json.loads(finding.model_dump_json()) | {"group": group}
