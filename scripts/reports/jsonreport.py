"""The JSON report: ``{"session": ..., "findings": [...], "groups": [...], "consent": ..., "coverage": ...}``.

Each finding is the :class:`policies.models.Finding` dump, whose field names are a contract
other tools parse, plus ``group``: the id of its group (:mod:`.groups`), the same in the HTML,
CSV and XLSX reports. Findings are written one by one as SQLite yields them (worst severity
first, then time), so memory stays flat however many there are. ``groups`` has one entry per
group, ``summary.by_party`` the per-SDK summary under one name per party, ``screens`` and
``checks`` the screens and checklist answers, ``warnings`` what limits the judgement (no policy),
``chains`` each evidence table's hash chain as ``"intact"`` or what is wrong first, and
``integrity`` what the integrity checks (chains, recorded heads, closing signature) found.
Everything goes through :mod:`policies.redaction` when the report is redacted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from piaudit.policies.checklist import checklist_items
from piaudit.policies.integrity import Integrity
from piaudit.policies.redaction import NoRedaction, Redactor
from piaudit.policies.session import Session
from piaudit.policies.timefmt import local, utc
from piaudit.scripts.reports import embedded
from piaudit.scripts.reports.data import ReportData, load
from piaudit.scripts.reports.groups import finding_group, occurrences

FORMAT = "piaudit-report/1"


def _group(g: Any, data: ReportData) -> dict[str, Any]:
    f = g.first
    info = data.parties.resolve(f.party)
    return {
        "id": g.id,
        "rule": f.rule,
        "data_type": f.data_type,
        "party": f.party,
        "party_name": info.name if info else None,
        "host": f.host,
        "where": f.where,
        "severity": g.severity,
        "count": g.count,
        "before_consent": g.before_consent,
        "first_time": g.first_time,
        "first_utc": utc(g.first_time),
        "last_time": g.last_time,
        "last_utc": utc(g.last_time),
        "evidence_rows": g.evidence_rows,
        "evidence_rows_more": g.more_rows,
    }


def _party(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "key"} | {"party_key": row["key"] or None}


def head(data: ReportData, redactor: Redactor) -> dict[str, Any]:
    """Everything but the findings (small, whatever the session's size)."""
    return {
        "format": FORMAT,
        "session": data.meta.model_dump(mode="json"),
        "judgement": data.judgement.model_dump(mode="json") if data.judgement else None,
        "time_zone": data.zone.key,
        "findings_total": data.findings_total,
        "groups": [_group(g, data) for g in data.groups],
        "summary": {"by_rule": data.by_rule, "by_party": [_party(r) for r in data.party_rows]},
        "consent": data.consent
        | {
            "dialogs": [
                {"first_seen_utc": utc(w.first_seen), "gone_by_utc": utc(w.gone_by), "screens": w.screens, "after": w.after,
                 "decisions": [f"consent_events:{i}" for i in w.decisions], "unanswered": w.unanswered}
                for w in data.dialogs
            ]
        },  # fmt: skip
        "screens": [s.model_dump(mode="json") | {"time_utc": utc(s.time), "time_local": local(s.time, data.zone)} for s in data.screens],
        "screens_total": data.screens_total,
        "checks": [
            {"item": item.id, "clauses": item.clauses, "text": {"zh": item.zh, "en": item.en}}
            | ({"answer": a.model_dump(mode="json") | {"time_utc": utc(a.time)}} if (a := data.checks.get(item.id)) else {"answer": None})
            for item in checklist_items()
        ],
        "checks_history": data.checks_history,
        "warnings": data.warnings,
        "coverage": data.coverage,
        "counts": data.counts,
        "chains": data.chain_status,
        "integrity": data.integrity.as_json(),
        "redacted": not isinstance(redactor, NoRedaction),
    } | ({"declared_vs_embedded": section} if (section := embedded.as_json(data.meta, data.judgement)) is not None else {})


def write_json(
    session_dir: Path, out: IO[str], redactor: Redactor | None = None, *, zone: Any = None, integrity: Integrity | None = None
) -> None:
    """Write the JSON report of ``session_dir`` to the open text stream ``out``, the findings streamed."""
    redactor = redactor or NoRedaction()
    data = load(session_dir, zone=zone, cap=10_000, integrity=integrity)
    doc = redactor.any(head(data, redactor))
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    out.write(text[:-2] + ',\n  "findings": [')  # the head's closing "\n}" gives way to the findings list
    session = Session.open(session_dir)
    try:
        for n, (_, finding) in enumerate(occurrences(session.store)):
            item = redactor.any(json.loads(finding.model_dump_json()) | {"group": finding_group(finding)})
            out.write(("," if n else "") + "\n    " + json.dumps(item, ensure_ascii=False))
    finally:
        session.store.conn.close()
    out.write("\n  ]\n}\n")
