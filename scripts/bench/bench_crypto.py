"""Benchmark: what the crypto hooks cost the app, on a tight encrypt loop (real javax.crypto on the JVM).

    .venv/bin/python scripts/bench/bench_crypto.py [--runs 3] [--plain-n 200000] [--hooked-n 5000]

The probe of tests/hooks/java (``CryptoProbe loop N``) encrypts one 70-byte JSON record with
AES/CBC/PKCS5Padding N times after a warm-up of N/10 and prints the loop's time. It runs plain and
under the piaudit agent (every hook installed; each doFinal records input, output, key, IV and
the stack). Printed: ns per encryption each way (median of ``--runs``) and the ratio hooked ÷ plain.

Also, as a floor: the same loop with one bare Frida hook on ``Cipher.doFinal(byte[])`` that only
calls the original (what frida-java-bridge itself costs per hooked call, before piaudit records
anything). That agent is built from a temporary file in hooks/agent (Frida's compiler wants the
entry point inside the project) and attaches after the JVM started (the probe waits for it).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PROBE = ROOT / "tests" / "hooks" / "java"
MAIN = "com.umeng.probe.CryptoProbe"


def compile_probe(out: Path) -> str:
    jars = ":".join(str(p) for p in (Path("/usr/share/java/okhttp.jar"), Path("/usr/share/java/okio.jar")))
    sources = [str(p) for p in PROBE.rglob("*.java")]
    subprocess.run([shutil.which("javac") or "javac", "--release", "17", "-cp", jars, "-d", str(out), *sources], check=True)
    return f"{out}:{jars}"


def java() -> str:
    from piaudit.scripts.demo import load_standin

    return load_standin().java_executable()


def loop_ns(stdout: str) -> tuple[float, int]:
    for line in stdout.splitlines():
        if line.startswith("LOOP "):
            _, n, ns, _ = line.split()
            return int(ns) / int(n), int(n)
    raise RuntimeError(f"no LOOP line in {stdout!r}")


def plain(classpath: str, n: int) -> float:
    out = subprocess.run([java(), "-cp", classpath, MAIN, "loop", str(n)], capture_output=True, text=True, check=True).stdout
    return loop_ns(out)[0]


def hooked(classpath: str, n: int) -> tuple[float, int]:
    from piaudit.hooks.host import HookHost
    from piaudit.policies.catalog import load_catalog
    from piaudit.policies.models import CryptoOp

    output: list[bytes] = []
    ops = [0]
    lock = threading.Lock()

    def on_events(batch: list) -> None:
        with lock:
            ops[0] += sum(1 for e in batch if isinstance(e, CryptoOp) and e.op == "encrypt")

    host = HookHost(
        target=[java(), "-cp", classpath, MAIN, "loop", str(n)],
        catalog=load_catalog(),
        on_events=on_events,
        on_error=lambda e: None,
        on_output=lambda fd, data: output.append(data) if fd == 1 else None,
    )
    host.start()
    try:
        host.wait(600)
    finally:
        host.stop()
    ns, _ = loop_ns(b"".join(output).decode())
    return ns, ops[0]


BARE = """
import Java from "frida-java-bridge";
rpc.exports = {
  init() {
    Java.perform(() => {
      const o = Java.use("javax.crypto.Cipher").doFinal.overload("[B");
      o.implementation = function (this: any, a: any) { return o.call(this, a); };
    });
  },
};
"""


def bare(classpath: str, n: int) -> float:
    """ns per encryption under a bare hook (frida-java-bridge's own cost)."""
    import time

    import frida

    agent_dir = ROOT / "hooks" / "agent"
    entry = agent_dir / "_bench_bare.ts"
    entry.write_text(BARE)
    try:
        source = frida.Compiler().build(entry.name, project_root=str(agent_dir))
    finally:
        entry.unlink()
    device = frida.get_local_device()
    output: list[bytes] = []
    device.on("output", lambda pid, fd, data: output.append(data) if fd == 1 else None)
    pid = device.spawn([java(), "-cp", classpath, MAIN, "loop", str(n), "3000"], stdio="pipe")
    try:
        session = device.attach(pid)
        script = session.create_script(source, runtime="qjs")
        script.load()
        device.resume(pid)
        time.sleep(1.5)  # the JVM is up, the probe is sleeping
        script.exports_sync.init()
        deadline = time.monotonic() + 600
        while b"DONE" not in b"".join(output) and time.monotonic() < deadline:
            time.sleep(0.1)
        return loop_ns(b"".join(output).decode())[0]
    finally:
        import os
        import signal

        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--plain-n", type=int, default=200_000)
    ap.add_argument("--hooked-n", type=int, default=5_000)
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-crypto-") as tmp:
        classpath = compile_probe(Path(tmp) / "classes")
        plain_ns = [plain(classpath, args.plain_n) for _ in range(args.runs)]
        bare_ns = [bare(classpath, args.hooked_n) for _ in range(args.runs)]
        runs = [hooked(classpath, args.hooked_n) for _ in range(args.runs)]
        hooked_ns = [ns for ns, _ in runs]
        expected = args.hooked_n + args.hooked_n // 10
        recorded = [ops for _, ops in runs]
        p, h, b = statistics.median(plain_ns), statistics.median(hooked_ns), statistics.median(bare_ns)
        print(f"AES/CBC encrypt of 70 bytes: {p / 1000:.2f} µs plain, {h / 1000:.1f} µs hooked (medians of {args.runs}); ratio {h / p:.1f}")
        print(f"  a bare Frida hook that only calls the original: {b / 1000:.1f} µs (ratio {b / p:.1f}); piaudit's recording adds {(h - b) / 1000:.1f} µs")
        print(f"ops recorded per run: {recorded} (expected {expected}: loop + warm-up)")
        if args.json:
            import json

            Path(args.json).write_text(
                json.dumps({"plain_us": p / 1000, "hooked_us": h / 1000, "bare_us": b / 1000, "ratio": h / p, "runs": args.runs, "recorded": recorded, "expected": expected})
            )


if __name__ == "__main__":
    main()
