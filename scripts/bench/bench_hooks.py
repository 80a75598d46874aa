"""Benchmark the Frida hooks: host ingest rate and the per-call cost of a hooked API.

1. Ingest: the agent generates N synthetic hook events in a loop (rpc ``synthesize``) through its
   normal batcher; the host parses and dispatches them. Events per second from the call until the
   last event reached ``on_events``; received must equal sent. Median of several runs.
2. Per-call cost: the stand-in's ``hammer`` scenario (``TelephonyManager.getDeviceId()`` in a tight
   loop) run plainly and under the agent, in the same invocation. Median of several runs.

    python scripts/bench/bench_hooks.py [--runs 5] [--events 20000] [--calls 5000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from piaudit.hooks.host import HookHost
from piaudit.scripts.demo import load_standin


def ingest_rate(events: int) -> tuple[float, int]:
    """(events per second, events lost) for one run of ``events`` synthetic events."""
    received = 0
    done = threading.Event()

    def on_events(batch: list) -> None:
        nonlocal received
        received += sum(1 for event in batch if event.type == "hook:call")
        if received >= events:
            done.set()

    host = HookHost(target=["/bin/sleep", "120"], on_events=on_events, on_error=lambda error: None)
    host.start()
    try:
        started = time.perf_counter()
        host.synthesize(events)
        done.wait(120)
        elapsed = time.perf_counter() - started
    finally:
        host.stop()
    return received / elapsed, events - received


def host_parse_rate(events: int) -> float:
    """Events per second :class:`AgentMessages` parses and attributes, without Frida (the host's share)."""
    from piaudit.hooks.host import AgentMessages
    from piaudit.policies.catalog import load_catalog

    stack = (
        "[java.lang.Thread.getStackTrace(Thread.java:1619), android.telephony.TelephonyManager.getImei(Native Method), "
        "com.umeng.commonsdk.internal.utils.DeviceInfo.imei(DeviceInfo.java:42), com.example.app.MainActivity.onCreate(MainActivity.java:17)]"
    )
    template = {
        "type": "hook:call", "device_time": 1.0, "data_type": "imei",
        "api": {"class_name": "android.telephony.TelephonyManager", "method": "getImei", "overload": ""},
        "args": {}, "value": "359881030314356", "identifiers": {"imei": ["359881030314356"]}, "_stack_id": 1,
        "thread": "main", "pid": 1, "process": "bench", "foreground": True, "phase": "running", "canary": False,
    }  # fmt: skip
    batches = [
        {"type": "batch", "sent_at": 1.0, "events": [dict(template, args={"seq": b * 200 + i}) for i in range(200)]}
        for b in range(max(events // 200, 1))
    ]
    batches[0]["events"][0]["_stack"] = stack
    count = 0

    def on_events(batch: list) -> None:
        nonlocal count
        count += len(batch)

    messages = AgentMessages(
        catalog=load_catalog(), on_events=on_events, on_error=lambda error: None, on_identifier=lambda t, v: None
    )
    started = time.perf_counter()
    for batch in batches:
        messages.handle_payload(2.0, batch)
    return count / (time.perf_counter() - started)


def hammer_ns_per_call(classpath: Path, calls: int, threads: int, hooked: bool) -> float:
    """Mean ns per getDeviceId() call in the hammer scenario, plain or under the agent."""
    props = {"standin.threads": threads, "standin.n": calls, "standin.warmup": max(calls // 10, 100)}
    argv = load_standin().standin_command(classpath, proxy=None, truststore=None, scenario="hammer", extra_props=props)
    if hooked:
        output: list[bytes] = []
        host = HookHost(target=argv, on_events=lambda batch: None, on_error=lambda error: None,
                        on_output=lambda fd, data: output.append(data) if fd == 1 else None)  # fmt: skip
        host.start()
        try:
            host.wait(600)
        finally:
            host.stop()
        text = b"".join(output).decode(errors="replace")
    else:
        text = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=True).stdout
    results = [line for line in load_standin().parse_log(text) if line.kind == "HAMMER" and line.get("stage") == "result"]
    if not results:
        raise RuntimeError(f"the hammer scenario printed no result:\n{text[-2000:]}")
    return float(results[0].get("ns_per_call"))


def _end_frida_helpers(directory: str) -> None:
    """End the helpers Frida started from our TMPDIR (by pid), then remove it."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0", 1)[0].decode(errors="replace")
        except OSError:
            continue
        if argv0.startswith(directory + "/"):
            try:
                os.kill(int(entry), signal.SIGKILL)
            except ProcessLookupError:
                pass
    shutil.rmtree(directory, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print a table."""
    parser = argparse.ArgumentParser(prog="python scripts/bench/bench_hooks.py", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (the median is reported)")
    parser.add_argument("--events", type=int, default=20000, help="synthetic events per ingest run")
    parser.add_argument("--calls", type=int, default=5000, help="hooked calls per thread per hammer run")
    parser.add_argument("--threads", type=int, default=1, help="hammer threads")
    options = parser.parse_args(argv)

    directory = tempfile.mkdtemp(prefix="piaudit-bench-frida-")
    os.environ["TMPDIR"] = directory  # Frida unpacks its helper here; removed at the end
    try:
        parse_rates = [host_parse_rate(options.events) for _ in range(options.runs)]
        rates, lost = [], 0
        for _ in range(options.runs):
            rate, missing = ingest_rate(options.events)
            rates.append(rate)
            lost += missing
        classpath = load_standin().build_standin()
        plain = [hammer_ns_per_call(classpath, options.calls, options.threads, hooked=False) for _ in range(options.runs)]
        hooked = [hammer_ns_per_call(classpath, options.calls, options.threads, hooked=True) for _ in range(options.runs)]
    finally:
        _end_frida_helpers(directory)

    plain_us, hooked_us = statistics.median(plain) / 1000, statistics.median(hooked) / 1000
    rows = [
        ("host ingest, synthetic hook events", f"{statistics.median(rates):,.0f} events/s",
         f"median of {options.runs} x {options.events:,}; lost {lost}; min {min(rates):,.0f}, max {max(rates):,.0f}"),
        ("host parse + attribution only", f"{statistics.median(parse_rates):,.0f} events/s", "AgentMessages without Frida: the host's share"),
        ("getDeviceId() unhooked", f"{plain_us:.3f} µs/call", f"hammer, {options.threads} thread(s) x {options.calls:,} calls, median of {options.runs}"),
        ("getDeviceId() hooked (agent)", f"{hooked_us:.1f} µs/call",
         f"min {min(hooked) / 1000:.1f}, max {max(hooked) / 1000:.1f}; each call recorded with its stack"),
        ("cost of the hook", f"{hooked_us - plain_us:.1f} µs/call", f"{hooked_us / plain_us:,.0f}x the plain call"),
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print(f"{'measure':<{widths[0]}}  {'value':>{widths[1]}}  notes")
    for name, value, note in rows:
        print(f"{name:<{widths[0]}}  {value:>{widths[1]}}  {note}")
    load = os.getloadavg()
    print(f"(load average during the run: {load[0]:.1f} on {os.cpu_count()} cores; figures drift with load)")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
