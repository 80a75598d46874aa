"""The lab worksheet: one row per finding, as CSV (UTF-8 with BOM) or XLSX.

Cells come from captured traffic, so a cell that a spreadsheet would run as a formula
(starting with ``= + - @``, tab or CR) is defused: in CSV with a leading apostrophe
(OWASP's advice), in XLSX by storing it as a string cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from piaudit.policies.integrity import Integrity
from piaudit.policies.private import private_open, write_private_bytes
from piaudit.policies.redaction import NoRedaction, Redactor
from piaudit.scripts.reports.data import ReportData, load, utc

COLUMNS = (
    ("no.", 6),
    ("rule", 28),
    ("severity", 9),
    ("time (UTC)", 25),
    ("before consent", 9),
    ("data type", 14),
    ("party", 20),
    ("host", 28),
    ("where", 22),
    ("encoding", 14),
    ("flow id", 38),
    ("event id", 9),
    ("evidence excerpt", 60),
    ("message", 50),
    ("evidence rows", 24),
    ("reviewer verdict", 18),
    ("notes", 40),
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
VERDICTS = "confirmed,false positive,needs more evidence"
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def defuse(value: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula.

    >>> defuse("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> defuse("imei")
    'imei'
    """
    return "'" + value if value.startswith(FORMULA_START) else value


def finding_rows(data: ReportData, redactor: Redactor) -> Iterator[list[Any]]:
    """One row per finding, in time order (numbers match the HTML report)."""
    for n, f in enumerate(data.findings, start=1):
        yield [
            n,
            f.rule,
            f.severity,
            utc(f.time),
            "yes" if f.before_consent else "no",
            f.data_type or "",
            redactor.text(f.party or ""),
            redactor.text(f.host or ""),
            redactor.text(f.where or ""),
            f.encoding or "",
            f.flow or "",
            "" if f.event is None else f.event,
            redactor.text(f.evidence),
            redactor.text(f.message),
            " ".join(f.evidence_rows),
            "",
            "; ".join(data.warnings),
        ]


def write_csv(session_dir: Path, out: Path, redactor: Redactor | None = None) -> Path:
    """Write the worksheet as CSV (UTF-8 with BOM so Excel reads Chinese text correctly)."""
    data = load(session_dir, with_chains=False)
    with private_open(out, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([name for name, _ in COLUMNS])
        for row in finding_rows(data, redactor or NoRedaction()):
            writer.writerow([defuse(c) if isinstance(c, str) else c for c in row])
    return out


def write_xlsx(session_dir: Path, out: Path, redactor: Redactor | None = None, *, integrity: Integrity | None = None) -> Path:
    """Write the worksheet as XLSX: frozen header, filters, a verdict drop-down, and a session sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    redactor = redactor or NoRedaction()
    data = load(session_dir, with_chains=False, integrity=integrity)
    wb = Workbook()
    ws = wb.active
    ws.title = "findings"
    ws.append([name for name, _ in COLUMNS])
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    for r, row in enumerate(finding_rows(data, redactor), start=2):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = _ILLEGAL_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cell.alignment = Alignment(wrap_text=len(value) > 40, vertical="top")
            else:
                cell.value = value
    last = len(data.findings) + 1
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    verdict_col = get_column_letter([n for n, _ in COLUMNS].index("reviewer verdict") + 1)
    validation = DataValidation(type="list", formula1=f'"{VERDICTS}"', allow_blank=True)
    ws.add_data_validation(validation)
    validation.add(f"{verdict_col}2:{verdict_col}{max(last, 2) + 500}")
    meta = wb.create_sheet("session")
    m = data.meta
    for key, value in (
        ("app", m.app),
        ("started (UTC)", utc(m.started)),
        ("stopped (UTC)", utc(m.stopped)),
        ("complete", str(m.complete)),
        ("policy", m.policy_path),
        ("policy sha256", m.policy_sha256),
        ("catalog sha256", m.catalog_sha256),
        ("consent moment (UTC)", data.consent["consent_time_utc"] or data.consent["note"]),
        ("warnings", "; ".join(data.warnings) or "none"),
        ("evidence integrity", "; ".join(data.integrity.problems) or ("intact" if integrity is not None else "not checked")),
        *((f"version {k}", v) for k, v in sorted(m.versions.items())),
    ):
        meta.append([key, ""])
        cell = meta.cell(row=meta.max_row, column=2, value=_ILLEGAL_XML.sub("?", redactor.text(str(value or ""))))
        cell.data_type = "s"
    meta.column_dimensions["A"].width, meta.column_dimensions["B"].width = 24, 90
    buffer = io.BytesIO()
    wb.save(buffer)
    write_private_bytes(out, buffer.getvalue())
    return out
