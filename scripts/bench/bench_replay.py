"""Benchmark: `piaudit replay` of a 10,000-flow capture against mitmproxy's FlowReader merely reading it.

Both in the same run, each in its own subprocess (so peak RSS is the command's own):

    .venv/bin/python scripts/bench/bench_replay.py [--flows 10000] [--runs 3]

Target: replay at least 0.8 x the rate of the bare read, with flat memory (peak RSS of a
replay of N flows ≈ that of N/4 flows).

Replay shares a capture out to worker processes (one per core): its rate assumes idle cores.
Each run also prints how many cores other processes kept busy meanwhile; a figure well above
0 means the run measured the neighbours, not the replay. ``--workers 1`` replays in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout (for data under tests/ and policies/)

IDENTIFIERS = {
    "imei": "359881030314356",
    "android_id": "9774d56d682e549c",
    "mac": "02:1a:11:f4:3b:9c",
    "oaid": "7e3f1a9c2b4d6e80",
}


def make_capture(path: Path, n: int) -> None:
    """A capture of ``n`` realistic HTTPS flows: JSON APIs, a tracker upload in every tenth."""
    import base64

    from mitmproxy import io
    from mitmproxy.test import tflow

    hosts = ["api.demoapp.example", "ulogs.umeng.com", "cdn.demoapp.example", "android.bugly.qq.com", "app-measurement.com"]
    with open(path, "wb") as fh:
        writer = io.FlowWriter(fh)
        t0 = 1764340000.0
        for i in range(n):
            f = tflow.tflow(resp=True)
            f.request.host = hosts[i % len(hosts)]
            f.request.scheme, f.request.port = "https", 443
            f.request.method = "POST"
            f.request.path = f"/v1/events?seq={i}"
            body = {
                "seq": i,
                "events": [{"name": f"view_{j}", "ts": t0 + j, "dur": j * 7} for j in range(12)],
                "app": "com.example.demoapp",
            }
            if i % 10 == 0:
                body["header"] = {
                    "imei": base64.b64encode(IDENTIFIERS["imei"].encode()).decode(),
                    "android_id": IDENTIFIERS["android_id"],
                }
            f.request.content = json.dumps(body).encode()
            f.response.content = json.dumps({"ok": True, "seq": i}).encode()
            f.request.timestamp_start = t0 + i * 0.05
            f.request.timestamp_end = t0 + i * 0.05 + 0.001
            f.response.timestamp_start = t0 + i * 0.05 + 0.01
            f.response.timestamp_end = t0 + i * 0.05 + 0.012
            writer.add(f)


READ = """
import sys, time
from mitmproxy import io
t = time.perf_counter()
n = sum(1 for _ in io.FlowReader(open(sys.argv[1], 'rb')).stream())
print(n, time.perf_counter() - t)
"""

REPLAY = """
import sys, time
from pathlib import Path
from piaudit.policies.options import AuditOptions
from piaudit.scripts.replay import replay
workers = int(sys.argv[5]) or None
t = time.perf_counter()
r = replay(Path(sys.argv[1]), Path(sys.argv[2]), AuditOptions(policy=sys.argv[3], identifiers=sys.argv[4]), workers=workers)
print(r.flows, time.perf_counter() - t)
"""


def _cpu_ticks() -> tuple[int, int] | None:
    """(busy, total) clock ticks of all CPUs so far, from /proc/stat (None where there is none)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]  # user .. steal
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def run_child(code: str, *args: str) -> tuple[int, float, float]:
    """(items, seconds, cores other processes kept busy meanwhile) of a subprocess."""
    before, ours = _cpu_ticks(), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after, ours_after = _cpu_ticks(), resource.getrusage(resource.RUSAGE_CHILDREN)
    n, seconds = proc.stdout.split()
    others = 0.0
    if before and after:
        hz = os.sysconf("SC_CLK_TCK")
        used = sum(getattr(ours_after, f) - getattr(ours, f) for f in ("ru_utime", "ru_stime"))  # the child and its workers
        others = max(0.0, ((after[0] - before[0]) / hz - used) / wall)
    return int(n), float(seconds), others


def peak_rss(code: str, *args: str) -> float:
    """Peak RSS (MB) of one subprocess, measured by /usr/bin/time if present, else rusage."""
    time_bin = Path("/usr/bin/time")
    if time_bin.exists():
        proc = subprocess.run(
            [str(time_bin), "-f", "%M", sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
        )
        return int(proc.stderr.strip().splitlines()[-1]) / 1024
    subprocess.run([sys.executable, "-c", code, *args], capture_output=True, check=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # high-water mark over children so far


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=0, help="replay worker processes (default: one per core)")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="piaudit-bench-replay-") as tmp:
        work = Path(tmp)
        capture = work / "capture.mitm"
        small = work / "small.mitm"
        t = time.perf_counter()
        make_capture(capture, args.flows)
        make_capture(small, args.flows // 4)
        print(
            f"capture: {args.flows} flows, {capture.stat().st_size / 1e6:.1f} MB, made in {time.perf_counter() - t:.1f} s",
            flush=True,
        )
        ids = work / "ids.json"
        ids.write_text(json.dumps(IDENTIFIERS))
        policy = ROOT / "policies" / "examples" / "demoapp.yaml"
        reads, replays = [], []
        replay_args = (str(policy), str(ids), str(args.workers))
        for r in range(args.runs):
            n, s, busy = run_child(READ, str(capture))
            reads.append(n / s)
            n2, s2, busy2 = run_child(REPLAY, str(capture), str(work / f"out{r}"), *replay_args)
            replays.append(n2 / s2)
            print(
                f"run {r + 1}: FlowReader {n / s:7.0f} flows/s   replay {n2 / s2:7.0f} flows/s   ratio {n2 / s2 / (n / s):.3f}"
                f"   (other processes kept {busy:.1f} / {busy2:.1f} cores busy)",
                flush=True,
            )
        rss_full = peak_rss(REPLAY, str(capture), str(work / "rss-full"), *replay_args)
        rss_small = peak_rss(REPLAY, str(small), str(work / "rss-small"), *replay_args)
    read_rate, replay_rate = statistics.median(reads), statistics.median(replays)
    ratio = replay_rate / read_rate
    print()
    print(f"| replay of {args.flows} flows (median of {args.runs}) | flows/s |")
    print("|---|---|")
    print(f"| mitmproxy FlowReader, read only | {read_rate:.0f} |")
    print(f"| piaudit replay (detect + rules + store) | {replay_rate:.0f} |")
    print(f"| ratio | {ratio:.3f} (target ≥ 0.8: {'met' if ratio >= 0.8 else 'NOT met'}) |")
    print(f"peak RSS: {rss_full:.0f} MB for {args.flows} flows, {rss_small:.0f} MB for {args.flows // 4} flows")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"read": read_rate, "replay": replay_rate, "ratio": ratio, "rss_full_mb": rss_full, "rss_quarter_mb": rss_small}
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
