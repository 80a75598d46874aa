"""Run every benchmark and write one table (and, with ``--readme``, put it into README.md).

    .venv/bin/python scripts/bench/bench.py            # the full sizes the issues name
    .venv/bin/python scripts/bench/bench.py --quick    # smaller sizes, a few minutes
    .venv/bin/python scripts/bench/bench.py --readme   # also replace the table in README.md
    .venv/bin/python scripts/bench/bench.py --only detect,corpus --readme   # re-measure some rows, keep the others

With ``--only``, README's rows of the benchmarks not run are kept as they were, under a line that
says when they were measured.

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
# each benchmark, and the README rows it writes (a row's first column starts with one of these)
BENCHMARKS = {
    "proxy": ("proxy ",),
    "detect": ("detection",),
    "replay": ("replay",),
    "session_end": ("end of a live session",),
    "har": ("HAR export",),
    "hooks": ("hook events", "hooked API call"),
    "reads": ("read of a device file", "native property read", "SystemProperties.get", "getprop through", "late class load"),
    "crypto": ("crypto hooks", "replay with ", "false joins"),
    "corpus": ("corpus ",),
}


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


def _previous_table(block: str, measured: set[str]) -> tuple[str, list[str]]:
    """README's earlier table: its first line (when and how it was measured, without a kept-rows
    note of its own) and its rows that belong to none of the ``measured`` benchmarks."""
    lines = block.strip().splitlines()
    notes = lines[0].split(" Rows not re-measured (")[0] if lines and not lines[0].startswith("|") else ""
    prefixes = tuple(p for name in measured for p in BENCHMARKS[name])
    kept = [
        line
        for line in lines
        if line.startswith("| ") and not line.startswith(("| benchmark |", "|---")) and not line[2:].startswith(prefixes)
    ]
    return notes, kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (minutes, not tens of minutes)")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--only", metavar="NAMES", help=f"comma-separated benchmarks to run ({','.join(BENCHMARKS)}; default all)")
    args = parser.parse_args()
    q = args.quick
    only = set(args.only.split(",")) if args.only else set(BENCHMARKS)
    if unknown := only - set(BENCHMARKS):
        parser.error(f"--only: unknown benchmark(s) {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}")
    rows: list[tuple[str, str, str, str]] = []
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="piaudit-bench-all-") as tmp:
        out = Path(tmp)
        if "proxy" in only:
            _run([PY, "scripts/bench/bench_proxy.py", "--rounds", "4" if q else "6", "--requests", "3000" if q else "4000", "--json", str(out / "proxy.json")], 3600)
            p = json.loads((out / "proxy.json").read_text())
            rows.append(("proxy throughput, piaudit ÷ bare mitmdump", f"{p['median']['piaudit']['rps']:.0f} vs {p['median']['bare']['rps']:.0f} req/s", f"{p['ratio_rps']:.3f}", "≥ 0.93"))
            rows.append(("proxy p99 latency, piaudit ÷ bare", f"{p['median']['piaudit']['p99']:.1f} vs {p['median']['bare']['p99']:.1f} ms", f"{p['ratio_p99']:.3f}", "≤ 1.15"))

        if "detect" in only:
            d = json.loads(_run([PY, "scripts/bench/bench_detect.py", "--json"], 1800).strip().splitlines()[-1])
            rows.append(("detection, mixed corpus, 50 identifiers", f"{d['corpus_MB_per_s_content']} MB/s ({d['corpus_MB_per_s_content_cpu']} MB/s per CPU second)", "—", "≥ 40 MB/s"))
            rows.append(("detection, typical 2.7 KB flow", f"{d['typical_flow_us']} µs ({d['typical_flow_with_identifiers_us']} µs carrying identifiers)", "—", "≪ 1.5 ms proxy cost"))

        if "replay" in only:
            flows = "4000" if q else "10000"
            _run([PY, "scripts/bench/bench_replay.py", "--flows", flows, "--runs", "3", "--json", str(out / "replay.json")], 3600)
            r = json.loads((out / "replay.json").read_text())
            rows.append((f"replay of {flows} flows ÷ FlowReader read", f"{r['replay']:.0f} vs {r['read']:.0f} flows/s", f"{r['ratio']:.3f}", "≥ 0.8"))
            rows.append(("replay peak RSS, N vs N/4 flows", f"{r['rss_full_mb']:.0f} vs {r['rss_quarter_mb']:.0f} MB", f"{r['rss_full_mb'] / r['rss_quarter_mb']:.2f}", "≤ 1.1"))

        if "session_end" in only:
            end_flows = "8000" if q else "20000"
            _run([PY, "scripts/bench/bench_session_end.py", "--flows", end_flows, "--runs", "1" if q else "3", "--json", str(out / "end.json")], 7200)
            e = json.loads((out / "end.json").read_text())
            rows.append((f"end of a live session, peak RSS of the final step, {e['flows']} vs {e['quarter']} flows", f"{e['peak_mb']:.0f} vs {e['peak_quarter_mb']:.0f} MB", f"{e['rss_ratio']:.2f}", "flat (≈ 1)"))
            rows.append((f"end of a live session, time of the final step (rescan + recompute), {e['flows']} vs {e['quarter']} flows", f"{e['stop_s']:.1f} vs {e['stop_quarter_s']:.1f} s", f"{e['time_ratio']:.2f}", "linear (≈ 4)"))

        if "har" in only:
            har_flows = "20000" if q else "100000"
            text = _run([PY, "scripts/bench/bench_har.py", "--flows", har_flows], 7200)
            ours = re.search(r"piaudit report --format har : peak RSS\s+([\d.]+) MB", text)
            theirs = re.search(r"mitmdump --set hardump\s+: peak RSS\s+([\d.]+) MB", text)
            if ours and theirs:
                rows.append((f"HAR export of {har_flows} flows, peak RSS", f"{float(ours.group(1)):.0f} MB vs hardump {float(theirs.group(1)):.0f} MB", f"{float(ours.group(1)) / float(theirs.group(1)):.3f}", "< 200 MB"))

        if "hooks" in only:
            text = _run([PY, "scripts/bench/bench_hooks.py", "--runs", "3" if q else "5"], 3600)
            ingest = re.search(r"host ingest, synthetic hook events\s+([\d,]+) events/s", text)
            plain = re.search(r"getDeviceId\(\) unhooked\s+([\d.]+) µs/call", text)
            hooked = re.search(r"getDeviceId\(\) hooked \(agent\)\s+([\d.]+) µs/call", text)
            if ingest:
                rows.append(("hook events ingested by the host, no loss", f"{ingest.group(1)} events/s", "—", "≥ 150,000/s"))
            if plain and hooked:
                rows.append(("hooked API call (getDeviceId, stand-in JVM)", f"{hooked.group(1)} µs vs {plain.group(1)} µs unhooked", "—", "—"))

        if "crypto" in only:
            _run([PY, "scripts/bench/bench_crypto.py", "--runs", "3", "--hooked-n", "2000" if q else "5000", "--json", str(out / "crypto.json")], 3600)
            k = json.loads((out / "crypto.json").read_text())
            rows.append(("crypto hooks, AES/CBC encrypt of 70 bytes in a tight loop (stand-in JVM)", f"{k['hooked_us']:.0f} µs vs {k['plain_us']:.2f} µs unhooked (a bare Frida hook: {k['bare_us']:.0f} µs)", f"{k['ratio']:.0f}", "—"))
            _run([PY, "scripts/bench/bench_join.py", "--flows", "2000" if q else "4000", "--ops", "1000,20000", "--runs", "3", "--json", str(out / "join.json")], 3600)
            for j in json.loads((out / "join.json").read_text()):
                rows.append((f"replay with {j['ops']} crypto ops and a request per flow ÷ without hook events, per flow", f"{j['hooked_us_per_flow']:.0f} vs {j['plain_us_per_flow']:.0f} µs/flow; joined {j['joined']}/{j['sealed']}", f"{j['ratio']:.3f}", "flat as ops grow"))
                rows.append((f"false joins, decoy corpus of {j['decoy_flows']} flows against {j['ops']} ops", f"{j['false_joins']}", "—", "0"))

        if "reads" in only:
            text = _run([PY, "scripts/bench/bench_reads.py", "--runs", "3", "--n", "500" if q else "2000"], 3600)
            for kind, label in (("file_device", "read of a device file (/proc/net/arp)"), ("native_property", "native property read"),
                                ("java_property", "SystemProperties.get"), ("exec_getprop", "getprop through Runtime.exec")):  # fmt: skip
                m = re.search(rf"{kind}\s+([\d.]+) µs\s+([\d.]+) µs\s+([\d.]+)", text)
                if m:
                    rows.append((f"{label}, hooked vs unhooked", f"{m.group(2)} µs vs {m.group(1)} µs", m.group(3), "—"))
            for m in re.finditer(r"late class load to hooks active \(([^)]+)\): median (\d+) ms", text):
                rows.append((f"late class load to hooks active ({m.group(1)})", f"{m.group(2)} ms", "—", "—"))

        if "corpus" in only:
            _run([PY, "scripts/bench/bench_corpus.py", "--sessions", "300" if q else "1000", "--rejudge", "60" if q else "200", "--json", str(out / "corpus.json")], 3600)
            c = json.loads((out / "corpus.json").read_text())
            rows.append((f"corpus query, findings per SDK before consent, {c['sessions']} sessions", f"{c['query_ms']:.0f} ms ({c['query_cli_ms']:.0f} ms as the command) vs {c['baseline_ms']:.0f} ms reading every evidence.db", f"{c['query_ms'] / c['baseline_ms']:.3f}", "< 1 s"))
            rows.append((f"corpus rejudge, 2 workers ÷ 1 worker, {c['rejudge_sessions']} sessions", f"{c['rejudge_2_s']:.1f} vs {c['rejudge_1_s']:.1f} s (a pure CPU loop: {c['cpu_ceiling_ratio']:.2f} meanwhile)", f"{c['rejudge_ratio']:.3f}", "≤ 0.6"))

    date = time.strftime("%Y-%m-%d")
    command = ".venv/bin/python scripts/bench/bench.py" + (" --quick" if q else "") + (f" --only {','.join(sorted(only))}" if args.only else "")
    header = (
        f"Measured {date} on {machine()}; load average {os.getloadavg()[0]:.1f} at the end; {time.time() - started:.0f} s in all"
        f"{' (--quick sizes)' if q else ''}. Command: `{command}`."
    )
    lines = [f"| {a} | {b} | {c} | {t} |" for a, b, c, t in rows]
    print("\n" + "\n".join([header, "", *lines]))
    if args.readme:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        match = re.search(r"<!-- bench-table -->\n(.*?)\n?<!-- /bench-table -->", text, flags=re.S)
        if match is None:
            print(f"{readme}: no <!-- bench-table --> ... <!-- /bench-table --> block", file=sys.stderr)
            return 1
        notes, kept = _previous_table(match.group(1), only)
        if kept:  # rows of the benchmarks not run now stay, said to be from the earlier run
            header += " Rows not re-measured (" + ", ".join(sorted(set(BENCHMARKS) - only)) + ") are kept from the run before: " + notes
        table = [header, "", "| benchmark | measured | ratio | target |", "|---|---|---|---|", *lines, *kept]
        text = text[: match.start()] + "<!-- bench-table -->\n" + "\n".join(table) + "\n<!-- /bench-table -->" + text[match.end() :]
        readme.write_text(text, encoding="utf-8")
        print(f"\nwrote the table into {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
