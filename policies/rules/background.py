"""BACKGROUND_COLLECTION: reads or uploads of personal data while the app is not in the foreground.

Legal basis: MIIT rectification reports list reads while the app is in the background as
违规/超范围收集; PIPL Art. 6 (minimum necessary). A hook event's own
``foreground`` flag, measured on the device, wins over the lifecycle timeline. From
lifecycle events, ``foreground`` and ``activity_resumed`` mean foreground, ``background``
means background, and ``process_start`` / ``process_exit`` make the state unknown (no
finding while unknown). A read at exactly the time of a ``background`` event is in the
background.

保活 (MIIT 164号文 §1.2): a read by a process that was started again after a process of the
same name had ended (killed, crashed, exited — not piaudit's own kill at the end of the audit),
while no activity of the app is visible (foreground unknown counts here: a restarted push
process has no activity of its own), is BACKGROUND_COLLECTION too, citing the exit and the
restart. Processes are told apart by name (``process``); unnamed events are never restarts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from piaudit.policies.models import Finding, HookEvent, LifecycleEvent
from piaudit.policies.rules.common import FlowView, api_name, flow_finding, hook_finding, reader

if TYPE_CHECKING:
    from piaudit.policies.rules.context import RuleContext


def _lifecycle_rows(event: LifecycleEvent | None) -> list[str]:
    return [f"lifecycle_events:{event.id}"] if event is not None and event.id is not None else []


def _restart_rows(restart: tuple[LifecycleEvent, LifecycleEvent] | None) -> list[str]:
    return [row for e in restart or () for row in _lifecycle_rows(e)]


def judge_hook(event: HookEvent, party: str | None, ctx: RuleContext) -> list[Finding]:
    """A read while the app is in the background, or by a process restarted after it was killed (保活)."""
    lifecycle = None
    restart = ctx.activity.restart_at(event.process, event.time)
    if event.foreground is None:
        lifecycle = ctx.activity.background_event_at(event.time)
        if lifecycle is None and (restart is None or ctx.activity.foreground_at(event.time) is True):
            return []
    elif event.foreground:
        return []
    if lifecycle is None and event.foreground is None:
        how = "nothing of the app visible"
    else:
        how = "the hook saw the app in the background" if lifecycle is None else "after the app went to the background"
    kept_alive = ""
    if restart is not None:
        exited, started = restart
        kept_alive = (
            f"; the process {event.process} was started again after it had ended ({exited.detail or 'exit'}), "
            "keeping itself alive (保活, 164号文 §1.2)"
        )
    message = f"{reader(party)} read {event.data_type} via {api_name(event)} while the app was in the background ({how}){kept_alive}."
    state = ctx.consent.state_at(event.time)
    return [
        hook_finding(
            "BACKGROUND_COLLECTION",
            event,
            state,
            party=party,
            severity="medium",
            message=message,
            extra_rows=[*_lifecycle_rows(lifecycle), *_restart_rows(restart)],
        )
    ]


def judge_flow(view: FlowView, ctx: RuleContext) -> list[Finding]:
    """An upload of personal data while the app is in the background."""
    if not view.sent:
        return []
    lifecycle = ctx.activity.background_event_at(view.flow.time)
    if lifecycle is None:
        return []
    state = ctx.consent.state_at(view.flow.time)
    return [
        flow_finding(
            "BACKGROUND_COLLECTION",
            view,
            state,
            data_type=data_type,
            severity="medium",
            message=f"{data_type} was sent to {view.recipient()} while the app was in the background.",
            extra_rows=_lifecycle_rows(lifecycle),
        )
        for data_type in view.sent
    ]
