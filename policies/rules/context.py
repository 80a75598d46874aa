"""The state every rule reads: policy, classifier, geo, consent and foreground over time."""

from __future__ import annotations

from dataclasses import dataclass, field

from piaudit.policies.activity import ActivityTimeline
from piaudit.policies.classify import Classifier, HostClass
from piaudit.policies.consent import ConsentTimeline
from piaudit.policies.geo import GeoLookup
from piaudit.policies.models import FlowSummary, HookEvent, Timeline
from piaudit.policies.partymatch import declared_by_entry, entries_named, within
from piaudit.policies.policy import Policy, ThirdParty, app_categories
from piaudit.policies.rules.common import FlowView
from piaudit.policies.vocab import DataType, covered


@dataclass(slots=True)
class RuleContext:
    """Prepared once per judgement; the consent and activity timelines grow as events arrive.

    ``necessary`` is the set of data types the app's category needs (None for ``other``:
    no scope check). Declared parties are matched to catalog entries by
    :mod:`policies.partymatch`, as the classifier matches them.
    """

    policy: Policy
    classifier: Classifier
    geo: GeoLookup
    consent: ConsentTimeline
    activity: ActivityTimeline
    declared_types: frozenset[DataType]
    necessary: frozenset[DataType] | None
    _by_name: dict[str, ThirdParty] = field(default_factory=dict)
    _by_entry: dict[str, ThirdParty] = field(default_factory=dict)
    _hook_parties: dict[tuple[str | None, str | None], tuple[str | None, ThirdParty | None]] = field(default_factory=dict)

    @classmethod
    def build(cls, policy: Policy, classifier: Classifier, geo: GeoLookup | None = None, timeline: Timeline | None = None) -> RuleContext:
        """A context for ``policy``; with ``timeline``, its consent and lifecycle events are already in."""
        timeline = timeline or Timeline()
        category = app_categories().get(policy.app.category)
        return cls(
            policy=policy,
            classifier=classifier,
            geo=geo if geo is not None else GeoLookup(server_countries=policy.server_countries),
            consent=ConsentTimeline(timeline.consent_events, policy.consent.signals),
            activity=ActivityTimeline(timeline.lifecycle_events),
            declared_types=covered(policy.declared_data_types),
            necessary=covered(category.data_types) if category is not None else None,
            _by_name={p.name.casefold(): p for p in policy.third_parties},
            _by_entry={i: found[0] for i, found in declared_by_entry(policy.third_parties, classifier.catalog).items()},
        )

    def declared_party(self, name: str | None, catalog_ids: list[str] | tuple[str, ...] = ()) -> ThirdParty | None:
        """The policy's third party with this name or one of these catalog ids."""
        if name and (found := self._by_name.get(name.casefold())):
            return found
        return next((self._by_entry[i] for i in catalog_ids if i in self._by_entry), None)

    def host_class(self, host: str) -> HostClass | None:
        """The classifier's answer for ``host`` (None without a host)."""
        return self.classifier.classify(host) if host else None

    def view(self, flow: FlowSummary) -> FlowView:
        """The rules' view of one flow."""
        host_class = self.host_class(flow.host or flow.server_ip)
        declared = None
        if host_class is not None and host_class.kind == "declared_third_party":
            declared = self.declared_party(host_class.party, host_class.catalog_ids)
        return FlowView.build(flow, host_class, declared)

    def hook_party(self, event: HookEvent) -> tuple[str | None, ThirdParty | None]:
        """Who read: ``(name, declared third party or None)``; ``(None, None)`` is the app itself.

        The upstream attribution (``event.party``, a catalog entry name) and the caller's
        package are matched to the policy by party name, by the policy's ``sdk_prefixes``,
        or through the catalog (``catalog_id``, entry name or alias, overlapping prefixes).
        """
        key = (event.party, event.caller)
        if key not in self._hook_parties:
            self._hook_parties[key] = self._resolve_hook_party(event.party, event.caller)
        return self._hook_parties[key]

    def _resolve_hook_party(self, party: str | None, caller: str | None) -> tuple[str | None, ThirdParty | None]:
        caller_class = (caller or "").split("(", 1)[0].strip()
        declared = self.declared_party(party)
        if declared is None and caller_class:
            declared = next((p for p in self.policy.third_parties if any(within(caller_class, x) for x in p.sdk_prefixes)), None)
        catalog = self.classifier.catalog
        if declared is None and party:
            ids = entries_named(party, catalog)
            ids += [e.id for e in catalog.match_package(caller_class)] if caller_class else []
            declared = next((self._by_entry[i] for i in ids if i in self._by_entry), None)
        return (declared.name if declared else party), declared

