"""Running the stand-in under the real Frida agent, for the hook tests: one run, its events, its log."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from piaudit.hooks.host import HookHost, HookStats
from piaudit.policies.catalog import load_catalog
from piaudit.policies.models import ErrorRecord, HookEvent, HookStatus
from tests.hooks import pid_alive
from tests.support.standin import PACKAGE, LogLine, parse_log, standin_command

CATALOG = load_catalog()
FAST = {"standin.consent_delay_ms": 150, "standin.exit_delay_ms": 50}


@dataclass
class Run:
    """What one instrumented run of the stand-in produced."""

    pid: int
    exit_status: int | None
    events: list = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)
    log: list[LogLine] = field(default_factory=list)
    stats: HookStats | None = None
    output: list[bytes] = field(default_factory=list)  # the app's stdout so far (live, for ``during``)
    processes: list[dict] = field(default_factory=list)  # HookHost.processes at the end

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    def calls(self, class_name: str, method: str, overload: str | None = None) -> list[HookEvent]:
        return [
            e
            for e in self.of(HookEvent)
            if e.api.class_name == class_name and e.api.method == method and (overload is None or e.api.overload == overload)
        ]

    def log_values(self) -> list[tuple[str, str | None, str | None]]:
        """(api, args, value) of each API line the app logged, object hashes blanked."""

        def clean(text: str | None) -> str | None:
            return None if text is None else re.sub(r"(@|\{)[0-9a-f]{6,8}\b", r"\1#", text)

        return [(line.get("api"), line.get("args"), clean(line.get("value"))) for line in self.log if line.kind == "API"]

    def in_process(self, name: str) -> list:
        return [e for e in self.events if getattr(e, "process", None) == name]

    def live_log(self) -> list[LogLine]:
        return parse_log(b"".join(list(self.output)).decode("utf-8", errors="replace"))

    def uploads(self) -> dict[str, str]:
        return {line.get("party"): line.get("status") for line in self.log if line.kind == "UPLOAD"}


def run_standin(
    classpath: Path,
    scenario: str,
    *,
    props: dict | None = None,
    proxy: tuple[str, int] | None = None,
    truststore: Path | None = None,
    timeout: float = 30,
    during: Callable[[HookHost, Run], None] | None = None,
    variant: str = "apk",
    zygote: bool = False,
    **options,
) -> Run:
    """Spawn the stand-in under the agent, wait for it to exit (or run ``during``), always kill it.

    ``zygote``: spawn the stand-in zygote and hook every process of the package it starts.
    """
    argv = standin_command(
        classpath, proxy=proxy, truststore=truststore, scenario=scenario, extra_props={**FAST, **(props or {})},
        variant=variant, zygote=zygote,
    )  # fmt: skip
    if zygote:
        options = {"package": PACKAGE, "launcher": True, **options}
    run = Run(pid=0, exit_status=None)
    output = run.output
    lock = threading.Lock()

    def on_events(events: list) -> None:
        with lock:
            run.events.extend(events)

    host = HookHost(
        target=argv,
        catalog=CATALOG,
        on_events=on_events,
        on_error=run.errors.append,
        on_output=lambda fd, data: output.append(data) if fd == 1 else None,
        **options,
    )
    run.pid = host.start()
    try:
        if during is not None:
            during(host, run)
        else:
            run.exit_status = host.wait(timeout)
    finally:
        host.stop()
    assert not pid_alive(run.pid)
    run.log = parse_log(b"".join(output).decode("utf-8", errors="replace"))
    run.stats = host.stats
    run.processes = host.processes
    for process in run.processes:
        assert not pid_alive(process["pid"]), process
    java_statuses = [s for s in run.of(HookStatus) if s.api.class_name != "libc"]
    assert java_statuses, f"no Java hook was installed; errors: {run.errors}"
    return run


