"""`piaudit report --format pdf`: the HTML report printed to PDF by headless Chromium.

The page is the same template in print mode (stacks cut to the frames around the responsible
one, fewer detections per flow, smaller screenshots) with a print stylesheet: A4, the app and
session in every page's header, page numbers ("page 3 of 12") in the footer (CSS page-margin
boxes), headings kept with what follows them, table rows and finding facts never split, table
headers repeated on each page. Chromium runs with a fresh profile in a private temporary
folder, no network (the page's CSP forbids every load but inline images), and is ended by its
pid if it does not finish in time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from piaudit.policies.integrity import Integrity
from piaudit.policies.private import private_open
from piaudit.policies.redaction import Redactor

TIMEOUT = 120.0
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class PdfError(RuntimeError):
    """Chromium is missing or could not print the report."""


def browser() -> str:
    """The Chromium executable; :class:`PdfError` says how to install it when there is none."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError("--format pdf needs Chromium: install it (Debian: apt install chromium; scripts/setup.sh does) and run again")


def chromium_args(profile: Path) -> list[str]:
    """The flags every headless run uses: a fresh profile, nothing fetched, no first-run work."""
    args = [
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-quic",
        f"--user-data-dir={profile}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return args


def print_pdf(page: Path, out: Path, timeout: float = TIMEOUT) -> Path:
    """Print the HTML file ``page`` to ``out`` with headless Chromium."""
    exe = browser()
    with tempfile.TemporaryDirectory(prefix="piaudit-pdf-") as tmp:
        target = Path(tmp) / "report.pdf"
        argv = [exe, *chromium_args(Path(tmp) / "profile"), "--no-pdf-header-footer", f"--print-to-pdf={target}", page.resolve().as_uri()]
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as e:
            proc.kill()  # only the process started here
            proc.communicate()
            raise PdfError(f"Chromium did not print the report within {timeout:g} s") from e
        if proc.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] if err else []
            raise PdfError(f"Chromium could not print the report (exit {proc.returncode}){': ' + tail[0] if tail else ''}")
        with private_open(out, "wb") as fh, open(target, "rb") as src:
            shutil.copyfileobj(src, fh)
    return out


def write_pdf(
    session_dir: Path,
    out: Path,
    redactor: Redactor | None = None,
    *,
    lang: str | None = None,
    zone: Any = None,
    integrity: Integrity | None = None,
) -> Path:
    """Write the PDF report of ``session_dir`` to ``out``."""
    from piaudit.scripts.reports.render import write_html

    with tempfile.TemporaryDirectory(prefix="piaudit-pdf-page-") as tmp:
        page = write_html(session_dir, Path(tmp) / "report.html", redactor, lang=lang, zone=zone, print_mode=True, integrity=integrity)
        return print_pdf(page, out)
