"""Peak memory of `piaudit report --format har` on a large session, against mitmproxy's own `hardump`.

    .venv/bin/python scripts/bench/bench_har.py --flows 100000          # builds the session in a temp dir
    .venv/bin/python scripts/bench/bench_har.py --session runs/big       # an existing session

Both exports run as subprocesses; their peak RSS comes from ``os.wait4`` (the kernel's
``ru_maxrss`` of that one child). piaudit streams (target: under 200 MB whatever the
size); mitmproxy's hardump keeps every flow in memory until it writes the file at exit.

Linux counts the parent's memory at fork/exec time in a child's ``ru_maxrss``, so this
script stays small: it imports nothing heavy and builds the session in a subprocess.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
IMEI = "359881030314356"


def make_session(directory: Path, n: int, body_size: int = 1024) -> Path:
    """A session of ``n`` HTTP flows (every 10th carries an IMEI, every 100th has a finding), written fast.

    One flow's state is built with ``tflow`` and re-serialised with new ids, URLs, bodies
    and times, which is what ``FlowWriter.add`` would write for ``n`` distinct flows.
    """
    from mitmproxy.io import tnetstring
    from mitmproxy.test import tflow

    from piaudit.policies.session import Session

    session = Session.create(directory, app="bench.app")
    template = tflow.tflow(resp=True).get_state()
    filler = ("x" * body_size).encode()
    t0 = 1_764_000_000.0
    flows, detections, findings = [], [], []
    with open(session.flows_path, "wb") as fh:
        for i in range(n):
            flow_id = f"{i:08d}-0000-4000-8000-{hashlib.md5(str(i).encode()).hexdigest()[:12]}"
            host = f"api{i % 50}.tracker{i % 7}.example".encode()
            has_id = i % 10 == 0
            body = b'{"seq":%d,"imei":"%s","pad":"%s"}' % (i, IMEI.encode() if has_id else b"-", filler)
            t = t0 + i * 0.01
            state = template
            state["id"] = flow_id
            req, resp = state["request"], state["response"]
            req.update(
                host=host, path=b"/v1/collect?n=%d" % i, content=body, timestamp_start=t, timestamp_end=t + 0.001, method=b"POST"
            )
            resp.update(content=filler * 2, timestamp_start=t + 0.005, timestamp_end=t + 0.006)
            tnetstring.dump(state, fh)
            url = f"http://{host.decode()}:22/v1/collect?n={i}"
            flows.append(
                {
                    "flow_id": flow_id,
                    "kind": "http",
                    "method": "POST",
                    "url": url,
                    "host": host.decode(),
                    "port": 22,
                    "scheme": "http",
                    "http_version": "HTTP/1.1",
                    "status_code": 200,
                    "request_headers": "[]",
                    "response_headers": "[]",
                    "request_size": len(body),
                    "response_size": 2 * len(filler),
                    "timestamp_start": t,
                    "timestamp_end": t + 0.006,
                }
            )
            if has_id:
                detections.append(
                    {
                        "flow_id": flow_id,
                        "data_type": "imei",
                        "source": "value",
                        "value": IMEI,
                        "encoding": "plain",
                        "where": "body:$.imei",
                        "excerpt": f'"imei":"[[{IMEI}]]"',
                        "direction": "request",
                    }
                )
            if i % 100 == 0:
                finding = {
                    "rule": "PRE_CONSENT_TRANSMISSION",
                    "data_type": "imei",
                    "host": host.decode(),
                    "flow": flow_id,
                    "time": t,
                    "before_consent": True,
                    "evidence": IMEI,
                }
                findings.append(
                    {
                        "run": 1,
                        "rule": finding["rule"],
                        "data_type": "imei",
                        "host": finding["host"],
                        "flow_id": flow_id,
                        "time": t,
                        "before_consent": 1,
                        "json": json.dumps(finding),
                    }
                )
    for table, rows in (("flows", flows), ("detections", detections), ("findings", findings)):
        for start in range(0, len(rows), 20_000):
            session.store.insert_many(table, rows[start : start + 20_000])
    session.close(complete=True)
    return directory


def measure(argv: list[str]) -> tuple[float, float, int]:
    """Run ``argv``; return (peak RSS in MB, seconds, exit code) of that child alone."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 and proc.stderr is not None:
        sys.stderr.write(proc.stderr.read().decode(errors="replace")[-2000:])
    return usage.ru_maxrss / 1024, time.monotonic() - started, proc.returncode


def main(argv: list[str] | None = None) -> int:
    """Build or take a session, export its HAR both ways, print peak RSS and time."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flows", type=int, default=100_000, help="flows in the generated session (default 100000)")
    parser.add_argument("--body", type=int, default=1024, help="request body padding in bytes (response: twice that)")
    parser.add_argument("--session", metavar="DIR", help="benchmark this existing session instead of generating one")
    parser.add_argument("--skip-hardump", action="store_true", help="measure piaudit only")
    parser.add_argument("--keep", action="store_true", help="keep the generated session and HAR files")
    parser.add_argument("--build-only", metavar="DIR", help=argparse.SUPPRESS)  # the subprocess that builds the session
    args = parser.parse_args(argv)
    if args.build_only:
        make_session(Path(args.build_only), args.flows, args.body)
        return 0
    work = Path(tempfile.mkdtemp(prefix="piaudit-bench-har-"))
    try:
        if args.session:
            session = Path(args.session)
        else:
            started = time.monotonic()
            session = work / "session"
            subprocess.run(
                [sys.executable, __file__, "--build-only", str(session), "--flows", str(args.flows), "--body", str(args.body)],
                check=True,
                cwd=Path(__file__).resolve().parents[1],
            )
            print(
                f"built {args.flows} flows in {time.monotonic() - started:.1f} s "
                f"(flows.mitm {(session / 'flows.mitm').stat().st_size / 1e6:.0f} MB)"
            )
        piaudit = [str(BIN / "piaudit"), "report", str(session), "--format", "har", "-o", str(work / "piaudit.har")]
        rss, secs, rc = measure(piaudit)
        size = (work / "piaudit.har").stat().st_size / 1e6 if rc == 0 else 0
        print(
            f"piaudit report --format har : peak RSS {rss:7.1f} MB  {secs:6.1f} s  exit {rc}  HAR {size:.0f} MB"
            f"  ({'under' if rss < 200 else 'OVER'} the 200 MB target)"
        )
        if not args.skip_hardump:
            hardump = [
                str(BIN / "mitmdump"),
                "-q",
                "-n",
                "-r",
                str(session / "flows.mitm"),
                "--set",
                f"hardump={work / 'mitm.har'}",
            ]
            rss2, secs2, rc2 = measure(hardump)
            size2 = (work / "mitm.har").stat().st_size / 1e6 if rc2 == 0 else 0
            print(f"mitmdump --set hardump      : peak RSS {rss2:7.1f} MB  {secs2:6.1f} s  exit {rc2}  HAR {size2:.0f} MB")
        return 0 if rc == 0 else 1
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
