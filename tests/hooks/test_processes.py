"""Which processes the host follows, and the spawn-gating path a device takes, on real local processes.

No Android device can run here: the device's spawn gating reports each zygote spawn as a
``Spawn`` (pid, identifier). The test hands the host such reports for real suspended local
processes (spawned by Frida, named like the app's processes), so the host's own path from the
report to an instrumented, resumed process runs for real; only the report's source is simulated.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

import frida
import pytest

from piaudit.hooks.host import HookHost
from piaudit.hooks.processes import PendingProcess, belongs_to, child_process, decide
from piaudit.policies.models import HookStatus, LifecycleEvent
from tests.hooks import frida_tmpdir, pid_alive

PACKAGE = "com.example.app"


@pytest.fixture(scope="module", autouse=True)
def _frida_tmpdir():
    with frida_tmpdir() as directory:
        yield directory


@pytest.mark.parametrize(
    ("name", "package", "expected"),
    [
        ("com.example.app", PACKAGE, True),
        ("com.example.app:push", PACKAGE, True),
        ("com.example.app:channel", PACKAGE, True),
        ("com.example.apple", PACKAGE, False),
        ("com.example", PACKAGE, False),
        ("", PACKAGE, False),
        ("com.example.app", None, False),
    ],
)
def test_belongs_to(name: str, package: str | None, expected: bool) -> None:
    assert belongs_to(name, package) is expected


@pytest.mark.parametrize(
    ("pending", "parent", "expected"),
    [
        (PendingProcess(1, "com.example.app:push", "spawn-gating"), None, "instrument"),
        (PendingProcess(1, "com.other.app", "spawn-gating"), None, "resume"),
        (PendingProcess(1, "/system/bin/getprop", "exec", 2), "app", "resume"),
        (PendingProcess(1, "/usr/bin/java", "fork", 2), "app", "instrument"),  # the app's own code, forked
        (PendingProcess(1, "python3", "fork", 2), "launcher", "gate"),  # follow it to its exec
        (PendingProcess(1, "com.example.app:push", "exec", 2), "launcher", "instrument"),
    ],
)
def test_decide(pending: PendingProcess, parent: str | None, expected: str) -> None:
    assert decide(pending, PACKAGE, parent_kind=parent) == expected


@dataclass
class _Report:
    """What Frida's device spawn gating reports (frida.Spawn has no public constructor)."""

    pid: int
    identifier: str


def test_child_process_takes_the_name_from_argv() -> None:
    @dataclass
    class Child:
        pid: int = 5
        parent_pid: int = 4
        origin: str = "exec"
        identifier: str | None = None
        path: str | None = "/usr/bin/java"
        argv: list[str] | None = None

    assert child_process(Child(argv=["com.example.app:push", "-cp", "x"])).name == "com.example.app:push"
    assert child_process(Child()).name == "/usr/bin/java"


SLEEPER = "import time, sys; time.sleep(30)"


def test_spawn_gating_reports_are_instrumented_or_released() -> None:
    events: list = []
    errors: list = []
    host = HookHost(target=[sys.executable, "-c", SLEEPER], package=PACKAGE, on_events=events.extend, on_error=errors.append)
    device = frida.get_local_device()
    push = device.spawn([sys.executable, "-c", SLEEPER])  # suspended, as a gated spawn is
    other = device.spawn([sys.executable, "-c", SLEEPER])
    try:
        host.start()
        host._on_spawn_added(_Report(push, f"{PACKAGE}:push"))
        host._on_spawn_added(_Report(other, "com.other.app"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(host.processes) < 2:
            time.sleep(0.05)
        names = {p["name"]: p for p in host.processes}
        assert set(names) == {PACKAGE, f"{PACKAGE}:push"}
        assert names[f"{PACKAGE}:push"]["origin"] == "spawn-gating" and names[f"{PACKAGE}:push"]["pid"] == push
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(
            isinstance(e, LifecycleEvent) and e.state == "process_start" and e.process == f"{PACKAGE}:push" for e in events
        ):
            time.sleep(0.05)
        assert any(isinstance(e, HookStatus) and e.process == f"{PACKAGE}:push" for e in events)
        # the other app was resumed untouched: it runs, and nothing of it is in the session
        assert pid_alive(other) and not any(getattr(e, "pid", None) == other for e in events)
    finally:
        host.stop()
        for pid in (push, other):
            try:
                device.kill(pid)
            except frida.ProcessNotFoundError:
                pass
    assert not pid_alive(push)


def test_a_process_that_cannot_be_hooked_is_recorded() -> None:
    events: list = []
    errors: list = []
    host = HookHost(target=[sys.executable, "-c", SLEEPER], package=PACKAGE, on_events=events.extend, on_error=errors.append)
    try:
        host.start()
        host._on_spawn_added(_Report(2**22 + 12345, f"{PACKAGE}:gone"))  # no such process: attaching fails
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(getattr(e, "process", "") == f"{PACKAGE}:gone" for e in events):
            time.sleep(0.05)
    finally:
        host.stop()
    [status] = [e for e in events if isinstance(e, HookStatus) and e.process == f"{PACKAGE}:gone"]
    assert status.state == "failed" and status.api.class_name == "process" and status.error
    assert any("could not be hooked" in e.message and f"{PACKAGE}:gone" in e.message for e in errors)
