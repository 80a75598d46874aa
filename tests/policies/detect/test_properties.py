"""Property-based: random values of every data type, every encoding chain, every place: found with
the right data type, encoding chain and place."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from urllib.parse import quote

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from piaudit.policies.detect import Detector, forms
from piaudit.policies.identifiers import Identifiers, luhn_digit
from piaudit.policies.vocab import DataType
from tests.policies.detect.helpers import COMPRESSORS, b64, describe, digest, flow, hits, jwt, pb_field

EXAMPLES = 300
DIGITS, HEX, ALNUM = "0123456789", "0123456789abcdef", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def text(alphabet: str, n: int, m: int | None = None) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=n, max_size=m or n)


def with_luhn(prefix: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return prefix.map(lambda p: p + luhn_digit(p))


def mac() -> st.SearchStrategy[str]:
    return st.binary(min_size=6, max_size=6).filter(lambda b: len(set(b)) > 2).map(lambda b: ":".join(f"{x:02x}" for x in b))


VALUE_STRATEGIES: dict[DataType, st.SearchStrategy[str]] = {
    DataType.imei: with_luhn(st.sampled_from(["35", "86", "49", "01"]).flatmap(lambda p: text(DIGITS, 12).map(lambda s: p + s))),
    DataType.meid: st.sampled_from("ABCDEF").flatmap(lambda c: text("0123456789ABCDEF", 13).map(lambda s: c + s)),
    DataType.imsi: text(DIGITS, 10).map(lambda s: "46001" + s),
    DataType.iccid: with_luhn(text(DIGITS, 17).map(lambda s: "89" + s)),
    DataType.phone: st.sampled_from("3456789").flatmap(lambda c: text(DIGITS, 9).map(lambda s: "1" + c + s)),
    DataType.android_id: text(HEX, 16),
    DataType.serial: text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 9, 14),
    DataType.mac: mac(),
    DataType.bluetooth_mac: mac(),
    DataType.bssid: mac(),
    DataType.ssid: text(ALNUM + "-_", 6, 20),
    DataType.ad_id: st.uuids(version=4).map(str),
    DataType.oaid: st.one_of(text(HEX, 16), st.uuids(version=4).map(str)),
    DataType.email: st.tuples(text("abcdefghijklmnopqrstuvwxyz", 3, 10), text("abcdefghijklmnopqrstuvwxyz", 3, 8)).map(
        lambda t: f"{t[0]}.x@{t[1]}.com.cn"
    ),
    DataType.ip: st.tuples(*[st.integers(1, 254)] * 3).map(lambda t: f"10.{t[0]}.{t[1]}.{t[2]}"),
    DataType.clipboard: text(ALNUM + " ", 10, 40).filter(lambda s: s.strip() == s and len(set(s)) > 3),
    DataType.accounts: st.tuples(text("abcdefghijklmnopqrstuvwxyz", 4, 10)).map(lambda t: f"{t[0]}@gmail.com"),
}


@dataclass(frozen=True)
class Encoding:
    """How the value is written: a function of (form, random padding) and its chain."""

    name: str
    apply: Callable[[str, bytes], str]
    chain: tuple[str, ...]


HIGH = bytes(range(0x80, 0x100))


def _blob(align: int) -> Callable[[str, bytes], str]:
    return lambda form, pad: b64(
        bytes(HIGH[b % 128] for b in pad[: 30 + align]) + form.encode() + bytes(HIGH[b % 128] for b in pad[40:])
    )


def _digest(algo: str, out: str, form: str, pad: bytes) -> str:
    return digest(algo, form, out)


ENCODINGS = [
    Encoding("plain", lambda f, p: f, ()),
    Encoding("base64", lambda f, p: b64(f.encode()), ("base64",)),
    Encoding("base64 no pad", lambda f, p: b64(f.encode(), pad=False), ("base64",)),
    Encoding("base64url", lambda f, p: b64(f.encode(), url=True), ("base64",)),
    Encoding("base64url no pad", lambda f, p: b64(f.encode(), url=True, pad=False), ("base64",)),
    *(Encoding(f"blob+{k}", _blob(k), ("base64",)) for k in range(3)),
    Encoding("hex", lambda f, p: f.encode().hex(), ("hex",)),
    Encoding("HEX", lambda f, p: f.encode().hex().upper(), ("hex",)),
    *(
        Encoding(f"{a} {o}", partial(_digest, a, o), ("base64", a) if "b64" in o else (a,))
        for a in ("md5", "sha1", "sha256")
        for o in ("hex", "HEX", "b64", "b64url")
    ),
    Encoding("url", lambda f, p: quote(f, safe=""), ("url",)),
    Encoding("url twice", lambda f, p: quote(quote(f, safe=""), safe=""), ("url", "url")),
]


def _url_steps(enc: Encoding, form: str) -> tuple[str, ...]:
    """URL-encoding that changed nothing is not a step."""
    if enc.name == "url":
        return ("url",) if quote(form, safe="") != form else ()
    if enc.name == "url twice":
        once = quote(form, safe="")
        return ("url",) * ((once != form) + (quote(once, safe="") != once))
    return enc.chain


@dataclass(frozen=True)
class Place:
    """Where the encoded text is put: builds the flow, says the expected where, chain and direction."""

    name: str
    build: Callable[[str], object]
    where: str
    chain: tuple[str, ...] = ()
    direction: str = "request"
    body: bool = False  # a body that can be compressed
    free_url: bool = False  # the container URL-decodes once (query, form)


PLACES = [
    Place("query", lambda t: flow(f"https://t.example.cn/api?a=1&k={quote(t, safe='')}&z=2"), "query:k", free_url=True),
    Place("path", lambda t: flow(f"https://t.example.cn/v1/{quote(t, safe='')}/report"), "path"),
    Place("header", lambda t: flow(headers={"User-Agent": "okhttp/4.11.0", "X-Dev": t}), "header:X-Dev"),
    Place("cookie", lambda t: flow(headers={"Cookie": f"lang=zh_CN; k={t}; _ga=1"}), "cookie:k"),
    Place(
        "jwt",
        lambda t: flow(headers={"Authorization": "Bearer " + jwt({"sub": "u1", "k": t})}),
        "header:Authorization>$.k",
        ("jwt", "json"),
    ),
    Place("json", lambda t: json.dumps({"app": "x", "device": {"k": t}}).encode(), "body:$.device.k", ("json",), body=True),
    Place("json list", lambda t: json.dumps({"ids": ["a", t]}).encode(), "body:$.ids[1]", ("json",), body=True),
    Place("form", lambda t: f"a=1&k={quote(t, safe='')}".encode(), "form:k", ("form",), body=True, free_url=True),
    Place("base64 json", lambda t: b64(json.dumps({"k": t}).encode()).encode(), "body:$.k", ("base64", "json"), body=True),
    Place(
        "form url json",
        lambda t: f"v=2&data={quote(json.dumps({'k': t}), safe='')}".encode(),
        "form:data>$.k",
        ("form", "json"),
        body=True,
    ),
    Place(
        "protobuf",
        lambda t: pb_field(1, 7) + pb_field(2, pb_field(1, t.encode()) + pb_field(2, 3)),
        "body:$.2.1",
        ("protobuf",),
        body=True,
    ),
    Place(
        "multipart",
        lambda t: (
            b'--b0undary\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n'
            + json.dumps({"k": t}).encode()
            + b"\r\n--b0undary--\r\n"
        ),
        "multipart:meta>$.k",
        ("multipart", "json"),
        body=True,
    ),
    Place(
        "ws message",
        lambda t: flow(messages=[(True, b"hi"), (True, json.dumps({"k": t}).encode())]),
        "ws:1>$.k",
        ("json",),
        "message",
    ),
    Place("tcp message", lambda t: flow(kind="tcp", messages=[(True, b"HELO " + t.encode() + b"\r\n")]), "tcp:0", (), "message"),
    Place(
        "udp message",
        lambda t: flow(kind="udp", messages=[(False, b"x"), (True, b"\x01\x02" + pb_field(3, t.encode()))]),
        "udp:1",
        (),
        "message",
    ),
    Place("response", lambda t: flow(response=json.dumps({"echo": t}).encode()), "body:$.echo", ("json",), "response"),
]


@st.composite
def cases(draw: st.DrawFn, places: list[Place] = PLACES):
    dtype = draw(st.sampled_from(sorted(VALUE_STRATEGIES)))
    value = draw(VALUE_STRATEGIES[dtype])
    ids = Identifiers()
    assume(ids.add(dtype, value))  # degenerate draws (all zeros) are ignored by design
    (norm,) = ids.values[dtype]
    form = draw(st.sampled_from(forms(dtype, norm)))
    enc = draw(st.sampled_from(ENCODINGS))
    place = draw(st.sampled_from(places))
    pad = draw(st.binary(min_size=80, max_size=80))
    compression = draw(st.sampled_from([None, *COMPRESSORS])) if place.body else None
    header = draw(st.booleans())
    return dtype, norm, form, enc, place, pad, compression, header, ids


def run_case(case) -> None:
    dtype, norm, form, enc, place, pad, compression, header, ids = case
    encoded = enc.apply(form, pad)
    steps = _url_steps(enc, form)
    if place.free_url:
        pass  # the container's own URL-decoding is not a step
    elif place.name == "path" and quote(encoded, safe="") != encoded:
        steps = ("url", *steps)
    built = place.build(encoded)
    chain = place.chain
    det = Detector(ids)
    if isinstance(built, bytes):
        data = built
        headers = {}
        if header and place.name.startswith("form"):
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif header and place.name == "multipart":
            headers["Content-Type"] = "multipart/form-data; boundary=b0undary"
        if compression:
            data = COMPRESSORS[compression](data)
            chain = (compression, *chain)
            if header:
                headers["Content-Encoding"] = compression
        result = det.scan_flow(flow(body=data, headers=headers))
    else:
        result = det.scan_flow(built)
    encoding = ">".join(chain + steps) or "plain"
    found = hits(
        result, data_type=dtype.value, source="value", value=norm, where=place.where, encoding=encoding, direction=place.direction
    )
    assert found, (
        f"{dtype} {norm!r} as {form!r} via {enc.name} in {place.name} ({compression}); want {encoding} at {place.where}\n{describe(result)}"
    )


@settings(max_examples=EXAMPLES * 3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_value_found_with_type_chain_and_place(case) -> None:
    run_case(case)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases([p for p in PLACES if p.body]))
def test_compressed_bodies(case) -> None:
    run_case(case)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.floats(-89.9, 89.9),
    st.floats(-179.9, 179.9),
    st.integers(3, 7),
    st.sampled_from(["numbers", "strings", "pair string", "lon,lat string", "query", "list"]),
    st.floats(-0.00049, 0.00049),
)
def test_location_found_within_tolerance(lat: float, lon: float, decimals: int, kind: str, jitter: float) -> None:
    if abs(lat) < 1 and abs(lon) < 1:
        lat += 10
    ids = Identifiers()
    ids.add_location(lat, lon)
    a, b = f"{lat + jitter:.{decimals}f}", f"{lon - jitter:.{decimals}f}"
    record = {
        "numbers": flow(body=f'{{"loc": {{"lat": {a}, "lng": {b}}}, "t": 1}}'.encode()),
        "strings": flow(body=json.dumps({"latitude": a, "longitude": b}).encode()),
        "pair string": flow(body=json.dumps({"gps": f"{a},{b}"}).encode()),
        "lon,lat string": flow(body=json.dumps({"location": f"{b},{a}"}).encode()),
        "query": flow(f"https://m.example.cn/poi?lat={a}&lon={b}"),
        "list": flow(body=f'{{"p": [{a}, {b}]}}'.encode()),
    }[kind]
    result = Detector(ids, patterns=False).scan_flow(record)
    assert hits(result, data_type="location", source="value"), f"{kind} {a},{b} vs {lat},{lon}\n{describe(result)}"
