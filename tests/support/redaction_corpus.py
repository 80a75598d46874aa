"""A hostile session for redaction: every identifier in every encoding, in every place a report shows.

The session is built by the real pipeline (the detector finds what it finds, the rules judge),
from real mitmproxy flows written to ``flows.mitm``, so the reports read what a live session
would hold. Each identifier appears plain, upper-case, URL-encoded, base64 (standard, URL-safe,
twice), hex, as MD5/SHA-1/SHA-256 digests (hex and base64), gzip'd JSON in base64, inside a JWT,
and as URL-encoded JSON; in the URL path and query, a header, a cookie, a JSON body (as a value
and as a key), a form body, a gzip'd body, WebSocket and TCP messages; and in hook values,
arguments and stack frames. The position is sent as a pair and as separate lat/lon fields.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from pathlib import Path
from urllib.parse import quote

from mitmproxy import io as mio
from mitmproxy import tcp, websocket
from mitmproxy.test import tflow
from wsproto.frame_protocol import Opcode

from piaudit.addons.flowmodel import to_record
from piaudit.policies.auditor import recompute
from piaudit.policies.detect import Detector, Limits
from piaudit.policies.identifiers import Identifiers
from piaudit.policies.inputs import AuditInputs
from piaudit.policies.models import ApiRef, HookEvent
from piaudit.policies.options import AuditOptions
from piaudit.policies.pipeline import Pipeline
from piaudit.policies.private import private_open
from piaudit.policies.session import Session

T0 = 1_764_000_000.0
IDENTIFIERS = {
    "imei": "359881030314356",
    "android_id": "9774d56d682e549c",
    "mac": "02:1a:11:f4:3b:9c",
    "email": "alice.liu@example-mail.com",
    "ad_id": "38400000-8cf0-11bd-b23e-10b96e40000d",
    "phone": "13812345678",
    "ssid": "咖啡馆WiFi-5G",
}
LAT, LON = 31.230416, 121.473701


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def encodings(value: str) -> dict[str, str]:
    """The wire forms of one value, by name."""
    raw = value.encode()
    jwt_payload = base64.urlsafe_b64encode(json.dumps({"sub": value}).encode()).decode().rstrip("=")
    return {
        "plain": value,
        "upper": value.upper(),
        "url": quote(value, safe=""),
        "base64": _b64(raw),
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "base64x2": _b64(_b64(raw).encode()),
        "hex": raw.hex(),
        "md5": hashlib.md5(raw).hexdigest(),
        "sha1": hashlib.sha1(raw).hexdigest().upper(),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "md5_base64": _b64(hashlib.md5(raw).digest()),
        "gzip_json_base64": _b64(gzip.compress(json.dumps({"device": {"id": value}}).encode(), mtime=0)),
        "jwt": "eyJhbGciOiJIUzI1NiJ9." + jwt_payload + ".c2lnbmF0dXJl",
        "url_json": quote(json.dumps({"id": value}), safe=""),
    }


def known_identifiers() -> Identifiers:
    """The corpus's identifiers, as the detector (and a test's scanner) knows them."""
    ids = Identifiers()
    for data_type, value in IDENTIFIERS.items():
        assert ids.add(data_type, value), (data_type, ids.last_ignored)
    ids.add_location(LAT, LON)
    return ids


def scanner() -> Detector:
    """The detector with every identifier known and limits wide enough for a whole report file."""
    wide = Limits(
        max_body_bytes=1 << 30,
        max_response_bytes=1 << 30,
        max_decoded_bytes=1 << 30,
        max_total_decoded=1 << 31,
        max_hits=1_000_000,
        max_runs=1_000_000,
        max_nodes=10_000_000,
    )
    return Detector(known_identifiers(), patterns=False, limits=wide)


def _http(n: int, t: float, url: str, *, headers: dict[str, str], body: bytes) -> object:
    f = tflow.tflow(resp=True)
    f.request.method = "POST"
    f.request.url = url
    for name, value in headers.items():
        f.request.headers[name] = value
    if "content-encoding" in headers:
        f.request.content = body
    else:
        f.request.raw_content = body
    f.response.headers["content-type"] = "application/json"
    f.response.content = b'{"ok":true}'
    f.server_conn.peername = ("203.0.113.7", 443)
    f.request.timestamp_start, f.request.timestamp_end = t, t + 0.01
    f.response.timestamp_start, f.response.timestamp_end = t + 0.02, t + 0.03
    return f


def flows() -> list[object]:
    """Every identifier in every encoding, in every place of a flow."""
    out: list[object] = []
    t = T0 + 10
    for data_type, value in IDENTIFIERS.items():
        for name, enc in encodings(value).items():
            t += 0.1
            q = quote(enc, safe="")
            url = f"https://t{len(out)}.tracker.example/c/{q}/x?id={q}&k={data_type}-{name}"
            headers = {"content-type": "application/json", "x-device": enc, "cookie": f"uid={q}; s=1"}
            body = json.dumps({"device": {"id": enc, "kind": name}, enc: 1}).encode()
            out.append(_http(len(out), t, url, headers=headers, body=body))
        t += 0.1
        form = f"a=1&{data_type}={quote(value)}&b={quote(encodings(value)['base64'])}".encode()
        out.append(
            _http(
                len(out),
                t,
                "http://form.tracker.example/f",
                headers={"content-type": "application/x-www-form-urlencoded"},
                body=form,
            )
        )
        t += 0.1
        gz = gzip.compress(json.dumps({"v": value}).encode(), mtime=0)
        out.append(
            _http(
                len(out),
                t,
                "https://gz.tracker.example/g",
                headers={"content-type": "application/json", "content-encoding": "gzip"},
                body=gz,
            )
        )
    t += 0.1
    out.append(
        _http(
            len(out),
            t,
            f"https://geo.tracker.example/l?lat={LAT}&lng={LON}&pos={LAT},{LON}",
            headers={"content-type": "application/json", "x-pos": f"{LON};{LAT}"},
            body=json.dumps({"loc": {"latitude": LAT, "longitude": LON}, "lon": str(LON)}).encode(),
        )
    )
    ws = tflow.twebsocketflow()
    ws.request.url = "https://push.tracker.example/ws"
    ws.request.timestamp_start, ws.request.timestamp_end = t + 1, t + 1.01
    ws.response.timestamp_start, ws.response.timestamp_end = t + 1.02, t + 2
    ws.websocket.messages = [
        websocket.WebSocketMessage(
            Opcode.TEXT,
            True,
            json.dumps({"imei": IDENTIFIERS["imei"], "mac": encodings(IDENTIFIERS["mac"])["base64"]}).encode(),
            t + 1.1,
        ),
        websocket.WebSocketMessage(Opcode.TEXT, True, f"email={quote(IDENTIFIERS['email'])}".encode(), t + 1.2),
    ]
    out.append(ws)
    raw = tflow.ttcpflow()
    raw.server_conn.address = raw.server_conn.peername = ("203.0.113.99", 5224)
    raw.client_conn.timestamp_start = t + 3
    raw.messages = [tcp.TCPMessage(True, b"GT\x01" + IDENTIFIERS["imei"].encode(), t + 3.1)]
    out.append(raw)
    return out


def hook_events() -> list[HookEvent]:
    """A read of each identifier, its value also in the arguments and a stack frame."""
    events = []
    for i, (data_type, value) in enumerate([*IDENTIFIERS.items(), ("location", f"{LAT},{LON}")]):
        events.append(
            HookEvent(
                time=T0 + 1 + i * 0.1,
                data_type=data_type,
                api=ApiRef(class_name="android.telephony.TelephonyManager", method="get" + data_type),
                args={"arg0": value, "arg1": encodings(value)["base64"]},
                value=value,
                identifiers={data_type: [value]},
                stack=[
                    "android.telephony.TelephonyManager.getImei(TelephonyManager.java:2098)",
                    f"com.evil.sdk.Leak.run(Leak.java:12) value={value}",
                ],
                caller=f"com.evil.sdk.Leak.run(Leak.java:12) value={value}",
                party="Evil SDK",
                phase="running",
            )
        )
    return events


def build(directory: Path) -> Path:
    """Write the corpus session into ``directory``; returns it."""
    session = Session.create(directory, app="com.example.leaky")
    detector = Detector(Identifiers())  # learns every value from the hook events, as a live session does
    pipeline = Pipeline(session.store, detector=detector)
    for event in hook_events():
        pipeline.record_event(event)
    captured = flows()
    with private_open(session.flows_path, "wb") as fh:  # as the recorder writes it
        writer = mio.FlowWriter(fh)
        for f in captured:
            writer.add(f)
            pipeline.record_flow(to_record(f))
    pipeline.flush()
    recompute(session, AuditInputs.load(AuditOptions()))
    session.close()
    return directory
