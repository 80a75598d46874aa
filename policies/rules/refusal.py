"""EXIT_AFTER_REFUSAL: the app closes or exits right after the user refused consent or a permission it does not need.

Legal basis: MIIT 164号文 §2.1 (the app exits or closes after the user refuses), 2019 认定方法 四.3 (refusing
service when the user refuses a permission the basic function does not need), T/TAF 078.4
(refusal scenarios: exiting, closing, dialog loops).

A refusal is a counted consent event ``refused`` / ``withdrawn``, or a ``permission:result``
denying a permission whose data types the app's category does not need (a category of
``other`` says nothing is known to be needed, so every denied permission counts). The app
*closes* when, within ``thresholds.exit_after_refusal.window_seconds`` (default 10 s, lab
practice) after the refusal,

* a process of the app exits: ``process_exit`` for any reason but piaudit's own kill at the
  end of the audit (a crash counts: the service is gone all the same), or
* the app finishes an activity (``activity_finished``: ``finish()``, ``finishAffinity()``,
  ``finishAndRemoveTask()``) and is then left with no visible activity (``background``).

An app already in the background when it exits was left by the user: not judged. Only the
main process counts: a push process (``pkg:push``) killed or exiting does not close
the app. Several refusals still open at the exit (the same permission refused twice) give one
finding citing them all. The user pressing Home (``background`` without a finish) is not the app's doing, and finishing a
splash screen for the next activity leaves an activity visible: neither counts. The refusal must
still be in force at the exit (no grant since). "Blocking use" without
closing (a dead-end screen) is not visible to hooks and is not judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from piaudit.policies.activity import AUDIT_END_EXIT
from piaudit.policies.models import ConsentEvent, Finding, LifecycleEvent, PermissionResult
from piaudit.policies.permissions import permission_data_types, short_name
from piaudit.policies.rules.permission import permission_data_type

if TYPE_CHECKING:
    from piaudit.policies.rules.context import RuleContext


@dataclass(slots=True)
class _Refusal:
    time: float
    what: str  # for the message
    rows: list[str]
    consent: ConsentEvent | None = None
    permissions: list[str] = field(default_factory=list)


def _secondary(event: LifecycleEvent) -> bool:
    """A process of the app other than its main one (``pkg:push``): its exit alone does not close the app."""
    return ":" in event.process


def _lifecycle_row(event: LifecycleEvent) -> list[str]:
    return [f"lifecycle_events:{event.id}"] if event.id is not None else []


class RefusalExits:
    """Refusals still inside their window, and the app's finished activities since."""

    def __init__(self, window_seconds: float):
        self.window = window_seconds
        self._open: list[_Refusal] = []
        self._finished: list[LifecycleEvent] = []

    def on_consent(self, event: ConsentEvent, counted: bool) -> None:
        """A counted refusal or withdrawal of consent opens a window."""
        if counted and event.decision in ("refused", "withdrawn"):
            rows = [f"consent_events:{event.id}"] if event.id is not None else []
            self._open.append(_Refusal(event.time, f"{event.decision} consent to the privacy policy", rows, consent=event))

    def on_result(self, result: PermissionResult, ctx: RuleContext) -> None:
        """A denied permission the app's category does not need opens a window."""
        unneeded = [p for p in result.denied() if not self._needed(p, ctx)]
        if unneeded:
            rows = [f"permission_results:{result.id}"] if result.id is not None else []
            names = ", ".join(short_name(p) for p in unneeded)
            need = "" if ctx.necessary is not None else " (the policy's category is 'other': nothing is known to be needed)"
            what = f"refused {names}, which the app's basic function does not need{need}"
            self._open.append(_Refusal(result.time, what, rows, permissions=unneeded))

    @staticmethod
    def _needed(permission: str, ctx: RuleContext) -> bool:
        if ctx.necessary is None:
            return False
        return any(t in ctx.necessary for t in permission_data_types(permission))

    def on_lifecycle(self, event: LifecycleEvent, ctx: RuleContext, visible: bool | None) -> list[Finding]:
        """A finding when the app closed or exited after open refusals; ``visible``: its state just before ``event``."""
        self._open = [r for r in self._open if event.time - r.time <= self.window]
        if not self._open:
            self._finished.clear()
            return []
        cause: list[LifecycleEvent]
        if event.state == "activity_finished":
            self._finished.append(event)
            return []
        if visible is False:
            return []  # already in the background: the user left the app, it did not close on them
        if event.state == "process_exit" and event.detail != AUDIT_END_EXIT and not _secondary(event):
            cause = [event]
            how = f"its process exited ({event.detail or 'no detail'})"
        elif event.state == "background" and self._finished:
            cause = [*self._finished, event]
            how = f"it finished {self._finished[-1].detail or 'its activity'} and was left with no visible activity"
        else:
            return []
        refusals = [r for r in self._open if r.time <= event.time and self._in_force(r, event.time, ctx)]
        if not refusals:
            return []
        for refusal in refusals:
            self._open.remove(refusal)
        self._finished = []
        last = refusals[-1]
        permissions = [p for r in refusals for p in r.permissions]
        rows = [row for r in refusals for row in r.rows]
        rows += [row for e in cause if e.time >= refusals[0].time for row in _lifecycle_row(e)]
        earlier = f" (after {len(refusals)} refusals in the window)" if len(refusals) > 1 else ""
        state = ctx.consent.state_at(event.time)
        return [
            Finding(
                rule="EXIT_AFTER_REFUSAL",
                data_type=permission_data_type(permissions) if permissions else None,
                where=event.state,
                time=event.time,
                before_consent=not state.granted,
                evidence=f"{event.state}: {event.detail}"[:300],
                severity="high",
                message=(
                    f"The user {last.what}; {event.time - last.time:.1f} s later {how}{earlier} "
                    f"(window: {self.window:g} s; 164号文 §2.1, 认定方法 四.3, T/TAF 078.4)."
                ),
                evidence_rows=list(dict.fromkeys(rows)),
                process=event.process or None,
            )
        ]

    @staticmethod
    def _in_force(refusal: _Refusal, time: float, ctx: RuleContext) -> bool:
        if refusal.consent is not None:
            return ctx.consent.state_at(time).refused
        for permission in refusal.permissions:
            answer = ctx.answers.answer_at(permission, time)
            if answer is not None and answer.answer == "denied":
                return True
        return False
