"""Between models and store rows: one function each way per table, nothing else."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from piaudit.policies.join.senders import join_senders
from piaudit.policies.join.tlsplain import PlainFlow, inspected_hosts, plaintext_flows
from piaudit.policies.models import (
    CheckRecord,
    ComponentEvent,
    ConsentEvent,
    CryptoOp,
    Detection,
    ErrorRecord,
    Finding,
    FlowRecord,
    FlowSummary,
    HookEvent,
    HookStatus,
    HttpRequest,
    Judgement,
    LifecycleEvent,
    PermissionDialog,
    PermissionResult,
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
    "crypto:op": "crypto_ops",
    "http:request": "http_requests",
    "permission:result": "permission_results",
    "permission:dialog": "permission_dialogs",
    "component:start": "component_events",
}
ASSIGNED_ID_TABLES = frozenset({"crypto_ops", "http_requests"})
"""Tables whose row ids the pipeline assigns as events arrive (detections and joins cite them at once)."""


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
    """The ``detections`` row of one detection in a flow (``crypto_ops`` as a JSON list, NULL when none)."""
    row = {"flow_id": flow_id} | d.model_dump(mode="json")
    row["crypto_ops"] = json.dumps(d.crypto_ops) if d.crypto_ops else None
    return row


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
    if table in ASSIGNED_ID_TABLES and getattr(event, "id", None) is not None:
        row["id"] = event.id
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
    elif isinstance(event, CryptoOp):
        row |= {
            "op": event.op,
            "algorithm": event.algorithm,
            "party": event.party,
            "pid": event.pid,
            "host": event.host,
            "output_sha256": event.output_sha256,
        }
    elif isinstance(event, HttpRequest):
        row |= {"method": event.method, "url": event.url, "party": event.party, "pid": event.pid}
    elif isinstance(event, PermissionResult):
        row |= {
            "request_code": event.request_code,
            "source": event.source,
            "granted": ",".join(p for p, a in event.results.items() if a == "granted"),
            "denied": ",".join(event.denied()),
            "party": event.party,
        }
    elif isinstance(event, PermissionDialog):
        row |= {"dialog": event.dialog, "request_code": event.request_code}
    elif isinstance(event, ComponentEvent):
        row |= {
            "call": event.call,
            "target_package": event.target_package,
            "target_component": event.target_component,
            "action": event.action,
            "party": event.party,
            "caller": event.caller,
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


def detections_by_flow(store: Store) -> dict[str, list[Detection]]:
    """Every stored detection, by flow id."""
    detections: dict[str, list[Detection]] = {}
    for row in store.rows("detections"):
        fields = {k: row[k] for k in ("data_type", "source", "value", "encoding", "where", "excerpt", "direction")}
        ops = row.get("crypto_ops")
        detections.setdefault(row["flow_id"], []).append(Detection(**fields, crypto_ops=json.loads(ops) if ops else []))
    return detections


def flow_summaries(store: Store, detections: dict[str, list[Detection]] | None = None) -> Iterator[FlowSummary]:
    """Every flow the proxy recorded as the rules see it, with its detections, in time order."""
    if detections is None:
        detections = detections_by_flow(store)
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


_DETECTION_FIELDS = ("data_type", "source", "value", "encoding", "where", "excerpt", "direction")
_SUMMARY_FIELDS = ("flow_id", "kind", "method", "url", "host", "port", "scheme", "tls", "server_ip")


def flow_summaries_by_time(store: Store) -> Iterator[FlowSummary]:
    """Every flow as the rules see it, with its detections, sorted by (time, flow_id): one query
    that SQLite sorts (spilling to disk past its cache), read a flow at a time, so memory stays
    flat however long the session. The same summaries as :func:`flow_summaries`."""
    cols = ", ".join(f"f.[{c}]" for c in _SUMMARY_FIELDS) + ", " + ", ".join(f"d.[{c}]" for c in _DETECTION_FIELDS)
    cursor = store.conn.execute(
        f"SELECT f.id, coalesce(f.timestamp_start, 0.0) AS t, d.id, {cols} FROM flows f "
        "LEFT JOIN detections d ON d.flow_id = f.flow_id ORDER BY t, f.flow_id, f.id, d.id"
    )
    n = len(_SUMMARY_FIELDS)
    current: int | None = None
    summary: FlowSummary | None = None
    for row in cursor:
        if row[0] != current:
            if summary is not None:
                yield summary
            current = row[0]
            flow_id, kind, method, url, host, port, scheme, tls, server_ip = row[3 : 3 + n]
            summary = FlowSummary.model_validate(
                dict(
                    flow_id=flow_id,
                    kind=kind,
                    time=row[1] or 0.0,
                    method=method or "",
                    url=url or "",
                    host=host or "",
                    port=port or 0,
                    scheme=scheme or "",
                    tls=bool(tls),
                    server_ip=server_ip or "",
                    detections=[],
                ),
                context=STORED,
            )
        if row[2] is not None:
            summary.detections.append(Detection(**dict(zip(_DETECTION_FIELDS, row[3 + n :], strict=True))))
    if summary is not None:
        yield summary


def flow_headers(row: dict[str, Any]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Request and response headers of a ``flows`` row."""
    return _headers(row["request_headers"]), _headers(row["response_headers"])


def events(store: Store, table: str) -> Iterator[Any]:
    """The timeline events of one event table, with their row ids."""
    for row in store.rows(table, order_by="time, id"):
        event = parse_event(row["json"], stored=True)
        event.id = row["id"]
        yield event


def inspected(store: Store) -> set[str]:
    """The hosts (and SNIs) of the HTTP and WebSocket flows the proxy recorded."""
    found = store.conn.execute("SELECT DISTINCT host, sni FROM flows WHERE kind IN ('http', 'websocket')").fetchall()
    return inspected_hosts(name for pair in found for name in pair)


def plaintext_records(store: Store) -> list[PlainFlow]:
    """Flows read from the ``tls_write`` plaintext of connections the proxy did not inspect
    (:mod:`policies.join.tlsplain`)."""
    hosts = inspected(store)
    ops = []
    for row in store.rows("crypto_ops", "op = 'tls_write' AND host IS NOT NULL"):
        if (row["host"] or "").lower().rstrip(".") in hosts:
            continue
        op = CryptoOp.model_validate_json(row["json"])
        op.id = row["id"]
        ops.append(op)
    return plaintext_flows(ops, hosts)


def _plaintext_summaries(store: Store, detections: dict[str, list[Detection]]) -> list[FlowSummary]:
    out = []
    for plain in plaintext_records(store):
        record = plain.record
        out.append(
            FlowSummary(
                flow_id=record.flow_id,
                kind=record.kind,
                time=record.timestamp_start,
                method=record.method,
                url=record.url,
                host=record.host,
                port=record.port,
                scheme=record.scheme,
                tls=True,
                detections=detections.get(record.flow_id, []),
                sent_by=plain.party,
                process=plain.process,
                origin="tls_hook",
                crypto_ops=plain.ops,
            )
        )
    return out


def read_timeline(store: Store) -> Timeline:
    """The whole timeline of a session: the input of the rules.

    The flows carry their joins: ``sent_by`` from the ``http:request`` events
    (:func:`policies.join.senders.join_senders`), and the flows read from the TLS plaintext of
    uninspected connections are added (``origin`` ``tls_hook``).
    """
    detections = detections_by_flow(store)
    flows = list(flow_summaries(store, detections))
    senders = join_senders(flows, events(store, "http_requests"))
    for flow in flows:
        request = senders.get(flow.flow_id)
        if request is not None:
            flow.sent_by, flow.sender, flow.process = request.party, request.id, request.process or None
    flows += _plaintext_summaries(store, detections)
    flows.sort(key=lambda f: (f.time, f.flow_id))
    return Timeline(
        flows=flows,
        hook_events=list(events(store, "hook_events")),
        consent_events=list(events(store, "consent_events")),
        lifecycle_events=list(events(store, "lifecycle_events")),
        permission_events=list(events(store, "permission_events")),
        permission_results=list(events(store, "permission_results")),
        permission_dialogs=list(events(store, "permission_dialogs")),
        component_events=list(events(store, "component_events")),
        hook_status=list(events(store, "hook_status")),
        tls_failures=list(tls_failures(store)),
    )


def tls_failures(store: Store) -> Iterator[TlsFailure]:
    """The TLS failures the proxy saw, in id order."""
    for r in store.rows("tls_failures"):
        yield TlsFailure.model_validate(
            {k: r[k] for k in ("id", "time", "client_addr", "server_addr", "host", "sni", "error")}
            | {"stage": r.get("stage") or "handshake"},
            context=STORED,
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
