"""Screens during a live run: captured when the timeline says something a reader will want to see.

:class:`ScreenRecorder` watches the events the hooks deliver and captures the screen (PNG and UI
hierarchy, :mod:`scripts.screensource`) on its own thread, so neither the app, the proxy nor the
Frida host ever waits for a capture:

- at **each consent decision**: the frame held from just before the click (it shows the dialog
  the user answered), and a fresh capture after;
- at **each permission request**: a capture a moment later, when the system's prompt is up; while
  the captured hierarchy shows no permission dialog yet (a slow device draws it late), captured
  again at the rate limit for up to ``PROMPT_WAIT`` seconds, the last capture kept either way;
- at **the first read of each data type**: the frame held from just before the read when it is
  fresh (at most two intervals old), else a capture right after;
- at **launch** (the first activity shown) and **on demand** (`piaudit snap`, any time).

The frame "held from just before" comes from polling: until the first consent decision the
recorder captures every ``interval`` seconds and keeps only the latest frame in memory; it is
stored only when an event needs it. After the consent decision it captures only on events.

The rate limit (documented in docs/evidence.md): one capture at a time; two captures start at
least ``interval`` seconds apart (default 2 s through adb — a ``screencap`` plus a ``uiautomator
dump`` take about a second on an emulator — and 0.5 s from the stand-in's display); events that
arrive meanwhile share the next capture; at most ``max_screens`` are stored per run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from piaudit.policies.models import ConsentEvent, ErrorRecord, HookEvent, LifecycleEvent, PermissionEvent, ScreenTrigger
from piaudit.policies.screens import Capture, ScreenError, classify, parse_hierarchy, store_capture
from piaudit.scripts.screensource import ScreenSource

log = logging.getLogger(__name__)

PROMPT_DELAY = 0.3  # seconds between a permission request (or an activity resume) and the prompt (screen) being drawn
PROMPT_WAIT = 3.0  # seconds a permission request waits for its prompt to show in the hierarchy
MAX_SCREENS = 500
HELD_FRAMES = 4  # frames kept in memory to document an event that arrives after later frames were taken
DEFAULT_INTERVALS = {"adb": 2.0, "display": 0.5}


def default_interval(spec: str) -> float:
    """The rate limit for a source: 2 s through adb, 0.5 s from the stand-in's display."""
    return DEFAULT_INTERVALS.get(spec.partition(":")[0], 2.0)


@dataclass
class _Wanted:
    """Triggers waiting for a capture, and when that capture may be taken at the earliest."""

    triggers: list[ScreenTrigger] = field(default_factory=list)
    not_before: float = 0.0


class ScreenRecorder:
    """Captures screens for one live session; :meth:`observe` is called with each batch of events."""

    def __init__(self, session_dir: Path | str, source: ScreenSource, *, interval: float | None = None, max_screens: int = MAX_SCREENS):
        self.session_dir = Path(session_dir)
        self.source = source
        self.interval = interval if interval else default_interval(source.spec)
        self.max_screens = max_screens
        self._lock = threading.Condition()
        self._before: list[ScreenTrigger] = []  # triggers the held frame should document
        self._after = _Wanted()
        self._first_reads: set[str] = set()
        self._launched = False
        self._consented = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._store: Any = None
        self._reported: set[str] = set()
        self.stored = 0
        self.captures = 0

    # ------------------------------------------------------------------ producers (any thread)
    def start(self) -> None:
        """Start the capturing thread."""
        self._thread = threading.Thread(target=self._loop, name="piaudit-screens", daemon=True)
        self._thread.start()

    def observe(self, events: Iterable[Any]) -> None:
        """Note the events that call for a screen (cheap: only queues triggers)."""
        with self._lock:
            for e in events:
                if isinstance(e, ConsentEvent):
                    trigger = ScreenTrigger(kind="consent", time=e.time, detail=f"{e.decision} ({e.source})")
                    self._before.append(trigger)
                    self._want(trigger, e.time)
                    self._consented = True
                elif isinstance(e, PermissionEvent):
                    self._want(ScreenTrigger(kind="permission", time=e.time, detail=", ".join(e.permissions)), e.time + PROMPT_DELAY)
                elif isinstance(e, HookEvent) and str(e.data_type) not in self._first_reads:
                    self._first_reads.add(str(e.data_type))
                    self._before.append(ScreenTrigger(kind="first_read", time=e.time, data_type=e.data_type))
                elif isinstance(e, LifecycleEvent) and e.state in ("activity_resumed", "foreground") and not self._launched:
                    self._launched = True
                    self._want(ScreenTrigger(kind="launch", time=e.time, detail=e.detail), e.time + PROMPT_DELAY)
            self._lock.notify_all()

    def _want(self, trigger: ScreenTrigger, not_before: float) -> None:
        self._after.triggers.append(trigger)
        self._after.not_before = max(self._after.not_before, not_before)

    def stop(self, timeout: float = 30.0) -> None:
        """Take the captures still wanted, then stop the thread and close the store."""
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._store is not None:
            self._store.conn.close()
            self._store = None

    # ------------------------------------------------------------------ the capturing thread
    def _loop(self) -> None:
        held: deque[Capture] = deque(maxlen=HELD_FRAMES)  # the latest frames, in memory until an event needs one
        last_start = float("-inf")
        while True:
            usable: list[tuple[Capture, list[ScreenTrigger]]] = []
            after: list[ScreenTrigger] = []
            with self._lock:
                while True:
                    now = time.time()
                    if self._before:
                        usable = self._take_before(list(held))
                        if usable:
                            action = "before"
                            break
                        continue
                    rate_ok = now >= last_start + self.interval  # the rate limit holds even while stopping
                    if self._after.triggers and rate_ok and (now >= self._after.not_before or self._stopping):
                        action, after, self._after = "after", self._after.triggers, _Wanted()
                        break
                    if self._stopping and not self._after.triggers:
                        return
                    polling = not self._consented and not self._stopping
                    if polling and rate_ok:
                        action = "poll"
                        break
                    not_before = 0.0 if self._stopping else self._after.not_before
                    wake = [max(not_before, last_start + self.interval)] if self._after.triggers else []
                    wake += [last_start + self.interval] if polling else []
                    self._lock.wait(max(0.01, min(wake) - now) if wake else None)
            if action == "before":
                for frame, triggers in usable:
                    self._store_frame(frame, triggers)
                continue
            last_start = time.time()
            frame = self._capture()
            held.append(frame)
            if action == "after":
                waiting = self._prompt_not_up(frame, after)
                self._store_frame(frame, [t for t in after if all(t is not w for w in waiting)])
                if waiting:
                    with self._lock:
                        for t in waiting:
                            self._want(t, last_start + self.interval)
            elif self.captures == 1 and frame.png is not None:  # the first frame of a run: the screen at launch
                self._store_frame(frame, [ScreenTrigger(kind="launch", time=frame.time, detail="first capture")])

    def _prompt_not_up(self, frame: Capture, triggers: list[ScreenTrigger]) -> list[ScreenTrigger]:
        """The permission triggers whose prompt this frame does not show yet and that may still wait for it."""
        waiting = [t for t in triggers if t.kind == "permission" and time.time() < t.time + PROMPT_WAIT]
        if not waiting or self._stopping or frame.xml is None:
            return []
        try:
            shown = classify(parse_hierarchy(frame.xml))
        except ScreenError:
            return []
        return [] if shown == "permission" else waiting

    def _take_before(self, held: list[Capture]) -> list[tuple[Capture, list[ScreenTrigger]]]:
        """Each trigger with the latest held frame taken before it (and at most two intervals before); a
        first read with no such frame waits for the next capture instead (a consent decision has one
        coming already). Returns (frame, triggers) pairs."""
        found: dict[int, tuple[Capture, list[ScreenTrigger]]] = {}
        for t in self._before:
            frames = [f for f in held if f.time <= t.time <= f.time + 2 * self.interval and (f.png or f.xml)]
            if frames:
                frame = frames[-1]
                found.setdefault(id(frame), (frame, []))[1].append(t)
            elif t.kind == "first_read":
                self._want(t, t.time)
        self._before = []
        return list(found.values())

    def _capture(self) -> Capture:
        self.captures += 1
        try:
            return self.source.capture()
        except Exception as e:  # a failing source never stops the run
            return Capture(time=time.time(), source=self.source.spec, errors=[f"capture failed: {e!r}"])

    def _open_store(self) -> Any:
        if self._store is None:
            from piaudit.policies.session import Session

            self._store = Session.open(self.session_dir).store
        return self._store

    def _store_frame(self, frame: Capture, triggers: list[ScreenTrigger]) -> None:
        if not triggers:
            return
        try:
            store = self._open_store()
            if frame.png is None and frame.xml is None:  # nothing captured: say why once, store no empty screen
                problem = "; ".join(frame.errors) or "nothing captured"
                if problem not in self._reported:
                    self._reported.add(problem)
                    from piaudit.policies import rows

                    store.insert_many("errors", [rows.error_row(ErrorRecord(time=frame.time, source="screens", message=problem))])
                return
            if self.stored >= self.max_screens:
                if self.stored == self.max_screens:
                    from piaudit.policies import rows

                    store.insert_many(
                        "errors",
                        [rows.error_row(ErrorRecord(time=time.time(), source="screens", message=f"screen limit of {self.max_screens} reached: later screens not stored"))],
                    )
                    self.stored += 1
                return
            store_capture(store, self.session_dir, frame, triggers)
            self.stored += 1
        except Exception as e:  # the session may not exist yet or be closing: say so, never break the run
            log.warning("piaudit: a screen could not be stored: %s", e)
