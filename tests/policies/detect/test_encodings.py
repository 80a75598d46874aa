"""One test per encoding: the value is found with the right type, chain and place."""

from __future__ import annotations

import json
import os
import zlib

import pytest

from piaudit.policies.detect import Detector
from tests.policies.detect.helpers import COMPRESSORS, VALUES, b64, describe, detector, digest, flow, hits, jwt, pb_field, url

IMEI, MAC, AID, ADID = VALUES["imei"], VALUES["mac"], VALUES["android_id"], VALUES["ad_id"]
MAC_BARE_UPPER = MAC.replace(":", "").upper()


def body_json(value: str, key: str = "v") -> bytes:
    return json.dumps({"device": {"os": "android", key: value}}).encode()


CASES = {
    # case: (data type, text placed at body:$.device.v, expected encoding)
    "plain": ("imei", IMEI, "json"),
    "upper": ("android_id", AID.upper(), "json"),
    "mac colon upper": ("mac", MAC.upper(), "json"),
    "mac dash": ("mac", MAC.replace(":", "-"), "json"),
    "mac bare": ("mac", MAC.replace(":", ""), "json"),
    "mac bare upper": ("mac", MAC_BARE_UPPER, "json"),
    "imei 14 digits": ("imei", IMEI[:14], "json"),
    "url once": ("mac", url(MAC), "json>url"),
    "url twice": ("mac", url(MAC, 2), "json>url>url"),
    "base64": ("imei", b64(IMEI.encode()), "json>base64"),
    "base64 no padding": ("android_id", b64(AID.encode(), pad=False), "json>base64"),
    "base64url": ("ad_id", b64(ADID.encode() + b"\xfb\xff", url=True), "json>base64"),
    "base64url no padding": ("ad_id", b64(ADID.encode(), url=True, pad=False), "json>base64"),
    "hex": ("android_id", AID.encode().hex(), "json>hex"),
    "hex upper": ("imei", IMEI.encode().hex().upper(), "json>hex"),
    "md5": ("imei", digest("md5", IMEI), "json>md5"),
    "md5 upper": ("imei", digest("md5", IMEI, "HEX"), "json>md5"),
    "sha1": ("android_id", digest("sha1", AID), "json>sha1"),
    "sha256 upper": ("android_id", digest("sha256", AID, "HEX"), "json>sha256"),
    "md5 base64": ("imei", digest("md5", IMEI, "b64"), "json>base64>md5"),
    "sha256 base64url": ("imei", digest("sha256", IMEI, "b64url"), "json>base64>sha256"),
    "md5 of normalised mac": ("mac", digest("md5", MAC_BARE_UPPER), "json>md5"),
    "sha1 of mac dash upper": ("mac", digest("sha1", MAC.replace(":", "-").upper()), "json>sha1"),
    "base64 of md5 hex": ("imei", b64(digest("md5", IMEI).encode()), "json>base64>md5"),
    "base64 json": ("imei", b64(json.dumps({"imei": IMEI}).encode()), "json>base64>json"),
    "jwt": ("mac", jwt({"sub": "u1", "mac": MAC.upper()}), "json>jwt>json"),
    "url json": ("android_id", url(json.dumps({"aid": AID})), "json>url>json"),
    "md5 in base64 json": ("mac", b64(json.dumps({"h": digest("md5", MAC)}).encode()), "json>base64>json>md5"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_encoding_in_json_body(case: str) -> None:
    data_type, text, encoding = CASES[case]
    result = detector().scan_bytes(body_json(text), "body")
    assert hits(result, data_type=data_type, source="value", encoding=encoding), describe(result)


@pytest.mark.parametrize("align", [0, 1, 2])
@pytest.mark.parametrize("urlsafe", [False, True])
def test_value_inside_a_larger_base64_blob(align: int, urlsafe: bool) -> None:
    blob = os.urandom(30 + align) + IMEI.encode() + os.urandom(41)
    result = detector().scan_bytes(body_json(b64(blob, url=urlsafe, pad=False), "blob"), "body")
    # random bytes around the value sometimes also parse as protobuf framing (about 1 in 1,000):
    # then the detector names the field inside the blob, which is as right
    found = [d for d in hits(result, data_type="imei", source="value") if d.where.startswith("body:$.device.blob")]
    assert found and found[0].encoding.startswith("json>base64"), describe(result)


@pytest.mark.parametrize("method", list(COMPRESSORS))
@pytest.mark.parametrize("with_header", [True, False])
def test_compressed_body(method: str, with_header: bool) -> None:
    body = COMPRESSORS[method](json.dumps({"d": {"imei": IMEI}, "pad": "x" * 200}).encode())
    headers = {"Content-Encoding": method} if with_header else {}
    result = detector().scan_bytes(body, "body", headers=headers)
    assert hits(result, data_type="imei", encoding=f"{method}>json", where="body:$.d.imei"), describe(result)


def test_raw_deflate_with_header() -> None:
    raw = zlib.compressobj(wbits=-15)
    body = raw.compress(body_json(IMEI)) + raw.flush()
    result = detector().scan_bytes(body, "body", headers={"Content-Encoding": "deflate"})
    assert hits(result, data_type="imei", encoding="deflate>json"), describe(result)


def test_chain_of_everything() -> None:
    inner = json.dumps({"ids": [digest("md5", MAC.replace(":", "").upper(), "b64")]}).encode()
    body = COMPRESSORS["gzip"](json.dumps({"device": {"payload": b64(inner)}}).encode())
    result = detector().scan_bytes(body, "body")
    found = hits(result, data_type="mac")
    assert [(d.encoding, d.where) for d in found] == [("gzip>json>base64>json>base64>md5", "body:$.device.payload>$.ids[0]")]


def test_form_body_with_url_encoded_json_field() -> None:
    body = ("appkey=k1&data=" + url(json.dumps({"aid": AID, "n": 1}))).encode()
    result = detector().scan_bytes(body, "body", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert [(d.encoding, d.where) for d in hits(result, data_type="android_id")] == [("form>json", "form:data>$.aid")]


def test_form_body_without_content_type() -> None:
    result = detector().scan_bytes(f"a=1&imei={IMEI}&mac={url(MAC)}".encode(), "body")
    assert hits(result, data_type="imei", encoding="form", where="form:imei"), describe(result)
    assert hits(result, data_type="mac", encoding="form", where="form:mac"), describe(result)


def test_multipart_parts() -> None:
    boundary = "----piaudit7MA4YWxkTrZu0gW"
    parts = [
        ("meta", "application/json", json.dumps({"device": {"imei": IMEI}}).encode()),
        ("log", "application/gzip", COMPRESSORS["gzip"](f"mac={MAC}\n".encode())),
    ]
    body = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{n}"\r\nContent-Type: {t}\r\n\r\n'.encode() + p + b"\r\n"
            for n, t, p in parts
        )
        + f"--{boundary}--\r\n".encode()
    )
    result = detector().scan_bytes(body, "body", headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert hits(result, data_type="imei", encoding="multipart>json", where="multipart:meta>$.device.imei"), describe(result)
    assert hits(result, data_type="mac", encoding="multipart>gzip>form", where="multipart:log>mac"), describe(result)


def test_protobuf_length_delimited_fields() -> None:
    device = pb_field(1, b"Pixel 7") + pb_field(2, AID.encode()) + pb_field(3, 13)
    body = pb_field(1, 1700000000) + pb_field(2, device) + pb_field(5, b64(IMEI.encode()).encode())
    result = detector().scan_bytes(body, "body", headers={"Content-Type": "application/x-protobuf"})
    assert hits(result, data_type="android_id", encoding="protobuf", where="body:$.2.2"), describe(result)
    assert hits(result, data_type="imei", encoding="protobuf>base64", where="body:$.5"), describe(result)


def test_base64_wrapped_json_body() -> None:
    result = detector().scan_bytes(b64(json.dumps({"ad": {"gaid": ADID}}).encode()).encode(), "body")
    assert hits(result, data_type="ad_id", encoding="base64>json", where="body:$.ad.gaid"), describe(result)


def test_json_escaped_slash_and_unicode() -> None:
    value = b64(b"\xff\xfe" + IMEI.encode() + b"\xfb")  # contains '/' and '+'
    body = json.dumps({"k": value}).replace("/", "\\/").encode()
    result = detector().scan_bytes(body, "body")
    assert hits(result, data_type="imei", where="body:$.k"), describe(result)


def test_non_ascii_value_utf8_and_json_escape() -> None:
    det = detector()
    det.identifiers.add("ssid", "我的WiFi-家")
    for body in (json.dumps({"ssid": "我的WiFi-家"}, ensure_ascii=False).encode(), json.dumps({"ssid": "我的WiFi-家"}).encode()):
        result = det.scan_bytes(body, "body")
        assert hits(result, data_type="ssid", value="我的WiFi-家", where="body:$.ssid"), describe(result)


@pytest.mark.parametrize(
    ("text", "lat_lon"),
    [
        ('{"lat": 39.9042, "lon": 116.4074}', "separate numbers"),
        ('{"latitude": "39.904", "longitude": "116.407"}', "separate strings, 3 decimals"),
        ('{"loc": "39.90421,116.40738"}', "one string"),
        ('{"gps": "116.4074,39.9042"}', "lon,lat order"),
        ('{"pos": [39.9043, 116.4071]}', "a pair list"),
    ],
)
def test_location_within_tolerance(text: str, lat_lon: str) -> None:
    result = detector().scan_bytes(text.encode(), "body")
    assert hits(result, data_type="location", source="value", value="39.9042,116.4074"), f"{lat_lon}: {describe(result)}"


@pytest.mark.parametrize(
    "text",
    ['{"lat": 39.91, "lon": 116.41}', '{"lat": 39.9142, "lon": 116.4074}', '{"lat": 39.9042}', '{"x": "39.9042"}'],
)
def test_location_not_matched(text: str) -> None:
    result = detector(patterns=False).scan_bytes(text.encode(), "body")
    assert not hits(result, data_type="location"), describe(result)


def test_location_in_query_fields() -> None:
    result = detector().scan_flow(flow("https://m.example.com/poi?lat=39.9041&lng=116.4075&r=500"))
    assert hits(result, data_type="location", source="value", where="query:lat"), describe(result)


# A length or tag byte of binary framing can be a character of the encoding of the text it frames.
# 0x25 is '%': with the text's first two hex digits it reads as an escape that eats them (a MAC
# URL-encoded twice is 37 bytes long). 0x68 is 'h': glued to a base64 run, it shifts its alignment.
BLOB = b64(b"\x80" * 32 + b"00000A" + b"\x80" * 40)  # 104 characters; "00000A" too short for base64 needles
FRAMED = {
    # case: (data type, value, message, expected encoding)
    "hypothesis example": (
        "bluetooth_mac",
        "00:00:00:00:01:02",
        b"\x01\x02" + pb_field(3, url("00:00:00:00:01:02", 2).encode()),
        "url>url",
    ),
    "protobuf length": ("mac", MAC, b"\x01\x02" + pb_field(3, url(MAC, 2).encode()), "url>url"),
    "protobuf field 1 (tag 0x0a, a line feed)": ("mac", MAC, b"\x01\x02" + pb_field(1, url(MAC, 2).encode()), "url>url"),
    "type and two-byte length": ("mac", MAC, b"\x00\x07" + len(url(MAC, 2)).to_bytes(2) + url(MAC, 2).encode(), "url>url"),
    "long protobuf field number": ("mac", MAC, b"\x01\x02" + pb_field(20, url(MAC, 2).encode()), "url>url"),
    "real escape after a length byte": ("mac", MAC, b"\x01\x02" + pb_field(3, url(f'"{MAC}"').encode()), "url"),
    "base64 after a length byte 'h'": ("ssid", "00000A", b"\x01\x02" + pb_field(3, BLOB.encode()), "base64"),
}


@pytest.mark.parametrize("case", list(FRAMED))
def test_encoded_text_after_binary_framing(case: str) -> None:
    data_type, value, message, encoding = FRAMED[case]
    det = detector()
    det.identifiers.add(data_type, value)
    result = det.scan_flow(flow(kind="udp", messages=[(False, b"x"), (True, message)]))
    assert hits(result, data_type=data_type, value=value, encoding=encoding, where="udp:1", direction="message"), describe(result)


def test_texty_protobuf_whose_first_field_length_is_a_base64_character() -> None:
    payload = b64(json.dumps({"imei": IMEI, "t": 1}).encode())  # 48 characters: the length byte is '0'
    body = pb_field(1, payload.encode()) + pb_field(2, b"hello world")  # starts "\n0eyJ": text but for one byte
    result = Detector().scan_flow(flow(body=body))
    found = hits(result, data_type="imei", source="pattern", encoding="protobuf>base64>json", where="body:$.1>$.imei")
    assert found, describe(result)
