"""Benchmark the reads around the getters and the late class loaders, on the stand-in JVM.

1. The cost of the exec / file / property hooks on a tight read loop: the stand-in's ``read_loop``
   scenario (a device file, an ignored file, a native and a Java property read, ``getprop`` through
   Runtime.exec) run plainly and under the agent in the same invocation; nanoseconds per call and
   the ratio hooked ÷ unhooked. Median of several runs.
2. The time from a late class load to its hooks being active: the GDT plugin's DexClassLoader
   (demo scenario) and the packed variant's InMemoryDexClassLoader, from the app's log line just
   before the loader is made to the agent's ``installed`` status for a class in it. Median of runs.

    python scripts/bench/bench_reads.py [--runs 3] [--n 2000] [--execs 40]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from piaudit.hooks.host import HookHost
from piaudit.policies.models import HookStatus
from piaudit.scripts.demo import load_standin

KINDS = ("file_device", "file_other", "native_property", "java_property", "exec_getprop")


def _loop_times(log: list) -> dict[str, float]:
    return {line.get("kind"): float(line.get("ns_per_call")) for line in log if line.kind == "READLOOP"}


def read_loop(standin, classpath: Path, n: int, execs: int, hooked: bool) -> dict[str, float]:
    """ns per call of each read kind, one run."""
    argv = standin.standin_command(classpath, proxy=None, truststore=None, scenario="read_loop",
                                   extra_props={"standin.n": n, "standin.execs": execs})  # fmt: skip
    if not hooked:
        out = subprocess.run(argv, capture_output=True, timeout=300, check=True).stdout
        return _loop_times(standin.parse_log(out.decode("utf-8", "replace")))
    output: list[bytes] = []
    host = HookHost(target=argv, package=standin.PACKAGE, on_events=lambda events: None, on_error=lambda error: None,
                    on_output=lambda fd, data: output.append(data) if fd == 1 else None)  # fmt: skip
    host.start()
    try:
        host.wait(600)
    finally:
        host.stop()
    return _loop_times(standin.parse_log(b"".join(output).decode("utf-8", "replace")))


def late_load(standin, classpath: Path, variant: str) -> float:
    """Seconds from the app's log line before the late loader is made to the first hook installed in it."""
    events: list = []
    output: list[bytes] = []
    argv = standin.standin_command(classpath, proxy=None, truststore=None, scenario="demo", variant=variant,
                                   extra_props={"standin.consent_delay_ms": 150, "standin.exit_delay_ms": 50})  # fmt: skip
    host = HookHost(target=argv, package=standin.PACKAGE, on_events=events.extend, on_error=lambda error: None,
                    on_output=lambda fd, data: output.append(data) if fd == 1 else None)  # fmt: skip
    host.start()
    try:
        host.wait(120)
    finally:
        host.stop()
    log = standin.parse_log(b"".join(output).decode("utf-8", "replace"))
    if variant == "packed":
        start = next(line.time for line in log if line.kind == "PACKER" and line.get("event") == "decrypted")
        prefix = "dalvik.system.InMemoryDexClassLoader@"
    else:
        start = next(line.time for line in log if line.kind == "PLUGIN")
        prefix = "dalvik.system.DexClassLoader@"
    installed = [e.time for e in events if isinstance(e, HookStatus) and e.state == "installed" and (e.loader or "").startswith(prefix)]
    return min(installed) - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=2000, help="calls per read kind")
    parser.add_argument("--execs", type=int, default=40, help="getprop executions")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="piaudit-bench-frida-")
    os.environ["TMPDIR"] = tmp  # Frida unpacks its helper here; removed at the end
    try:
        standin = load_standin()
        classpath = standin.build_standin()
        plain: dict[str, list[float]] = {k: [] for k in KINDS}
        hooked: dict[str, list[float]] = {k: [] for k in KINDS}
        for _ in range(args.runs):
            for kind, ns in read_loop(standin, classpath, args.n, args.execs, False).items():
                plain[kind].append(ns)
            for kind, ns in read_loop(standin, classpath, args.n, args.execs, True).items():
                hooked[kind].append(ns)
        print(f"read loop, {args.n} calls per kind ({args.execs} for exec), median of {args.runs} runs:")
        print(f"  {'kind':16s} {'unhooked':>12s} {'hooked':>12s} {'ratio':>8s}")
        for kind in KINDS:
            p, h = statistics.median(plain[kind]), statistics.median(hooked[kind])
            print(f"  {kind:16s} {p / 1000:10.1f} µs {h / 1000:10.1f} µs {h / p:8.2f}")
        for variant, what in (("apk", "plugin DexClassLoader"), ("packed", "packer's InMemoryDexClassLoader")):
            latencies = [late_load(standin, classpath, variant) for _ in range(args.runs)]
            print(f"late class load to hooks active ({what}): median {statistics.median(latencies) * 1000:.0f} ms "
                  f"(runs: {', '.join(f'{x * 1000:.0f}' for x in latencies)} ms)")  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
