"""Benchmark: proxy throughput and latency, bare `mitmdump` against `mitmdump` with piaudit's addons.

Everything on 127.0.0.1: a local HTTPS upstream, `hey` as the keep-alive load generator
(16 connections, HTTPS through CONNECT), JSON request bodies of 1, 2 and 4 KB carrying a
few identifiers. Bare and piaudit runs alternate, several rounds; the table shows medians
and the ratios piaudit ÷ bare measured in this same run.

    .venv/bin/python scripts/bench/bench_proxy.py [--rounds 5] [--requests 4000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from localnet import Mitmdump, Upstream, free_port

IDENTIFIERS = {
    "imei": "359881030314356",
    "android_id": "9774d56d682e549c",
    "mac": "02:1a:11:f4:3b:9c",
    "ad_id": "38400000-8cf0-11bd-b23e-10b96e40000d",
}


def make_body(size: int, n: int) -> bytes:
    """A realistic analytics-style JSON body of about ``size`` bytes."""
    events = []
    i = 0
    while True:
        events.append({"name": f"screen_view_{i}", "ts": 1764340000000 + i * 137, "params": {"screen": f"Home{i}", "dur": i * 13 % 997}})
        body = {"app": "com.example.demoapp", "ver": "3.2.1", "device": {"android_id": IDENTIFIERS["android_id"], "model": "Pixel 7"}, "seq": n, "events": events}
        data = json.dumps(body).encode()
        if len(data) >= size:
            return data
        i += 1


def parse_hey(text: str) -> dict[str, float]:
    """Requests/s, p50 and p99 (ms) from hey's summary."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    def pct(p: str) -> float:
        m = re.search(rf"\s{p}% in ([\d.]+) secs", text)
        return float(m.group(1)) * 1000 if m else float("nan")
    codes = dict(re.findall(r"\[(\d{3})\]\s+(\d+) responses", text))
    return {"rps": rps, "p50": pct("50"), "p99": pct("99"), "ok": int(codes.get("200", 0))}


def one_run(kind: str, upstream: Upstream, workdir: Path, body: Path, requests: int, concurrency: int) -> dict[str, float]:
    port = free_port()
    confdir = workdir / "conf"  # one CA for all runs
    extra = ["--set", f"ssl_verify_upstream_trusted_ca={upstream.ca}"]
    if kind == "bare":
        proxy = Mitmdump(port, confdir, None, *extra)
    else:
        session = workdir / f"session-{time.monotonic_ns()}"
        ids = workdir / "ids.json"
        ids.write_text(json.dumps(IDENTIFIERS))
        proxy = Mitmdump(port, confdir, session, *extra, "--set", f"piaudit_identifiers={ids}")
    with proxy:
        hey = ["hey", "-c", str(concurrency), "-m", "POST", "-T", "application/json", "-D", str(body), "-x", f"http://127.0.0.1:{port}"]
        subprocess.run([*hey, "-n", str(concurrency * 20), f"{upstream.url}/warmup"], capture_output=True, check=True)
        out = subprocess.run([*hey, "-n", str(requests), f"{upstream.url}/api/collect"], capture_output=True, text=True, check=True).stdout
    result = parse_hey(out)
    if kind != "bare":
        from piaudit.policies.session import Session

        s = Session.open(session)
        result["recorded"] = s.store.count("flows")
        s.store.close()
        shutil.rmtree(session, ignore_errors=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    if not shutil.which("hey"):
        print("bench_proxy: needs `hey` (apt-get install hey; scripts/setup.sh installs it)", file=sys.stderr)
        return 2
    results: dict[str, list[dict[str, float]]] = {"bare": [], "piaudit": []}
    with tempfile.TemporaryDirectory(prefix="piaudit-bench-") as tmp:
        work = Path(tmp)
        with Upstream(work / "upstream") as upstream:
            for r in range(args.rounds):
                size = (1024, 2048, 4096)[r % 3]
                body = work / f"body-{size}.json"
                body.write_bytes(make_body(size, r))
                order = ("bare", "piaudit") if r % 2 == 0 else ("piaudit", "bare")
                for kind in order:
                    res = one_run(kind, upstream, work, body, args.requests, args.concurrency)
                    results[kind].append(res)
                    print(f"round {r + 1} {kind:8s} body {size:5d} B: {res['rps']:7.1f} req/s  p50 {res['p50']:6.2f} ms  p99 {res['p99']:6.2f} ms"
                          + (f"  recorded {int(res['recorded'])}/{args.requests + args.concurrency * 20}" if "recorded" in res else ""), flush=True)
    med = {k: {m: statistics.median(x[m] for x in v) for m in ("rps", "p50", "p99")} for k, v in results.items()}
    ratio_rps = med["piaudit"]["rps"] / med["bare"]["rps"]
    ratio_p99 = med["piaudit"]["p99"] / med["bare"]["p99"]
    print()
    print(f"| proxy ({args.rounds} rounds, median) | req/s | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    for k in ("bare", "piaudit"):
        print(f"| {'bare mitmdump' if k == 'bare' else 'mitmdump + piaudit addons'} | {med[k]['rps']:.0f} | {med[k]['p50']:.2f} | {med[k]['p99']:.2f} |")
    print(f"| ratio piaudit ÷ bare | {ratio_rps:.3f} | {med['piaudit']['p50'] / med['bare']['p50']:.3f} | {ratio_p99:.3f} |")
    print(f"targets: throughput ≥ 0.93 ({'met' if ratio_rps >= 0.93 else 'NOT met'}), p99 ≤ 1.15 ({'met' if ratio_p99 <= 1.15 else 'NOT met'})")
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": results, "median": med, "ratio_rps": ratio_rps, "ratio_p99": ratio_p99}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
