"""What the reports show, loaded from a session directory: findings, their evidence, consent, coverage.

Every report format reads the session through :func:`load`, so they cannot disagree.
Lists that grow with the session (errors, hosts) are capped at ``cap`` with their
total kept, and evidence is loaded only for the findings a report will show.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from piaudit.policies import rows
from piaudit.policies.consent import consent_summary
from piaudit.policies.hookcoverage import hook_outcomes, summarize
from piaudit.policies.integrity import Integrity, check
from piaudit.policies.models import ConsentEvent, Finding, HookEvent, LifecycleEvent, SessionMeta
from piaudit.policies.session import Session
from piaudit.policies.store import EVIDENCE_TABLES, Store
from piaudit.policies.timefmt import utc
from piaudit.policies.times import STORED
from piaudit.policies.vocab import DEFAULT_CONSENT_SIGNALS
from piaudit.scripts.reports.timeline import TimelineData, bin_timeline


@dataclass
class Capped:
    """A list cut at a cap, with the full count."""

    items: list[Any]
    total: int

    @property
    def more(self) -> int:
        """How many items were left out."""
        return self.total - len(self.items)


@dataclass
class ReportData:
    """Everything a report shows about one session."""

    dir: Path
    meta: SessionMeta
    findings: list[Finding]
    consent_events: list[ConsentEvent]
    lifecycle_events: list[LifecycleEvent]
    counts: dict[str, int]
    consent: dict[str, Any]
    coverage: dict[str, Any]
    chains: dict[str, str | None]
    integrity: Integrity = field(default_factory=Integrity)  # chains, recorded heads, closing record
    warnings: list[str] = field(default_factory=list)  # what limits the judgement (no policy, ...): every report shows them
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)  # flows rows behind the shown findings
    detections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    hook_events: dict[int, HookEvent] = field(default_factory=dict)
    timeline: TimelineData | None = None  # when asked for


def report_warnings(meta: SessionMeta) -> list[str]:
    """What every report must say about how the session was judged."""
    from piaudit.policies.policy import NO_POLICY_NOTE

    return [] if meta.policy_path else [NO_POLICY_NOTE]


def _in_chunks(store: Store, sql: str, keys: list[Any]) -> list[tuple[Any, ...]]:
    """Run ``sql`` (with one ``{}`` for the placeholders) over ``keys`` in chunks SQLite accepts."""
    out: list[tuple[Any, ...]] = []
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        out += store.conn.execute(sql.format(", ".join("?" * len(chunk))), chunk).fetchall()
    return out


def counted_signals(store: Store) -> list[str]:
    """The consent signals the last judgement counted, as it stored them (never the policy file again).

    A session judged before judgements were stored counts the defaults.
    """
    judgement = rows.latest_judgement(store)
    return list(judgement.consent_signals) if judgement is not None else list(DEFAULT_CONSENT_SIGNALS)


def coverage(store: Store, meta: SessionMeta, cap: int) -> dict[str, Any]:
    """What the audit could not see: uninspected TLS, non-HTTP traffic, failed hooks, its own errors."""
    conn = store.conn
    tls = conn.execute(
        "SELECT host, sni, coalesce(stage, 'handshake'), error, count(*), min(time) FROM tls_failures"
        " GROUP BY host, sni, stage, error ORDER BY min(time), host"
    ).fetchall()
    raw = conn.execute(
        "SELECT kind, host, port, count(*), sum(coalesce(request_size, 0) + coalesce(response_size, 0)), min(timestamp_start)"
        " FROM flows WHERE kind NOT IN ('http', 'websocket') GROUP BY kind, host, port ORDER BY min(timestamp_start)"
    ).fetchall()
    outcomes = hook_outcomes(rows.events(store, "hook_status"))
    hooks = [o for o in outcomes if o.state == "failed"]
    n_errors = store.count("errors")
    errs = conn.execute("SELECT time, source, message, flow_id FROM errors ORDER BY id LIMIT ?", (cap,)).fetchall()
    return {
        "complete": meta.complete,
        "incomplete_reason": meta.incomplete_reason,
        "tls_not_inspected": [
            {"host": h, "sni": s, "stage": st, "error": e, "handshakes": n, "first_utc": utc(t)} for h, s, st, e, n, t in tls[:cap]
        ],
        "tls_not_inspected_total": len(tls),
        "non_http": [
            {"kind": k, "host": h, "port": p, "flows": n, "bytes": b or 0, "first_utc": utc(t)} for k, h, p, n, b, t in raw[:cap]
        ],
        "non_http_total": len(raw),
        "hooks_failed": [
            {"api": f"{h.class_name}.{h.method}", "process": h.process, "data_type": h.data_type, "error": h.error}
            for h in hooks[:cap]
        ],
        "hooks_failed_total": len(hooks),
        "hooks_installed": sum(1 for o in outcomes if o.state == "installed"),
        "hook_processes": summarize(outcomes),
        "truncated_flows": store.count("flows", "truncated IS NOT NULL"),
        "errors": [{"time_utc": utc(t), "source": s, "message": m, "flow": f} for t, s, m, f in errs],
        "errors_total": n_errors,
    }


def load(
    session_dir: Path | str,
    *,
    evidence_for: int = 0,
    cap: int = 200,
    with_chains: bool = True,
    with_timeline: bool = False,
    integrity: Integrity | None = None,
) -> ReportData:
    """Read a session for a report; load the evidence of the first ``evidence_for`` findings.

    ``integrity`` is the result of :func:`policies.integrity.check` when the caller has it already;
    otherwise it is computed (``with_chains``) or left empty.
    """
    session = Session.open(session_dir)
    store = session.store
    try:
        if integrity is None:
            integrity = check(store.conn, session.meta) if with_chains else Integrity()
        findings = sorted(rows.latest_findings(store), key=lambda f: (f.time, f.rule, f.flow or "", f.event or 0))
        consent_events = list(rows.events(store, "consent_events"))
        data = ReportData(
            dir=Path(session_dir),
            meta=session.meta,
            findings=findings,
            consent_events=consent_events,
            lifecycle_events=list(rows.events(store, "lifecycle_events")),
            counts={t: store.count(t) for t in EVIDENCE_TABLES},
            consent=consent_summary(consent_events, counted_signals(store)),
            coverage=coverage(store, session.meta, cap),
            chains=integrity.chains,
            integrity=integrity,
            warnings=report_warnings(session.meta),
        )
        shown = findings[:evidence_for]
        flow_ids = sorted({f.flow for f in shown if f.flow})
        for i in range(0, len(flow_ids), 500):
            chunk = flow_ids[i : i + 500]
            for row in store.rows("flows", f"flow_id IN ({', '.join('?' * len(chunk))})", chunk):
                data.flows.setdefault(row["flow_id"], row)
        for fid, *det in _in_chunks(
            store,
            "SELECT flow_id, data_type, value, encoding, [where], excerpt, direction FROM detections WHERE flow_id IN ({}) ORDER BY id",
            flow_ids,
        ):
            keys = ("data_type", "value", "encoding", "where", "excerpt", "direction")
            data.detections.setdefault(fid, []).append(dict(zip(keys, det, strict=True)))
        event_ids = sorted({f.event for f in shown if f.event is not None})
        for row_id, text in _in_chunks(store, "SELECT id, json FROM hook_events WHERE id IN ({})", event_ids):
            event = HookEvent.model_validate_json(text, context=STORED)
            event.id = row_id
            data.hook_events[row_id] = event
        if with_timeline:
            data.timeline = bin_timeline(store, findings, consent_events, data.lifecycle_events)
        return data
    finally:
        store.conn.close()


def by_rule(findings: list[Finding]) -> list[dict[str, Any]]:
    """Per rule: how many findings, how many before consent, the worst severity."""
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    out: dict[str, dict[str, Any]] = {}
    for f in findings:
        entry = out.setdefault(f.rule, {"rule": f.rule, "findings": 0, "before_consent": 0, "severity": f.severity})
        entry["findings"] += 1
        entry["before_consent"] += f.before_consent
        if order[f.severity] < order[entry["severity"]]:
            entry["severity"] = f.severity
    return sorted(out.values(), key=lambda e: (order[e["severity"]], -e["findings"], e["rule"]))


def by_party(findings: list[Finding]) -> list[dict[str, Any]]:
    """Per party (None: the app itself): findings, rules, data types and hosts involved."""
    out: dict[str | None, dict[str, Any]] = {}
    for f in findings:
        entry = out.setdefault(
            f.party,
            {"party": f.party, "findings": 0, "before_consent": 0, "rules": Counter(), "data_types": set(), "hosts": set()},
        )
        entry["findings"] += 1
        entry["before_consent"] += f.before_consent
        entry["rules"][f.rule] += 1
        if f.data_type:
            entry["data_types"].add(str(f.data_type))
        if f.host:
            entry["hosts"].add(f.host)
    result = []
    for entry in sorted(out.values(), key=lambda e: (-e["findings"], e["party"] or "")):
        result.append(
            entry
            | {
                "rules": dict(entry["rules"].most_common()),
                "data_types": sorted(entry["data_types"]),
                "hosts": sorted(entry["hosts"]),
            }
        )
    return result
