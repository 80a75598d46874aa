"""The state of a campaign: which app is done, running or failed, on which device, and what comes next.

Pure logic over plain models: the batch command (local threads or Ray actors) asks
:meth:`CampaignState.next_job` for work whenever a device is idle and reports each attempt's
end with :meth:`CampaignState.finish`. The state is saved as ``campaign.json`` after every
change, so a second run continues where the first stopped.

Rules:

- one app per device at a time; apps are started in plan order;
- an attempt that fails marks its device (``failures`` in a row); a device whose probe fails,
  or that failed ``device_failures`` times in a row, leaves the pool for this run;
- a failed app is retried (``retries`` times), on a device it has not failed on if the pool
  has one;
- an interrupted attempt (Ctrl-C) is not a failure: the app is pending again.
"""

from __future__ import annotations

import statistics
import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AppStatus = Literal["pending", "running", "done", "failed"]
DeviceStatus = Literal["idle", "busy", "out"]
Outcome = Literal["done", "failed", "interrupted"]
STATE_FORMAT = "piaudit-campaign/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Attempt(_Model):
    """One run of one app on one device."""

    n: int
    device: str
    dir: str  # relative to the campaign directory
    started: float
    ended: float | None = None
    outcome: Outcome | None = None
    reason: str = ""


class AppState(_Model):
    """Where one app of the plan stands."""

    status: AppStatus = "pending"
    session: str | None = None  # the complete session, relative to the campaign directory
    attempts: list[Attempt] = []

    @property
    def failed_on(self) -> set[str]:
        """Devices an attempt of this app failed on."""
        return {a.device for a in self.attempts if a.outcome == "failed"}

    @property
    def failures(self) -> int:
        """How many attempts failed (interruptions do not count)."""
        return sum(a.outcome == "failed" for a in self.attempts)


class DeviceState(_Model):
    """Where one device of the pool stands."""

    status: DeviceStatus = "idle"
    app: str | None = None  # the app it is running
    failures: int = 0  # failed attempts in a row
    done: int = 0
    reason: str = ""  # why it is out of the pool, or what failed last


class CampaignState(_Model):
    """``campaign.json``."""

    format: str = STATE_FORMAT
    plan: str = ""
    plan_sha256: str = ""
    started: float = Field(default_factory=time.time)
    updated: float = Field(default_factory=time.time)
    runs: int = 0  # how many times `piaudit batch` worked on this campaign
    apps: dict[str, AppState] = {}
    devices: dict[str, DeviceState] = {}

    # ------------------------------------------------------------------ set-up
    def begin(self, app_keys: list[str], device_names: list[str]) -> list[str]:
        """Start (or continue) a run over these apps and devices; returns the attempts found unfinished.

        Apps no longer in the plan stay in the state; a device's marks from an earlier run are
        cleared (a new run gives every device another chance); an attempt left "running" by a run
        that died is closed as interrupted.
        """
        self.runs += 1
        unfinished = []
        for key in app_keys:
            self.apps.setdefault(key, AppState())
        for app in self.apps.values():
            for attempt in app.attempts:
                if attempt.outcome is None:
                    attempt.outcome, attempt.ended = "interrupted", attempt.ended or time.time()
                    attempt.reason = attempt.reason or "the batch run stopped before this attempt ended"
                    unfinished.append(attempt.dir)
            if app.status == "running":
                app.status = "pending"
        self.devices = {name: DeviceState(done=self.devices[name].done if name in self.devices else 0) for name in device_names}
        self.touch()
        return unfinished

    def reopen_failed(self, app_keys: list[str]) -> None:
        """Give apps that failed in an earlier run their retries again (``--retry-failed``)."""
        for key in app_keys:
            app = self.apps[key]
            if app.status == "failed":
                app.status = "pending"
                for attempt in app.attempts:
                    if attempt.outcome == "failed":
                        attempt.outcome = "interrupted"
                        attempt.reason = "failed in an earlier run; reopened: " + attempt.reason

    def touch(self) -> None:
        """Record that the state changed now."""
        self.updated = time.time()

    # --------------------------------------------------------------- scheduling
    def live_devices(self) -> list[str]:
        """Devices still in the pool."""
        return [n for n, d in self.devices.items() if d.status != "out"]

    def next_job(self, device: str, order: list[str]) -> str | None:
        """The app ``device`` (idle) should run next, or None.

        First choice: a pending app that has not failed on this device. An app that failed on
        it may come back only when every live device has failed it (then "elsewhere" is nowhere).
        """
        live = set(self.live_devices())
        fallback = None
        for key in order:
            app = self.apps[key]
            if app.status != "pending":
                continue
            failed_on = app.failed_on
            if device not in failed_on:
                return key
            if fallback is None and live <= failed_on:
                fallback = key
        return fallback

    def start(self, key: str, device: str, directory: str) -> Attempt:
        """Record that ``key`` starts on ``device`` into ``directory``."""
        app, dev = self.apps[key], self.devices[device]
        attempt = Attempt(n=len(app.attempts) + 1, device=device, dir=directory, started=time.time())
        app.attempts.append(attempt)
        app.status = "running"
        dev.status, dev.app = "busy", key
        self.touch()
        return attempt

    def finish(
        self,
        key: str,
        outcome: Outcome,
        *,
        reason: str = "",
        session: str | None = None,
        retries: int,
        device_failures: int,
        device_ok: bool = True,
    ) -> None:
        """Record the end of ``key``'s running attempt.

        ``device_ok`` is the device's probe after a failure: False takes it out of the pool at once.
        """
        app = self.apps[key]
        attempt = app.attempts[-1]
        attempt.ended, attempt.outcome, attempt.reason = time.time(), outcome, reason
        dev = self.devices[attempt.device]
        dev.status, dev.app = "idle", None
        if outcome == "done":
            app.status, app.session = "done", session
            dev.failures, dev.done = 0, dev.done + 1
        elif outcome == "failed":
            dev.failures += 1
            dev.reason = reason
            if not device_ok:
                dev.status, dev.reason = "out", f"probe failed after: {reason}"
            elif dev.failures >= device_failures:
                dev.status, dev.reason = "out", f"{dev.failures} failed attempts in a row; last: {reason}"
            app.status = "failed" if app.failures > retries else "pending"
        else:
            app.status = "pending"
        self.touch()

    # ----------------------------------------------------------------- progress
    def counts(self, order: list[str]) -> dict[str, int]:
        """Apps of the plan per status."""
        out = {"pending": 0, "running": 0, "done": 0, "failed": 0}
        for key in order:
            out[self.apps[key].status] += 1
        return out

    def time_left(self, order: list[str], now: float | None = None) -> float | None:
        """Seconds until the plan is through, from the median attempt so far; None before any attempt ended."""
        now = now or time.time()
        took = [a.ended - a.started for k in order for a in self.apps[k].attempts if a.ended is not None and a.outcome != "interrupted"]
        live = len(self.live_devices())
        if not took or not live:
            return None
        typical = statistics.median(took)
        c = self.counts(order)
        running_left = sum(
            max(0.0, typical - (now - self.apps[k].attempts[-1].started)) for k in order if self.apps[k].status == "running"
        )
        return (c["pending"] * typical + running_left) / live
