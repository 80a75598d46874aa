"""Between models and store rows: one function each way per table, nothing else."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from piaudit.policies.models import (
    CheckRecord,
    ConsentEvent,
    Detection,
    ErrorRecord,
    Finding,
    FlowRecord,
    FlowSummary,
    HookEvent,
    HookStatus,
    Judgement,
    LifecycleEvent,
    Screen,
    Timeline,
    TlsFailure,
    parse_event,
)
from piaudit.policies.store import Store
from piaudit.policies.times import STORED

EVENT_TABLES: dict[str, str] = {
    "hook:call": "hook_events",
    "consent:signal": "consent_events",
    "lifecycle:change": "lifecycle_events",
    "permission:request": "permission_events",
    "hook:status": "hook_status",
}


def _headers_json(headers: list[Any]) -> str:
    return json.dumps([[h.name, h.value] for h in headers], ensure_ascii=False)


def flow_row(flow: FlowRecord) -> dict[str, Any]:
    """The ``flows`` row of a recorded flow (bodies live in ``flows.mitm``; sizes and hashes here)."""
    return {
        "flow_id": flow.flow_id,
        "kind": flow.kind,
        "method": flow.method,
        "url": flow.url,
        "host": flow.host,
        "port": flow.port,
        "scheme": flow.scheme,
        "http_version": flow.http_version,
        "status_code": flow.status_code,
        "request_headers": _headers_json(flow.request_headers),
        "response_headers": _headers_json(flow.response_headers),
        "request_size": flow.request_size,
        "response_size": flow.response_size,
        "request_sha256": flow.request_sha256,
        "response_sha256": flow.response_sha256,
        "truncated": flow.truncated,
        "timestamp_start": flow.timestamp_start,
        "timestamp_end": flow.timestamp_end,
        "timings": json.dumps(flow.timings),
        "client_addr": flow.client_addr,
        "server_addr": flow.server_addr,
        "server_ip": flow.server_ip,
        "sni": flow.sni,
        "tls": int(flow.tls),
        "error": flow.error,
        "n_messages": len(flow.messages),
        "marked": flow.marked,
        "comment": flow.comment,
    }


def message_rows(flow: FlowRecord, start_index: int = 0) -> list[dict[str, Any]]:
    """The ``messages`` rows of a WebSocket/TCP/UDP/DNS flow, from message ``start_index`` on."""
    return [
        {
            "flow_id": flow.flow_id,
            "idx": i,
            "from_client": int(m.from_client),
            "type": m.type,
            "time": m.time,
            "size": len(m.content),
            "sha256": hashlib.sha256(m.content).hexdigest(),
            "content": m.content,
        }
        for i, m in enumerate(flow.messages[start_index:], start=start_index)
    ]


def detection_row(flow_id: str, d: Detection) -> dict[str, Any]:
    """The ``detections`` row of one detection in a flow."""
    return {"flow_id": flow_id} | d.model_dump(mode="json")


def event_row(event: BaseModel) -> tuple[str, dict[str, Any]]:
    """The table and row of a timeline event."""
    data = event.model_dump(mode="json", exclude={"id"})
    table = EVENT_TABLES[data["type"]]
    row: dict[str, Any] = {
        "time": data["time"],
        "type": data["type"],
        "process": data.get("process") or None,
        "json": json.dumps(data, ensure_ascii=False),
    }
    if isinstance(event, HookEvent):
        row |= {
            "data_type": data["data_type"],
            "class_name": event.api.class_name,
            "method": event.api.method,
            "party": event.party,
            "caller": event.caller,
            "value": event.value,
        }
    elif isinstance(event, ConsentEvent):
        row |= {"decision": event.decision, "source": event.source, "detail": event.detail}
    elif isinstance(event, LifecycleEvent):
        row |= {"state": event.state}
    elif isinstance(event, HookStatus):
        row |= {
            "class_name": event.api.class_name,
            "method": event.api.method,
            "installed": int(event.installed),
            "state": event.effective_state(),
            "loader": event.loader,
            "error": event.error,
        }
    return table, row


def tls_failure_row(failure: TlsFailure) -> dict[str, Any]:
    """The ``tls_failures`` row of a failed client handshake."""
    return failure.model_dump(mode="json", exclude={"id"})


def error_row(error: ErrorRecord) -> dict[str, Any]:
    """The ``errors`` row of something the audit failed on."""
    row = error.model_dump(mode="json")
    row["flow_id"] = row.pop("flow")
    return row


def finding_row(run: int, finding: Finding) -> dict[str, Any]:
    """The ``findings`` row of one finding in recompute ``run``."""
    return {
        "run": run,
        "rule": finding.rule,
        "data_type": finding.data_type,
        "party": finding.party,
        "host": finding.host,
        "flow_id": finding.flow,
        "event": finding.event,
        "time": finding.time,
        "before_consent": int(finding.before_consent),
        "json": finding.model_dump_json(),
    }


def judgement_row(judgement: Judgement) -> dict[str, Any]:
    """The ``judgements`` row of one findings run's decisions."""
    return {"run": judgement.run, "time": judgement.time, "json": judgement.model_dump_json()}


def screen_row(screen: Screen) -> dict[str, Any]:
    """The ``screens`` row of one capture (its files are in the session's ``screens/`` folder)."""
    return {
        "time": screen.time,
        "source": screen.source,
        "png": screen.png,
        "png_sha256": screen.png_sha256,
        "xml": screen.xml,
        "xml_sha256": screen.xml_sha256,
        "dialog": screen.dialog,
        "json": screen.model_dump_json(exclude={"id"}),
    }


def check_row(check: CheckRecord) -> dict[str, Any]:
    """The ``checks`` row of one answer to a checklist item."""
    return {
        "time": check.time,
        "item": check.item,
        "verdict": check.verdict,
        "note": check.note,
        "json": check.model_dump_json(exclude={"id"}),
    }


# ---------------------------------------------------------------------- reading back


def _headers(text: str | None) -> list[dict[str, str]]:
    return [{"name": n, "value": v} for n, v in json.loads(text or "[]")]


def flow_summaries(store: Store) -> Iterator[FlowSummary]:
    """Every flow as the rules see it, with its detections, in time order."""
    detections: dict[str, list[Detection]] = {}
    for row in store.rows("detections"):
        fields = {k: row[k] for k in ("data_type", "source", "value", "encoding", "where", "excerpt", "direction")}
        detections.setdefault(row["flow_id"], []).append(Detection(**fields))
    for row in store.rows("flows", order_by="timestamp_start, id"):
        yield FlowSummary.model_validate(
            dict(
                flow_id=row["flow_id"],
                kind=row["kind"],
                time=row["timestamp_start"] or 0.0,
                method=row["method"] or "",
                url=row["url"] or "",
                host=row["host"] or "",
                port=row["port"] or 0,
                scheme=row["scheme"] or "",
                tls=bool(row["tls"]),
                server_ip=row["server_ip"] or "",
                detections=detections.get(row["flow_id"], []),
            ),
            context=STORED,
        )


def flow_headers(row: dict[str, Any]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Request and response headers of a ``flows`` row."""
    return _headers(row["request_headers"]), _headers(row["response_headers"])


def events(store: Store, table: str) -> Iterator[Any]:
    """The timeline events of one event table, with their row ids."""
    for row in store.rows(table, order_by="time, id"):
        event = parse_event(row["json"], stored=True)
        event.id = row["id"]
        yield event


def read_timeline(store: Store) -> Timeline:
    """The whole timeline of a session: the input of the rules."""
    return Timeline(
        flows=list(flow_summaries(store)),
        hook_events=list(events(store, "hook_events")),
        consent_events=list(events(store, "consent_events")),
        lifecycle_events=list(events(store, "lifecycle_events")),
        permission_events=list(events(store, "permission_events")),
        hook_status=list(events(store, "hook_status")),
        tls_failures=[
            TlsFailure.model_validate(
                {k: r[k] for k in ("id", "time", "client_addr", "server_addr", "host", "sni", "error")}
                | {"stage": r.get("stage") or "handshake"},
                context=STORED,
            )
            for r in store.rows("tls_failures")
        ],
    )


def latest_run(store: Store) -> int | None:
    """The last findings run (a run may have no findings, but it has its judgement); None before any."""
    query = "SELECT max(run) FROM (SELECT run FROM findings UNION ALL SELECT run FROM judgements)"
    return store.conn.execute(query).fetchone()[0]


def latest_findings(store: Store) -> list[Finding]:
    """The findings of the last run: the ones that count."""
    run = latest_run(store)
    if run is None:
        return []
    return [Finding.model_validate_json(r["json"], context=STORED) for r in store.rows("findings", "run = ?", (run,))]


COUNTED: tuple[tuple[str, str, str], ...] = (
    ("flows", "flow", "flows"),
    ("detections", "detection", "detections"),
    ("hook_events", "hook event", "hook events"),
    ("consent_events", "consent event", "consent events"),
    ("lifecycle_events", "lifecycle event", "lifecycle events"),
    ("permission_events", "permission request", "permission requests"),
    ("tls_failures", "TLS failure", "TLS failures"),
    ("errors", "audit error", "audit errors"),
)
"""What a session's counts count, and what they are called: rows of these tables, nothing else.

A hook event is a read of personal data (a ``hook_events`` row): not a hook that was installed
(``hook_status``) nor the app's lifecycle. An audit error is a ``errors`` row: something the audit
itself failed on; the app's exit is a lifecycle event."""


def counts(store: Store) -> dict[str, int]:
    """Rows of each counted table (the one definition behind every count piaudit shows)."""
    return {table: store.count(table) for table, _, _ in COUNTED}


def count_line(numbers: dict[str, int]) -> str:
    """``12 flows, 3 detections, 1 hook event, …``: the counts in words, in one order."""
    return ", ".join(f"{numbers.get(t, 0)} {one if numbers.get(t, 0) == 1 else many}" for t, one, many in COUNTED)


def latest_judgement(store: Store) -> Judgement | None:
    """What the last run was decided with; None for a session recorded before judgements were stored."""
    row = store.conn.execute("SELECT json FROM judgements ORDER BY run DESC, id DESC LIMIT 1").fetchone()
    return Judgement.model_validate_json(row[0]) if row else None


def errors(store: Store) -> list[ErrorRecord]:
    """What the audit itself failed on."""
    out = []
    for r in store.rows("errors"):
        fields = {
            "time": r["time"],
            "source": r["source"],
            "message": r["message"],
            "detail": r["detail"] or "",
            "flow": r["flow_id"],
        }
        out.append(ErrorRecord.model_validate(fields, context=STORED))
    return out


def screens(store: Store) -> Iterator[Screen]:
    """Every screen capture, in time order, with its row id."""
    for row in store.rows("screens", order_by="time, id"):
        screen = Screen.model_validate_json(row["json"])
        screen.id = row["id"]
        yield screen


def checks(store: Store) -> Iterator[CheckRecord]:
    """Every answer to a checklist item, in the order given (a later answer to an item replaces an earlier one)."""
    for row in store.rows("checks"):
        check = CheckRecord.model_validate_json(row["json"])
        check.id = row["id"]
        yield check
