"""Malformed input never raises out of the detector, and big input stays bounded (with a note)."""

from __future__ import annotations

import gzip
import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piaudit.policies.detect import Detector, Limits
from tests.policies.detect.helpers import COMPRESSORS, VALUES, b64, describe, detector, flow, hits, pb_field

IMEI = VALUES["imei"]
BODY = json.dumps({"device": {"imei": IMEI, "model": "Pixel 7"}, "pad": "abc" * 100}).encode()


@pytest.mark.parametrize("header", [True, False])
def test_truncated_gzip_scans_what_decodes(header: bool) -> None:
    data = gzip.compress(BODY)[:-30]
    result = detector().scan_bytes(data, "body", headers={"Content-Encoding": "gzip"} if header else None)
    assert any("truncated" in n for n in result.notes), result.notes
    assert hits(result, data_type="imei", encoding="gzip"), describe(result)  # prefix decoded, JSON incomplete


def test_wrong_content_encoding_is_noted_and_the_body_still_scanned() -> None:
    result = detector().scan_bytes(BODY, "body", headers={"Content-Encoding": "br"})
    assert any("did not decode" in n for n in result.notes)
    assert hits(result, data_type="imei", encoding="json"), describe(result)


def test_unknown_content_encoding() -> None:
    result = detector().scan_bytes(BODY, "body", headers={"Content-Encoding": "x-custom"})
    assert hits(result, data_type="imei") and result.notes


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": "' + IMEI.encode() + b'", "b": [1, 2',  # truncated JSON
        b'{"a": "%ZZ%4" , "b": "QUJD$$$==="}' + IMEI.encode(),  # invalid URL escape and base64
        b"eyJhbGciOi.eyJzdWIi.sig " + IMEI.encode(),  # broken JWT
        b'{"k": "' + b64(b"\x00\x01" * 40).encode()[:-3] + b'"} ' + IMEI.encode(),
        b"\x1f\x8b\x08\x00garbage" + IMEI.encode(),  # gzip magic, not gzip
        b"\x28\xb5\x2f\xfd garbage " + IMEI.encode(),  # zstd magic, not zstd
        b"--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\n" + IMEI.encode(),  # unterminated multipart
        "中文文本 ".encode("gbk") + IMEI.encode() + b" \xff\xfe\xfd",  # not UTF-8
        pb_field(1, b"abc")[:-1] + IMEI.encode(),  # truncated protobuf
    ],
)
def test_malformed_input_still_finds_the_plain_value(data: bytes) -> None:
    result = detector().scan_bytes(data, "body")
    assert hits(result, data_type="imei"), describe(result)


@pytest.mark.parametrize(
    "ctype",
    ["application/json", "application/x-protobuf", "multipart/form-data; boundary=zz", "application/x-www-form-urlencoded", ""],
)
@pytest.mark.parametrize("cenc", ["", "gzip", "br", "deflate", "zstd", "gzip, br"])
def test_binary_garbage_with_any_headers(ctype: str, cenc: str) -> None:
    data = os.urandom(5000)
    result = detector().scan_bytes(data, "body", headers={"Content-Type": ctype, "Content-Encoding": cenc})
    assert not hits(result, source="value")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.binary(max_size=3000),
    st.sampled_from(["", "gzip", "deflate", "br", "zstd"]),
    st.sampled_from(["", "application/json", "multipart/mixed; boundary=a"]),
)
def test_fuzz_never_raises(data: bytes, cenc: str, ctype: str) -> None:
    det = _FUZZ
    det.scan_bytes(data, "body", headers={"Content-Encoding": cenc, "Content-Type": ctype})
    det.scan_flow(flow("https://x.example/a?" + data.decode("latin-1")[:200], body=data, response=data, messages=[(True, data)]))


_FUZZ = detector()


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=1, max_value=2000), st.sampled_from(list(COMPRESSORS)), st.booleans())
def test_fuzz_truncated_and_mutated_encodings(cut: int, method: str, flip: bool) -> None:
    payload = json.dumps({"d": b64(json.dumps({"imei": IMEI, "x": "y" * 300}).encode()), "n": list(range(50))}).encode()
    data = bytearray(COMPRESSORS[method](payload))
    data = data[: max(1, len(data) - cut % len(data))]
    if flip and len(data) > 10:
        data[len(data) // 2] ^= 0xFF
    _FUZZ.scan_bytes(bytes(data), "body", headers={"Content-Encoding": method})


def test_fifty_megabytes_is_bounded_and_noted() -> None:
    big = os.urandom(1 << 20) * 50
    start = time.process_time()
    result = detector().scan_bytes(big, "body")
    elapsed = time.process_time() - start
    assert any("size limit" in n for n in result.notes), result.notes
    assert elapsed < 20, elapsed
    text = (BODY.replace(IMEI.encode(), b"0" * 15) + b"\n") * (50 * 1024 * 1024 // (len(BODY) + 1))
    start = time.process_time()
    result = detector().scan_bytes(text, "body")
    elapsed = time.process_time() - start
    assert any("size limit" in n for n in result.notes)
    assert elapsed < 20, elapsed
    print(f"\n50 MB binary and 50 MB text bodies: last scan {elapsed:.1f} s CPU")


def test_decompression_bomb_is_cut_with_a_note() -> None:
    bomb = gzip.compress(b"0" * (64 << 20))
    result = Detector(limits=Limits(max_decoded_bytes=4 << 20)).scan_bytes(bomb, "body")
    assert any("output limit" in n for n in result.notes), result.notes
