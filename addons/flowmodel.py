"""mitmproxy flows → :class:`policies.models.FlowRecord`: the one place that reads mitmproxy's classes.

Used by the live recorder and by replay of ``.mitm``/HAR files, so both see a flow the same way.
"""

from __future__ import annotations

import hashlib

from mitmproxy import dns, flow, http, tcp, udp

from piaudit.policies.models import FlowRecord, Header, Message
from piaudit.policies.times import RANGE, is_plausible

MAX_BODY = 64 * 1024 * 1024  # larger bodies are hashed and sized, but not handed to detection whole


def implausible_time(f: flow.Flow) -> str | None:
    """The first timestamp of a stored flow that is not a plausible time (see :mod:`policies.times`), named."""
    stamps: list[tuple[str, float | None]] = [("client connection start", f.client_conn.timestamp_start)]
    if isinstance(f, http.HTTPFlow):
        stamps += [("request start", f.request.timestamp_start), ("request end", f.request.timestamp_end)]
        if f.response is not None:
            stamps += [("response start", f.response.timestamp_start), ("response end", f.response.timestamp_end)]
        messages = f.websocket.messages if f.websocket is not None else []
    else:
        messages = getattr(f, "messages", [])
    stamps += [(f"message {i}", m.timestamp) for i, m in enumerate(messages)]
    for what, t in stamps:
        if t is not None and not is_plausible(t):
            return f"{what} time {t!r} is not a plausible time ({RANGE})"
    return None


def format_addr(address: tuple | None) -> str:
    """``host:port`` (``[v6]:port``) of a socket address; empty when unknown."""
    if not address:
        return ""
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


def _headers(headers: http.Headers | None) -> list[Header]:
    if headers is None:
        return []
    return [Header(name=k, value=v) for k, v in headers.items(multi=True)]


def _body(message: http.Message | None) -> bytes:
    if message is None:
        return b""
    raw = message.raw_content
    return raw or b""


def _common(f: flow.Flow) -> dict:
    client, server = f.client_conn, f.server_conn
    peer = server.peername or ()
    return {
        "flow_id": f.id,
        "client_addr": format_addr(client.peername),
        "server_addr": format_addr(server.address),
        "server_ip": str(peer[0]) if peer else "",
        "sni": client.sni or server.sni or "",
        "tls": bool(client.tls_established or server.tls_established),
        "error": f.error.msg if f.error else None,
        "marked": f.marked or "",
        "comment": f.comment or "",
        "timings": {
            "tcp_setup": server.timestamp_tcp_setup,
            "tls_setup": server.timestamp_tls_setup,
            "client_tls_setup": client.timestamp_tls_setup,
        },
    }


def _http(f: http.HTTPFlow) -> FlowRecord:
    req, resp = f.request, f.response
    req_body, resp_body = _body(req), _body(resp)
    messages: list[Message] = []
    kind = "http"
    if f.websocket is not None:
        kind = "websocket"
        messages = [
            Message(from_client=m.from_client, content=m.content, time=m.timestamp, type="text" if m.is_text else "binary")
            for m in f.websocket.messages
        ]
    truncated = None
    if len(req_body) > MAX_BODY or len(resp_body) > MAX_BODY:
        truncated = f"bodies over {MAX_BODY} bytes are kept whole in flows.mitm but scanned only in part"
    base = _common(f)
    base["timings"] |= {
        "request_start": req.timestamp_start,
        "request_end": req.timestamp_end,
        "response_start": resp.timestamp_start if resp else None,
        "response_end": resp.timestamp_end if resp else None,
    }
    return FlowRecord(
        kind=kind,
        method=req.method,
        url=req.pretty_url if req.host else req.url,
        host=req.pretty_host,
        port=req.port,
        scheme=req.scheme,
        http_version=req.http_version,
        status_code=resp.status_code if resp else None,
        request_headers=_headers(req.headers),
        response_headers=_headers(resp.headers if resp else None),
        request_body=req_body[:MAX_BODY],
        response_body=resp_body[:MAX_BODY],
        request_size=len(req_body),
        response_size=len(resp_body),
        request_sha256=hashlib.sha256(req_body).hexdigest(),
        response_sha256=hashlib.sha256(resp_body).hexdigest() if resp is not None else "",
        truncated=truncated,
        messages=messages,
        timestamp_start=req.timestamp_start,
        timestamp_end=(resp.timestamp_end if resp else None) or req.timestamp_end,
        **base,
    )


def _raw(f: tcp.TCPFlow | udp.UDPFlow, kind: str) -> FlowRecord:
    server = f.server_conn
    host, port = (server.address or ("", 0))[:2]
    messages = [Message(from_client=m.from_client, content=m.content, time=m.timestamp) for m in f.messages]
    sent = b"".join(m.content for m in f.messages if m.from_client)
    start = f.client_conn.timestamp_start or (messages[0].time if messages else 0.0)
    return FlowRecord(
        kind=kind,  # type: ignore[arg-type]
        url=f"{kind}://{host}:{port}",
        host=str(host),
        port=int(port),
        scheme="",
        request_size=len(sent),
        request_sha256=hashlib.sha256(sent).hexdigest(),
        messages=messages,
        timestamp_start=start,
        timestamp_end=f.client_conn.timestamp_end,
        **_common(f),
    )


def _dns(f: dns.DNSFlow) -> FlowRecord:
    q = f.request
    names = ", ".join(f"{x.name} {dns.types.to_str(x.type)}" for x in q.questions)
    messages = [Message(from_client=True, content=names.encode(), time=q.timestamp or 0.0, type="dns")]
    if f.response is not None:
        answers = ", ".join(str(a) for a in f.response.answers)
        messages.append(Message(from_client=False, content=answers.encode(), time=f.response.timestamp or 0.0, type="dns"))
    server = f.server_conn
    host, port = (server.address or ("", 53))[:2]
    first = q.questions[0].name if q.questions else str(host)
    return FlowRecord(
        kind="dns",
        method="QUERY",
        url=f"dns://{host}:{port}/{first}",
        host=first,
        port=int(port),
        scheme="dns",
        request_size=len(q.packed),
        request_sha256=hashlib.sha256(q.packed).hexdigest(),
        response_size=len(f.response.packed) if f.response else 0,
        messages=messages,
        timestamp_start=q.timestamp or 0.0,
        timestamp_end=f.response.timestamp if f.response else None,
        **_common(f),
    )


def to_record(f: flow.Flow) -> FlowRecord:
    """Convert any mitmproxy flow into a :class:`FlowRecord`."""
    if isinstance(f, http.HTTPFlow):
        return _http(f)
    if isinstance(f, tcp.TCPFlow):
        return _raw(f, "tcp")
    if isinstance(f, udp.UDPFlow):
        return _raw(f, "udp")
    if isinstance(f, dns.DNSFlow):
        return _dns(f)
    raise TypeError(f"unsupported flow type {type(f).__name__}")
