"""Did an attempt audit its app? The verdict from what the run left behind, nothing else.

An attempt is done when ``piaudit run`` ended normally (exit 0) and left a complete session in
which the app's process did not crash or vanish before the audit ended. Anything else is a
failure, with the reason an auditor needs to decide whether the device or the app is to blame.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from piaudit.policies.campaign.state import Outcome


@dataclass
class RunTrace:
    """What one attempt left: the run's exit code and what its session says."""

    exit_code: int | None  # None: it never started, or was killed
    interrupted: bool = False  # stopped by the batch (Ctrl-C), not by itself
    timed_out: bool = False  # did not end within duration + grace
    has_session: bool = True
    complete: bool = True
    incomplete_reason: str | None = None
    app_exits: list[str] = field(default_factory=list)  # lifecycle process_exit details, in order
    hook_errors: list[str] = field(default_factory=list)  # errors of source "hooks"
    exit_expected: bool = True  # a local stand-in ends by itself; a real app is stopped at the end
    last_log: str = ""


def verdict(trace: RunTrace) -> tuple[Outcome, str]:
    """``("done" | "failed" | "interrupted", reason)`` of an attempt.

    >>> verdict(RunTrace(exit_code=0, app_exits=["exit(0)"]))
    ('done', '')
    >>> verdict(RunTrace(exit_code=0, app_exits=["crash: SIGSEGV"]))[0]
    'failed'
    """
    if trace.interrupted:
        return "interrupted", "stopped by the batch (Ctrl-C)"
    if trace.timed_out:
        return "failed", "did not end within its duration and grace" + _log(trace)
    if not trace.has_session:
        return "failed", "no session was written" + _log(trace)
    if trace.exit_code != 0:
        if trace.exit_code is None:
            return "failed", "piaudit run was killed" + _log(trace)
        return "failed", f"piaudit run exited with status {trace.exit_code}" + _log(trace)
    if not trace.complete:
        return "failed", f"the session is incomplete: {trace.incomplete_reason or 'no reason recorded'}"
    for detail in trace.app_exits:  # the hook host's process_exit details
        if detail.startswith("crash"):
            return "failed", f"the app {detail}"
        if detail.startswith("exited"):  # gone without the agent seeing exit(): killed, or the device lost
            return "failed", f"the app's process vanished ({detail}): device or app lost"
        status = re.fullmatch(r"exit\((-?\d+)\)", detail)
        if detail.startswith("exit(") and (status is None or status.group(1) != "0"):
            return "failed", f"the app ended with {detail}"
    if trace.exit_expected and not trace.app_exits:
        return "failed", "the app never reported its exit (the hooks did not run?)" + _log(trace)
    lost = [e for e in trace.hook_errors if "hook session ended" in e]
    if lost:
        return "failed", lost[0]
    return "done", ""


def _log(trace: RunTrace) -> str:
    return f"; last log line: {trace.last_log}" if trace.last_log else ""
