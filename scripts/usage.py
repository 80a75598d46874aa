"""What every `piaudit` command shares: the exit codes, the usage error, lazy handlers, examples.

Command modules import this, never :mod:`scripts.cli` (which imports them).

Exit codes are stable: 0 done, 1 the audit found a problem to act on (a failed check, a changed
bundle), 2 a usage or input error (bad option, malformed policy or capture).
"""

from __future__ import annotations

import argparse
import importlib
import textwrap
from collections.abc import Callable

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]
AddCommand = Callable[[str, Handler, str, str], argparse.ArgumentParser]
"""``add(name, handler, help, examples)``: how a command module adds its commands to the parser."""


class UsageError(Exception):
    """A user mistake: printed as one line, exit code 2."""


def example(text: str) -> str:
    """A command's ``--help`` epilog with its examples."""
    return "example:\n" + textwrap.indent(textwrap.dedent(text).strip(), "  ")


def lazy(module: str, func: str) -> Handler:
    """A handler imported only when its command runs (keeps `piaudit --help` fast)."""

    def handler(args: argparse.Namespace) -> int:
        return getattr(importlib.import_module(module), func)(args)

    return handler
