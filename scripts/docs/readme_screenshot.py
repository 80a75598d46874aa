"""Render the README's screenshot of the zh report: the demo's session, reported in zh, shot by headless Chromium.

    .venv/bin/python scripts/docs/readme_screenshot.py            # writes docs/img/report-zh.png
    make docs                                                     # the same

Development code (not installed). The image is what `piaudit demo` and `piaudit report --lang zh`
produce on this machine, never edited by hand; run this again when the report changes. It runs
the whole demo (about half a minute), then Chromium on the report's top part.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "img" / "report-zh.png"
WINDOW = (1300, 2500)


def shoot(page: Path, out: Path, window: tuple[int, int] = WINDOW) -> Path:
    """A PNG of the top ``window`` of ``page`` (headless Chromium, a fresh profile)."""
    from piaudit.scripts.reports.pdf import browser, chromium_args

    with tempfile.TemporaryDirectory(prefix="piaudit-shot-") as tmp:
        argv = [browser(), *chromium_args(Path(tmp) / "profile"), "--hide-scrollbars", f"--window-size={window[0]},{window[1]}",
                f"--screenshot={out}", page.resolve().as_uri()]  # fmt: skip
        subprocess.run(argv, capture_output=True, timeout=120, check=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--output", type=Path, default=OUT, help=f"where to write the PNG (default {OUT.relative_to(ROOT)})")
    parser.add_argument("--session", type=Path, help="report this session instead of running the demo")
    args = parser.parse_args(argv)
    from piaudit.scripts.reports import write_report

    with tempfile.TemporaryDirectory(prefix="piaudit-readme-") as tmp:
        session = args.session
        if session is None:
            from piaudit.scripts.demo import run_demo

            run_demo(Path(tmp) / "demo", stream=open("/dev/null", "w"))  # noqa: SIM115 - the demo's own printout is not needed
            session = Path(tmp) / "demo" / "session"
        page = write_report(session, "html", Path(tmp) / "report-zh.html", lang="zh")
        args.output.parent.mkdir(parents=True, exist_ok=True)
        shoot(page, args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
