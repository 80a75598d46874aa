"""The judge: runs every rule on each event or flow as it arrives, and groups repeated findings.

Live, :class:`LiveJudge` gives findings as they happen, using the consent and lifecycle
state known so far. At the end, :func:`policies.rules.evaluate` feeds the whole timeline
through the same judge in time order: the same code decides both, so live and replayed
audits cannot disagree except where events arrived late.
"""

from __future__ import annotations

from typing import Any

from piaudit.policies.classify import Classifier
from piaudit.policies.geo import GeoLookup
from piaudit.policies.models import (
    ComponentEvent,
    ConsentEvent,
    Finding,
    FlowSummary,
    HookEvent,
    LifecycleEvent,
    PermissionDialog,
    PermissionEvent,
    PermissionResult,
    TimelineItem,
    TlsFailure,
)
from piaudit.policies.policy import Policy
from piaudit.policies.rules import (
    access,
    asking,
    background,
    border,
    parties,
    permission,
    scope,
    sensitive,
    starts,
    tls,
    transmission,
)
from piaudit.policies.rules.common import Occurrence, finding_key, hook_row
from piaudit.policies.rules.context import RuleContext
from piaudit.policies.rules.frequency import FrequencyTracker
from piaudit.policies.rules.probing import ProbeCounter
from piaudit.policies.rules.refusal import RefusalExits
from piaudit.policies.rules.starts import StartJudge

MAX_ROWS = 50  # evidence rows cited per grouped finding; the message gives the full count


class _Group:
    """One grouped finding: its first occurrence plus the rows (up to ``MAX_ROWS``) and times of the others."""

    __slots__ = ("first", "rows", "seen", "more", "count", "start", "last")

    def __init__(self, first: Finding, count: int, start: float):
        self.first, self.count, self.start, self.last = first, count, start, first.time
        self.rows: list[str] = []
        self.seen: set[str] = set()
        self.more = False
        self._add_rows(first.evidence_rows)

    def _add_rows(self, rows: list[str]) -> None:
        for row in rows:
            if row in self.seen:
                continue
            if len(self.rows) >= MAX_ROWS:
                self.more = True
                return
            self.rows.append(row)
            self.seen.add(row)

    def add(self, occurrence: Occurrence, count: int) -> None:
        self._add_rows(occurrence.rows)
        self.count += count
        self.start, self.last = min(self.start, occurrence.time), max(self.last, occurrence.time)

    def final(self) -> Finding:
        """The first occurrence, citing all occurrences."""
        first, span = self.first, self.last - self.start
        if first.rule == "OVER_FREQUENCY":
            suffix = f" The burst had {self.count} accesses over {span:.1f} s."
        elif first.rule == "APP_LIST_PROBING":
            if len(self.rows) == len(first.evidence_rows):
                return first
            suffix = f" In all {self.count} distinct packages over {span:.1f} s."
        elif self.count > 1:
            suffix = f" Seen {self.count} times over {span:.1f} s."
        else:
            return first
        extra = f" The first {MAX_ROWS} are cited." if self.more else ""
        return first.model_copy(update={"message": first.message + suffix + extra, "evidence_rows": list(self.rows)})


class LiveJudge:
    """Findings as they happen: feed events with :meth:`on_event` and flows with :meth:`on_flow`.

    Incidents (a read before consent, an upload in the background) are returned once each.
    Policy mismatches (an undeclared party or data type, a type beyond the necessary
    scope, a frequency burst, an uninspected host) are returned at their first occurrence
    only; :meth:`findings` gives them with every occurrence cited. In a long live session
    pass ``keep=False``: incidents are then returned but not kept (memory stays bounded by
    the number of groups), and :meth:`findings` lists the grouped findings only.
    """

    def __init__(self, policy: Policy, classifier: Classifier, geo: GeoLookup | None = None, *, keep: bool = True):
        self.ctx = RuleContext.build(policy, classifier, geo)
        self.keep = keep
        thresholds = policy.thresholds
        self._frequency = FrequencyTracker(thresholds.frequency)
        self._bundles = asking.BundleTracker(thresholds.permission_bundle.max_groups, thresholds.permission_bundle.window_seconds)
        self._exits = RefusalExits(thresholds.exit_after_refusal.window_seconds)
        self._starts = StartJudge(thresholds.self_start.window_seconds)
        self._probes = ProbeCounter(thresholds.app_list_probing.max_packages)
        self._findings: list[Finding] = []
        self._groups: dict[tuple[Any, ...], _Group] = {}

    def on_event(self, event: TimelineItem | TlsFailure) -> list[Finding]:
        """Judge one timeline event (consent and lifecycle events only update the state)."""
        ctx = self.ctx
        match event:
            case HookEvent():
                return self._hook(event)
            case ConsentEvent():
                self._exits.on_consent(event, ctx.consent.add(event))
            case LifecycleEvent():
                visible = ctx.activity.foreground_at(event.time)  # before this event changes it
                ctx.activity.add(event)
                return self._emit(self._exits.on_lifecycle(event, ctx, visible))
            case PermissionEvent():
                return self._permission(event)
            case PermissionResult():
                ctx.answers.add(event)
                self._exits.on_result(event, ctx)
            case PermissionDialog():
                pass  # evidence of how the app asked; no rule reads it yet
            case ComponentEvent():
                return [f for occurrence in self._starts.on_component(event, ctx) for f in self._group(occurrence)]
            case TlsFailure():
                return [f for occurrence in tls.judge_tls(event, ctx) for f in self._group(occurrence)]
        return []

    def on_flow(self, flow: FlowSummary) -> list[Finding]:
        """Judge one flow (called once per flow, in the proxy: keep it cheap)."""
        ctx = self.ctx
        view = ctx.view(flow)
        if not view.sent and view.kind not in ("known_third_party", "declared_third_party"):
            return []
        found = self._emit(
            [
                *transmission.judge_consent(view, ctx),
                *transmission.judge_cleartext(view, ctx),
                *background.judge_flow(view, ctx),
                *border.judge_flow(view, ctx),
            ]
        )
        for occurrence in [*parties.judge_flow(view, ctx), *scope.judge_flow(view, ctx)]:
            found += self._group(occurrence)
        return found

    def findings(self) -> list[Finding]:
        """Every finding so far, grouped ones citing all their occurrences, in report order."""
        return sorted([*self._findings, *(g.final() for g in self._groups.values())], key=finding_key)

    def _hook(self, event: HookEvent) -> list[Finding]:
        ctx = self.ctx
        party, declared = ctx.hook_party(event)
        found = self._emit(
            [
                *access.judge_hook(event, party, ctx),
                *sensitive.judge_hook(event, party, declared, ctx),
                *background.judge_hook(event, party, ctx),
            ]
        )
        for occurrence in [*parties.judge_hook(event, party, declared, ctx), *scope.judge_hook(event, party, ctx, declared)]:
            found += self._group(occurrence)
        if (burst := self._frequency.add(event, party, ctx)) is not None:  # count: accesses, not API calls
            found += self._group(*burst)
        if (probe := self._probes.add(event, party, ctx)) is not None:  # count: distinct packages
            found += self._group(*probe)
        visible = event.foreground if event.foreground is not None else ctx.activity.foreground_at(event.time)
        api = f"{event.api.class_name}.{event.api.method}"
        if (restart := starts.restarted(event.process, event.time, visible, party, hook_row(event), ctx, api)) is not None:
            found += self._group(restart)
        return found

    def _permission(self, event: PermissionEvent) -> list[Finding]:
        ctx = self.ctx
        found = self._emit(
            [
                *permission.judge_permission(event, ctx),
                *asking.judge_pre_consent(event, ctx),
                *asking.judge_re_request(event, ctx),
            ]
        )
        if (bundle := self._bundles.add(event, ctx)) is not None:
            found += self._group(bundle)
        return found

    def _emit(self, findings: list[Finding]) -> list[Finding]:
        if self.keep:
            self._findings.extend(findings)
        return findings

    def _group(self, occurrence: Occurrence, count: int = 1, start: float | None = None) -> list[Finding]:
        group = self._groups.get(occurrence.key)
        if group is None:
            finding = occurrence.make()
            self._groups[occurrence.key] = _Group(finding, count, finding.time if start is None else start)
            return [finding]
        group.add(occurrence, count)
        return []
