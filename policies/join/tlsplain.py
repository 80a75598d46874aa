"""What the app wrote into TLS connections the proxy did not inspect, as flows of their own.

A ``tls_write`` op holds plaintext the app wrote into a TLS connection (native ``SSL_write``,
or the Java TLS write path). For most connections the proxy saw the same bytes as a flow;
for a connection it could not inspect — a pinned host passed through, a socket that bypassed
the proxy — the hook is the only witness. Such a connection's writes are put back together,
split into HTTP/1.x requests (or kept as one client stream when they are not HTTP/1), and
scanned like flows; their findings cite the ``crypto_ops`` rows.

Which connections: the ``tls_write`` ops whose ``host`` is not the host or SNI of any HTTP or
WebSocket flow the proxy recorded. The decision is per host (the proxy and the hook do not
share a connection id); ops without a host cannot be placed and are left out.

>>> ops = [CryptoOp(id=5, time=1.0, op="tls_write", host="pin.example.com", connection="c1", pid=7,
...                 input=base64.b64encode(b"POST /up HTTP/1.1\\r\\nHost: pin.example.com\\r\\nContent-Length: 2\\r\\n\\r\\nhi").decode())]
>>> [(f.record.flow_id, f.record.method, f.record.url, f.record.request_body, f.ops) for f in plaintext_flows(ops, set())]
[('tls:5', 'POST', 'https://pin.example.com/up', b'hi', [5])]
>>> plaintext_flows(ops, {"pin.example.com"})
[]
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from piaudit.policies.models import CryptoOp, FlowRecord, Header, Message

MAX_STREAM_BYTES = 8 << 20
"""Plaintext of one connection put back together (the rest is not scanned; the record says so)."""
MAX_REQUESTS = 10_000
"""HTTP requests read from one connection."""
_REQUEST_LINE = re.compile(rb"^([A-Z]{3,10}) (\S+) HTTP/1\.[01]$")
FLOW_PREFIX = "tls:"


@dataclass
class PlainFlow:
    """A flow read from TLS plaintext: the record to scan, the ``crypto_ops`` rows it came from,
    and the party and process of the code that wrote it (its first op's)."""

    record: FlowRecord
    ops: list[int]
    party: str | None
    pid: int | None
    process: str | None = None


@dataclass
class _Part:
    """Where one op's bytes sit in a connection's stream."""

    start: int
    size: int
    op: CryptoOp


def inspected_hosts(hosts: Iterable[str | None]) -> set[str]:
    """Host names (lower-cased) of the flows the proxy inspected."""
    return {h.lower().rstrip(".") for h in hosts if h}


def plaintext_flows(ops: Iterable[CryptoOp], inspected: set[str]) -> list[PlainFlow]:
    """Flows read from the ``tls_write`` plaintext of uninspected connections, each with its op ids."""
    streams: dict[tuple[int | None, str, str], list[CryptoOp]] = {}
    for op in ops:
        if op.op != "tls_write" or not op.host or op.id is None:
            continue
        host = op.host.lower().rstrip(".")
        if host in inspected:
            continue
        streams.setdefault((op.pid, op.connection or "", host), []).append(op)
    out: list[PlainFlow] = []
    for (_, _, host), parts in streams.items():
        parts.sort(key=lambda o: (o.time, o.id))
        out += _connection_flows(host, parts)
    out.sort(key=lambda item: (item.record.timestamp_start, item.record.flow_id))
    return out


def _connection_flows(host: str, ops: list[CryptoOp]) -> list[PlainFlow]:
    data = bytearray()
    parts: list[_Part] = []
    truncated = []
    for op in ops:
        chunk = op.input_bytes()
        if op.input_length is not None and op.input_length > len(chunk):
            truncated.append(f"op {op.id}: {len(chunk)} of {op.input_length} bytes captured")
        if len(data) + len(chunk) > MAX_STREAM_BYTES:
            truncated.append(f"stream cut at {MAX_STREAM_BYTES} bytes")
            break
        parts.append(_Part(len(data), len(chunk), op))
        data += chunk
    port = ops[0].port
    authority = host if port in (None, 443) else f"{host}:{port}"
    requests = _http1_requests(bytes(data))
    note = "; ".join(truncated) or None
    if requests is None:  # not HTTP/1 (HTTP/2, a custom protocol): one client stream
        record = FlowRecord(
            flow_id=f"{FLOW_PREFIX}{ops[0].id}",
            kind="tcp",
            host=host,
            port=port or 443,
            scheme="",
            tls=True,
            messages=[Message(from_client=True, content=bytes(data), time=ops[0].time)],
            timestamp_start=ops[0].time,
            truncated=note,
        )
        return [PlainFlow(record, [p.op.id for p in parts if p.op.id is not None], ops[0].party, ops[0].pid, ops[0].process or None)]
    out = []
    for start, end, method, target, headers, body in requests:
        mine = [p.op for p in parts if p.start < max(end, start + 1) and p.start + p.size > start]
        first = mine[0] if mine else ops[0]
        url = target.decode("latin-1") if target.startswith(b"http") else f"https://{authority}{target.decode('latin-1')}"
        record = FlowRecord(
            flow_id=f"{FLOW_PREFIX}{first.id}",
            method=method.decode(),
            url=url,
            host=host,
            port=port or 443,
            scheme="https",
            http_version="HTTP/1.1",
            request_headers=headers,
            request_body=body,
            request_size=len(body),
            request_sha256=hashlib.sha256(body).hexdigest(),
            timestamp_start=first.time,
            tls=True,
            truncated=note,
        )
        out.append(PlainFlow(record, [o.id for o in mine if o.id is not None], first.party, first.pid, first.process or None))
    # two requests starting in one op would share a flow id: number the later ones
    seen: dict[str, int] = {}
    for flow in out:
        record = flow.record
        n = seen.get(record.flow_id, 0)
        seen[record.flow_id] = n + 1
        if n:
            record.flow_id = f"{record.flow_id}.{n}"
    return out


def _http1_requests(data: bytes) -> list[tuple[int, int, bytes, bytes, list[Header], bytes]] | None:
    """(start, end, method, target, headers, body) of each HTTP/1.x request; None if ``data`` is not HTTP/1."""
    out = []
    pos = 0
    while pos < len(data) and len(out) < MAX_REQUESTS:
        head_end = data.find(b"\r\n\r\n", pos)
        if head_end < 0:
            break
        lines = data[pos:head_end].split(b"\r\n")
        match = _REQUEST_LINE.match(lines[0])
        if match is None:
            return out or None
        headers: list[Header] = []
        length = 0
        chunked = False
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep:
                continue
            name_text = name.strip().decode("latin-1")
            value_text = value.strip().decode("latin-1")
            headers.append(Header(name=name_text, value=value_text))
            lower = name_text.lower()
            if lower == "content-length" and value_text.isdigit():
                length = int(value_text)
            elif lower == "transfer-encoding" and "chunked" in value_text.lower():
                chunked = True
        body_start = head_end + 4
        if chunked:
            body, end = _dechunk(data, body_start)
        else:
            end = min(len(data), body_start + length)
            body = data[body_start:end]
        out.append((pos, end, match.group(1), match.group(2), headers, body))
        pos = end
    return out if out else None


def _dechunk(data: bytes, pos: int) -> tuple[bytes, int]:
    """A chunked body from ``pos``: (body, end of the message)."""
    body = bytearray()
    while pos < len(data):
        line_end = data.find(b"\r\n", pos)
        if line_end < 0:
            break
        size_text = data[pos:line_end].split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            break
        pos = line_end + 2
        if size == 0:
            trailer_end = data.find(b"\r\n\r\n", line_end)
            return bytes(body), (trailer_end + 4 if trailer_end >= 0 else len(data))
        body += data[pos : pos + size]
        pos += size + 2
    return bytes(body), len(data)
