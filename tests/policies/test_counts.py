"""One definition of each count: the line a session closes with says what `piaudit info` says."""

from __future__ import annotations

import re
from pathlib import Path

from piaudit.policies.auditor import Auditor
from piaudit.policies.models import ApiRef, ConsentEvent, HookEvent, HookStatus, LifecycleEvent
from piaudit.policies.options import AuditOptions, AuditorConfig
from piaudit.policies.rows import count_line, counts
from piaudit.policies.session import Session
from piaudit.scripts.cli import main

T0 = 1_764_000_000.0


def test_the_close_line_counts_rows_as_info_does(tmp_path: Path, capsys) -> None:
    auditor = Auditor.start(AuditorConfig(options=AuditOptions(session=str(tmp_path / "s"), detect=False)))
    api = ApiRef(class_name="android.telephony.TelephonyManager", method="getImei")
    for _ in range(40):  # hook status rows: one per hooked API, far more than calls
        auditor.pipeline.record_event(HookStatus(time=T0, api=api, installed=True))
    for i in range(3):
        auditor.pipeline.record_event(HookEvent(time=T0 + i, data_type="imei", api=api, value="359881030314356"))
    auditor.pipeline.record_event(LifecycleEvent(time=T0, state="process_start"))
    auditor.pipeline.record_event(LifecycleEvent(time=T0 + 9, state="process_exit", detail="exit(0)"))
    auditor.pipeline.record_event(ConsentEvent(time=T0 + 1, decision="granted", source="manual"))
    auditor.stop()
    line = auditor.summary_line()
    assert "3 hook events" in line and "1 consent event" in line and "2 lifecycle events" in line and "0 audit errors" in line, (
        line
    )
    assert main(["info", str(tmp_path / "s")]) == 0
    info = capsys.readouterr().out
    rows = dict((name, int(n)) for name, n in re.findall(r"(\w+) (\d+)", info.split("rows", 1)[1].splitlines()[0]))
    assert rows["hook_events"] == 3 and rows["lifecycle_events"] == 2 and rows["errors"] == 0, info


def test_count_line_names_every_table_once(tmp_path: Path) -> None:
    Session.create(tmp_path / "s").close()
    store = Session.open(tmp_path / "s").store
    assert count_line(counts(store)) == (
        "0 flows, 0 detections, 0 hook events, 0 consent events, 0 lifecycle events, 0 permission requests,"
        " 0 TLS failures, 0 audit errors"
    )
