"""Run every benchmark and write one table (and, with ``--readme``, put it into README.md).

    .venv/bin/python scripts/bench/bench.py            # the full sizes the issues name
    .venv/bin/python scripts/bench/bench.py --quick    # smaller sizes, a few minutes
    .venv/bin/python scripts/bench/bench.py --readme   # also replace the table in README.md

Each benchmark measures its own baseline in the same run (bare mitmdump, FlowReader,
mitmproxy's hardump, the unhooked call) and reports medians of several runs: the
machine is noisy, ratios hold better than absolute figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def _run(argv: list[str], timeout: float) -> str:
    print("$ " + " ".join(argv[1:] if argv[0] == PY else argv), flush=True)
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    print(proc.stdout[-4000:], end="", flush=True)
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise RuntimeError(f"{argv[1] if argv[0] == PY else argv[0]} failed with exit code {proc.returncode}")
    return proc.stdout


def machine() -> str:
    """A one-line description of this machine."""
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores{', ' + model if model else ''}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (minutes, not tens of minutes)")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    q = args.quick
    rows: list[tuple[str, str, str, str]] = []
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="piaudit-bench-all-") as tmp:
        out = Path(tmp)
        _run([PY, "scripts/bench/bench_proxy.py", "--rounds", "4" if q else "6", "--requests", "3000" if q else "4000", "--json", str(out / "proxy.json")], 3600)
        p = json.loads((out / "proxy.json").read_text())
        rows.append(("proxy throughput, piaudit ÷ bare mitmdump", f"{p['median']['piaudit']['rps']:.0f} vs {p['median']['bare']['rps']:.0f} req/s", f"{p['ratio_rps']:.3f}", "≥ 0.93"))
        rows.append(("proxy p99 latency, piaudit ÷ bare", f"{p['median']['piaudit']['p99']:.1f} vs {p['median']['bare']['p99']:.1f} ms", f"{p['ratio_p99']:.3f}", "≤ 1.15"))

        d = json.loads(_run([PY, "scripts/bench/bench_detect.py", "--json"], 1800).strip().splitlines()[-1])
        rows.append(("detection, mixed corpus, 50 identifiers", f"{d['corpus_MB_per_s_content']} MB/s", "—", "—"))
        rows.append(("detection, typical 2.7 KB flow", f"{d['typical_flow_us']} µs ({d['typical_flow_with_identifiers_us']} µs carrying identifiers)", "—", "≪ 1.5 ms proxy cost"))

        flows = "4000" if q else "10000"
        _run([PY, "scripts/bench/bench_replay.py", "--flows", flows, "--runs", "3", "--json", str(out / "replay.json")], 3600)
        r = json.loads((out / "replay.json").read_text())
        rows.append((f"replay of {flows} flows ÷ FlowReader read", f"{r['replay']:.0f} vs {r['read']:.0f} flows/s", f"{r['ratio']:.3f}", "≥ 0.8"))
        rows.append(("replay peak RSS, N vs N/4 flows", f"{r['rss_full_mb']:.0f} vs {r['rss_quarter_mb']:.0f} MB", f"{r['rss_full_mb'] / r['rss_quarter_mb']:.2f}", "flat"))

        har_flows = "20000" if q else "100000"
        text = _run([PY, "scripts/bench/bench_har.py", "--flows", har_flows], 7200)
        ours = re.search(r"piaudit report --format har : peak RSS\s+([\d.]+) MB", text)
        theirs = re.search(r"mitmdump --set hardump\s+: peak RSS\s+([\d.]+) MB", text)
        if ours and theirs:
            rows.append((f"HAR export of {har_flows} flows, peak RSS", f"{float(ours.group(1)):.0f} MB vs hardump {float(theirs.group(1)):.0f} MB", f"{float(ours.group(1)) / float(theirs.group(1)):.3f}", "< 200 MB"))

        text = _run([PY, "scripts/bench/bench_hooks.py", "--runs", "3" if q else "5"], 3600)
        ingest = re.search(r"host ingest, synthetic hook events\s+([\d,]+) events/s", text)
        plain = re.search(r"getDeviceId\(\) unhooked\s+([\d.]+) µs/call", text)
        hooked = re.search(r"getDeviceId\(\) hooked \(agent\)\s+([\d.]+) µs/call", text)
        if ingest:
            rows.append(("hook events ingested by the host, no loss", f"{ingest.group(1)} events/s", "—", "—"))
        if plain and hooked:
            rows.append(("hooked API call (getDeviceId, stand-in JVM)", f"{hooked.group(1)} µs vs {plain.group(1)} µs unhooked", "—", "—"))

        text = _run([PY, "scripts/bench/bench_reads.py", "--runs", "3", "--n", "500" if q else "2000"], 3600)
        for kind, label in (("file_device", "read of a device file (/proc/net/arp)"), ("native_property", "native property read"),
                            ("java_property", "SystemProperties.get"), ("exec_getprop", "getprop through Runtime.exec")):  # fmt: skip
            m = re.search(rf"{kind}\s+([\d.]+) µs\s+([\d.]+) µs\s+([\d.]+)", text)
            if m:
                rows.append((f"{label}, hooked vs unhooked", f"{m.group(2)} µs vs {m.group(1)} µs", m.group(3), "—"))
        for m in re.finditer(r"late class load to hooks active \(([^)]+)\): median (\d+) ms", text):
            rows.append((f"late class load to hooks active ({m.group(1)})", f"{m.group(2)} ms", "—", "—"))

        _run([PY, "scripts/bench/bench_corpus.py", "--sessions", "300" if q else "1000", "--rejudge", "60" if q else "200", "--json", str(out / "corpus.json")], 3600)
        c = json.loads((out / "corpus.json").read_text())
        rows.append((f"corpus query, findings per SDK before consent, {c['sessions']} sessions", f"{c['query_ms']:.0f} ms ({c['query_cli_ms']:.0f} ms as the command) vs {c['baseline_ms']:.0f} ms reading every evidence.db", f"{c['query_ms'] / c['baseline_ms']:.3f}", "< 1 s"))
        rows.append((f"corpus rejudge, 2 workers ÷ 1 worker, {c['rejudge_sessions']} sessions", f"{c['rejudge_2_s']:.1f} vs {c['rejudge_1_s']:.1f} s (a pure CPU loop: {c['cpu_ceiling_ratio']:.2f} meanwhile)", f"{c['rejudge_ratio']:.3f}", "≤ 0.6"))

    date = time.strftime("%Y-%m-%d")
    table = [
        f"Measured {date} on {machine()}; load average {os.getloadavg()[0]:.1f} at the end; {time.time() - started:.0f} s in all"
        f"{' (--quick sizes)' if q else ''}. Command: `.venv/bin/python scripts/bench/bench.py{' --quick' if q else ''}`.",
        "",
        "| benchmark | measured | ratio | target |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {t} |" for a, b, c, t in rows],
    ]
    print("\n" + "\n".join(table))
    if args.readme:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        new = re.sub(r"<!-- bench-table -->.*?<!-- /bench-table -->", lambda _: "<!-- bench-table -->\n" + "\n".join(table) + "\n<!-- /bench-table -->", text, flags=re.S)
        readme.write_text(new, encoding="utf-8")
        print(f"\nwrote the table into {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
