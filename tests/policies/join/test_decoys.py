"""False joins on a decoy corpus: zero. Real ciphertexts among realistic traffic, and everything that
could be mistaken for them — the detection corpus's real-world bodies, random binary, bytes that begin
like an output and then differ, a truncated output in base64, ops made after their flow and ops of
another process with the very same output — scanned against one index holding all the ops."""

from __future__ import annotations

import base64
import gzip
import json
import os
import random
from pathlib import Path

from piaudit.policies.join.crypto import OpIndex
from piaudit.policies.models import FlowRecord, Header
from tests.policies.join.helpers import CIPHERS, detector, op

CORPUS = Path(__file__).resolve().parents[1] / "detect" / "corpus"
REAL, DECOY = "867530912345673", "490154203237518"
T = 1_000.0


def flow(fid: str, body: bytes, ctype: str = "application/octet-stream", time: float = T) -> FlowRecord:
    return FlowRecord(
        flow_id=fid, method="POST", url="https://x.example/u", request_body=body, timestamp_start=time,
        request_headers=[Header(name="Content-Type", value=ctype)], timings={"request_end": time + 0.01},
    )  # fmt: skip


def test_no_false_joins_on_the_decoy_corpus_and_every_real_one():
    rng = random.Random(13)
    index = OpIndex()
    real: list[tuple[int, bytes]] = []
    next_id = 1
    for n in range(120):  # the real ops: each a record with the REAL imei, sealed
        plain = gzip.compress(json.dumps({"header": {"imei": REAL, "n": n}}).encode(), mtime=0)
        ct = CIPHERS[rng.choice(sorted(CIPHERS))](plain)
        index.add(op(next_id, plain, ct, time=T - 1))
        real.append((next_id, ct))
        next_id += 1
    decoy_input = json.dumps({"imei": DECOY}).encode()
    for n in range(600):  # the decoy ops: their input names the DECOY imei; none may join
        _, ct = rng.choice(real)
        kind = n % 4
        if kind == 0:  # shares 16..len-1 bytes with a real output, then differs
            cut = rng.randint(16, len(ct) - 1)
            index.add(op(next_id, decoy_input, ct[:cut] + bytes([ct[cut] ^ 0xA5]) + os.urandom(8), time=T - 1))
        elif kind == 1:  # the same output, made after the flows
            index.add(op(next_id, decoy_input, ct, time=T + 5))
        elif kind == 2:  # the same output, another process
            index.add(op(next_id, decoy_input, ct, time=T - 1, pid=4321))
        else:  # unrelated
            index.add(op(next_id, decoy_input, os.urandom(rng.randint(16, 200)), time=T - 1))
        next_id += 1
    decoys = [p.read_bytes() for p in sorted(CORPUS.iterdir()) if p.suffix != ".py" and p.is_file()]
    decoys += [os.urandom(rng.randint(1, 5000)) for _ in range(200)]
    for _, ct in real:
        cut = rng.randint(16, len(ct) - 2)
        decoys.append(ct[:cut] + bytes([ct[cut] ^ 0x01]) + ct[cut + 1 :])  # one byte flipped
        decoys.append(base64.b64encode(ct[:cut] + b"\x00" * 16))  # a prefix, then other bytes
    det = detector(imei=REAL)
    det.identifiers.add("imei", DECOY)
    false = 0
    for i, body in enumerate(decoys):
        f = flow(f"d{i}", body)
        found = det.scan_flow(f, plaintexts=index.view(pid=1234, not_after=T + 0.01)).detections
        false += sum(1 for d in found if d.crypto_ops)
    assert false == 0, f"{false} false joins in {len(decoys)} decoy flows"
    joined = 0
    for i, (op_id, ct) in enumerate(real):
        body = json.dumps({"envelope": base64.b64encode(ct).decode()}).encode() if i % 2 else ct
        found = det.scan_flow(flow(f"r{i}", body, "application/json" if i % 2 else "application/octet-stream"), plaintexts=index.view(pid=1234, not_after=T + 0.01)).detections
        values = {(d.value, tuple(d.crypto_ops)) for d in found}
        assert (REAL, (op_id,)) in values and not [v for v in values if v[0] == DECOY]
        joined += 1
    assert joined == len(real)
