"""The corpus tables (a contract), and the rows one session contributes to each.

Every table has ``session`` (the session directory's absolute path: its identity in the
corpus) and ``app`` (the package ``session.json`` names, else its policy's ``app.package``):

- ``sessions``: one row per session: every ``session.json`` field, row counts, the current
  findings run, the consent moment, the hash-chain heads;
- ``findings``: the current findings run only, every field of the findings JSON, plus ``run`` and ``id``;
- ``flows``: the store's flows rows, plus the host's ``party`` (catalog entry, else the party
  the policy declares), ``party_kind`` (first_party, declared_third_party, known_third_party,
  unknown_third_party) and ``before_consent``;
- ``detections``: the store's detections rows, plus the flow's ``host``, ``time``, ``party``,
  ``party_kind`` and ``before_consent``;
- ``hook_events``: every field of the hook-event JSON (``api`` as ``api_class_name``,
  ``api_method``, ``api_overload``), plus ``id`` and ``before_consent``;
- ``consent_events``: every field of the consent-event JSON, plus ``id`` and ``counted``
  (whether the session's policy counts that signal).

``before_consent`` is the reports' consent moment (the first counted "granted"): true before
it, and always true in a session without one.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from piaudit.policies import rows as store_rows
from piaudit.policies.models import ConsentEvent, Finding, HookEvent, SessionMeta
from piaudit.policies.session import META_NAME, Session
from piaudit.scripts.corpus.columns import SQLITE_TYPES, model_columns, model_values, to_table

TABLES = ("sessions", "findings", "flows", "detections", "hook_events", "consent_events")
KEY = [("session", pa.string()), ("app", pa.string())]
PARTY = [("party", pa.string()), ("party_kind", pa.string()), ("before_consent", pa.bool_())]

SESSION_COLUMNS = model_columns(SessionMeta, skip=("app", "heads"))  # "heads": the extra column below, as the rows are now
FINDING_COLUMNS = model_columns(Finding)
HOOK_COLUMNS = model_columns(HookEvent, flatten=("api",), skip=("id",))
CONSENT_COLUMNS = model_columns(ConsentEvent, skip=("id",))
SESSION_EXTRA = [
    ("flows", pa.int64()),
    ("detections", pa.int64()),
    ("hook_events", pa.int64()),
    ("consent_events", pa.int64()),
    ("findings", pa.int64()),
    ("findings_run", pa.int64()),
    ("consent_time", pa.float64()),
    ("consent_decision", pa.string()),
    ("heads", pa.string()),
    ("added", pa.float64()),
]


@dataclass
class SessionRows:
    """What one session contributes to the corpus."""

    key: str
    app: str
    fingerprint: str
    tables: dict[str, pa.Table] = field(default_factory=dict)


def fingerprint(session: Session) -> str:
    """The hash-chain heads of every evidence table and the SHA-256 of session.json: any change shows."""
    heads = session.store.heads()
    meta = hashlib.sha256((session.dir / META_NAME).read_bytes()).hexdigest()
    return hashlib.sha256(json.dumps({"heads": heads, "meta": meta}, sort_keys=True).encode()).hexdigest()


def session_fingerprint(directory: Path) -> str:
    """:func:`fingerprint` of a session directory."""
    session = Session.open(directory)
    try:
        return fingerprint(session)
    finally:
        session.store.conn.close()


def _store_columns(session: Session, table: str) -> list[tuple[str, pa.DataType]]:
    cursor = session.store.conn.execute(f"PRAGMA table_info([{table}])")
    return [(name, SQLITE_TYPES.get((kind or "TEXT").upper(), pa.string())) for _, name, kind, *_ in cursor if name != "chain"]


class _Parties:
    """Who each host belongs to under the session's policy and the catalog (the classifier decides)."""

    def __init__(self, meta: SessionMeta, catalog: Any):
        from piaudit.policies.classify import Classifier
        from piaudit.policies.policy import Policy, load_policy

        policy, self.package = Policy.empty(), None
        if meta.policy_path:
            try:
                policy = load_policy(Path(meta.policy_path))
                self.package = policy.app.package
            except Exception:  # a moved policy file must not stop the corpus: the hosts stay unclassified by it
                pass
        self.catalog = catalog
        self.classifier = Classifier(policy.first_party_domains, policy.third_parties, catalog)
        self._names = {e.id: e.name for e in catalog.entries}
        self._cache: dict[str, tuple[str | None, str]] = {}

    def of(self, host: str) -> tuple[str | None, str]:
        if host not in self._cache:
            if not host:
                self._cache[host] = (None, "unknown_third_party")
            else:
                c = self.classifier.classify(host)
                names = list(dict.fromkeys(self._names[i] for i in c.catalog_ids if i in self._names))
                self._cache[host] = (" / ".join(names) if names else c.party, c.kind)
        return self._cache[host]


def read_session(directory: Path, catalog: Any) -> SessionRows:
    """Every row ``directory`` contributes, as Arrow tables (one per corpus table)."""
    from piaudit.policies.consent import consent_summary
    from piaudit.scripts.reports.data import counted_signals

    session = Session.open(directory)
    try:
        store, meta = session.store, session.meta
        parties = _Parties(meta, catalog)
        key, app = str(directory.resolve()), meta.app or parties.package or ""  # a replayed session names its app through its policy
        base = {"session": key, "app": app}
        consent = list(store_rows.events(store, "consent_events"))
        signals = counted_signals(store)
        moment = consent_summary(consent, signals)
        consent_time = moment["consent_time"]

        def before(t: float | None) -> bool:
            return consent_time is None or t is None or t < consent_time

        out = SessionRows(key, app, fingerprint(session))

        flow_cols = _store_columns(session, "flows")
        flows, by_flow = [], {}
        for r in store.rows("flows"):
            r.pop("chain", None)
            party, kind = parties.of(r.get("host") or "")
            r |= {"party": party, "party_kind": kind, "before_consent": before(r.get("timestamp_start"))}
            by_flow[r["flow_id"]] = (r.get("host"), r.get("timestamp_start"), party, kind)
            flows.append(base | r)
        out.tables["flows"] = to_table(KEY + flow_cols + PARTY, flows)

        det_cols = _store_columns(session, "detections")
        detections = []
        for r in store.rows("detections"):
            r.pop("chain", None)
            host, t, party, kind = by_flow.get(r["flow_id"], (None, None, None, None))
            detections.append(base | r | {"host": host, "time": t, "party": party, "party_kind": kind, "before_consent": before(t)})
        out.tables["detections"] = to_table(KEY + det_cols + [("host", pa.string()), ("time", pa.float64())] + PARTY, detections)

        hooks = []
        for r in store.rows("hook_events"):
            data = json.loads(r["json"])
            data.pop("id", None)
            row = model_values(data, HOOK_COLUMNS, flatten=("api",))
            hooks.append(base | {"id": r["id"]} | row | {"before_consent": before(row.get("time"))})
        out.tables["hook_events"] = to_table(KEY + [("id", pa.int64())] + [(c, t) for c, t, _ in HOOK_COLUMNS] + [("before_consent", pa.bool_())], hooks)

        consents = []
        for event in consent:
            data = event.model_dump(mode="json", exclude={"id"})
            consents.append(base | {"id": event.id} | model_values(data, CONSENT_COLUMNS) | {"counted": event.source in signals})
        out.tables["consent_events"] = to_table(KEY + [("id", pa.int64())] + [(c, t) for c, t, _ in CONSENT_COLUMNS] + [("counted", pa.bool_())], consents)

        run = store.conn.execute("SELECT max(run) FROM findings").fetchone()[0]
        findings = []
        if run is not None:
            for r in store.rows("findings", "run = ?", (run,)):
                findings.append(base | {"run": run, "id": r["id"]} | model_values(json.loads(r["json"]), FINDING_COLUMNS))
        out.tables["findings"] = to_table(KEY + [("run", pa.int64()), ("id", pa.int64())] + [(c, t) for c, t, _ in FINDING_COLUMNS], findings)

        meta_row = model_values(meta.model_dump(mode="json", exclude={"app", "heads"}), SESSION_COLUMNS)
        counts = {t: store.count(t) for t in ("flows", "detections", "hook_events", "consent_events")}
        sessions_row = base | meta_row | counts | {
            "findings": len(findings),
            "findings_run": run,
            "consent_time": consent_time,
            "consent_decision": moment["decision"],
            "heads": json.dumps(store.heads(), sort_keys=True),
            "added": time.time(),
        }
        out.tables["sessions"] = to_table(KEY + [(c, t) for c, t, _ in SESSION_COLUMNS] + SESSION_EXTRA, [sessions_row])
        return out
    finally:
        session.store.conn.close()


def empty_tables() -> dict[str, pa.Table]:
    """The six tables with their columns and no rows (so that every view exists in an empty corpus)."""
    none: list[dict[str, Any]] = []
    return {
        "sessions": to_table(KEY + [(c, t) for c, t, _ in SESSION_COLUMNS] + SESSION_EXTRA, none),
        "findings": to_table(KEY + [("run", pa.int64()), ("id", pa.int64())] + [(c, t) for c, t, _ in FINDING_COLUMNS], none),
        "flows": to_table(KEY + [("id", pa.int64()), ("flow_id", pa.string()), ("host", pa.string()), ("timestamp_start", pa.float64())] + PARTY, none),
        "detections": to_table(KEY + [("id", pa.int64()), ("flow_id", pa.string()), ("data_type", pa.string()), ("direction", pa.string()), ("host", pa.string()), ("time", pa.float64())] + PARTY, none),
        "hook_events": to_table(KEY + [("id", pa.int64())] + [(c, t) for c, t, _ in HOOK_COLUMNS] + [("before_consent", pa.bool_())], none),
        "consent_events": to_table(KEY + [("id", pa.int64())] + [(c, t) for c, t, _ in CONSENT_COLUMNS] + [("counted", pa.bool_())], none),
    }
