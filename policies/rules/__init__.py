"""The rules: pure, deterministic judgements of a session's timeline against a policy.

>>> findings = evaluate(timeline, policy, classifier, geo=None)  # doctest: +SKIP

One module per concern: ``access`` (reads vs consent), ``transmission`` (uploads vs consent, cleartext), ``parties`` (undeclared
parties and data types), ``scope`` (necessary scope), ``frequency``, ``background``,
``border``, ``sensitive`` (installed apps, clipboard, location), ``permission``, ``tls``;
``judge`` runs them over the state in ``context`` (the consent timeline of
:mod:`policies.consent`, the activity timeline of :mod:`policies.activity`). docs/policy.md
lists every rule with its legal basis.
"""

from __future__ import annotations

from typing import Any

from piaudit.policies.activity import lifecycle_key
from piaudit.policies.classify import Classifier
from piaudit.policies.consent import NO_CONSENT_NOTE, ConsentTimeline, consent_key
from piaudit.policies.geo import GeoLookup
from piaudit.policies.models import Finding, FlowSummary, Timeline
from piaudit.policies.policy import OTHER_CATEGORY, Policy
from piaudit.policies.rules.border import border_notes
from piaudit.policies.rules.judge import LiveJudge
from piaudit.policies.rules.tls import tls_key

__all__ = ["LiveJudge", "evaluate", "evaluation_notes"]


def _stream(timeline: Timeline) -> list[tuple[tuple[Any, ...], Any]]:
    """Every event and flow with a sort key: time first; at one instant consent, then lifecycle, then the rest.

    The keys never depend on input order, so a shuffled timeline is judged identically.
    """
    items: list[tuple[tuple[Any, ...], Any]] = []
    items += [((e.time, 0, consent_key(e)), e) for e in timeline.consent_events]
    items += [((e.time, 1, lifecycle_key(e)), e) for e in timeline.lifecycle_events]
    items += [((e.time, 2, -1 if e.id is None else e.id, e.model_dump_json()), e) for e in timeline.hook_events]
    items += [((e.time, 3, -1 if e.id is None else e.id, e.model_dump_json()), e) for e in timeline.permission_events]
    items += [((f.time, 4, f.flow_id, f.model_dump_json()), f) for f in timeline.flows]
    items += [((t.time, 5, tls_key(t)), t) for t in timeline.tls_failures]
    return sorted(items, key=lambda item: item[0])


def evaluate(timeline: Timeline, policy: Policy, classifier: Classifier, *, geo: GeoLookup | None = None) -> list[Finding]:
    """All findings of a session, sorted by (time, rule, flow or event, data type): the authority.

    ``geo`` adds an IP-country database to the policy's ``server_countries``.
    """
    judge = LiveJudge(policy, classifier, geo=geo)
    for _, item in _stream(timeline):
        if isinstance(item, FlowSummary):
            judge.on_flow(item)
        else:
            judge.on_event(item)
    return judge.findings()


def evaluation_notes(timeline: Timeline, policy: Policy, *, geo: GeoLookup | None = None) -> list[str]:
    """What a report must say about the limits of the judgement (consent, geo, scope, hooks)."""
    notes = []
    consent = ConsentTimeline(timeline.consent_events, policy.consent.signals)
    if not consent.events:
        ignored = f" ({len(consent.ignored)} signal(s) from sources the policy does not count)" if consent.ignored else ""
        notes.append(NO_CONSENT_NOTE + ignored)
    notes += border_notes(timeline.flows, policy, geo)
    if policy.app.category == OTHER_CATEGORY:
        notes.append("BEYOND_NECESSARY_SCOPE not judged: the policy's app.category is 'other'.")
    if not timeline.lifecycle_events and any(e.foreground is None for e in timeline.hook_events):
        notes.append("BACKGROUND_COLLECTION: no lifecycle events; only hook events' own foreground flag was used.")
    failed = sorted({f"{s.api.class_name}.{s.api.method}" for s in timeline.hook_status if s.effective_state() == "failed"})
    if failed:
        notes.append(f"{len(failed)} hook(s) failed to install, so reads through them are missing: {', '.join(failed[:10])}.")
    return notes
