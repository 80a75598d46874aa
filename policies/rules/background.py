"""BACKGROUND_COLLECTION: reads or uploads of personal data while the app is not in the foreground.

Legal basis: MIIT rectification reports list reads while the app is in the background as
违规/超范围收集; PIPL Art. 6 (minimum necessary). A hook event's own
``foreground`` flag, measured on the device, wins over the lifecycle timeline. From
lifecycle events, ``foreground`` and ``activity_resumed`` mean foreground, ``background``
means background, and ``process_start`` / ``process_exit`` make the state unknown (no
finding while unknown). A read at exactly the time of a ``background`` event is in the
background.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from piaudit.policies.models import Finding, HookEvent, LifecycleEvent
from piaudit.policies.rules.common import FlowView, api_name, flow_finding, hook_finding, reader

if TYPE_CHECKING:
    from piaudit.policies.rules.context import Context

_STATE: dict[str, bool | None] = {
    "foreground": True,
    "activity_resumed": True,
    "background": False,
    "process_start": None,
    "process_exit": None,
}


def lifecycle_key(event: LifecycleEvent) -> tuple[Any, ...]:
    """A total order of lifecycle events that does not depend on input order."""
    return (event.time, -1 if event.id is None else event.id, event.state, event.detail)


class ActivityTimeline:
    """Foreground or background over time, from lifecycle events; ``state_at(t)`` is O(p log n).

    Each app process has its own lifecycle (a push process has no activity and never comes to
    the foreground); the app is in the foreground while any process says so, in the background
    when some process says so and none says foreground, and unknown otherwise. A push process's
    start or exit therefore never hides the main process's state.
    """

    def __init__(self, events: Iterable[LifecycleEvent] = ()):
        self._keys: dict[str, list[tuple[Any, ...]]] = {}
        self._events: dict[str, list[LifecycleEvent]] = {}
        for event in sorted(events, key=lifecycle_key):
            self.add(event)

    def add(self, event: LifecycleEvent) -> None:
        """Take one lifecycle event into account (states that say nothing are ignored)."""
        if event.state not in _STATE:
            return
        key = lifecycle_key(event)
        keys = self._keys.setdefault(event.process, [])
        index = bisect.bisect_right(keys, key)
        keys.insert(index, key)
        self._events.setdefault(event.process, []).insert(index, event)

    def event_at(self, time: float) -> LifecycleEvent | None:
        """The lifecycle event that decides the app's state at ``time`` (the last telling one per process)."""
        latest: list[LifecycleEvent] = []
        for process, keys in self._keys.items():
            index = bisect.bisect_right(keys, (time, float("inf")))
            if index:
                latest.append(self._events[process][index - 1])
        if not latest:
            return None
        for wanted in (True, False):
            deciding = [e for e in latest if _STATE[e.state] is wanted]
            if deciding:
                return max(deciding, key=lifecycle_key)
        return max(latest, key=lifecycle_key)

    def foreground_at(self, time: float) -> bool | None:
        """True in the foreground, False in the background, None when unknown."""
        event = self.event_at(time)
        return _STATE[event.state] if event is not None else None


def _lifecycle_rows(event: LifecycleEvent | None) -> list[str]:
    return [f"lifecycle_events:{event.id}"] if event is not None and event.id is not None else []


def judge_hook(event: HookEvent, party: str | None, ctx: Context) -> list[Finding]:
    """A read while the app is in the background."""
    lifecycle = None
    if event.foreground is None:
        lifecycle = ctx.activity.event_at(event.time)
        if lifecycle is None or _STATE[lifecycle.state] is not False:
            return []
    elif event.foreground:
        return []
    how = "the hook saw the app in the background" if lifecycle is None else "after the app went to the background"
    message = f"{reader(party)} read {event.data_type} via {api_name(event)} while the app was in the background ({how})."
    state = ctx.consent.state_at(event.time)
    return [
        hook_finding(
            "BACKGROUND_COLLECTION",
            event,
            state,
            party=party,
            severity="medium",
            message=message,
            extra_rows=_lifecycle_rows(lifecycle),
        )
    ]


def judge_flow(view: FlowView, ctx: Context) -> list[Finding]:
    """An upload of personal data while the app is in the background."""
    if not view.sent:
        return []
    lifecycle = ctx.activity.event_at(view.flow.time)
    if lifecycle is None or _STATE[lifecycle.state] is not False:
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
