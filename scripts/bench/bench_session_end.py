"""Benchmark the end of a live session: peak RSS and time of the final step (rescan + recompute), N vs N/4 flows.

    .venv/bin/python scripts/bench/bench_session_end.py                 # 20,000 vs 5,000 flows, 3 runs each
    .venv/bin/python scripts/bench/bench_session_end.py --flows 8000 --runs 1 --json out.json

Each run is a subprocess that records a session the way the audit process does (the real
:class:`policies.auditor.Auditor` with detection and the live judge, flows also written to
``flows.mitm``, hook events, a consent click), then learns one identifier late, so the end runs
the final rescan of ``flows.mitm`` as well as the full recomputation. Only :meth:`Auditor.stop`
is measured: its wall time, and its peak RSS (the kernel's high-water mark, reset just before
the stop through ``/proc/self/clear_refs``) next to the RSS it started from. Target: memory
flat (peak at N about that at N/4) and time linear (about 4x).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout (for the example policy)

CHILD = r"""
import base64, json, sys, time
from pathlib import Path
from mitmproxy import io as mio
from mitmproxy.test import tflow
from piaudit.addons.captures import read_mitm
from piaudit.addons.flowmodel import to_record
from piaudit.policies.auditor import Auditor
from piaudit.policies.models import ApiRef, ConsentEvent, HookEvent
from piaudit.policies.options import AuditOptions, AuditorConfig

n, out, policy = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
IMEI, LATE = "359881030314356", "9774d56d682e549c"  # LATE: an android_id the hooks report only at the end


def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return 0.0


auditor = Auditor.start(AuditorConfig(AuditOptions(session=str(out), policy=policy)))
auditor.pipeline.detector.identifiers.add("imei", IMEI)
mitm = open(auditor.session.flows_path, "ab")
writer = mio.FlowWriter(mitm)
hosts = ["api.demoapp.example", "ulogs.umeng.com", "cdn.demoapp.example", "android.bugly.qq.com", "app-measurement.com"]
t0 = time.time() - n * 0.05 - 60
for i in range(n):
    f = tflow.tflow(resp=True)
    f.request.host, f.request.scheme, f.request.port, f.request.method = hosts[i % len(hosts)], "https", 443, "POST"
    f.request.path = f"/v1/events?seq={i}"
    body = {"seq": i, "events": [{"name": f"view_{j}", "ts": t0 + j, "dur": j * 7} for j in range(12)], "app": "com.example.demoapp"}
    if i % 10 == 0:
        body["header"] = {"imei": base64.b64encode(IMEI.encode()).decode(), "android_id": LATE}
    f.request.content = json.dumps(body).encode()
    f.response.content = json.dumps({"ok": True, "seq": i}).encode()
    t = t0 + i * 0.05
    f.request.timestamp_start, f.request.timestamp_end = t, t + 0.001
    f.response.timestamp_start, f.response.timestamp_end = t + 0.01, t + 0.012
    writer.add(f)
    auditor.pipeline.record_flow(to_record(f))
    if i % 20 == 0:
        event = HookEvent(time=t - 0.01, data_type="imei", api=ApiRef(class_name="android.telephony.TelephonyManager", method="getImei"),
                          value=IMEI, party="Umeng", caller="com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:1)",
                          stack=["com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:1)"], foreground=True, phase="running")
        auditor.pipeline.record_event(event)
    if i == n // 2:
        auditor.pipeline.record_event(ConsentEvent(time=t, decision="granted", source="ui_click", detail="同意"))
    if i % 500 == 0:
        auditor.flush()
mitm.flush()


def recorded():
    for f in read_mitm(auditor.session.flows_path):
        yield to_record(f)


auditor.rescan_source = recorded
auditor.flush()
auditor.pipeline.detector.identifiers.add("android_id", LATE)  # learnt at the end: the rescan finds it
start_rss = status("VmRSS")
open("/proc/self/clear_refs", "w").write("5")  # reset the high-water mark: what follows is the stop's own
started = time.perf_counter()
auditor.stop()
seconds = time.perf_counter() - started
print(json.dumps({"flows": n, "stop_s": seconds, "peak_mb": status("VmHWM"), "start_mb": start_rss,
                  "findings": len(auditor.final_findings or []), "complete": auditor.session.meta.complete}))
"""


def run_once(flows: int, work: Path, policy: Path) -> dict:
    """One recorded session of ``flows`` flows and its stop, in a fresh process."""
    out = work / f"session-{flows}-{len(list(work.iterdir()))}"
    proc = subprocess.run([sys.executable, "-c", CHILD, str(flows), str(out), str(policy)], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"the session of {flows} flows failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flows", type=int, default=20_000, help="flows of the large session (the small one has a quarter)")
    parser.add_argument("--runs", type=int, default=3, help="runs per size, interleaved (medians)")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    policy = ROOT / "policies" / "examples" / "demoapp.yaml"
    sizes = (args.flows // 4, args.flows)
    results: dict[int, list[dict]] = {n: [] for n in sizes}
    with tempfile.TemporaryDirectory(prefix="piaudit-bench-end-") as tmp:
        for r in range(args.runs):
            for n in sizes:
                one = run_once(n, Path(tmp), policy)
                results[n].append(one)
                print(f"run {r + 1}, {n} flows: stop {one['stop_s']:.2f} s, peak RSS {one['peak_mb']:.0f} MB (from {one['start_mb']:.0f} MB), "
                      f"{one['findings']} findings, complete {one['complete']}", flush=True)  # fmt: skip
    med = {n: {k: statistics.median(x[k] for x in results[n]) for k in ("stop_s", "peak_mb", "start_mb")} for n in sizes}
    small, large = med[sizes[0]], med[sizes[1]]
    report = {
        "flows": sizes[1], "quarter": sizes[0],
        "stop_s": large["stop_s"], "stop_quarter_s": small["stop_s"], "time_ratio": large["stop_s"] / small["stop_s"],
        "peak_mb": large["peak_mb"], "peak_quarter_mb": small["peak_mb"], "rss_ratio": large["peak_mb"] / small["peak_mb"],
        "start_mb": large["start_mb"], "start_quarter_mb": small["start_mb"], "runs": args.runs, "load_average": os.getloadavg()[0],
    }  # fmt: skip
    print(f"end of session, {sizes[1]} vs {sizes[0]} flows (median of {args.runs}): stop {report['stop_s']:.2f} vs {report['stop_quarter_s']:.2f} s "
          f"(x{report['time_ratio']:.2f}; linear is x4), peak RSS {report['peak_mb']:.0f} vs {report['peak_quarter_mb']:.0f} MB "
          f"(x{report['rss_ratio']:.2f}; flat is x1); load average {report['load_average']:.1f}")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
