"""SELF_START and ASSOCIATED_START: the app starting itself, or waking other apps.

Legal basis: MIIT 164号文 §2.2 (自启动, 关联启动); MIIT 2023 notice on app user-rights protection
(no self-start, associated start, wake-up or invocation of other apps without reason); T/TAF
078.10. Which broadcasts wake an app and which packages are the system's:
:mod:`policies.starts` (``policies/data/app_starts.yaml``).

SELF_START, per ``component:start`` event of the app's own components:

* **woken by the system**: a receiver of a wake broadcast (boot, connectivity, package changes,
  unlocking, …) woke the app while no activity was visible, and within
  ``thresholds.self_start.window_seconds`` (default 10 s, lab practice) the app started its own
  service, bound one, or scheduled a wake-up. One finding per broadcast, citing what it started.
* **restarted after being killed**: a process started again after a process of the same name
  had ended (not piaudit's own kill) reads data or starts components while nothing of the app
  is visible (a user opening the app again shows an activity first). One finding per restart.
* **scheduled wake-ups**: an alarm of a ``*_WAKEUP`` type or a repeating alarm, a job kept
  across reboots or periodic, periodic work, a periodic account sync. One finding per
  (mechanism, target, party), citing every scheduling. A one-shot, non-waking alarm, job or work
  runs while the app already lives and is not judged.

ASSOCIATED_START: a start, bind or broadcast whose explicit target is another app's component
(``getLaunchIntentForPackage`` + ``startActivity`` included), or an account sync of another
app's authority. Not counted: implicit intents (the system or the user chooses the app), the
platform's own packages (the settings screen, the permission controller), and — while an
activity of the app is visible — the apps the policy's ``other_apps`` declares (sharing to
WeChat after the user tapped "share"). Medium in the foreground, high when no activity is
visible (or before the process showed any activity). One finding per (call, target package,
party, severity), citing every start.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from piaudit.policies.models import ComponentEvent, Finding
from piaudit.policies.rules.common import Occurrence, Severity, reader
from piaudit.policies.starts import KEEPALIVE_CALLS, SCHEDULING_CALLS, is_wake_action, own_package, target_kind

if TYPE_CHECKING:
    from piaudit.policies.consent import ConsentState
    from piaudit.policies.rules.context import RuleContext


def component_rows(event: ComponentEvent) -> list[str]:
    """The evidence row of a component event, once stored."""
    return [f"component_events:{event.id}"] if event.id is not None else []


def describe_call(event: ComponentEvent) -> str:
    """``Context.startService(pkg/Class)``-like evidence text."""
    api = f"{event.api.class_name.rsplit('.', 1)[-1]}.{event.api.method}"
    details = [event.target()]
    if event.action and event.action != event.target():
        details.append(f"action {event.action}")
    if event.actions:
        details.append("actions " + ", ".join(event.actions))
    if event.wakeup:
        details.append("wakeup")
    if event.repeat_seconds:
        details.append(f"every {event.repeat_seconds:g} s")
    if event.persisted:
        details.append("persisted across reboots")
    return f"{api}({'; '.join(details)})"


def component_finding(
    rule: str, event: ComponentEvent, party: str | None, state: ConsentState, *, severity: Severity, message: str, rows: list[str]
) -> Finding:
    """A finding about one component start."""
    return Finding(
        rule=rule,  # type: ignore[arg-type]
        party=party,
        where=f"{event.api.class_name}.{event.api.method}",
        time=event.time,
        before_consent=not state.granted,
        evidence=describe_call(event)[:300],
        severity=severity,
        message=message,
        evidence_rows=rows,
        process=event.process or None,
    )


def wakes_later(event: ComponentEvent) -> bool:
    """A scheduling that wakes the app later by itself: waking or repeating alarm, persisted or periodic job, work, sync."""
    if event.call == "set_alarm":
        return bool(event.wakeup) or bool(event.repeat_seconds)
    if event.call == "schedule_job":
        return bool(event.persisted) or bool(event.repeat_seconds)
    if event.call in ("enqueue_work", "request_sync"):
        return bool(event.repeat_seconds)
    return False


def restarted(process: str, time: float, visible: bool | None, party: str | None, rows: list[str], ctx: RuleContext, where: str) -> Occurrence | None:
    """SELF_START for work done by a process started again after it had ended, while nothing of the app is visible."""
    restart = ctx.activity.restart_at(process, time)
    if restart is None or visible is True:
        return None
    exited, started = restart
    lifecycle = [f"lifecycle_events:{e.id}" for e in restart if e.id is not None]
    message = (
        f"The process {process} ended ({exited.detail or 'exit'}) and was started again "
        f"{started.time - exited.time:.1f} s later without the user, and works with nothing of the app visible: "
        "the app keeps itself alive (164号文 §2.2, 自启动; §1.2, 保活)."
    )
    state = ctx.consent.state_at(time)

    def make() -> Finding:
        return Finding(
            rule="SELF_START",
            party=party,
            where=where,
            time=time,
            before_consent=not state.granted,
            evidence=f"process_exit: {exited.detail}; process_start: {started.detail}"[:300],
            severity="medium",
            message=message,
            evidence_rows=[*lifecycle, *rows],
            process=process or None,
        )

    key = ("SELF_START", "restart", process, started.id if started.id is not None else started.time)
    return Occurrence(key, time, [*lifecycle, *rows], make)


class StartJudge:
    """SELF_START and ASSOCIATED_START over the component events, with the wake broadcasts still in their window."""

    def __init__(self, window_seconds: float):
        self.window = window_seconds
        self._wakes: list[ComponentEvent] = []  # wake broadcasts received while no activity was visible

    def on_component(self, event: ComponentEvent, ctx: RuleContext) -> list[Occurrence]:
        """Occurrences of (grouped) findings for one component event."""
        party = event.party
        visible = event.foreground if event.foreground is not None else ctx.activity.foreground_at(event.time)
        if visible is None and event.phase in ("before_application_oncreate", "before_first_activity"):
            visible = False  # the process has shown no activity yet: nothing of the app is on screen
        kind = target_kind(event, ctx.policy.app.package)
        out: list[Occurrence] = []
        if (restart := restarted(event.process, event.time, visible, party, component_rows(event), ctx, describe_call(event))) is not None:
            out.append(restart)
        self._wakes = [w for w in self._wakes if event.time - w.time <= self.window]  # memory: only those in the window
        if event.call == "receive_broadcast":
            if is_wake_action(event.action) and visible is not True:
                self._wakes.append(event)
            return out
        if kind == "other":
            return [*out, *self._associated(event, party, visible, ctx)]
        if kind != "own":
            return out
        if event.call in KEEPALIVE_CALLS and visible is not True and self._wakes:
            out.append(self._woken(event, party, self._wakes[-1], ctx))
        if event.call in SCHEDULING_CALLS and wakes_later(event):
            out.append(self._scheduled(event, party, ctx))
        return out

    def _woken(self, event: ComponentEvent, party: str | None, wake: ComponentEvent, ctx: RuleContext) -> Occurrence:
        rows = [*component_rows(wake), *component_rows(event)]
        state = ctx.consent.state_at(event.time)
        message = (
            f"The system woke the app with {wake.action} ({wake.target()}) while no activity was visible, and "
            f"{reader(party).lower() if party else 'the app'} then called {describe_call(event)} "
            f"{event.time - wake.time:.1f} s later: the app starts itself (164号文 §2.2, 自启动)."
        )
        make = partial(component_finding, "SELF_START", event, party, state, severity="medium", message=message, rows=rows)
        key = ("SELF_START", "woken", wake.id if wake.id is not None else wake.time, wake.action)
        return Occurrence(key, event.time, rows, make)

    def _scheduled(self, event: ComponentEvent, party: str | None, ctx: RuleContext) -> Occurrence:
        rows = component_rows(event)
        state = ctx.consent.state_at(event.time)
        how = {
            "set_alarm": "an alarm that wakes the app" if event.wakeup else "a repeating alarm",
            "schedule_job": "a job kept across reboots" if event.persisted else "a periodic job",
            "enqueue_work": "periodic work",
            "request_sync": "a periodic account sync",
        }[event.call]
        message = (
            f"{reader(party)} scheduled {how}: {describe_call(event)}; it starts the app again without the user "
            "(164号文 §2.2, 自启动)."
        )
        make = partial(component_finding, "SELF_START", event, party, state, severity="medium", message=message, rows=rows)
        key = ("SELF_START", event.call, event.target_component or event.target_package or event.args.get("authority"), party)
        return Occurrence(key, event.time, rows, make)

    def _associated(self, event: ComponentEvent, party: str | None, visible: bool | None, ctx: RuleContext) -> list[Occurrence]:
        target = event.target_package or str(event.args.get("authority") or "")
        declared = next(
            (o for o in ctx.policy.other_apps if own_package(target, o.package) or target.startswith(o.package + ".")), None
        )
        if declared is not None and visible is True:
            return []
        severity: Severity = "high" if visible is False else "medium"
        where = "while no activity of the app was visible" if visible is False else "while the app was in use"
        because = (
            f"; the policy declares {declared.package} ({declared.purpose}) only for use in the foreground"
            if declared is not None
            else "; the policy's other_apps does not declare it"
        )
        rows = component_rows(event)
        state = ctx.consent.state_at(event.time)
        message = (
            f"{reader(party)} called {describe_call(event)}, starting another app {where}{because} (164号文 §2.2, 关联启动)."
        )
        make = partial(component_finding, "ASSOCIATED_START", event, party, state, severity=severity, message=message, rows=rows)
        return [Occurrence(("ASSOCIATED_START", event.call, target, party, severity), event.time, rows, make)]
