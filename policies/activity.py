"""Foreground or background over time, from the app's lifecycle events: state the rules read.

``foreground`` and ``activity_resumed`` mean foreground, ``background`` means background, and
``process_start`` / ``process_exit`` make the state unknown. Other lifecycle states say nothing
about it and are ignored. A moment at exactly the time of an event is already in its state.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from piaudit.policies.models import LifecycleEvent

AUDIT_END_EXIT = "killed at the end of the audit"
"""The ``process_exit`` detail of a process piaudit itself ended when the audit stopped (not the app's doing)."""

FOREGROUND_OF_STATE: dict[str, bool | None] = {
    "foreground": True,
    "activity_resumed": True,
    "background": False,
    "process_start": None,
    "process_exit": None,
}
"""What a telling lifecycle state says: True foreground, False background, None unknown."""


def lifecycle_key(event: LifecycleEvent) -> tuple[Any, ...]:
    """A total order of lifecycle events that does not depend on input order."""
    return (event.time, -1 if event.id is None else event.id, event.state, event.detail)


class ActivityTimeline:
    """Foreground or background over time, from lifecycle events; ``state_at(t)`` is O(log n)."""

    def __init__(self, events: Iterable[LifecycleEvent] = ()):
        self._keys: list[tuple[Any, ...]] = []
        self._events: list[LifecycleEvent] = []
        for event in sorted(events, key=lifecycle_key):
            self.add(event)

    def add(self, event: LifecycleEvent) -> None:
        """Take one lifecycle event into account (states that say nothing are ignored)."""
        if event.state not in FOREGROUND_OF_STATE:
            return
        key = lifecycle_key(event)
        index = bisect.bisect_right(self._keys, key)
        self._keys.insert(index, key)
        self._events.insert(index, event)

    def event_at(self, time: float) -> LifecycleEvent | None:
        """The last telling lifecycle event at or before ``time``."""
        index = bisect.bisect_right(self._keys, (time, float("inf")))
        return self._events[index - 1] if index else None

    def foreground_at(self, time: float) -> bool | None:
        """True in the foreground, False in the background, None when unknown."""
        event = self.event_at(time)
        return FOREGROUND_OF_STATE[event.state] if event is not None else None

    def background_event_at(self, time: float) -> LifecycleEvent | None:
        """The lifecycle event that put the app in the background, if it was there at ``time``."""
        event = self.event_at(time)
        return event if event is not None and FOREGROUND_OF_STATE[event.state] is False else None
