"""What piaudit shows on a terminal: tables that fit its width, progress while a long step runs, warnings summed up.

Rich (the terminal library mitmproxy's users know) measures text in terminal cells, so a
Chinese party name takes the two columns per character it really takes and tables stay
aligned; long cells wrap instead of being cut. Off a terminal (a pipe, a CI log) the same
output is plain text at a fixed width.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from piaudit.policies.times import is_plausible, utc_text

PLAIN_WIDTH = 100  # columns when the output is not a terminal


def console(stream: IO[str] | None = None, width: int | None = None) -> Console:
    """A console on ``stream`` (stdout): the terminal's width, or :data:`PLAIN_WIDTH` off a terminal."""
    stream = stream or sys.stdout
    terminal = hasattr(stream, "isatty") and stream.isatty()
    return Console(
        file=stream,
        width=width or (None if terminal else PLAIN_WIDTH),
        force_terminal=None if terminal else False,
        highlight=False,
        soft_wrap=False,
        emoji=False,
    )


def findings_table(findings: Iterable[Any]) -> Table:
    """The findings, one row each, in time order: when, rule, data type, who, before consent, where."""
    table = Table(show_edge=False, pad_edge=False, header_style="bold", expand=True)
    table.add_column("time (UTC)", no_wrap=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("data type", overflow="fold")
    table.add_column("party / host", overflow="fold", ratio=1)
    table.add_column("process", overflow="fold")
    table.add_column("before\nconsent", justify="center", no_wrap=True)
    table.add_column("where", overflow="fold", ratio=2)
    for f in findings:
        when = utc_text(f.time)[11:23] if is_plausible(f.time) else utc_text(f.time)
        table.add_row(
            when,
            f.rule,
            str(f.data_type) if f.data_type else "-",
            f.party or f.host or "(the app)",
            _process_label(getattr(f, "process", None)),
            "yes" if f.before_consent else "no",
            f.where or "-",
        )
    return table


def _process_label(process: str | None) -> str:
    """``:push`` for a secondary process of the app, ``main`` for the main one, ``-`` when unknown."""
    if not process:
        return "-"
    return process[process.index(":") :] if ":" in process else "main"


def print_findings(findings: list[Any], stream: IO[str] | None = None, width: int | None = None) -> None:
    """Print the findings table (or a line saying there are none)."""
    out = console(stream, width)
    if findings:
        out.print(findings_table(findings))
    else:
        out.print("no findings")


class WarningSummary(logging.Handler):
    """Collects warnings instead of streaming them between other programs' output; :meth:`lines` sums them up.

    Installed on the root logger by the commands that run long (run, demo) unless ``-v``.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()
        self.first: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno != logging.WARNING:  # errors are still printed as they happen
            return
        try:
            text = record.getMessage()
        except Exception:  # a malformed log call must not break the run
            text = str(record.msg)
        key = " ".join(text.split()[:3])
        self.counts[key] += 1
        self.first.setdefault(key, text)

    def lines(self) -> list[str]:
        """One line per kind of warning: the first of its kind and how many there were."""
        total = sum(self.counts.values())
        if not total:
            return []
        out = [f"{total} warning{'s' * (total != 1)} during the run (-v shows each as it happens):"]
        for key, n in self.counts.most_common():
            out.append(f"  {n:5d}  {self.first[key][:160]}")
        return out


class _NotWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno != logging.WARNING


@contextmanager
def summarised_warnings(stream: IO[str] | None = None) -> Iterator[WarningSummary]:
    """While the block runs, warnings are collected instead of printed; then they are summed up on ``stream``."""
    root = logging.getLogger()
    summary, hush = WarningSummary(), _NotWarnings()
    handlers = list(root.handlers)
    for handler in handlers:
        handler.addFilter(hush)
    root.addHandler(summary)
    try:
        yield summary
    finally:
        root.removeHandler(summary)
        for handler in handlers:
            handler.removeFilter(hush)
        for line in summary.lines():
            print(line, file=stream or sys.stderr)
