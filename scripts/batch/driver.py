"""The batch loop: hand idle devices the next app, record every attempt's end, stop cleanly on Ctrl-C.

The campaign directory::

    CAMPAIGN/campaign.json            the state (policies.campaign.state), rewritten atomically after every change
    CAMPAIGN/plan.yaml                a copy of the plan the last run used
    CAMPAIGN/sessions/APP/            each app's complete session (renamed from its attempt when done)
    CAMPAIGN/attempts/APP/N-DEVICE/   every attempt that failed or was interrupted, kept as it was left
    CAMPAIGN/logs/APP-N-DEVICE.log    the output of each attempt's `piaudit run`
    CAMPAIGN/events.jsonl             one line per attempt started or ended and per device taken out
    CAMPAIGN/mitmproxy/               the CA local stand-ins trust

A second run over the same directory continues: apps done stay done (their sessions are not
touched); the others are run again, into new attempt directories.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from piaudit.policies.campaign.plan import Plan, ResolvedApp, plan_sha256, resolve
from piaudit.policies.campaign.state import CampaignState
from piaudit.policies.session import write_json_atomic
from piaudit.scripts.batch.engines import Completion
from piaudit.scripts.batch.progress import Progress
from piaudit.scripts.batch.worker import Job

STATE_NAME = "campaign.json"


class Engine(Protocol):
    """What the loop needs from where attempts run."""

    def prepare(self) -> dict[str, str]: ...
    def submit(self, device: str, key: str, job: Job) -> None: ...
    def wait(self, timeout: float) -> list[Completion]: ...
    def interrupt(self, force: bool = False) -> None: ...
    def close(self) -> None: ...


class CampaignError(ValueError):
    """A campaign directory that cannot be used (one line, for the user)."""


def load_state(campaign: Path) -> CampaignState:
    """The saved state of ``campaign``, or a new one."""
    path = campaign / STATE_NAME
    if not path.is_file():
        return CampaignState()
    try:
        return CampaignState.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise CampaignError(f"{path}: unreadable campaign state: {str(e).splitlines()[0]}") from e


class Batch:
    """One `piaudit batch` run over a campaign directory."""

    def __init__(self, plan: Plan, plan_path: Path, campaign: Path, engine_factory: Callable[[dict[str, Any]], Engine], progress: Progress):
        self.plan, self.plan_path = plan, plan_path
        self.campaign = campaign
        self.apps: dict[str, ResolvedApp] = {a.key: a for a in resolve(plan, plan_path.parent)}
        self.order = list(self.apps)
        names = plan.device_names()
        self.devices = dict(zip(names, plan.devices, strict=True))
        self.ports = plan.device_ports()
        self.engine_factory = engine_factory
        self.progress = progress
        self.stopping = 0  # Ctrl-C presses
        self.state = CampaignState()

    # ------------------------------------------------------------------ files
    def save(self) -> None:
        """Write campaign.json atomically."""
        write_json_atomic(self.campaign / STATE_NAME, self.state.model_dump(mode="json"))

    def event(self, **fields: Any) -> None:
        """Append one line to events.jsonl."""
        with open(self.campaign / "events.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"time": time.time(), **fields}, ensure_ascii=False) + "\n")

    # ------------------------------------------------------------------- run
    def run(self, *, retry_failed: bool = False) -> int:
        """Work through the plan; returns 0 all done, 1 some app failed or could not run, 130 interrupted."""
        self.campaign.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.state = load_state(self.campaign)
        for previous in self.state.begin(self.order, list(self.devices)):
            self.progress.note(f"attempt {previous} had not ended when the last run stopped: kept, counted as interrupted")
        if retry_failed:
            self.state.reopen_failed(self.order)
        self.state.plan, self.state.plan_sha256 = str(self.plan_path.resolve()), plan_sha256(self.plan_path)
        shutil.copyfile(self.plan_path, self.campaign / "plan.yaml")
        self.save()
        done_before = [k for k in self.order if self.state.apps[k].status == "done"]
        if done_before:
            self.progress.note(f"continuing: {len(done_before)} of {len(self.order)} apps already done, their sessions kept")
        engine = self.engine_factory(self.devices)
        previous_handler = signal.signal(signal.SIGINT, self._on_sigint)
        try:
            for name, problem in engine.prepare().items():
                self._device_out(name, problem)
            self._loop(engine)
        finally:
            signal.signal(signal.SIGINT, previous_handler)
            engine.close()
            self.save()
        counts = self.state.counts(self.order)
        self.progress.final(self.state, self.order)
        if self.stopping:
            return 130
        return 0 if counts["done"] == len(self.order) else 1

    def _on_sigint(self, signum: int, frame: Any) -> None:
        self.stopping += 1

    def _device_out(self, name: str, reason: str) -> None:
        device = self.state.devices[name]
        device.status, device.reason = "out", reason
        self.event(kind="device_out", device=name, reason=reason)
        self.progress.note(f"device {name} is out of the pool: {reason}")
        self.save()

    def _loop(self, engine: Engine) -> None:
        interrupted_sent = 0
        while True:
            if self.stopping > interrupted_sent:
                engine.interrupt(force=self.stopping > 1)
                self.progress.note("stopping: the running attempts close their sessions" if self.stopping == 1 else "killing the running attempts")
                interrupted_sent = self.stopping
            if not self.stopping:
                self._assign(engine)
            running = [n for n, d in self.state.devices.items() if d.status == "busy"]
            if not running:
                pending = [k for k in self.order if self.state.apps[k].status == "pending"]
                if pending and not self.stopping and not self.state.live_devices():
                    self.progress.note(f"no device left in the pool: {len(pending)} apps not run (run again to continue)")
                break
            for completion in engine.wait(timeout=1.0):
                self._finished(completion)
            self.progress.tick(self.state, self.order)

    def _assign(self, engine: Engine) -> None:
        for name in self.state.live_devices():
            if self.state.devices[name].status != "idle":
                continue
            key = self.state.next_job(name, self.order)
            if key is None:
                continue
            app = self.apps[key]
            n = len(self.state.apps[key].attempts) + 1
            rel = f"attempts/{key}/{n}-{name}"
            attempt = self.state.start(key, name, rel)
            self.save()
            job = Job(
                app=app,
                device=self.devices[name],
                device_name=name,
                port=self.ports[name],
                session_dir=str(self.campaign / rel),
                log_path=str(self.campaign / "logs" / f"{key}-{n}-{name}.log"),
                campaign_dir=str(self.campaign),
                grace=self.plan.grace,
                seed=n,
            )
            self.event(kind="attempt_started", app=key, attempt=attempt.n, device=name, port=self.ports[name], dir=rel)
            self.progress.started(key, name, attempt.n)
            engine.submit(name, key, job)

    def _finished(self, c: Completion) -> None:
        app = self.apps[c.key]
        attempt = self.state.apps[c.key].attempts[-1]
        session = None
        if c.result.outcome == "done":
            session = self._keep_session(c.key, attempt.dir)
        self.state.finish(
            c.key,
            c.result.outcome,
            reason=c.result.reason,
            session=session,
            retries=app.retries,
            device_failures=self.plan.device_failures,
            device_ok=c.device_ok,
        )
        self.save()
        self.event(kind="attempt_ended", app=c.key, attempt=attempt.n, device=c.device, outcome=c.result.outcome, reason=c.result.reason, seconds=round(c.result.seconds, 3), session=session)
        self.progress.ended(c.key, c.device, attempt.n, c.result.outcome, c.result.reason, c.result.seconds, self.state.apps[c.key].status)
        device = self.state.devices[c.device]
        if device.status == "out":
            problem = f" ({c.device_problem})" if c.device_problem else ""
            self.event(kind="device_out", device=c.device, reason=device.reason + problem)
            self.progress.note(f"device {c.device} is out of the pool: {device.reason}{problem}")

    def _keep_session(self, key: str, attempt_dir: str) -> str:
        """Move a complete attempt to sessions/APP; returns the session's path relative to the campaign."""
        target = self.campaign / "sessions" / key
        if target.exists():  # never overwrite a session: keep the attempt where it is
            return attempt_dir
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(self.campaign / attempt_dir, target)
        try:
            (self.campaign / attempt_dir).parent.rmdir()  # attempts/APP, when no failed attempt is kept in it
        except OSError:
            pass
        return f"sessions/{key}"
