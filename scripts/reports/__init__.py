"""Reports of a session: HTML and PDF for people (zh or en), JSON for tools, CSV/XLSX for the lab worksheet, HAR for traffic.

>>> write_report("runs/app1", "html", None)            # doctest: +SKIP
PosixPath('runs/app1/report.html')
"""

from __future__ import annotations

import sys
from pathlib import Path

FORMATS = ("html", "pdf", "json", "csv", "xlsx", "har")


def default_output(session_dir: Path | str, fmt: str) -> Path:
    """Where a report goes when no output is given: ``DIR/report.<ext>``."""
    return Path(session_dir) / f"report.{fmt}"


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
    """Write the ``fmt`` report of a session to ``out`` (None: ``DIR/report.<ext>``; ``"-"``: stdout).

    ``redact`` masks every identifier value of the session; ``only_findings`` keeps only the
    flows behind findings (HAR only); ``lang`` (zh, en) and ``tz`` (an IANA zone) default to the
    jurisdiction's. Returns the path written (``Path("-")`` for stdout).
    Raises :class:`ValueError` for an unknown format, language or zone and
    :class:`policies.session.SessionError` for a directory that is not a session.
    """
    from piaudit.policies.session import Session
    from piaudit.policies.timefmt import zone
    from piaudit.scripts.reports.i18n import LANGUAGES
    from piaudit.scripts.reports.redact import NoRedaction, redactor_for

    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if only_findings and fmt != "har":
        raise ValueError("--only-findings applies to --format har only")
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}")
    zone_info = zone(tz) if tz else None
    session_dir = Path(session_dir)
    session = Session.open(session_dir)  # fails early, naming the directory, if it is not a session
    try:
        redactor = redactor_for(session.store) if redact else NoRedaction()
    finally:
        session.store.conn.close()
    path = default_output(session_dir, fmt) if out is None else Path(out)
    if fmt == "json":
        from piaudit.scripts.reports.jsonreport import write_json

        if str(out) == "-":
            write_json(session_dir, sys.stdout, redactor, zone=zone_info)
        else:
            with open(path, "w", encoding="utf-8") as fh:
                write_json(session_dir, fh, redactor, zone=zone_info)
        return path
    if str(out) == "-":
        raise ValueError(f"--format {fmt} is written to a file; give -o FILE")
    if fmt == "html":
        from piaudit.scripts.reports.render import write_html

        return write_html(session_dir, path, redactor, lang=lang, zone=zone_info)
    if fmt == "pdf":
        from piaudit.scripts.reports.pdf import write_pdf

        return write_pdf(session_dir, path, redactor, lang=lang, zone=zone_info)
    if fmt == "csv":
        from piaudit.scripts.reports.tabular import write_csv

        return write_csv(session_dir, path, redactor, zone=zone_info)
    if fmt == "xlsx":
        from piaudit.scripts.reports.tabular import write_xlsx

        return write_xlsx(session_dir, path, redactor, lang=lang, zone=zone_info)
    from piaudit.scripts.reports.har import write_har

    write_har(session_dir, path, redactor, only_findings=only_findings)
    return path
