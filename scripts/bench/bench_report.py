"""Time and peak memory of `piaudit report` on a session with many repeated findings (issue 14's 4-minute session).

    .venv/bin/python scripts/bench/bench_report.py                       # 21,690 findings, every format
    .venv/bin/python scripts/bench/bench_report.py --findings 100000 --formats html json

A 4-minute session in which one SDK posted the IMEI 21,689 times (and the app made one other
upload) gives 21,690 findings in 2 groups. Each report runs in its own subprocess; its peak RSS
comes from ``os.wait4`` (the kernel's ``ru_maxrss`` of that child). The baseline is the same
report of a session a tenth the size, measured in the same run: grouping in SQLite and
streaming the per-finding formats keep the ratio near 1 (memory does not grow with the
findings). Medians of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
IMEI = "359881030314356"
T0 = 1_764_000_000.0
FORMATS = ("html", "json", "csv", "xlsx", "pdf")


def make_session(directory: Path, n: int) -> Path:
    """A session of ``n`` findings: ``n - 1`` IMEI uploads by one SDK over four minutes, and one read by the app."""
    from piaudit.policies import rows
    from piaudit.policies.models import ConsentEvent, Finding, Judgement
    from piaudit.policies.session import Session

    session = Session.create(directory, app="com.example.bench")
    session.meta.started, session.meta.stopped = T0, T0 + 240
    store = session.store
    span = 240.0 / max(1, n - 1)
    flows, detections, findings = [], [], []
    for i in range(n - 1):
        flow_id = f"{i:08d}-0000-4000-8000-000000000000"
        t = T0 + i * span
        flows.append({"flow_id": flow_id, "kind": "http", "method": "POST", "url": "https://ulogs.umeng.com/unify_logs", "host": "ulogs.umeng.com",
                      "port": 443, "scheme": "https", "http_version": "HTTP/2.0", "status_code": 200, "request_headers": "[]",
                      "response_headers": "[]", "request_size": 180, "response_size": 11, "timestamp_start": t, "timestamp_end": t + 0.05,
                      "tls": 1})  # fmt: skip
        detections.append({"flow_id": flow_id, "data_type": "imei", "source": "value", "value": IMEI, "encoding": "plain",
                           "where": "body:$.imei", "excerpt": f'{{"imei":"[[{IMEI}]]"}}', "direction": "request"})  # fmt: skip
        finding = Finding(rule="PRE_CONSENT_TRANSMISSION", data_type="imei", party="Umeng", host="ulogs.umeng.com", where="body:$.imei",
                          encoding="plain", flow=flow_id, time=t, before_consent=True, severity="high", evidence=f'{{"imei":"{IMEI}"}}',
                          message="IMEI sent to Umeng before consent", evidence_rows=[f"flows:{i + 1}", f"detections:{i + 1}"])  # fmt: skip
        findings.append(rows.finding_row(1, finding))
    findings.append(rows.finding_row(1, Finding(rule="CLIPBOARD_READ", data_type="clipboard", time=T0 + 1, before_consent=True, message="clipboard")))
    for table, batch in (("flows", flows), ("detections", detections), ("findings", findings)):
        for start in range(0, len(batch), 20_000):
            store.insert_many(table, batch[start : start + 20_000])
    store.insert_many("consent_events", [rows.event_row(ConsentEvent(time=T0 + 239, decision="granted", source="ui_click"))[1]])
    store.insert_many("judgements", [rows.judgement_row(Judgement(run=1, time=T0 + 240, consent_signals=["manual", "ui_click"], jurisdiction="CN", parties=[]))])
    session.close(complete=True)
    return directory


def measure(argv: list[str]) -> tuple[float, float, int]:
    """Run ``argv``; return (peak RSS in MB, seconds, exit code) of that child alone."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0 and proc.stderr is not None:
        sys.stderr.write(proc.stderr.read().decode(errors="replace")[-2000:])
    return usage.ru_maxrss / 1024, time.monotonic() - started, code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", type=int, default=21_690, help="findings in the session (default 21690)")
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is printed)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    parser.add_argument("--build-only", nargs=2, metavar=("DIR", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build_only:
        make_session(Path(args.build_only[0]), int(args.build_only[1]))
        return 0
    work = Path(tempfile.mkdtemp(prefix="piaudit-bench-report-"))
    results = {}
    try:
        sizes = {"baseline": max(2, args.findings // 10), "session": args.findings}
        for label, n in sizes.items():
            subprocess.run([sys.executable, __file__, "--build-only", str(work / label), str(n)], check=True)
        print(f"sessions: {sizes['session']} findings (2 groups) and a baseline of {sizes['baseline']}; median of {args.repeat} runs")
        for fmt in args.formats:
            row = {}
            for label in sizes:
                runs = [measure([str(BIN / "piaudit"), "report", str(work / label), "--format", fmt, "-o", str(work / f"{label}.{fmt}"), "--force"]) for _ in range(args.repeat)]
                if any(code for _, _, code in runs):
                    print(f"{fmt}: failed")
                    return 1
                row[label] = {"rss_mb": statistics.median(r for r, _, _ in runs), "seconds": statistics.median(s for _, s, _ in runs)}
            results[fmt] = row
            s, b = row["session"], row["baseline"]
            print(
                f"report --format {fmt:5s}: {s['seconds']:5.2f} s, peak RSS {s['rss_mb']:6.1f} MB"
                f"   (baseline {b['seconds']:5.2f} s, {b['rss_mb']:6.1f} MB; RSS ratio {s['rss_mb'] / b['rss_mb']:.2f})"
            )
        if args.json:
            print(json.dumps(results, indent=2))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
