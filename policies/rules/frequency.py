"""OVER_FREQUENCY: the same data type accessed by the same party again and again.

Legal basis: MIIT rectification notices and reports name reading personal data more often
than the service needs (超频次收集); PIPL Art. 6. Test labs report scenarios such as a read
every 30 s or every 2 s. **No official numeric threshold exists**: the policy's
``thresholds.frequency`` (default: more than 3 accesses within 30 s) is lab practice.

Counted are accesses, not API calls: reading one location fix calls
``getLastKnownLocation``, then ``getLatitude`` and ``getLongitude`` within microseconds.
Reads of one (data type, party) less than ``merge_seconds`` after the first read of an
access belong to that access (a read exactly ``merge_seconds`` later starts a new one;
anchoring on the first read keeps a steady poll faster than ``merge_seconds`` counted).

An access is over the threshold when more than ``max_reads`` accesses of its (data type,
party) start in the closed window ``[t - window_seconds, t]``: four accesses at 0, 10, 20
and 30 s exceed 3-in-30-s, four at 0, 10, 20 and 30.001 s do not. Consecutive accesses
over the threshold form one burst and one finding, which cites every read of the
accesses of the window that started it; the judge adds the burst's later reads to it.
"""

from __future__ import annotations

import bisect
from functools import partial
from typing import TYPE_CHECKING

from piaudit.policies.models import HookEvent
from piaudit.policies.policy import FrequencyThreshold
from piaudit.policies.rules.common import Occurrence, api_name, hook_finding, hook_row, reader
from piaudit.policies.vocab import DataType

if TYPE_CHECKING:
    from piaudit.policies.rules.context import RuleContext

Key = tuple[DataType, str | None]

MERGE_SECONDS = 1.0
"""Reads closer than this form one access. Lab practice, not law: the API calls of one
read (a location fix and its coordinates, a clipboard item and its text) come within
milliseconds, while the polls labs report are seconds apart. The policy cannot set it yet;
a ``thresholds.frequency.merge_seconds`` added later is read in its place."""


class FrequencyTracker:
    """Sliding windows of accesses per (data type, party); memory is bounded by the window."""

    def __init__(self, threshold: FrequencyThreshold):
        self.window = threshold.window_seconds
        self.max_reads = threshold.max_reads
        self.merge = float(getattr(threshold, "merge_seconds", MERGE_SECONDS))
        self._starts: dict[Key, list[float]] = {}  # each access's first read time, sorted
        self._accesses: dict[Key, list[list[HookEvent]]] = {}  # each access's reads
        self._burst: dict[Key, int] = {}  # the open burst's number, while accesses stay over the threshold
        self._bursts: dict[Key, int] = {}

    def add(self, event: HookEvent, party: str | None, ctx: RuleContext) -> tuple[Occurrence, int, float] | None:
        """Record one read; returns ``(occurrence, accesses, burst start)`` when it is part of a burst."""
        key: Key = (event.data_type, party)
        starts = self._starts.setdefault(key, [])
        accesses = self._accesses.setdefault(key, [])
        index = bisect.bisect_right(starts, event.time)
        if index and event.time - starts[index - 1] < self.merge:  # another call of an access already counted
            accesses[index - 1].append(event)
            if key in self._burst and index == len(starts):  # the burst's latest access: cite the call too
                return self._later(event, party, ctx, key), 0, event.time
            return None
        starts.insert(index, event.time)
        accesses.insert(index, [event])
        drop = bisect.bisect_left(starts, starts[-1] - max(self.window, self.merge))
        if drop:
            del starts[:drop], accesses[:drop]
        start = bisect.bisect_left(starts, event.time - self.window)
        end = bisect.bisect_right(starts, event.time)
        window = accesses[start:end]
        if len(window) <= self.max_reads:
            self._burst.pop(key, None)
            return None
        if key in self._burst:  # a later access of an open burst: the judge adds it to the burst's finding
            return self._later(event, party, ctx, key), 1, event.time
        state = ctx.consent.state_at(event.time)
        number = self._burst[key] = self._bursts[key] = self._bursts.get(key, 0) + 1
        reads = [read for access in window for read in access]
        span = starts[end - 1] - starts[start]
        message = (
            f"{reader(party)} read {event.data_type} {len(window)} times within {span:.1f} s via {api_name(event)} "
            f"(threshold: more than {self.max_reads} accesses in {self.window:g} s; "
            f"reads less than {self.merge:g} s apart count as one access)."
        )
        rows = [row for read in reads for row in hook_row(read)]
        make = partial(hook_finding, "OVER_FREQUENCY", event, state, party=party, severity="medium", message=message, rows=rows)
        return (
            Occurrence(("OVER_FREQUENCY", event.data_type, party, number), event.time, rows, make),
            len(window),
            window[0][0].time,
        )

    def _later(self, event: HookEvent, party: str | None, ctx: RuleContext, key: Key) -> Occurrence:
        """A read that joins the open burst's finding as a cited row."""
        state = ctx.consent.state_at(event.time)
        make = partial(hook_finding, "OVER_FREQUENCY", event, state, party=party, severity="medium", message="")
        return Occurrence(("OVER_FREQUENCY", event.data_type, party, self._burst[key]), event.time, hook_row(event), make)
