"""The encoded forms of known values, and the small parsers the scanner relies on."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from piaudit.policies.detect import excerpt, forms, needles_for, render_where
from piaudit.policies.detect.structure import form_fields, header_fields, json_path, looks_like_form, protobuf_leaves
from piaudit.policies.detect.variants import base64_cores
from piaudit.policies.vocab import DataType
from tests.policies.detect.helpers import pb_field


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=8, max_size=40), st.binary(max_size=20), st.binary(max_size=20))
def test_a_base64_core_is_in_every_blob_holding_the_value(value: bytes, before: bytes, after: bytes) -> None:
    blob = base64.b64encode(before + value + after).decode()
    assert any(core in blob or core in blob.replace("+", "-").replace("/", "_") for core in base64_cores(value))


@pytest.mark.parametrize(
    ("data_type", "value", "expected"),
    [
        (
            DataType.mac,
            "02:1a:11:f4:3b:9c",
            {"02:1a:11:f4:3b:9c", "02:1A:11:F4:3B:9C", "02-1a-11-f4-3b-9c", "021a11f43b9c", "021A11F43B9C"},
        ),
        (DataType.imei, "490154203237518", {"490154203237518", "49015420323751"}),
        (DataType.imei, "49015420323751", {"49015420323751", "490154203237518"}),
        (DataType.imei, "4901542032375101", {"4901542032375101", "490154203237518", "49015420323751"}),
        (DataType.phone, "13912345678", {"13912345678", "+8613912345678", "8613912345678"}),
        (DataType.phone, "+8613912345678", {"+8613912345678", "8613912345678", "13912345678", "008613912345678"}),
        (
            DataType.ad_id,
            "38400000-8cf0-11bd-b23e-10b96e40000d",
            {"384000008cf011bdb23e10b96e40000d", "38400000-8CF0-11BD-B23E-10B96E40000D"},
        ),
        (DataType.installed_apps, "com.tencent.mm", {"com.tencent.mm"}),
    ],
)
def test_forms(data_type: DataType, value: str, expected: set[str]) -> None:
    got = forms(data_type, value)
    assert got[0] == value and expected <= set(got)


def test_needles_carry_their_chain() -> None:
    chains = {n.chain for _, n in needles_for(DataType.android_id, "9774d56d682e549c")}
    assert {(), ("hex",), ("base64",), ("md5",), ("sha1",), ("sha256",), ("base64", "md5"), ("base64", "sha256")} <= chains
    listed = list(needles_for(DataType.installed_apps, "com.tencent.mm"))
    assert len(listed) == 1 and listed[0][1].listed


@pytest.mark.parametrize(
    ("segments", "where"),
    [
        ([("body", "place")], "body"),
        ([("body", "place"), ("$.a", "json")], "body:$.a"),
        ([("body", "place"), ("data", "form"), ("$.aid", "json")], "form:data>$.aid"),
        ([("body", "place"), ("meta", "multipart"), ("$.x", "json")], "multipart:meta>$.x"),
        ([("query:d", "place"), ("$.mac", "json")], "query:d>$.mac"),
        ([("ws:3", "place"), ("k", "form")], "ws:3>k"),
    ],
)
def test_render_where(segments, where: str) -> None:
    assert render_where(segments) == where


def test_json_path_quotes_odd_keys() -> None:
    assert json_path(("device", "ids", 0)) == "$.device.ids[0]"
    assert json_path(("a b", "x-y", "ok_1")) == "$['a b']['x-y'].ok_1"


def test_excerpt_is_short_marked_and_shows_binary_as_hex() -> None:
    text = b"x" * 500 + b"MATCH" + b"y" * 500
    e = excerpt(text, 500, 505)
    assert "[[MATCH]]" in e and len(e) <= 124 and e.startswith("…") and e.endswith("…")
    assert "[[0001ff]]" in excerpt(b"ab\x00\x01\xffcd", 2, 5)


@pytest.mark.parametrize(
    ("data", "form"),
    [
        (b"a=1&b=2", True),
        (b"imei=3598", True),
        (b"QUJDRA==", False),
        (b'{"a":"b=c"}', False),
        (b"hello world", False),
        (b"a=1 b=2", False),
    ],
)
def test_looks_like_form(data: bytes, form: bool) -> None:
    assert looks_like_form(data) is form


def test_field_ranges_point_into_the_raw_text() -> None:
    raw = b"a=1&mac=02%3A1a&&x=%7B%7D"
    for start, end, name, _, seg in form_fields(raw):
        assert raw[start:end].startswith(name.encode())
        assert seg == (name, "form")
    batch = b"/p/x?q=1&r=2\nCookie: a=1; uid=abc\nX-Id: 7"
    fields = {seg[0]: (value, batch[start:end]) for start, end, _, value, seg in header_fields(batch, with_url=True)}
    assert fields["path"][0] == b"/p/x" and fields["query:r"][0] == b"2"
    assert fields["cookie:uid"] == (b"abc", b" uid=abc") and fields["header:X-Id"][0] == b"7"


def test_protobuf_leaves_open_nested_messages_and_refuse_garbage() -> None:
    msg = pb_field(1, 150) + pb_field(2, pb_field(1, b"Pixel 7") + pb_field(2, b"\x00\x01binary")) + pb_field(3, b"plain text")
    assert protobuf_leaves(msg) == [("$.3", b"plain text"), ("$.2.1", b"Pixel 7"), ("$.2.2", b"\x00\x01binary")]
    assert protobuf_leaves(b'{"json": true}') is None
    assert protobuf_leaves(os.urandom(2000)) is None
