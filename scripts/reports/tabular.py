"""The lab worksheet: one row per finding (occurrence) with its group id, as CSV (UTF-8 with BOM) or XLSX.

Rows stream from SQLite (worst severity first, then time), so memory stays flat whatever the
number of findings; the XLSX is written in openpyxl's write-only mode for the same reason. The
XLSX has real date-time cells (in the jurisdiction's time zone, with UTC beside them),
severity colouring, summary sheets per group, rule and SDK, the checklist, and print set-up
(landscape, fitted to the page width, the header row repeated on every page).

Cells come from captured traffic, so a cell that a spreadsheet would run as a formula
(starting with ``= + - @``, tab or CR) is defused: in CSV with a leading apostrophe
(OWASP's advice), in XLSX by storing it as a string cell.

A field added to the findings model later gets its own column at the end, by itself.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from piaudit.policies.checklist import checklist_items
from piaudit.policies.integrity import Integrity
from piaudit.policies.models import Finding
from piaudit.policies.private import private_open, write_private_bytes
from piaudit.policies.redaction import NoRedaction, Redactor
from piaudit.policies.ruletexts import rule_text
from piaudit.policies.session import Session
from piaudit.policies.timefmt import utc
from piaudit.policies.times import is_plausible
from piaudit.scripts.reports.data import ReportData, load
from piaudit.scripts.reports.groups import finding_group, occurrences
from piaudit.scripts.reports.i18n import Words

# (key, width): the CSV header is the key; the XLSX header its words (col.<key>, else the key)
COLUMNS = (
    ("no.", 6),
    ("group", 15),
    ("rule", 28),
    ("severity", 9),
    ("time", 23),
    ("time (UTC, ISO 8601)", 25),
    ("before consent", 9),
    ("data type", 14),
    ("party", 22),
    ("party as judged", 18),
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
KNOWN_FIELDS = {
    "rule", "severity", "time", "before_consent", "data_type", "party", "host", "where", "encoding",
    "flow", "event", "evidence", "message", "evidence_rows",
}  # fmt: skip
EXTRA_FIELDS = tuple(name for name in Finding.model_fields if name not in KNOWN_FIELDS)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
VERDICTS = "confirmed,false positive,needs more evidence"
SEVERITY_FILL = {"high": "F8C9C4", "medium": "FCE3B8", "low": "D7EBD3", "info": "E1E8F0"}
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss.000"


def defuse(value: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula.

    >>> defuse("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> defuse("imei")
    'imei'
    """
    return "'" + value if value.startswith(FORMULA_START) else value


def columns() -> list[tuple[str, int]]:
    """Every column: the fixed ones, then one per findings field added since."""
    return [*COLUMNS, *((name.replace("_", " "), 18) for name in EXTRA_FIELDS)]


def finding_rows(session_dir: Path, data: ReportData, redactor: Redactor) -> Iterator[tuple[Finding, list[Any]]]:
    """One row per finding, worst severity first, then time; times as epoch seconds (formatted by the writer)."""
    warnings = "; ".join(data.warnings)
    session = Session.open(session_dir)
    try:
        for n, (_, f) in enumerate(occurrences(session.store), start=1):
            shown = data.parties.display(f.party)
            extra = []
            for name in EXTRA_FIELDS:
                value = getattr(f, name)
                extra.append("" if value is None else value if isinstance(value, (str, int, float)) else json.dumps(value, ensure_ascii=False))
            yield f, [
                n,
                finding_group(f),
                f.rule,
                f.severity,
                f.time,
                f.time,
                "yes" if f.before_consent else "no",
                f.data_type or "",
                redactor.text(shown or ""),
                redactor.text(f.party) if f.party and f.party != shown else "",
                redactor.text(f.host or ""),
                redactor.text(f.where or ""),
                f.encoding or "",
                f.flow or "",
                "" if f.event is None else f.event,
                redactor.text(f.evidence),
                redactor.text(f.message),
                " ".join(f.evidence_rows),
                "",
                warnings,
                *(redactor.text(x) if isinstance(x, str) else x for x in extra),
            ]
    finally:
        session.store.conn.close()


def _local_text(t: float, zone: ZoneInfo) -> str:
    """ISO 8601 in ``zone`` with its offset: ``2025-11-25T00:00:01.500+08:00`` (a stored impossible time as :func:`utc` shows it)."""
    if not is_plausible(t):
        return utc(t)
    return datetime.fromtimestamp(t, zone).isoformat(timespec="milliseconds")


def write_csv(session_dir: Path, out: Path, redactor: Redactor | None = None, *, zone: ZoneInfo | None = None) -> Path:
    """Write the worksheet as CSV (UTF-8 with BOM so Excel reads Chinese text correctly); times as ISO 8601 text."""
    redactor = redactor or NoRedaction()
    data = load(session_dir, zone=zone, with_chains=False)
    with private_open(out, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([name if name != "time" else f"time ({data.zone.key})" for name, _ in columns()])
        for f, row in finding_rows(session_dir, data, redactor):
            row[4], row[5] = _local_text(f.time, data.zone), utc(f.time)
            writer.writerow([defuse(c) if isinstance(c, str) else c for c in row])
    return out


class _Sheet:
    """A write-only sheet with a bold, filled, frozen, filtered, printed-on-every-page header row.

    Plain values go in as they are; a cell is an object only when it needs a style or must be
    kept from being read as a formula, and each style is made once (openpyxl's write-only mode is
    what keeps memory flat; this is what keeps it fast).
    """

    def __init__(self, wb: Any, title: str, headers: list[tuple[str, int]]):
        from openpyxl.utils import get_column_letter

        self.ws = wb.create_sheet(title)
        self.n_cols = len(headers)
        self._styles: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}
        for i, (_, width) in enumerate(headers, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = "B2" if title == "findings" else "A2"
        self.ws.print_title_rows = "1:1"
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = "9"  # A4
        self.ws.page_setup.fitToWidth, self.ws.page_setup.fitToHeight = 1, 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.rows = 1
        self.append([self.cell(h, bold=True, fill="DDE6F0") for h, _ in headers])

    def _style(self, bold: bool, fill: str | None, wrap: bool) -> tuple[Any, Any, Any]:
        key = (bold, fill, wrap)
        if key not in self._styles:
            from openpyxl.styles import Alignment, Font, PatternFill

            self._styles[key] = (
                Font(bold=True) if bold else None,
                PatternFill("solid", fgColor=fill) if fill else None,
                Alignment(wrap_text=True, vertical="top") if wrap else None,
            )
        return self._styles[key]

    def cell(self, value: Any, *, bold: bool = False, fill: str | None = None, number_format: str | None = None, wrap: bool = False) -> Any:
        """The value as a cell: itself when plain, else a styled or string-typed cell."""
        from openpyxl.cell import WriteOnlyCell

        text = isinstance(value, str)
        if text:
            value = _ILLEGAL_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", value) if _ILLEGAL_XML.search(value) else value
        if not (bold or fill or number_format or wrap) and not (text and value.startswith("=")):
            return value
        cell = WriteOnlyCell(self.ws, value=value)
        if text:
            cell.data_type = "s"  # never a formula, whatever the text starts with
        font, pattern, alignment = self._style(bold, fill, wrap)
        if font is not None:
            cell.font = font
        if pattern is not None:
            cell.fill = pattern
        if alignment is not None:
            cell.alignment = alignment
        if number_format:
            cell.number_format = number_format
        return cell

    def append(self, cells: list[Any]) -> None:
        self.ws.append(cells)
        self.rows += 1

    def close(self) -> None:
        from openpyxl.utils import get_column_letter

        self.ws.auto_filter.ref = f"A1:{get_column_letter(self.n_cols)}{max(self.rows - 1, 1)}"


def _naive(t: float, zone: Any) -> datetime | str:
    """A date-time cell value: Excel has no time zones, so the zone goes in the header (a stored impossible time: text)."""
    if not is_plausible(t):
        return utc(t)
    return datetime.fromtimestamp(t, zone).replace(tzinfo=None)


def write_xlsx(
    session_dir: Path,
    out: Path,
    redactor: Redactor | None = None,
    *,
    lang: str | None = None,
    zone: ZoneInfo | None = None,
    integrity: Integrity | None = None,
) -> Path:
    """Write the worksheet as XLSX: findings, groups, rules, SDKs, checklist and session sheets."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    redactor = redactor or NoRedaction()
    data = load(session_dir, lang=lang, zone=zone, with_chains=False, integrity=integrity)
    w = Words(data.lang)
    zone_key = data.zone.key
    wb = Workbook(write_only=True)
    headers = [(w(f"xlsx.{name}") if w.has(f"xlsx.{name}") else name, width) for name, width in columns()]
    headers[4] = (w("xlsx.time_zone", zone=zone_key), headers[4][1])
    sheet = _Sheet(wb, "findings", headers)
    verdict_col = [name for name, _ in columns()].index("reviewer verdict")
    for f, row in finding_rows(session_dir, data, redactor):
        cells = [sheet.cell(v, wrap=isinstance(v, str) and len(v) > 40) for v in row]
        cells[3] = sheet.cell(row[3], fill=SEVERITY_FILL.get(f.severity))
        cells[4] = sheet.cell(_naive(f.time, data.zone), number_format=DATE_FORMAT)
        cells[5] = sheet.cell(_naive(f.time, UTC), number_format=DATE_FORMAT)
        if f.before_consent:
            cells[6] = sheet.cell(row[6], fill="F8C9C4")
        sheet.append(cells)
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(verdict_col + 1)
    validation = DataValidation(type="list", formula1=f'"{VERDICTS}"', allow_blank=True)
    validation.add(f"{letter}2:{letter}{max(sheet.rows, 2) + 500}")
    sheet.ws.data_validations.append(validation)
    sheet.close()

    groups = _Sheet(
        wb,
        "groups",
        [(w("xlsx.group"), 15), (w("col.rule"), 28), (w("col.title"), 34), (w("xlsx.severity"), 9), (w("col.findings"), 9),
         (w("col.before_consent"), 9), (w("xlsx.data type"), 14), (w("col.party"), 22), (w("col.host"), 28), (w("xlsx.where"), 22),
         (w("xlsx.first", zone=zone_key), 23), (w("xlsx.last", zone=zone_key), 23), (w("findings.rows"), 30)],
    )  # fmt: skip
    for g in data.groups:
        f = g.first
        groups.append(
            [
                groups.cell(g.id),
                groups.cell(f.rule),
                groups.cell(rule_text(f.rule).title(data.lang), wrap=True),
                groups.cell(g.severity, fill=SEVERITY_FILL.get(g.severity)),
                groups.cell(g.count),
                groups.cell(g.before_consent),
                groups.cell(str(f.data_type or "")),
                groups.cell(redactor.text(data.parties.display(f.party) or w("party.app"))),
                groups.cell(redactor.text(f.host or "")),
                groups.cell(redactor.text(f.where or "")),
                groups.cell(_naive(g.first_time, data.zone), number_format=DATE_FORMAT),
                groups.cell(_naive(g.last_time, data.zone), number_format=DATE_FORMAT),
                groups.cell(" ".join(g.evidence_rows) + (f" (+{g.more_rows})" if g.more_rows else "")),
            ]
        )
    groups.close()

    rules = _Sheet(wb, "rules", [(w("col.rule"), 28), (w("col.title"), 40), (w("col.findings"), 10), (w("col.groups"), 8), (w("col.before_consent"), 10), (w("col.worst_severity"), 12), (w("findings.legal_basis"), 70)])
    for r in data.by_rule:
        text = rule_text(r["rule"])
        rules.append(
            [
                rules.cell(r["rule"]),
                rules.cell(text.title(data.lang), wrap=True),
                rules.cell(r["findings"]),
                rules.cell(r["groups"]),
                rules.cell(r["before_consent"]),
                rules.cell(r["severity"], fill=SEVERITY_FILL.get(r["severity"])),
                rules.cell("; ".join(b(data.lang) for b in text.legal_basis), wrap=True),
            ]
        )
    rules.close()

    sdks = _Sheet(wb, "sdks", [(w("col.party"), 26), (w("col.company"), 24), (w("col.country"), 8), (w("col.read"), 28), (w("col.sent"), 28), (w("col.before_consent"), 10), (w("col.declared"), 12), (w("col.rules"), 50)])
    yes_no = {True: w("yes"), False: w("no"), None: w("unknown")}
    for row in data.party_rows:
        sdks.append(
            [
                sdks.cell(redactor.text(row["party"] or w("party.app"))),
                sdks.cell(row["company"] or ""),
                sdks.cell(row["country"] or ""),
                sdks.cell(", ".join(row["read"])),
                sdks.cell(", ".join(row["sent"])),
                sdks.cell(yes_no[row["before_consent"]], fill="F8C9C4" if row["before_consent"] else None),
                sdks.cell(w("party.first_party") if not row["key"] else yes_no[row["declared"]]),
                sdks.cell(", ".join(f"{k} ×{v}" for k, v in row["rules"].items()), wrap=True),
            ]
        )
    sdks.close()

    checks = _Sheet(wb, "checklist", [(w("col.item"), 26), (w("col.title"), 60), (w("col.clauses"), 30), (w("col.verdict"), 12), (w("col.note"), 50), (w("col.by"), 12), (w("xlsx.time_zone", zone=zone_key), 23)])
    verdict_fill = {"pass": "D7EBD3", "fail": "F8C9C4", "na": "E1E8F0"}
    for item in checklist_items():
        answer = data.checks.get(item.id)
        checks.append(
            [
                checks.cell(item.id),
                checks.cell(item.text(data.lang), wrap=True),
                checks.cell("; ".join(item.clauses)),
                checks.cell(answer.verdict if answer else "", fill=verdict_fill.get(answer.verdict) if answer else None),
                checks.cell(redactor.text(answer.note) if answer else "", wrap=True),
                checks.cell(answer.by if answer else ""),
                checks.cell(_naive(answer.time, data.zone), number_format=DATE_FORMAT) if answer else checks.cell(""),
            ]
        )
    checks.close()

    meta = _Sheet(wb, "session", [(w("xlsx.key"), 26), (w("xlsx.value"), 90)])
    m = data.meta
    for key, value in (
        ("app", m.app),
        ("started (UTC)", utc(m.started)),
        ("stopped (UTC)", utc(m.stopped)),
        ("time zone", zone_key),
        ("complete", str(m.complete)),
        ("policy", data.judgement.policy_path if data.judgement else m.policy_path),
        ("policy sha256", data.judgement.policy_sha256 if data.judgement else m.policy_sha256),
        ("catalog sha256", m.catalog_sha256),
        ("consent moment (UTC)", data.consent["consent_time_utc"] or data.consent["note"]),
        ("findings", data.findings_total),
        ("groups", len(data.groups)),
        ("warnings", "; ".join(data.warnings) or "none"),
        ("evidence integrity", "; ".join(data.integrity.problems) or ("intact" if integrity is not None else "not checked")),
        *((f"version {k}", v) for k, v in sorted(m.versions.items())),
    ):
        meta.append([meta.cell(key), meta.cell(redactor.text(str(value if value is not None else "")))])
    meta.close()
    buffer = io.BytesIO()
    wb.save(buffer)
    write_private_bytes(out, buffer.getvalue())
    return out
