"""Benchmark: the crypto and sender joins' cost per flow in `piaudit replay`, and false joins on a decoy corpus.

    .venv/bin/python scripts/bench/bench_join.py [--flows 4000] [--ops 1000,20000] [--runs 3]

Cost: the same capture replayed (one worker, in-process, so the figure is the joiner's and not the
number of cores) without hook events and with an events file holding ``--ops`` crypto ops (one in
ten of them the real op behind an encrypted upload in the capture, the rest unrelated encryptions,
decoys that share a 16-byte prefix with a real output, ops made after their flow, and ops of another
process) plus an ``http:request`` per flow. Printed: seconds per flow each way, their ratio, and how
it moves when the number of ops grows (it must not grow with every op ever seen).

False joins: every flow of the decoy corpus (tests/policies/detect/corpus's realistic bodies, random
binary, and the decoy ciphertexts) scanned against the full index; a join there is false. Also the
join rate on the capture (encrypted uploads joined / encrypted uploads).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

IMEI = "867530912345673"
T0 = 1_764_340_000.0
STEP = 0.05


def aes(plain: bytes) -> bytes:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    padder = padding.PKCS7(128).padder()
    data = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(os.urandom(16)), modes.CBC(os.urandom(16))).encryptor()
    return enc.update(data) + enc.finalize()


def build(directory: Path, flows: int, ops: int, seed: int = 7) -> dict:
    """The capture and the events file; returns what was made."""
    from mitmproxy import io
    from mitmproxy.test import tflow

    from piaudit.policies.join.crypto import b64
    from piaudit.policies.models import CryptoOp, HttpRequest

    rng = random.Random(seed)
    events: list = []
    sealed = 0
    with open(directory / "capture.mitm", "wb") as fh:
        writer = io.FlowWriter(fh)
        for i in range(flows):
            t = T0 + i * STEP
            f = tflow.tflow(resp=True)
            f.request.scheme, f.request.port, f.request.method = "https", 443, "POST"
            if i % 10 == 0:  # an encrypted envelope: its op is in the events
                f.request.host, f.request.path = "alog.umeng.com", f"/app_logs?seq={i}"
                plain = gzip.compress(json.dumps({"header": {"imei": IMEI, "seq": i}}).encode(), mtime=0)
                ct = aes(plain)
                f.request.content = json.dumps({"envelope": base64.b64encode(ct).decode(), "v": 1}).encode()
                events.append(CryptoOp(time=t - 0.01, op="encrypt", algorithm="AES/CBC/PKCS5Padding", input=b64(plain), output=b64(ct), pid=1))
                sealed += 1
            else:
                f.request.host, f.request.path = "api.demoapp.example", f"/v1/events?seq={i}"
                body = {"seq": i, "events": [{"name": f"view_{j}", "ts": t + j, "dur": j * 7} for j in range(12)]}
                f.request.content = json.dumps(body).encode()
            f.request.headers["content-type"] = "application/json"
            f.response.content = b'{"ok":true}'
            f.request.timestamp_start, f.request.timestamp_end = t, t + 0.001
            f.response.timestamp_start, f.response.timestamp_end = t + 0.01, t + 0.012
            writer.add(f)
            events.append(HttpRequest(time=t - 0.005, method="POST", url=f.request.url, pid=1))
    real = [e for e in events if isinstance(e, CryptoOp)]
    filler = max(0, ops - len(real))
    for k in range(filler):
        t = T0 + rng.random() * flows * STEP
        kind = k % 4
        if kind == 0:  # an unrelated encryption
            events.append(CryptoOp(time=t, op="encrypt", algorithm="AES/GCM/NoPadding", input=b64(os.urandom(64)), output=b64(os.urandom(80)), pid=1))
        elif kind == 1:  # a decoy: starts like a real output, then differs; its input names another device
            victim = rng.choice(real).output_bytes()
            fake = victim[:16] + bytes([victim[16] ^ 0xFF]) + os.urandom(len(victim) - 17)
            events.append(CryptoOp(time=t, op="encrypt", algorithm="AES/CBC/PKCS5Padding", input=b64(b'{"imei":"490154203237518"}'), output=b64(fake), pid=1))
        elif kind == 2:  # the real output again, made after its flow (a retry): must not join the earlier flow
            victim = rng.choice(real)
            events.append(CryptoOp(time=victim.time + 60, op="encrypt", algorithm="AES/CBC/PKCS5Padding", input=b64(b'{"imei":"490154203237518"}'), output=victim.output, pid=1))
        else:  # another process's op with a real output
            victim = rng.choice(real)
            events.append(CryptoOp(time=victim.time - 1, op="encrypt", algorithm="X", input=b64(b'{"imei":"490154203237518"}'), output=victim.output, pid=2))
    events.sort(key=lambda e: e.time)
    from piaudit.policies.eventlog import write_events

    write_events(directory / "events.jsonl", events)
    (directory / "ids.json").write_text(json.dumps({"imei": [IMEI, "490154203237518"]}))
    return {"sealed": sealed, "ops": sum(isinstance(e, CryptoOp) for e in events)}


def replay_seconds(directory: Path, hooks: bool, out: str) -> tuple[float, object]:
    from piaudit.policies.options import AuditOptions
    from piaudit.scripts.replay import replay

    options = AuditOptions(identifiers=str(directory / "ids.json"))
    started = time.perf_counter()
    result = replay(directory / "capture.mitm", directory / out, options, hooks=directory / "events.jsonl" if hooks else None, workers=1)
    return time.perf_counter() - started, result


def joined(session: Path) -> tuple[int, int]:
    """(detections of the real IMEI through a cipher step, detections of the decoy IMEI)."""
    from piaudit.policies.store import Store

    store = Store(session / "evidence.db")
    try:
        real = store.count("detections", "value = ? AND encoding LIKE '%cipher:%'", (IMEI,))
        false = store.count("detections", "value = ?", ("490154203237518",))
    finally:
        store.conn.close()
    return real, false


def decoy_corpus(directory: Path) -> tuple[int, int]:
    """(flows scanned, false joins) for the decoy corpus against the events' full op index."""
    from piaudit.policies.detect import Detector
    from piaudit.policies.eventlog import read_events
    from piaudit.policies.identifiers import Identifiers
    from piaudit.policies.join.crypto import OpIndex
    from piaudit.policies.models import CryptoOp, FlowRecord, Header

    index = OpIndex()
    outputs = []
    for n, event in enumerate(read_events(directory / "events.jsonl"), start=1):
        if isinstance(event, CryptoOp):
            event.id = n
            index.add(event)
            outputs.append(event.output_bytes())
    ids = Identifiers()
    ids.add("imei", IMEI)
    ids.add("imei", "490154203237518")
    detector = Detector(ids)
    bodies = [p.read_bytes() for p in sorted((ROOT / "tests/policies/detect/corpus").iterdir()) if p.is_file() and p.suffix != ".py"]
    rng = random.Random(3)
    bodies += [os.urandom(rng.randint(16, 4096)) for _ in range(300)]
    for out in outputs[:300]:  # bytes that start like an output and then go their own way
        cut = rng.randint(16, len(out) - 1)
        bodies.append(out[:cut] + bytes([out[cut] ^ 0x55]) + os.urandom(40))
        bodies.append(base64.b64encode(out[:cut] + b"\x00" * 8))
    false = 0
    for i, body in enumerate(bodies):
        f = FlowRecord(flow_id=f"d{i}", method="POST", url="https://decoy.example/x", request_body=body,
                       request_headers=[Header(name="Content-Type", value="application/octet-stream")], timestamp_start=T0 + 1e6)
        result = detector.scan_flow(f, plaintexts=index.view(pid=None, not_after=T0 + 1e6))
        false += sum(1 for d in result.detections if d.crypto_ops)
    return len(bodies), false


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flows", type=int, default=4000)
    ap.add_argument("--ops", default="1000,20000", help="comma-separated op counts")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()
    figures = []
    for ops in (int(x) for x in args.ops.split(",")):
        with tempfile.TemporaryDirectory(prefix="bench-join-") as tmp:
            directory = Path(tmp)
            made = build(directory, args.flows, ops)
            plain, hooked = [], []
            result = None
            for run in range(args.runs):
                plain.append(replay_seconds(directory, False, f"plain{run}")[0])
                seconds, result = replay_seconds(directory, True, f"hooked{run}")
                hooked.append(seconds)
            real, false = joined(result.session_dir)
            p, h = statistics.median(plain), statistics.median(hooked)
            print(
                f"ops={made['ops']} flows={args.flows}: replay {p / args.flows * 1e6:.0f} µs/flow without events, "
                f"{h / args.flows * 1e6:.0f} µs/flow with them; ratio {h / p:.3f} (medians of {args.runs}); "
                f"join rate {real}/{made['sealed']}; decoy IMEI detections {false}"
            )
            n, false_joins = decoy_corpus(directory)
            print(f"decoy corpus: {n} flows against {made['ops']} ops: {false_joins} false joins")
            figures.append(
                {
                    "ops": made["ops"], "flows": args.flows, "plain_us_per_flow": p / args.flows * 1e6,
                    "hooked_us_per_flow": h / args.flows * 1e6, "ratio": h / p, "joined": real, "sealed": made["sealed"],
                    "decoy_imei_detections": false, "decoy_flows": n, "false_joins": false_joins,
                }
            )  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(figures))


if __name__ == "__main__":
    main()
