"""The rules: pure, deterministic judgements of a session's timeline against a policy.

>>> findings = evaluate(timeline, policy, classifier, geo=None)  # doctest: +SKIP

One module per concern: ``access`` (reads vs consent), ``transmission`` (uploads vs consent, cleartext), ``parties`` (undeclared
parties and data types), ``scope`` (necessary scope), ``frequency``, ``background``,
``border``, ``sensitive`` (installed apps, clipboard, location), ``permission`` (PERMISSION_ABUSE),
``asking`` (how permissions are asked), ``refusal`` (exiting after a refusal), ``starts``
(self and associated starts), ``probing`` (per-package probing), ``tls``;
``judge`` runs them over the state in ``context`` (the consent timeline of
:mod:`policies.consent`, the activity timeline of :mod:`policies.activity`). docs/policy.md
lists every rule with its legal basis.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from piaudit.policies.classify import Classifier
from piaudit.policies.consent import NO_CONSENT_NOTE, ConsentTimeline
from piaudit.policies.geo import GeoLookup
from piaudit.policies.models import (
    ConsentEvent,
    Finding,
    FlowSummary,
    HookEvent,
    HookStatus,
    LifecycleEvent,
    PermissionEvent,
    PermissionResult,
    Timeline,
)
from piaudit.policies.policy import OTHER_CATEGORY, Policy
from piaudit.policies.rules.border import BorderTally
from piaudit.policies.rules.judge import LiveJudge
from piaudit.policies.rules.order import Item, judge_order

__all__ = ["Judged", "LiveJudge", "evaluate", "evaluation_notes", "judge_items"]


def evaluate(timeline: Timeline, policy: Policy, classifier: Classifier, *, geo: GeoLookup | None = None) -> list[Finding]:
    """All findings of a session, sorted by (time, rule, flow or event, data type): the authority.

    ``geo`` adds an IP-country database to the policy's ``server_countries``.
    """
    return judge_items((item for _, item in judge_order(timeline)), policy, classifier, geo=geo).findings


class Judged(NamedTuple):
    """The findings of one pass over a timeline and the notes on the limits of that judgement."""

    findings: list[Finding]
    notes: list[str]


def judge_items(
    items: Iterable[Item],
    policy: Policy,
    classifier: Classifier,
    *,
    geo: GeoLookup | None = None,
    hook_status: Iterable[HookStatus] = (),
) -> Judged:
    """Judge a timeline given as items in the judge's order (:mod:`policies.rules.order`), in one
    pass that holds one item at a time: the findings (as :func:`evaluate`) and the notes (as
    :func:`evaluation_notes`, with the hooks' install statuses ``hook_status``)."""
    judge = LiveJudge(policy, classifier, geo=geo)
    notes = _NotesTally(policy, geo)
    on_flow, on_event = judge.on_flow, judge.on_event
    for item in items:
        if isinstance(item, FlowSummary):
            on_flow(item)
        else:
            on_event(item)
        notes.add(item)
    for status in hook_status:
        notes.add(status)
    return Judged(judge.findings(), notes.notes())


class _NotesTally:
    """The evaluation notes, counted item by item."""

    def __init__(self, policy: Policy, geo: GeoLookup | None) -> None:
        self.policy = policy
        self.consent_events: list[ConsentEvent] = []
        self.border = BorderTally(policy, geo)
        self.lifecycle = False
        self.foreground_unknown = False
        self.failed: set[str] = set()
        self.permission_requests = False
        self.permission_answers = False

    def add(self, item: Item | HookStatus) -> None:
        if isinstance(item, FlowSummary):
            self.border.add(item)
        elif isinstance(item, HookEvent):
            self.foreground_unknown = self.foreground_unknown or item.foreground is None
        elif isinstance(item, ConsentEvent):
            self.consent_events.append(item)
        elif isinstance(item, LifecycleEvent):
            self.lifecycle = True
        elif isinstance(item, PermissionEvent):
            self.permission_requests = True
        elif isinstance(item, PermissionResult):
            self.permission_answers = True
        elif isinstance(item, HookStatus) and item.effective_state() == "failed":
            self.failed.add(f"{item.api.class_name}.{item.api.method}")

    def notes(self) -> list[str]:
        notes = []
        consent = ConsentTimeline(self.consent_events, self.policy.consent.signals)
        if not consent.events:
            ignored = f" ({len(consent.ignored)} signal(s) from sources the policy does not count)" if consent.ignored else ""
            notes.append(NO_CONSENT_NOTE + ignored)
        notes += self.border.notes()
        if self.policy.app.category == OTHER_CATEGORY:
            notes.append("BEYOND_NECESSARY_SCOPE not judged: the policy's app.category is 'other'.")
        if not self.lifecycle and self.foreground_unknown:
            notes.append("BACKGROUND_COLLECTION: no lifecycle events; only hook events' own foreground flag was used.")
        if self.permission_requests and not self.permission_answers:
            notes.append(
                "PERMISSION_RE_REQUEST and EXIT_AFTER_REFUSAL (after a permission refusal) not judged: "
                "permission requests were recorded but none of their answers (no permission:result events)."
            )
        if self.failed:
            failed = sorted(self.failed)
            notes.append(f"{len(failed)} hook(s) failed to install, so reads through them are missing: {', '.join(failed[:10])}.")
        return notes


def evaluation_notes(timeline: Timeline, policy: Policy, *, geo: GeoLookup | None = None) -> list[str]:
    """What a report must say about the limits of the judgement (consent, geo, scope, hooks)."""
    tally = _NotesTally(policy, geo)
    for item in [
        *timeline.consent_events,
        *timeline.flows,
        *timeline.lifecycle_events,
        *timeline.hook_events,
        *timeline.permission_events,
        *timeline.permission_results,
        *timeline.hook_status,
    ]:
        tally.add(item)
    return tally.notes()
