"""The per-SDK summary: every third party the session saw, under its one name (:mod:`policies.parties`).

One row per party: company and country (from the catalog), the data types it read (hooks) and
received (traffic), whether any of that happened before consent, whether the policy declares
it, and the rules its findings fall under. The app itself (first party) comes last.
"""

from __future__ import annotations

from typing import Any

from piaudit.policies.parties import PartyDirectory
from piaudit.policies.store import Store
from piaudit.scripts.reports.groups import SEVERITY_RANK, Group

APP = ""  # the key of the app's own row


def _row(name: str | None, info: Any) -> dict[str, Any]:
    return {
        "party": name,
        "key": info.key if info else APP,
        "company": info.company if info else None,
        "country": info.country if info else None,
        "catalog_ids": list(info.catalog_ids) if info else [],
        "declared": info.declared if info else None,
        "declared_as": list(info.declared_as) if info else [],
        "names": set(),
        "read": set(),
        "sent": set(),
        "before_consent": False,
        "findings": 0,
        "rules": {},
        "severity": "info",
        "first_time": None,
    }


def party_rows(store: Store, groups: list[Group], directory: PartyDirectory, consent_time: float | None) -> list[dict[str, Any]]:
    """The per-SDK summary rows: parties with findings or reads, worst first; the app itself last."""
    rows: dict[str, dict[str, Any]] = {}

    def row_of(raw: str | None) -> dict[str, Any]:
        info = directory.resolve(raw)
        key = info.key if info else APP
        row = rows.get(key)
        if row is None:
            row = rows[key] = _row(info.name if info else None, info)
        if raw:
            row["names"].add(raw)
        return row

    for g in groups:
        f = g.first
        row = row_of(f.party)
        row["findings"] += g.count
        row["rules"][f.rule] = row["rules"].get(f.rule, 0) + g.count
        if f.data_type:
            (row["sent"] if f.flow else row["read"]).add(str(f.data_type))
        row["before_consent"] |= g.before_consent > 0
        if SEVERITY_RANK[g.severity] < SEVERITY_RANK[row["severity"]]:
            row["severity"] = g.severity
        row["first_time"] = g.first_time if row["first_time"] is None else min(row["first_time"], g.first_time)
    sql = "SELECT party, data_type, min(time) FROM hook_events GROUP BY party, data_type"
    for party, data_type, first in store.conn.execute(sql):
        row = row_of(party)
        row["read"].add(data_type)
        row["before_consent"] |= consent_time is None or first < consent_time
        row["first_time"] = first if row["first_time"] is None else min(row["first_time"], first)
    out = []
    for row in rows.values():
        row["names"] = sorted(n for n in row["names"] if n != row["party"])
        row["read"], row["sent"] = sorted(row["read"]), sorted(row["sent"])
        row["rules"] = dict(sorted(row["rules"].items(), key=lambda kv: (-kv[1], kv[0])))
        out.append(row)
    return sorted(
        out,
        key=lambda r: (r["key"] == APP, not r["before_consent"], SEVERITY_RANK[r["severity"]], -r["findings"], r["party"] or ""),
    )
