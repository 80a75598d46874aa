"""Reports of a session: HTML and PDF for people (zh or en), JSON for tools, CSV/XLSX for the lab worksheet, HAR for traffic.

>>> write_report("runs/app1", "html", None)            # doctest: +SKIP
PosixPath('runs/app1/report.html')
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from piaudit.policies.integrity import Integrity

FORMATS = ("html", "pdf", "json", "csv", "xlsx", "har")


def default_output(session_dir: Path | str, fmt: str) -> Path:
    """Where a report goes when no output is given: ``DIR/report.<ext>``."""
    return Path(session_dir) / f"report.{fmt}"


def check_arguments(
    fmt: str, out: Path | str | None, only_findings: bool = False, *, lang: str | None = None, tz: str | None = None
) -> None:
    """Refuse a combination no report can be written for (ValueError, one line)."""
    from piaudit.policies.timefmt import zone
    from piaudit.scripts.reports.i18n import LANGUAGES

    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if only_findings and fmt != "har":
        raise ValueError("--only-findings applies to --format har only")
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}")
    if tz:
        zone(tz)  # an unknown zone is a ValueError naming it
    if str(out) == "-" and fmt != "json":
        raise ValueError(f"--format {fmt} is written to a file; give -o FILE")


def write_report(
    session_dir: Path | str,
    fmt: str,
    out: Path | str | None,
    *,
    redact: bool = False,
    only_findings: bool = False,
    lang: str | None = None,
    tz: str | None = None,
) -> Path:
    """Write the ``fmt`` report of a session to ``out``; returns the path (see :func:`write_checked_report`)."""
    return write_checked_report(session_dir, fmt, out, redact=redact, only_findings=only_findings, lang=lang, tz=tz)[0]


def write_checked_report(
    session_dir: Path | str,
    fmt: str,
    out: Path | str | None,
    *,
    redact: bool = False,
    only_findings: bool = False,
    lang: str | None = None,
    tz: str | None = None,
) -> tuple[Path, Integrity]:
    """Write the ``fmt`` report of a session to ``out`` (None: ``DIR/report.<ext>``; ``"-"``: stdout).

    ``redact`` masks every identifier value of the session (:mod:`policies.redaction`, in every
    format); ``only_findings`` keeps only the flows behind findings (HAR only); ``lang`` (zh, en)
    and ``tz`` (an IANA zone) default to the jurisdiction's. Returns the path written
    (``Path("-")`` for stdout) and what the integrity checks found (the report shows it too).
    Raises :class:`ValueError` for an unknown format, language or zone and
    :class:`policies.session.SessionError` for a directory that is not a session.
    """
    from piaudit.policies.integrity import check
    from piaudit.policies.private import private_open
    from piaudit.policies.redaction import NoRedaction, session_redactor
    from piaudit.policies.session import Session
    from piaudit.policies.timefmt import zone

    check_arguments(fmt, out, only_findings, lang=lang, tz=tz)
    zone_info = zone(tz) if tz else None
    session_dir = Path(session_dir)
    session = Session.open(session_dir)  # fails early, naming the directory, if it is not a session
    try:
        redactor = session_redactor(session.store.conn) if redact else NoRedaction()
        integrity = check(session.store.conn, session.meta)
    finally:
        session.store.conn.close()
    path = default_output(session_dir, fmt) if out is None else Path(out)
    if fmt == "json":
        from piaudit.scripts.reports.jsonreport import write_json

        if str(out) == "-":
            write_json(session_dir, sys.stdout, redactor, zone=zone_info, integrity=integrity)
        else:
            with private_open(path, "w", encoding="utf-8") as fh:
                write_json(session_dir, fh, redactor, zone=zone_info, integrity=integrity)
        return path, integrity
    if fmt == "html":
        from piaudit.scripts.reports.render import write_html

        return write_html(session_dir, path, redactor, lang=lang, zone=zone_info, integrity=integrity), integrity
    if fmt == "pdf":
        from piaudit.scripts.reports.pdf import write_pdf

        return write_pdf(session_dir, path, redactor, lang=lang, zone=zone_info, integrity=integrity), integrity
    if fmt == "csv":
        from piaudit.scripts.reports.tabular import write_csv

        return write_csv(session_dir, path, redactor, zone=zone_info), integrity
    if fmt == "xlsx":
        from piaudit.scripts.reports.tabular import write_xlsx

        return write_xlsx(session_dir, path, redactor, lang=lang, zone=zone_info, integrity=integrity), integrity
    from piaudit.scripts.reports.har import write_har

    write_har(session_dir, path, redactor, only_findings=only_findings, integrity=integrity)
    return path, integrity
