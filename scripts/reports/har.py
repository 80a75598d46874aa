"""The HAR 1.2 export, streamed: one entry is built and written per flow read from ``flows.mitm``.

Memory stays flat whatever the session's size: flows are read with
``FlowReader.stream()``, each entry is written as soon as it is built, and the
detections of a flow are queried from the store when its entry is written. Bodies are
text when they decode strictly in their charset, else base64 (``"encoding": "base64"``,
also on ``postData``, which HAR 1.2 does not define). Custom fields:
``_piaudit_flow_id`` (replay keeps the id), ``_piaudit_detections``, ``_piaudit_findings``.
"""

from __future__ import annotations

import base64
import json
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from mitmproxy import http
from mitmproxy import io as mio
from mitmproxy.utils import strutils

from piaudit.policies.integrity import Integrity
from piaudit.policies.private import private_open
from piaudit.policies.redaction import NoRedaction, Redactor
from piaudit.policies.session import Session
from piaudit.policies.store import Store
from piaudit.policies.times import iso_or_epoch
from piaudit.scripts.reports.data import report_warnings

SEEN_SERVERS = 4096  # connections remembered for "connect: -1" on reuse; bounded so memory stays flat


@dataclass
class HarStats:
    """What a HAR export wrote and skipped."""

    entries: int = 0
    non_http: int = 0
    not_in_findings: int = 0


class _EntryBuilder:
    """Turns one mitmproxy HTTP flow into one HAR entry, masking identifiers when redacting."""

    def __init__(self, redactor: Redactor):
        self.r = redactor
        self.redacting = not isinstance(redactor, NoRedaction)
        self.seen: OrderedDict[str, None] = OrderedDict()

    def pairs(self, items: Any) -> list[dict[str, str]]:
        try:
            return [{"name": self.r.text(str(k)), "value": self.r.text(str(v))} for k, v in items]
        except (ValueError, KeyError):  # malformed cookies or query strings
            return []

    def body(self, message: http.Message) -> dict[str, Any]:
        """``text`` (+ ``encoding``) of a body, decoded from its Content-Encoding when possible."""
        try:
            content = message.get_content(strict=True) or b""
        except ValueError:
            content = message.raw_content or b""
        if not content:
            return {"text": ""}
        if not strutils.is_mostly_bin(content):
            try:
                charset = message.headers.get("content-type", "").partition("charset=")[2].split(";")[0].strip() or "utf-8"
                return {"text": self.r.text(content.decode(charset))}
            except (UnicodeDecodeError, LookupError):
                pass
        if self.redacting:
            return {"text": self.r.binary_note(content), "comment": "binary body redacted"}
        return {"text": base64.b64encode(content).decode(), "encoding": "base64"}

    def timings(self, f: http.HTTPFlow) -> dict[str, float]:
        server, req, resp = f.server_conn, f.request, f.response
        connect = ssl = -1.0
        if server.id not in self.seen and server.timestamp_tcp_setup and server.timestamp_start:
            connect = 1000 * (server.timestamp_tcp_setup - server.timestamp_start)
            if server.timestamp_tls_setup:
                ssl = 1000 * (server.timestamp_tls_setup - server.timestamp_tcp_setup)
        self.seen[server.id] = None
        if len(self.seen) > SEEN_SERVERS:
            self.seen.popitem(last=False)
        send = 1000 * (req.timestamp_end - req.timestamp_start) if req.timestamp_end else 0.0
        wait = 1000 * (resp.timestamp_start - req.timestamp_end) if resp and req.timestamp_end else 0.0
        receive = 1000 * (resp.timestamp_end - resp.timestamp_start) if resp and resp.timestamp_end else 0.0
        return {"connect": connect, "ssl": ssl, "send": send, "wait": wait, "receive": receive}

    def entry(self, f: http.HTTPFlow) -> dict[str, Any]:
        req, resp = f.request, f.response
        timings = self.timings(f)
        url = f"https://{req.pretty_url}/" if req.method == "CONNECT" else req.pretty_url
        request: dict[str, Any] = {
            "method": req.method,
            "url": self.r.url(url),
            "httpVersion": req.http_version,
            "cookies": self.pairs(req.cookies.items(multi=True)),
            "headers": self.pairs(req.headers.items(multi=True)),
            "queryString": self.pairs(req.query.items(multi=True)),
            "headersSize": -1,
            "bodySize": len(req.raw_content or b""),
        }
        if req.raw_content:
            post = {"mimeType": req.headers.get("content-type", "")} | self.body(req)
            if req.urlencoded_form:
                post["params"] = self.pairs(req.urlencoded_form.items(multi=True))
            request["postData"] = post
        if resp is not None:
            content = {"size": len(resp.raw_content or b""), "mimeType": resp.headers.get("content-type", "")} | self.body(resp)
            response: dict[str, Any] = {
                "status": resp.status_code,
                "statusText": resp.reason,
                "httpVersion": resp.http_version,
                "cookies": self.pairs((k, v) for k, (v, _) in resp.cookies.items(multi=True)),
                "headers": self.pairs(resp.headers.items(multi=True)),
                "content": content,
                "redirectURL": self.r.url(resp.headers.get("location", "")),
                "headersSize": -1,
                "bodySize": len(resp.raw_content or b""),
            }
        else:
            response = {
                "status": 0,
                "statusText": "",
                "httpVersion": "",
                "cookies": [],
                "headers": [],
                "content": {"size": 0, "mimeType": ""},
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": -1,
            }
        entry: dict[str, Any] = {
            "startedDateTime": iso_or_epoch(req.timestamp_start),
            "time": sum(v for v in timings.values() if v >= 0),
            "request": request,
            "response": response,
            "cache": {},
            "timings": timings,
            "_piaudit_flow_id": f.id,
        }
        if f.server_conn.peername:
            entry["serverIPAddress"] = str(f.server_conn.peername[0])
        if f.error:
            entry["_piaudit_error"] = self.r.text(f.error.msg)
        if f.comment:
            entry["comment"] = self.r.text(f.comment)
        if f.websocket is not None:
            entry["_resourceType"] = "websocket"
            entry["_webSocketMessages"] = [
                {
                    "type": "send" if m.from_client else "receive",
                    "time": m.timestamp,
                    "opcode": m.type.value,
                    "data": self.r.text(m.text)
                    if m.is_text
                    else (self.r.binary_note(m.content) if self.redacting else base64.b64encode(m.content).decode()),
                }
                for m in f.websocket.messages
            ]
        return entry


def _finding_rules(store: Store) -> dict[str, list[str]]:
    """The rules of the latest findings, per flow."""
    out: dict[str, set[str]] = {}
    sql = "SELECT flow_id, rule FROM findings WHERE run = (SELECT max(run) FROM findings) AND flow_id IS NOT NULL"
    for flow_id, rule in store.conn.execute(sql):
        out.setdefault(flow_id, set()).add(rule)
    return {k: sorted(v) for k, v in out.items()}


def stream_har(
    session: Session, out: IO[str], redactor: Redactor | None = None, *, only_findings: bool = False, integrity: Integrity | None = None
) -> HarStats:
    """Write the HAR of ``session`` to ``out``, entry by entry."""
    redactor = redactor or NoRedaction()
    builder, stats, store = _EntryBuilder(redactor), HarStats(), session.store
    rules = _finding_rules(store)
    detection_sql = (
        "SELECT data_type, source, value, encoding, [where], excerpt, direction FROM detections WHERE flow_id = ? ORDER BY id"
    )
    keys = ("data_type", "source", "value", "encoding", "where", "excerpt", "direction")
    head = {
        "version": "1.2",
        "creator": {
            "name": "piaudit",
            "version": session.meta.versions.get("piaudit", ""),
            "comment": "piaudit report --format har" + (" --only-findings" if only_findings else ""),
        },
        "pages": [],
        "_piaudit_session": redactor.any(
            {"app": session.meta.app, "started": session.meta.started, "redacted": not isinstance(redactor, NoRedaction)}
            | ({"integrity": integrity.as_json()} if integrity is not None else {})
            | {"warnings": report_warnings(session.meta)}
        ),
    }
    out.write('{"log": ' + json.dumps(head)[:-1] + ', "entries": [\n')
    with open(session.flows_path, "rb") as fh:
        for f in mio.FlowReader(fh).stream():
            if not isinstance(f, http.HTTPFlow):
                stats.non_http += 1
                continue
            if only_findings and f.id not in rules:
                stats.not_in_findings += 1
                continue
            entry = builder.entry(f)
            detections = [dict(zip(keys, row, strict=True)) for row in store.conn.execute(detection_sql, (f.id,))]
            if detections:
                entry["_piaudit_detections"] = redactor.any(detections)
            if f.id in rules:
                entry["_piaudit_findings"] = rules[f.id]
            out.write((",\n" if stats.entries else "") + json.dumps(entry))
            stats.entries += 1
    out.write(f'\n], "_piaudit_skipped_non_http": {stats.non_http}}}}}\n')
    return stats


def write_har(
    session_dir: Path, out: Path, redactor: Redactor | None = None, *, only_findings: bool = False, integrity: Integrity | None = None
) -> HarStats:
    """Write the HAR of ``session_dir`` to the file ``out``."""
    session = Session.open(session_dir)
    try:
        with private_open(out, "w", encoding="utf-8") as fh:
            return stream_har(session, fh, redactor, only_findings=only_findings, integrity=integrity)
    finally:
        session.store.conn.close()
