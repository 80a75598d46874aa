"""The ✓/✗ lines setup and doctor print, one per step."""

from collections.abc import Callable
from typing import TextIO

from piaudit.scripts.device.errors import StepFailed


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
