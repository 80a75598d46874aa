"""Where attempts run: threads on this machine (:class:`LocalEngine`) or Ray actors on a cluster (:class:`RayEngine`).

Both run the same :class:`scripts.batch.worker.AttemptRunner`, one per device, and report each
attempt's end as a :class:`Completion`. Ray does the placement (one actor per device, pinned to
its host by the custom resource ``piaudit_host_<host>``) and the remote calls: nothing here
schedules or talks to another machine by itself.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from piaudit.policies.campaign.plan import DeviceSpec
from piaudit.scripts.batch.worker import AttemptRunner, Job, Result, probe

HOST_RESOURCE = "piaudit_host_{}"


@dataclass
class Completion:
    """An attempt ended: its result and, after a failure, the device's probe."""

    device: str
    key: str
    result: Result
    device_ok: bool = True
    device_problem: str = ""


def run_and_probe(runner: AttemptRunner, device: DeviceSpec, job: Job) -> tuple[Result, bool, str]:
    """Run one attempt; after a failure, probe the device (is it the device, or the app?)."""
    try:
        result = runner.run(job)
    except Exception as e:  # a bug here must end the attempt, never leave the batch waiting for it
        result = Result("failed", f"the batch worker failed: {e!r}"[:500], None, 0.0)
    ok, problem = probe(device) if result.outcome == "failed" else (True, "")
    return result, ok, problem


class LocalEngine:
    """One thread per busy device on this machine."""

    def __init__(self, devices: dict[str, DeviceSpec]):
        self.devices = devices
        self._runners = {name: AttemptRunner() for name in devices}
        self._done: queue.Queue[Completion] = queue.Queue()
        self._threads: list[threading.Thread] = []

    def prepare(self) -> dict[str, str]:
        """Devices that cannot take part, with the reason (none: every local device is reachable or fails per attempt)."""
        return {}

    def submit(self, device: str, key: str, job: Job) -> None:
        """Start ``job`` on ``device`` (idle)."""

        def work() -> None:
            result, ok, problem = run_and_probe(self._runners[device], self.devices[device], job)
            self._done.put(Completion(device, key, result, ok, problem))

        thread = threading.Thread(target=work, name=f"batch-{device}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def wait(self, timeout: float) -> list[Completion]:
        """Attempts that ended (waits up to ``timeout`` for the first)."""
        try:
            out = [self._done.get(timeout=timeout)]
        except queue.Empty:
            return []
        while True:
            try:
                out.append(self._done.get_nowait())
            except queue.Empty:
                return out

    def interrupt(self, force: bool = False) -> None:
        """Stop every running attempt (cleanly; ``force``: kill)."""
        for runner in self._runners.values():
            runner.interrupt(force)

    def close(self) -> None:
        """Wait for the attempt threads (they end once their run has ended)."""
        for thread in self._threads:
            thread.join(timeout=5)


def _device_actor_class() -> Any:
    import ray

    @ray.remote(num_cpus=0, max_concurrency=2)  # a second thread, so interrupt() reaches a running attempt
    class DeviceActor:
        """One device of the pool, on the host it is attached to."""

        def __init__(self, device: DeviceSpec, campaign_dir: str, marker: str):
            self.device = device
            self.runner = AttemptRunner()
            self.problem = ""
            if not (Path(campaign_dir) / marker).is_file():
                import socket

                self.problem = (
                    f"the campaign directory {campaign_dir} is not visible on host {socket.gethostname()}: "
                    "put it on a filesystem every host mounts at the same path"
                )

        def ready(self) -> str:
            return self.problem

        def attempt(self, job: Job) -> tuple[Result, bool, str]:
            return run_and_probe(self.runner, self.device, job)

        def interrupt(self, force: bool) -> None:
            self.runner.interrupt(force)

    return DeviceActor


class RayEngine:
    """One Ray actor per device; a device with ``host`` is placed on the node offering ``piaudit_host_<host>``."""

    def __init__(self, address: str, devices: dict[str, DeviceSpec], campaign_dir: Path, ready_timeout: float = 60.0):
        import ray

        self.ray = ray
        self.devices = devices
        self.ready_timeout = ready_timeout
        ray.init(address=address, logging_level="WARNING", log_to_driver=False, configure_logging=False)
        self._marker = f".visible-{uuid.uuid4().hex}"
        self._marker_path = campaign_dir / self._marker
        self._marker_path.write_text("piaudit batch: every device's host must see this file\n")
        actor_class = _device_actor_class()
        self._actors: dict[str, Any] = {}
        for name, device in devices.items():
            options: dict[str, Any] = {}
            if device.host:
                options["resources"] = {HOST_RESOURCE.format(device.host): 0.001}
            self._actors[name] = actor_class.options(**options).remote(device, str(campaign_dir), self._marker)
        self._pending: dict[Any, tuple[str, str]] = {}

    def prepare(self) -> dict[str, str]:
        """Wait for every actor to be placed; devices whose host offers no node, or cannot see the campaign, are out."""
        refs = {self._actors[name].ready.remote(): name for name in self._actors}
        ready, not_ready = self.ray.wait(list(refs), num_returns=len(refs), timeout=self.ready_timeout)
        out: dict[str, str] = {}
        for ref in ready:
            try:
                problem = self.ray.get(ref)
            except Exception as e:
                problem = f"its Ray actor failed to start: {e}"[:300]
            if problem:
                out[refs[ref]] = problem
        for ref in not_ready:
            name = refs[ref]
            host = self.devices[name].host
            out[name] = (
                f"no Ray node offers the resource {HOST_RESOURCE.format(host)} (start that host with "
                f"`ray start --address=... --resources='{{\"{HOST_RESOURCE.format(host)}\": 1}}'`)"
                if host
                else f"its Ray actor was not placed within {self.ready_timeout:.0f} s"
            )
        for name in out:
            self.ray.kill(self._actors.pop(name))
        self._marker_path.unlink(missing_ok=True)
        return out

    def submit(self, device: str, key: str, job: Job) -> None:
        """Run ``job`` on ``device``'s actor."""
        self._pending[self._actors[device].attempt.remote(job)] = (device, key)

    def wait(self, timeout: float) -> list[Completion]:
        """Attempts that ended (waits up to ``timeout`` for the first); a lost actor is a failed attempt on a lost device."""
        if not self._pending:
            time.sleep(min(timeout, 0.2))
            return []
        ready, _ = self.ray.wait(list(self._pending), num_returns=1, timeout=timeout)
        out = []
        for ref in ready:
            device, key = self._pending.pop(ref)
            try:
                result, ok, problem = self.ray.get(ref)
            except Exception as e:  # RayActorError: the actor's process or its host is gone
                reason = f"the device's Ray actor died ({type(e).__name__}): host lost?"
                result, ok, problem = Result("failed", reason, None, 0.0), False, reason
            out.append(Completion(device, key, result, ok, problem))
        return out

    def interrupt(self, force: bool = False) -> None:
        """Stop every running attempt."""
        for actor in self._actors.values():
            actor.interrupt.remote(force)

    def close(self) -> None:
        """End the actors and leave the cluster (the cluster itself keeps running)."""
        for actor in self._actors.values():
            try:
                self.ray.kill(actor)
            except Exception:
                pass
        self.ray.shutdown()
