"""APP_LIST_PROBING: per-package probing of more distinct other packages than the policy allows.

Legal basis: 2019 认定方法 三 and GB/T 41391-2022 treat the installed-app list (应用列表) as
personal information; since Android 11's package visibility filters the list APIs, asking
``getPackageInfo`` / ``getApplicationInfo`` / ``getLaunchIntentForPackage`` … for one package
name after another is how an SDK learns it anyway. Probing many packages is reading the list.

A probe is a ``hook:call`` of type ``installed_apps`` whose ``args.package`` names the package
asked about (the agent records these only for other apps' packages). Counted per party (the
SDK, or the app itself): distinct packages, not calls, leaving out the app's own package and
the apps the policy's ``other_apps`` declares. More than
``thresholds.app_list_probing.max_packages`` (default 5, lab practice: a share or payment SDK
checking for a few social and payment apps stays below it) gives one finding at the probe that
crossed it, citing every probe; later probes of that party join it. Severity as for
INSTALLED_APP_LIST: high before consent, after a refusal or in the background, else medium.
Single probes are not INSTALLED_APP_LIST findings: this rule judges them.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from piaudit.policies.models import HookEvent
from piaudit.policies.rules.common import Occurrence, Severity, api_name, hook_finding, hook_row, joins_group, reader
from piaudit.policies.starts import own_package
from piaudit.policies.vocab import DataType

if TYPE_CHECKING:
    from piaudit.policies.rules.context import RuleContext


def probed_package(event: HookEvent) -> str | None:
    """The package a per-package probe asked about, or None when ``event`` is not a probe."""
    if event.data_type != DataType.installed_apps:
        return None
    package = event.args.get("package")
    return package if isinstance(package, str) and package else None


MAX_KEPT_CALLS = 20
"""Probes of one package kept (before the threshold) to cite in the finding; later ones are counted, not kept."""


class ProbeCounter:
    """Distinct probed packages per party; memory is bounded by the packages probed."""

    def __init__(self, max_packages: int):
        self.max_packages = max_packages
        self._seen: dict[str | None, dict[str, list[HookEvent]]] = {}

    def add(self, event: HookEvent, party: str | None, ctx: RuleContext) -> tuple[Occurrence, int] | None:
        """Take one read; ``(occurrence, new packages)`` once the party is over the threshold."""
        package = probed_package(event)
        if package is None or own_package(package, ctx.policy.app.package):
            return None
        if any(own_package(package, o.package) for o in ctx.policy.other_apps):
            return None
        seen = self._seen.setdefault(party, {})
        new = package not in seen
        calls = seen.setdefault(package, [])
        key = ("APP_LIST_PROBING", party)
        if len(seen) <= self.max_packages:
            if len(calls) < MAX_KEPT_CALLS:  # memory: the finding cites the first calls of each package
                calls.append(event)
            return None
        if new and len(seen) == self.max_packages + 1:
            calls.append(event)  # the crossing probe; later ones are cited as rows of the group
        if not (new and len(seen) == self.max_packages + 1):  # the finding exists: this probe joins it
            return Occurrence(key, event.time, hook_row(event), joins_group), int(new)
        state = ctx.consent.state_at(event.time)
        visible = event.foreground if event.foreground is not None else ctx.activity.foreground_at(event.time)
        severity: Severity = "high" if not state.granted or visible is False else "medium"
        probes = [e for events in seen.values() for e in events]
        rows = [row for e in sorted(probes, key=lambda e: e.time) for row in hook_row(e)]
        names = sorted(seen)
        shown = ", ".join(names[:20]) + (", …" if len(names) > 20 else "")
        message = (
            f"{reader(party)} probed {len(names)} other apps' packages one by one via {api_name(event)} and others "
            f"({shown}): equivalent to reading the installed-app list (threshold: more than {self.max_packages} "
            "distinct packages; 认定方法 三, GB/T 41391)."
        )
        make = partial(hook_finding, "APP_LIST_PROBING", event, state, party=party, severity=severity, message=message, rows=rows)
        return Occurrence(key, event.time, rows, make), len(names)
