"""Every place a value can be: URL path and query, each header, cookies, bodies, messages, responses."""

from __future__ import annotations

import json

import pytest

from tests.policies.detect.helpers import VALUES, b64, describe, detector, flow, hits, jwt, url

IMEI, MAC, AID = VALUES["imei"], VALUES["mac"], VALUES["android_id"]


@pytest.mark.parametrize(
    ("record", "where", "encoding"),
    [
        (flow(f"https://t.example.com/v1/report/{IMEI}/x"), "path", "plain"),
        (flow(f"https://t.example.com/v1/{url(MAC)}"), "path", "url"),
        (flow(f"https://t.example.com/v1?imei={IMEI}&x=1"), "query:imei", "plain"),
        (flow(f"https://t.example.com/v1?x=1&m={url(MAC)}#frag"), "query:m", "plain"),
        (flow(f"https://t.example.com/v1?m={url(MAC, 2)}"), "query:m", "url"),
        (flow(f"https://t.example.com/v1?d={url(b64(json.dumps({'mac': MAC}).encode()))}"), "query:d>$.mac", "base64>json"),
        (flow(headers={"X-Device": f"android;{MAC.upper()}"}), "header:X-Device", "plain"),
        (flow(headers={"User-Agent": "okhttp/4.9", "X-Info": f"imei={IMEI}&os=13"}), "header:X-Info>imei", "form"),
        (flow(headers={"Authorization": "Bearer " + jwt({"mac": MAC})}), "header:Authorization>$.mac", "jwt>json"),
        (flow(headers={"Cookie": f"lang=zh; uid={AID}; t=1"}), "cookie:uid", "plain"),
        (flow(headers={"Cookie": f"d={b64(AID.encode())}"}), "cookie:d", "base64"),
        (flow(body=json.dumps({"device": {"ids": [MAC]}}).encode()), "body:$.device.ids[0]", "json"),
        (flow(body=f"imei={IMEI}".encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}), "form:imei", "form"),
        (flow(body=f"plain text with {AID} inside".encode()), "body", "plain"),
    ],
)
def test_request_places(record, where: str, encoding: str) -> None:
    result = detector().scan_flow(record)
    found = [(d.where, d.encoding, d.direction) for d in result.detections if d.source == "value"]
    assert (where, encoding, "request") in found, describe(result)


@pytest.mark.parametrize("kind", ["http", "tcp", "udp"])
def test_messages(kind: str) -> None:
    record = flow(
        kind=kind, messages=[(True, b"hello"), (True, json.dumps({"aid": AID}).encode()), (False, f"ack {IMEI}".encode())]
    )
    result = detector().scan_flow(record)
    prefix = "ws" if kind == "http" else kind
    assert hits(result, data_type="android_id", where=f"{prefix}:1>$.aid", direction="message"), describe(result)
    assert hits(result, data_type="imei", where=f"{prefix}:2", direction="response"), describe(result)


def test_response_is_a_separate_lower_priority_signal() -> None:
    record = flow(
        f"https://t.example.com/p?imei={IMEI}",
        response=json.dumps({"echo": {"aid": AID}}).encode(),
        response_headers={"Content-Type": "application/json", "Set-Cookie": f"sid={MAC}; Path=/; HttpOnly"},
    )
    result = detector().scan_flow(record)
    assert [(d.data_type.value, d.where, d.direction) for d in result.detections if d.source == "value"] == [
        ("imei", "query:imei", "request"),
        ("mac", "cookie:sid", "response"),
        ("android_id", "body:$.echo.aid", "response"),
    ]


def test_value_hits_before_pattern_hits_and_deduplicated() -> None:
    body = json.dumps({"a": IMEI, "b": IMEI, "c": [IMEI, IMEI], "email": "li.na@corp-mail.cn"}).encode()
    record = flow(f"https://t.example.com/?imei={IMEI}&imei={IMEI}", body=body, headers={"Content-Type": "application/json"})
    result = detector().scan_flow(record)
    sources = [d.source for d in result.detections]
    assert sources == sorted(sources, key=lambda s: s != "value"), describe(result)
    keys = [(d.data_type, d.value, d.where, d.encoding, d.direction) for d in result.detections]
    assert len(keys) == len(set(keys))
    assert sorted(d.where for d in hits(result, data_type="imei")) == [
        "body:$.a",
        "body:$.b",
        "body:$.c[0]",
        "body:$.c[1]",
        "query:imei",
    ]
    assert not hits(result, data_type="imei", source="pattern")  # the known value explains it
    assert hits(result, data_type="email", source="pattern", value="li.na@corp-mail.cn")


def test_excerpt_marks_the_match_and_is_short() -> None:
    body = json.dumps({"pad": "x" * 300, "imei": IMEI, "more": "y" * 300}).encode()
    d = hits(detector().scan_bytes(body, "body"), data_type="imei")[0]
    assert f"[[{IMEI}]]" in d.excerpt and len(d.excerpt) <= 130, d.excerpt


def test_scan_bytes_headers_give_hints() -> None:
    body = f"aid={AID}".encode()
    result = detector().scan_bytes(
        body, "ws:4", headers={"content-type": "application/x-www-form-urlencoded"}, direction="message"
    )
    assert [(d.where, d.encoding, d.direction) for d in result.detections] == [("ws:4>aid", "form", "message")]
