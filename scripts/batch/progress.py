"""What `piaudit batch` prints while it works: one line per event, a status line at least every ``every`` seconds."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from piaudit.policies.campaign.state import CampaignState


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    """Progress on a text stream (stderr by default)."""

    def __init__(self, stream: TextIO | None = None, every: float = 10.0):
        self.stream = stream or sys.stderr
        self.every = every
        self.started_at = time.monotonic()
        self._last = 0.0

    def _print(self, text: str) -> None:
        elapsed = time.monotonic() - self.started_at
        print(f"[{int(elapsed) // 3600:02d}:{int(elapsed) % 3600 // 60:02d}:{int(elapsed) % 60:02d}] {text}", file=self.stream, flush=True)

    def note(self, text: str) -> None:
        """Something the user should know."""
        self._print(text)

    def started(self, key: str, device: str, n: int) -> None:
        """An attempt started."""
        self._print(f"start  {key} on {device}" + (f" (attempt {n})" if n > 1 else ""))

    def ended(self, key: str, device: str, n: int, outcome: str, reason: str, seconds: float, app_status: str) -> None:
        """An attempt ended."""
        if outcome == "done":
            self._print(f"done   {key} on {device} in {_duration(seconds)}")
        elif outcome == "interrupted":
            self._print(f"stop   {key} on {device}: interrupted (run again to continue)")
        else:
            then = "will be retried on another device" if app_status == "pending" else "no retries left: FAILED"
            self._print(f"FAIL   {key} on {device} (attempt {n}): {reason}; {then}")

    def status(self, state: CampaignState, order: list[str]) -> str:
        """``3/10 done · 2 running · 1 failed · 4 pending · devices 3/3 · ~4 min left``."""
        c = state.counts(order)
        left = state.time_left(order)
        live = len(state.live_devices())
        text = f"{c['done']}/{len(order)} done · {c['running']} running · {c['failed']} failed · {c['pending']} pending · devices {live}/{len(state.devices)}"
        return text + (f" · ~{_duration(left)} left" if left is not None and (c["pending"] or c["running"]) else "")

    def tick(self, state: CampaignState, order: list[str], force: bool = False) -> None:
        """The status line, at most every ``every`` seconds."""
        now = time.monotonic()
        if force or now - self._last >= self.every:
            self._last = now
            self._print(self.status(state, order))

    def final(self, state: CampaignState, order: list[str]) -> None:
        """The closing summary: status line, failed apps and devices out of the pool."""
        self.tick(state, order, force=True)
        for key in order:
            app = state.apps[key]
            if app.status == "failed":
                last = app.attempts[-1].reason if app.attempts else ""
                self._print(f"failed {key}: {len(app.attempts)} attempts; last: {last}")
        for name, device in state.devices.items():
            if device.status == "out":
                self._print(f"device {name} out: {device.reason}")

