"""What the reports show, loaded from a session directory: grouped findings, their evidence, consent, screens, checks.

Every report format reads the session through :func:`load`, so they cannot disagree. What
grows with the session stays in SQLite: findings are grouped there (:mod:`.groups`), and the
formats that list every finding stream them (:func:`.groups.occurrences`). Lists that grow
otherwise (errors, hosts, screens) are capped with their total kept, and evidence is loaded
only for the groups a report shows.

Reports read only the session: the judgement of the current findings run says which consent
signals counted, which parties the policy declared, the jurisdiction (language and time zone)
and, for a drafted policy, how the policy compared with its APK.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from piaudit.policies import checklist, rows
from piaudit.policies.catalog import default_catalog
from piaudit.policies.consent import consent_summary
from piaudit.policies.hookcoverage import hook_outcomes, summarize
from piaudit.policies.integrity import Integrity, check
from piaudit.policies.models import CheckRecord, ConsentEvent, CryptoOp, HookEvent, Judgement, LifecycleEvent, Screen, SessionMeta
from piaudit.policies.parties import PartyDirectory
from piaudit.policies.screens import DialogWindow, consent_dialog_windows
from piaudit.policies.session import Session
from piaudit.policies.store import EVIDENCE_TABLES, Store
from piaudit.policies.timefmt import country_zone, utc
from piaudit.policies.times import STORED
from piaudit.policies.vocab import DEFAULT_CONSENT_SIGNALS
from piaudit.scripts.reports.groups import Group, by_rule, groups
from piaudit.scripts.reports.sdks import party_rows
from piaudit.scripts.reports.timeline import TimelineData, bin_timeline

LANGUAGES = ("zh", "en")
MAX_SCREENS = 200


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
    judgement: Judgement | None
    lang: str
    zone: ZoneInfo
    groups: list[Group]
    by_rule: list[dict[str, Any]]
    parties: PartyDirectory
    party_rows: list[dict[str, Any]]
    findings_total: int
    consent_events: list[ConsentEvent]
    lifecycle_events: list[LifecycleEvent]
    counts: dict[str, int]
    consent: dict[str, Any]
    coverage: dict[str, Any]
    chains: dict[str, str | None]
    integrity: Integrity = field(default_factory=Integrity)  # chains, recorded heads, closing record
    warnings: list[str] = field(default_factory=list)  # what limits the judgement (no policy, ...): every report shows them
    screens: list[Screen] = field(default_factory=list)
    screens_total: int = 0
    checks: dict[str, CheckRecord] = field(default_factory=dict)  # the answer in force per item
    checks_history: int = 0  # answers given in all (a later one replaces an earlier one)
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)  # flows rows behind the shown groups
    detections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    hook_events: dict[int, HookEvent] = field(default_factory=dict)
    crypto_ops: dict[int, CryptoOp] = field(default_factory=dict)  # crypto_ops rows cited by the shown findings
    dialogs: list[DialogWindow] = field(default_factory=list)  # when a consent dialog was on screen
    timeline: TimelineData | None = None  # when asked for

    @property
    def label(self) -> str:
        """How the session is named in headers: its folder (with the parent when the folder is just ``session``)."""
        name = self.dir.resolve().name
        return f"{self.dir.resolve().parent.name}/{name}" if name in ("session", "") else name

    @property
    def before_consent_total(self) -> int:
        """Findings (occurrences) before consent."""
        return sum(g.before_consent for g in self.groups)

    @property
    def chain_status(self) -> dict[str, str]:
        """Each evidence table's chain as words: ``intact`` or what is wrong first."""
        return {table: problem or "intact" for table, problem in self.chains.items()}


def default_language(judgement: Judgement | None) -> str:
    """The report's language when none is asked for: zh for a Chinese jurisdiction, else en."""
    return "zh" if judgement is not None and (judgement.jurisdiction or "").upper() == "CN" else "en"


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
    """What the audit could not see: uninspected TLS, non-HTTP traffic, hooks per process, its own errors."""
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
    plain: dict[str, dict[str, Any]] = {}
    for flow in rows.plaintext_records(store):
        entry = plain.setdefault(flow.record.host, {"host": flow.record.host, "requests": 0, "writes": 0, "first": flow.record.timestamp_start})
        entry["requests"] += 1
        entry["writes"] += len(flow.ops)
        entry["first"] = min(entry["first"], flow.record.timestamp_start)
    ops = dict(conn.execute("SELECT op, count(*) FROM crypto_ops GROUP BY op ORDER BY op").fetchall())
    joined = store.count("detections", "crypto_ops IS NOT NULL")
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
        "tls_hook_only": [
            {"host": e["host"], "requests": e["requests"], "writes": e["writes"], "first_utc": utc(e["first"])}
            for e in sorted(plain.values(), key=lambda e: (e["first"], e["host"]))
        ],
        "crypto_ops": ops,
        "joined_detections": joined,
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


def _evidence(store: Store, data: ReportData, shown: list[Group]) -> None:
    """Load the flows, detections and hook events behind the first occurrence of each shown group."""
    flow_ids = sorted({g.first.flow for g in shown if g.first.flow})
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
    event_ids = sorted({g.first.event for g in shown if g.first.event is not None})
    for row_id, text in _in_chunks(store, "SELECT id, json FROM hook_events WHERE id IN ({})", event_ids):
        event = HookEvent.model_validate_json(text, context=STORED)
        event.id = row_id
        data.hook_events[row_id] = event
    op_ids = sorted({int(r.split(":", 1)[1]) for g in shown for r in g.first.evidence_rows if r.startswith("crypto_ops:")})
    for row_id, text in _in_chunks(store, "SELECT id, json FROM crypto_ops WHERE id IN ({})", op_ids):
        op = CryptoOp.model_validate_json(text)
        op.id = row_id
        data.crypto_ops[row_id] = op


def load(
    session_dir: Path | str,
    *,
    lang: str | None = None,
    zone: ZoneInfo | None = None,
    evidence_groups: int = 0,
    cap: int = 200,
    with_chains: bool = True,
    with_timeline: bool = False,
    integrity: Integrity | None = None,
) -> ReportData:
    """Read a session for a report; load the evidence of the first ``evidence_groups`` groups.

    ``lang`` and ``zone`` default to the jurisdiction's (the judgement's): zh and Asia/Shanghai for CN.
    ``integrity`` is the result of :func:`policies.integrity.check` when the caller has it already;
    otherwise it is computed (``with_chains``) or left empty.
    """
    session = Session.open(session_dir)
    store = session.store
    try:
        if integrity is None:
            integrity = check(store.conn, session.meta) if with_chains else Integrity()
        judgement = rows.latest_judgement(store)
        consent_events = list(rows.events(store, "consent_events"))
        directory = PartyDirectory(default_catalog(), judgement.parties if judgement is not None else None)
        found = groups(store)
        readers = [p for (p,) in store.conn.execute("SELECT DISTINCT party FROM hook_events WHERE party IS NOT NULL")]
        directory.link_family(readers, [g.first.party for g in found if g.first.flow])
        consent = consent_summary(consent_events, counted_signals(store))
        data = ReportData(
            dir=Path(session_dir),
            meta=session.meta,
            judgement=judgement,
            lang=lang or default_language(judgement),
            zone=zone or country_zone(judgement.jurisdiction if judgement else None),
            groups=found,
            by_rule=by_rule(store),
            parties=directory,
            party_rows=party_rows(store, found, directory, consent["consent_time"]),
            findings_total=sum(g.count for g in found),
            consent_events=consent_events,
            lifecycle_events=list(rows.events(store, "lifecycle_events")),
            counts={t: store.count(t) for t in EVIDENCE_TABLES},
            consent=consent,
            coverage=coverage(store, session.meta, cap),
            chains=integrity.chains,
            integrity=integrity,
            warnings=report_warnings(session.meta),
        )
        data.screens_total = store.count("screens")
        data.screens = list(islice(rows.screens(store), MAX_SCREENS))
        data.dialogs = consent_dialog_windows(data.screens, [(e.id or 0, e.time) for e in consent_events])
        history = list(rows.checks(store))
        data.checks, data.checks_history = checklist.current(history), len(history)
        _evidence(store, data, found[:evidence_groups])
        if with_timeline:
            data.timeline = bin_timeline(store, consent, data.lifecycle_events, directory, data.screens)
        return data
    finally:
        store.conn.close()
