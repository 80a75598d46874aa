"""The ✓/✗ lines setup and doctor print, one per step, and :class:`StepFailed`, the error every step
raises: what is wrong and what to do."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from piaudit.scripts.usage import EXIT_FAIL


class StepFailed(Exception):
    """A step failed: ``problem`` says what is wrong, ``fix`` what the user should do."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


class Checklist:
    """Prints one ✓/✗ line per step (and how to fix a ✗), and counts failures."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failures = 0

    def step[T](self, name: str, action: Callable[[], T], describe: Callable[[T], str] = str) -> T | None:
        """Run ``action``; print ✓ with its description, or ✗ with the problem and fix. None on failure."""
        try:
            value = action()
        except StepFailed as failure:
            self.failures += 1
            print(f"✗ {name}: {failure.problem}\n    fix: {failure.fix}", file=self.out)
            return None
        print(f"✓ {name}: {describe(value)}", file=self.out)
        return value

    def skip(self, name: str, reason: str) -> None:
        """A step that did not run."""
        print(f"- {name}: {reason}", file=self.out)

    def note(self, text: str) -> None:
        """Free text, e.g. instructions."""
        print(text, file=self.out)


def stopped(checklist: Checklist, command: str) -> int:
    """Say that ``command`` stopped at the ✗ above and how to go on; returns the exit code of a failed check."""
    checklist.note(f"\n{command} stopped: fix the ✗ above, then run `piaudit device {command}` again.")
    return EXIT_FAIL
