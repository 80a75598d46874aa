"""Which hooks were installed, pending, never loaded or failed, per app process.

A hook reports ``pending`` while its class is not loadable, then ``installed`` (once per class
loader that defines the class) or, when its process ended first, ``never_loaded``. The outcome
of one hook in one process is its best state: installed in any loader wins over everything,
then failed, never_loaded, pending.

>>> from piaudit.policies.models import ApiRef, HookStatus
>>> api = ApiRef(class_name="okhttp3.CertificatePinner", method="check")
>>> summary = process_summary([HookStatus(time=1, api=api, installed=False, state="pending", process="app"),
...                            HookStatus(time=2, api=api, installed=True, state="installed", loader="PathClassLoader", process="app")])
>>> summary["app"]["installed"], summary["app"]["pending"]
(1, 0)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from piaudit.policies.models import HookState, HookStatus

STATES: tuple[HookState, ...] = ("installed", "pending", "never_loaded", "failed")
_RANK: dict[str, int] = {"installed": 3, "failed": 2, "never_loaded": 1, "pending": 0}


@dataclass
class HookOutcome:
    """One hook (class and method) in one process: its best state and where it was installed."""

    process: str
    class_name: str
    method: str
    data_type: str | None
    state: HookState
    loaders: list[str] = field(default_factory=list)
    error: str = ""


def hook_outcomes(statuses: Iterable[HookStatus]) -> list[HookOutcome]:
    """The outcome of every hook in every process, in first-report order."""
    outcomes: dict[tuple[str, str, str], HookOutcome] = {}
    for status in statuses:
        key = (status.process, status.api.class_name, status.api.method)
        state = status.effective_state()
        outcome = outcomes.get(key)
        if outcome is None:
            outcome = outcomes[key] = HookOutcome(status.process, status.api.class_name, status.api.method, status.data_type, state)
        elif _RANK[state] > _RANK[outcome.state] or (state == "never_loaded" and outcome.state == "pending"):
            outcome.state = state
        if state == "installed" and status.loader and status.loader not in outcome.loaders:
            outcome.loaders.append(status.loader)
        if state == "failed" and status.error:
            outcome.error = status.error
    return list(outcomes.values())


def process_summary(statuses: Iterable[HookStatus]) -> dict[str, dict[str, int]]:
    """Per process name (``""`` when unknown): how many hooks ended installed, pending, never loaded, failed."""
    return summarize(hook_outcomes(statuses))


def summarize(outcomes: Iterable[HookOutcome]) -> dict[str, dict[str, int]]:
    """Per process name: the number of hooks in each state."""
    summary: dict[str, dict[str, int]] = {}
    for outcome in outcomes:
        counts = summary.setdefault(outcome.process, dict.fromkeys(STATES, 0))
        counts[outcome.state] += 1
    return summary
