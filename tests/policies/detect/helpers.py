"""Encoders, builders and look-ups shared by the detection tests."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import zlib
from urllib.parse import quote

import brotli
import zstandard

from piaudit.policies.detect import Detector, ScanResult
from piaudit.policies.identifiers import Identifiers
from piaudit.policies.models import Detection, FlowRecord, Header, Message

VALUES = {
    "imei": "490154203237518",  # Luhn-valid
    "android_id": "9774d56d682e549c",
    "mac": "02:1a:11:f4:3b:9c",
    "ad_id": "38400000-8cf0-11bd-b23e-10b96e40000d",
    "oaid": "f3c1a9b27d4e6a58",
    "imsi": "460001234567890",
    "iccid": "89860012345678901238",
    "serial": "R58M12ABCDE",
    "phone": "13912345678",
    "email": "zhang.wei@example.org",
    "ssid": "ChinaNet-5G-Home",
    "bssid": "a4:5e:60:c2:11:07",
}
LOCATION = (39.9042, 116.4074)


def identifiers(values: dict[str, str] | None = None, location: tuple[float, float] | None = LOCATION) -> Identifiers:
    """The test device: VALUES and LOCATION unless given."""
    ids = Identifiers()
    for k, v in (VALUES if values is None else values).items():
        assert ids.add(k, v), ids.last_ignored
    if location:
        ids.add_location(*location)
    return ids


def detector(**kw) -> Detector:
    return Detector(identifiers(), **kw)


# ---------------------------------------------------------------- encoders


def b64(raw: bytes, *, url: bool = False, pad: bool = True) -> str:
    out = (base64.urlsafe_b64encode if url else base64.b64encode)(raw).decode()
    return out if pad else out.rstrip("=")


def digest(algo: str, text: str, form: str = "hex") -> str:
    d = hashlib.new(algo, text.encode())
    return {
        "hex": d.hexdigest(),
        "HEX": d.hexdigest().upper(),
        "b64": b64(d.digest()),
        "b64url": b64(d.digest(), url=True, pad=False),
    }[form]


def jwt(payload: dict) -> str:
    def part(d: dict) -> str:
        return b64(json.dumps(d, separators=(",", ":")).encode(), url=True, pad=False)

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(payload)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk"


def url(text: str, times: int = 1) -> str:
    for _ in range(times):
        text = quote(text, safe="")
    return text


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pb_field(number: int, value: bytes | int) -> bytes:
    """One protobuf field: bytes are length-delimited (wire type 2), ints are varints."""
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    return varint(number << 3 | 2) + varint(len(value)) + value


COMPRESSORS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": lambda b: zstandard.ZstdCompressor().compress(b),
}


# ---------------------------------------------------------------- flows and results


def flow(
    url: str = "https://api.example.com/v1/x",
    headers: dict[str, str] | list[tuple[str, str]] | None = None,
    body: bytes = b"",
    *,
    response: bytes = b"",
    response_headers: dict[str, str] | None = None,
    messages: list[tuple[bool, bytes]] | None = None,
    kind: str = "http",
) -> FlowRecord:
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    return FlowRecord(
        flow_id="f1",
        kind=kind,
        method="POST" if body else "GET",
        url=url,
        request_headers=[Header(name=k, value=v) for k, v in items],
        request_body=body,
        response_headers=[Header(name=k, value=v) for k, v in (response_headers or {}).items()],
        response_body=response,
        messages=[Message(from_client=c, content=m, time=float(i)) for i, (c, m) in enumerate(messages or [])],
    )


def hits(result: ScanResult, **want) -> list[Detection]:
    """Detections whose fields equal ``want`` (data_type given as a string)."""
    out = []
    for d in result.detections:
        if all((getattr(d, k).value if k == "data_type" else getattr(d, k)) == v for k, v in want.items()):
            out.append(d)
    return out


def describe(result: ScanResult) -> str:
    return (
        "\n".join(f"{d.data_type.value} {d.source} {d.encoding} {d.where} {d.direction} {d.excerpt}" for d in result.detections)
        or "(none)"
    )
