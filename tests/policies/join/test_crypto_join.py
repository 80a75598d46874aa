"""The crypto join: an op's input is scanned where its output travels (chain step ``cipher:<algorithm>``).

Property-based: random identifiers inside random records, compressed or not, encrypted with a real
AES (CBC, GCM), wrapped as SDKs wrap them (raw bytes, base64 in JSON, hex in a form, gzip around
JSON...) — found with the right chain; decoys that share a prefix with an output, ops made after
the flow, ops of another process, and bytes that start like an output then differ never join.
"""

from __future__ import annotations

import gzip
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piaudit.policies.identifiers import luhn_digit
from piaudit.policies.join.crypto import CLOCK_SLACK, MAX_PER_KEY, MIN_JOIN, OpIndex, join_step
from piaudit.policies.pipeline import request_end
from tests.policies.join.helpers import CIPHERS, WRAPPINGS, detector, flow, op

EXAMPLES = 150
IMEI_BODY = st.text("0123456789", min_size=12, max_size=12).map(lambda s: "86" + s).map(lambda p: p + luhn_digit(p))


def record(imei: str, extra: dict) -> bytes:
    return json.dumps({"header": {"appkey": "5f1a", "imei": imei}, "body": extra}, ensure_ascii=False).encode()


EXTRA = st.dictionaries(st.text("abcdefghij", min_size=1, max_size=6), st.text(max_size=30), max_size=5)


def scan(index: OpIndex, body: bytes, ctype: str, values: dict, *, time: float = 101.0, pid: int | None = 1234):
    f = flow(body, ctype, time=time)
    return detector(**values).scan_flow(f, plaintexts=index.view(pid=pid, not_after=request_end(f)))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    imei=IMEI_BODY,
    extra=EXTRA,
    compress=st.booleans(),
    algorithm=st.sampled_from(sorted(CIPHERS)),
    wrap=st.sampled_from(WRAPPINGS),
    before=st.floats(0.0, 600.0),
)
def test_found_through_the_cipher_with_its_chain(imei, extra, compress, algorithm, wrap, before):
    plain = record(imei, extra)
    data_in = gzip.compress(plain) if compress else plain
    ct = CIPHERS[algorithm](data_in)
    index = OpIndex()
    index.add(op(7, data_in, ct, algorithm=algorithm, time=101.0 - before))
    body, ctype, outer = wrap(ct)
    found = [d for d in scan(index, body, ctype, {"imei": imei}).detections if d.data_type == "imei" and d.value == imei]
    assert found, (wrap.__name__, algorithm)
    inner = ("gzip>" if compress else "") + "json"
    assert any(d.encoding == f"{outer}cipher:{algorithm}>{inner}" for d in found), [d.encoding for d in found]
    assert all(d.crypto_ops == [7] for d in found)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(imei=IMEI_BODY, decoy=IMEI_BODY, shared=st.integers(MIN_JOIN, 40), wrap=st.sampled_from(WRAPPINGS))
def test_a_decoy_sharing_a_prefix_never_joins(imei, decoy, shared, wrap):
    """An op whose output begins like the flow's bytes and then differs: its input is not scanned."""
    if imei == decoy:
        return
    ct = CIPHERS["AES/CBC/PKCS5Padding"](record(imei, {}))
    shared = min(shared, len(ct) - 1)
    fake = ct[:shared] + bytes([ct[shared] ^ 0xFF]) + os.urandom(len(ct) - shared - 1)
    index = OpIndex()
    index.add(op(1, record(decoy, {}), fake))  # the decoy: an op the flow does NOT carry
    body, ctype, _ = wrap(ct)
    result = scan(index, body, ctype, {"imei": decoy})
    assert not [d for d in result.detections if d.value == decoy]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(imei=IMEI_BODY, after=st.floats(CLOCK_SLACK + 0.001, 3600.0), wrap=st.sampled_from(WRAPPINGS))
def test_an_op_after_the_flow_never_joins(imei, after, wrap):
    data_in = record(imei, {})
    ct = CIPHERS["AES/GCM/NoPadding"](data_in)
    index = OpIndex()
    f_time = 101.0
    index.add(op(3, data_in, ct, algorithm="AES/GCM/NoPadding", time=f_time + 0.01 + after))
    body, ctype, _ = wrap(ct)
    assert not [d for d in scan(index, body, ctype, {"imei": imei}, time=f_time).detections if d.value == imei]


@settings(max_examples=60, deadline=None)
@given(imei=IMEI_BODY, wrap=st.sampled_from(WRAPPINGS))
def test_an_op_of_another_process_never_joins(imei, wrap):
    data_in = record(imei, {})
    ct = CIPHERS["AES/CBC/PKCS5Padding"](data_in)
    index = OpIndex()
    index.add(op(3, data_in, ct, pid=999))
    body, ctype, _ = wrap(ct)
    assert not scan(index, body, ctype, {"imei": imei}, pid=1234).detections
    assert scan(index, body, ctype, {"imei": imei}, pid=999).detections  # its own process: joined
    assert scan(index, body, ctype, {"imei": imei}, pid=None).detections  # process not known: any


IMEI = "867530912345673"


def test_the_issue_chain_for_an_umeng_like_envelope():
    """JSON -> gzip -> AES/CBC -> base64 in a JSON field: json>base64>cipher:AES/CBC/PKCS5Padding>gzip>json."""
    data_in = gzip.compress(record(IMEI, {"event": "launch"}))
    ct = CIPHERS["AES/CBC/PKCS5Padding"](data_in)
    index = OpIndex()
    index.add(op(12, data_in, ct))
    body, ctype, _ = WRAPPINGS[1](ct)
    (d,) = scan(index, body, ctype, {"imei": IMEI}).detections
    assert (d.encoding, d.where, d.crypto_ops) == ("json>base64>cipher:AES/CBC/PKCS5Padding>gzip>json", "body:$.envelope>$.header.imei", [12])
    assert "[[867530912345673]]" in d.excerpt


def test_a_capped_output_joins_by_its_beginning_and_says_the_input_was_cut():
    big = record(IMEI, {"pad": "x" * 200_000})
    ct = CIPHERS["AES/CBC/PKCS5Padding"](big)
    index = OpIndex()
    index.add(op(5, big, ct, cap=65536))
    result = scan(index, ct, "application/octet-stream", {"imei": IMEI})
    assert [d.crypto_ops for d in result.detections] == [[5]]
    assert any("captured in part" in n for n in result.notes)


def test_a_body_cut_short_joins_when_it_ends_inside_the_output():
    data_in = record(IMEI, {"k": "v" * 100})
    ct = CIPHERS["AES/CBC/PKCS5Padding"](data_in)
    index = OpIndex()
    index.add(op(5, data_in, ct))
    view = index.view(pid=None, not_after=200.0)
    assert [(j.start, j.end) for j in view.find(ct[:40])] == [(0, 40)]
    assert view.find(ct[:MIN_JOIN - 1]) == []
    assert view.find(ct[:40] + b"tail") == []  # the bytes go on and differ: not the output


def test_short_outputs_are_not_indexed():
    index = OpIndex()
    assert not index.add(op(1, b"imei", b"0123456789abcde"))  # 15 bytes
    assert not index.add(op(2, b"x", b"y" * 32, kind="digest"))  # not a joinable op
    assert index.add(op(3, b"x", b"y" * 32, kind="encode", algorithm="base64"))


def test_compress_and_encode_joins_add_nothing_the_detector_finds_itself():
    """A gzip op whose output the detector decompresses itself: one detection, without a cipher: step."""
    plain = record(IMEI, {})
    packed = gzip.compress(plain, mtime=0)
    index = OpIndex()
    index.add(op(4, plain, packed, kind="compress", algorithm="gzip"))
    result = scan(index, packed, "application/octet-stream", {"imei": IMEI})
    assert [(d.encoding, d.crypto_ops) for d in result.detections] == [("gzip>json", [])]


def test_a_custom_alphabet_encoder_is_undone_only_by_the_join():
    import base64

    swap = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    plain = record(IMEI, {})
    encoded = base64.b64encode(plain).translate(swap)
    body = json.dumps({"d": encoded.decode()}).encode()
    assert not scan(OpIndex(), body, "application/json", {"imei": IMEI}).detections
    index = OpIndex()
    index.add(op(9, plain, encoded, kind="encode", algorithm="CustomBase64"))
    (d,) = scan(index, body, "application/json", {"imei": IMEI}).detections
    assert (d.encoding, d.where, d.crypto_ops) == ("json>cipher:CustomBase64>json", "body:$.d>$.header.imei", [9])


def test_nested_joins_chain_both_steps():
    """An encoder applied to a ciphertext: both ops' steps, outermost first."""
    plain = record(IMEI, {})
    ct = CIPHERS["AES/GCM/NoPadding"](plain)
    wrapped = bytes(reversed(ct)) + b"!"  # an encoding the detector cannot undo
    index = OpIndex()
    index.add(op(1, plain, ct, algorithm="AES/GCM/NoPadding"))
    index.add(op(2, ct, wrapped, kind="encode", algorithm="Reverse"))
    (d,) = scan(index, wrapped, "application/octet-stream", {"imei": IMEI}).detections
    assert (d.encoding, d.crypto_ops) == ("cipher:Reverse>cipher:AES/GCM/NoPadding>json", [2, 1])


def test_responses_are_not_joined():
    plain = record(IMEI, {})
    ct = CIPHERS["AES/CBC/PKCS5Padding"](plain)
    index = OpIndex()
    index.add(op(1, plain, ct))
    f = flow(b"{}", "application/json")
    f.response_body = ct
    assert not detector(imei=IMEI).scan_flow(f, plaintexts=index.view(pid=None, not_after=200.0)).detections


def test_the_step_names_the_algorithm_or_the_op():
    assert join_step(op(1, b"a", b"b" * 16, algorithm="AES/CBC/PKCS5Padding")) == "cipher:AES/CBC/PKCS5Padding"
    assert join_step(op(1, b"a", b"b" * 16, algorithm="", kind="compress")) == "cipher:compress"


class TestIndex:
    def test_the_automata_stay_few_as_ops_arrive(self):
        """Keys added one by one are merged like a binary counter: O(log n) automata."""
        index = OpIndex()
        for i in range(1, 3001):
            index.add(op(i, b"in", os.urandom(32), time=float(i)))
            if i % 97 == 0:
                list(index.candidates(b"x" * 64))  # a search builds the pending keys
        list(index.candidates(b"x" * 64))
        assert len(index._tiers) <= 12
        assert sum(len(t.keys) for t in index._tiers) == 3000

    def test_every_op_stays_findable_through_merges(self):
        index = OpIndex()
        outputs = []
        for i in range(1, 600):
            out = os.urandom(48)
            outputs.append(out)
            index.add(op(i, b"{}", out, time=float(i)))
            if i % 7 == 0:
                view = index.view(pid=None, not_after=1e9)
                assert [j.op.id for j in view.find(b"-" + outputs[i // 2] + b"-")] == [i // 2 + 1]
        view = index.view(pid=None, not_after=1e9)
        assert all([j.op.id for j in view.find(out)] == [n] for n, out in enumerate(outputs, start=1))

    def test_memory_is_bounded_oldest_first(self):
        index = OpIndex(max_bytes=10_000)
        for i in range(1, 101):
            index.add(op(i, os.urandom(100), os.urandom(100), time=float(i)))
        assert index.bytes <= 10_000 and index.dropped == 50
        view = index.view(pid=None, not_after=1e9)
        assert all(not j for j in (view.find(b"") for _ in range(1)))

    def test_identical_outputs_keep_the_most_recent(self):
        index = OpIndex()
        same = os.urandom(32)
        for i in range(1, MAX_PER_KEY + 11):
            index.add(op(i, b"in%d" % i, same, time=float(i)))
        (j,) = index.view(pid=None, not_after=1e9).find(same)
        assert j.op.id == MAX_PER_KEY + 10
        (j,) = index.view(pid=None, not_after=30.0).find(same)  # the latest op not after the flow
        assert j.op.id == 30
        assert index.dropped == 10


@pytest.mark.parametrize("wrap", WRAPPINGS, ids=lambda w: w.__name__)
def test_the_quiet_run_cache_does_not_hide_an_op_that_arrives_later(wrap):
    """A run scanned before its op was known is remembered as quiet; the op's arrival must undo that."""
    plain = record(IMEI, {})
    ct = CIPHERS["AES/CBC/PKCS5Padding"](plain)
    det = detector(imei=IMEI)
    body, ctype, _ = wrap(ct)
    index = OpIndex()
    index.add(op(1, b"unrelated" * 4, os.urandom(32)))
    f = flow(body, ctype)
    assert not det.scan_flow(f, plaintexts=index.view(pid=None, not_after=200.0)).detections
    index.add(op(2, plain, ct))
    assert det.scan_flow(f, plaintexts=index.view(pid=None, not_after=200.0)).detections
