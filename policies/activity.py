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
        if event.state not in FOREGROUND_OF_STATE:
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
            deciding = [e for e in latest if FOREGROUND_OF_STATE[e.state] is wanted]
            if deciding:
                return max(deciding, key=lifecycle_key)
        return max(latest, key=lifecycle_key)

    def foreground_at(self, time: float) -> bool | None:
        """True in the foreground, False in the background, None when unknown."""
        event = self.event_at(time)
        return FOREGROUND_OF_STATE[event.state] if event is not None else None

    def background_event_at(self, time: float) -> LifecycleEvent | None:
        """The lifecycle event that put the app in the background, if it was there at ``time``."""
        event = self.event_at(time)
        return event if event is not None and FOREGROUND_OF_STATE[event.state] is False else None
