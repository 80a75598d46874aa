"""OVER_FREQUENCY: the same data type read by the same party again and again.

Legal basis: MIIT rectification notices and reports name reading personal data more often
than the service needs (超频次收集); PIPL Art. 6. Test labs report scenarios such as a read
every 30 s or every 2 s. **No official numeric threshold exists**: the policy's
``thresholds.frequency`` (default: more than 3 reads within 30 s) is lab practice.

A read is over the threshold when more than ``max_reads`` reads of its (data type,
party) fall in the closed window ``[t - window_seconds, t]``: four reads at 0, 10, 20
and 30 s exceed 3-in-30-s, four at 0, 10, 20 and 30.001 s do not. Consecutive reads over
the threshold form one burst and one finding, which cites the reads of the window that
started it; the judge adds the burst's later reads to it.
"""

from __future__ import annotations

import bisect
from functools import partial
from typing import TYPE_CHECKING

from policies.models import HookEvent
from policies.policy import FrequencyThreshold
from policies.rules.common import Occurrence, api_name, hook_finding, hook_row, reader
from policies.vocab import DataType

if TYPE_CHECKING:
    from policies.rules.context import Context

Key = tuple[DataType, str | None]


class FrequencyTracker:
    """Sliding windows of reads per (data type, party); memory is bounded by the window."""

    def __init__(self, threshold: FrequencyThreshold):
        self.window = threshold.window_seconds
        self.max_reads = threshold.max_reads
        self._times: dict[Key, list[float]] = {}
        self._reads: dict[Key, list[HookEvent]] = {}
        self._burst: dict[Key, int] = {}  # the open burst's number, while reads stay over the threshold
        self._bursts: dict[Key, int] = {}

    def add(self, event: HookEvent, party: str | None, ctx: Context) -> tuple[Occurrence, int, float] | None:
        """Record one read; returns ``(occurrence, reads, burst start)`` when it is part of a burst."""
        key: Key = (event.data_type, party)
        times = self._times.setdefault(key, [])
        reads = self._reads.setdefault(key, [])
        index = bisect.bisect_right(times, event.time)
        times.insert(index, event.time)
        reads.insert(index, event)
        drop = bisect.bisect_left(times, times[-1] - self.window)
        if drop:
            del times[:drop], reads[:drop]
        start = bisect.bisect_left(times, event.time - self.window)
        end = bisect.bisect_right(times, event.time)
        window = reads[start:end]
        if len(window) <= self.max_reads:
            self._burst.pop(key, None)
            return None
        state = ctx.consent.state_at(event.time)
        if key in self._burst:  # a later read of an open burst: the judge adds it to the burst's finding
            group = ("OVER_FREQUENCY", event.data_type, party, self._burst[key])
            make = partial(hook_finding, "OVER_FREQUENCY", event, state, party=party, severity="medium", message="")
            return Occurrence(group, event.time, hook_row(event), make), 1, event.time
        number = self._burst[key] = self._bursts[key] = self._bursts.get(key, 0) + 1
        span = window[-1].time - window[0].time
        message = (
            f"{reader(party)} read {event.data_type} {len(window)} times within {span:.1f} s via {api_name(event)} "
            f"(threshold: more than {self.max_reads} reads in {self.window:g} s)."
        )
        rows = [row for read in window for row in hook_row(read)]
        make = partial(hook_finding, "OVER_FREQUENCY", event, state, party=party, severity="medium", message=message, rows=rows)
        return Occurrence(("OVER_FREQUENCY", event.data_type, party, number), event.time, rows, make), len(window), window[0].time
