"""The judge's order of a timeline: time first; at one instant consent, then permission answers, then lifecycle, then the rest.

One owner for that order, two ways to get it: :func:`judge_order` sorts a whole
:class:`~policies.models.Timeline` in memory (the rules' tests, small timelines), and
:func:`merged` merges per-kind streams that already come in that order (the store reads
flows and hook events sorted by SQL), so the final judgement of a long session holds one
item at a time instead of the whole timeline. Both give the same sequence: the keys never
depend on input order, so a shuffled timeline is judged identically.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import Any

from piaudit.policies.activity import lifecycle_key
from piaudit.policies.answers import result_key
from piaudit.policies.consent import consent_key
from piaudit.policies.models import (
    ComponentEvent,
    ConsentEvent,
    FlowSummary,
    HookEvent,
    LifecycleEvent,
    PermissionDialog,
    PermissionEvent,
    PermissionResult,
    Timeline,
    TlsFailure,
)
from piaudit.policies.rules.tls import tls_key

CONSENT, RESULT, LIFECYCLE, HOOK, PERMISSION, DIALOG, COMPONENT, FLOW, TLS = range(9)
"""The rank of each kind among items at the same instant."""

class OrderError(ValueError):
    """A stream that should come in the judge's order does not (see :func:`stored_events`, :func:`ordered_flows`)."""


Item = (
    ConsentEvent
    | PermissionResult
    | LifecycleEvent
    | HookEvent
    | PermissionEvent
    | PermissionDialog
    | ComponentEvent
    | FlowSummary
    | TlsFailure
)
Stored = HookEvent | PermissionEvent | PermissionDialog | ComponentEvent


def _event_key(e: Stored, rank: int) -> tuple[Any, ...]:
    return (e.time, rank, -1 if e.id is None else e.id, e.model_dump_json())


def _flow_key(f: FlowSummary) -> tuple[Any, ...]:
    return (f.time, FLOW, f.flow_id, f.model_dump_json())


def judge_order(timeline: Timeline) -> list[tuple[tuple[Any, ...], Item]]:
    """Every event and flow of ``timeline`` with its sort key, sorted."""
    items: list[tuple[tuple[Any, ...], Any]] = []
    items += [((e.time, CONSENT, consent_key(e)), e) for e in timeline.consent_events]
    items += [((e.time, RESULT, result_key(e)), e) for e in timeline.permission_results]
    items += [((e.time, LIFECYCLE, lifecycle_key(e)), e) for e in timeline.lifecycle_events]
    items += [(_event_key(e, HOOK), e) for e in timeline.hook_events]
    items += [(_event_key(e, PERMISSION), e) for e in timeline.permission_events]
    items += [(_event_key(e, DIALOG), e) for e in timeline.permission_dialogs]
    items += [(_event_key(e, COMPONENT), e) for e in timeline.component_events]
    items += [(_flow_key(f), f) for f in timeline.flows]
    items += [((t.time, TLS, tls_key(t)), t) for t in timeline.tls_failures]
    return sorted(items, key=lambda item: item[0])


def stored_events(events: Iterable[Stored]) -> Iterator[Stored]:
    """Stored events read in (time, id) order, checked: a stored event has a unique id, so that
    order is the judge's. Raises OrderError on an event out of order or without an id."""
    last: tuple[float, int] | None = None
    for e in events:
        if e.id is None:
            raise OrderError("stored_events: an event without a row id")
        key = (e.time, e.id)
        if last is not None and key <= last:
            raise OrderError(f"stored_events: event {e.id} at {e.time} is out of (time, id) order")
        last = key
        yield e


def ordered_flows(flows: Iterable[FlowSummary]) -> Iterator[FlowSummary]:
    """Flows that come sorted by (time, flow_id), with the judge's tie-break for equal pairs
    (their JSON) applied here; only such a run of equal pairs is held in memory.
    Raises OrderError on a flow out of (time, flow_id) order."""
    last: tuple[float, str] | None = None
    for pair, run in groupby(flows, key=lambda f: (f.time, f.flow_id)):
        if last is not None and pair < last:
            raise OrderError(f"ordered_flows: flow {pair[1]} at {pair[0]} is out of (time, flow_id) order")
        last = pair
        same = list(run)
        if len(same) > 1:
            same.sort(key=lambda f: f.model_dump_json())
        yield from same


def merged(
    *,
    consent: Iterable[ConsentEvent] = (),
    results: Iterable[PermissionResult] = (),
    lifecycle: Iterable[LifecycleEvent] = (),
    hooks: Iterable[HookEvent] = (),
    permissions: Iterable[PermissionEvent] = (),
    dialogs: Iterable[PermissionDialog] = (),
    components: Iterable[ComponentEvent] = (),
    flows: Iterable[FlowSummary] = (),
    tls: Iterable[TlsFailure] = (),
) -> Iterator[Item]:
    """The items of per-kind streams in the judge's order, as :func:`judge_order` would sort them.

    ``hooks``, ``permissions``, ``dialogs`` and ``components`` must come as :func:`stored_events`
    checks them, ``flows`` as :func:`ordered_flows` takes them; consent, permission answers,
    lifecycle and TLS failures (few per session) are sorted here.
    """
    streams: list[Iterator[tuple[float, int, Any]]] = [
        ((e.time, CONSENT, e) for e in sorted(consent, key=consent_key)),
        ((e.time, RESULT, e) for e in sorted(results, key=result_key)),
        ((e.time, LIFECYCLE, e) for e in sorted(lifecycle, key=lifecycle_key)),
        ((e.time, HOOK, e) for e in stored_events(hooks)),
        ((e.time, PERMISSION, e) for e in stored_events(permissions)),
        ((e.time, DIALOG, e) for e in stored_events(dialogs)),
        ((e.time, COMPONENT, e) for e in stored_events(components)),
        ((f.time, FLOW, f) for f in ordered_flows(flows)),
        ((t.time, TLS, t) for t in sorted(tls, key=tls_key)),
    ]
    # (time, rank) decides between streams; a stream never meets itself in the heap
    for _, _, item in heapq.merge(*streams, key=lambda entry: (entry[0], entry[1])):
        yield item
