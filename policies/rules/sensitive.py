"""Reads the regulators name one by one: the installed-app list, the clipboard, the location.

INSTALLED_APP_LIST and CLIPBOARD_READ: every such read is reported, so an auditor can
check each against its purpose (MIIT rectification reports name reading the
installed-app list and the clipboard without need or consent). LOCATION_ACCESS: PIPL
Art. 28/29 make location tracks sensitive personal information needing separate consent;
a read is reported only when something is wrong with it — before consent, after a
refusal or withdrawal, in the background, or when location is neither necessary for the
app's category nor declared for the reader.

Severity: high before consent, after a refusal or in the background; otherwise medium,
and low for an installed-app or clipboard read the policy declares for the reader. "Declared
for the reader" is ``declared_data_types`` for the app's own code and the declared third
party's ``data_types`` for an SDK (an undeclared SDK has nothing declared). An unknown
foreground state counts as foreground, as for BACKGROUND_COLLECTION.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from piaudit.policies.models import Finding, HookEvent, RuleName
from piaudit.policies.policy import ThirdParty
from piaudit.policies.rules.common import Severity, api_name, hook_finding, reader
from piaudit.policies.vocab import LOCATION_TYPES, DataType, covered

if TYPE_CHECKING:
    from piaudit.policies.rules.context import RuleContext

SENSITIVE_READS: dict[DataType, tuple[RuleName, str]] = {
    DataType.installed_apps: ("INSTALLED_APP_LIST", "the list of installed apps"),
    DataType.clipboard: ("CLIPBOARD_READ", "the clipboard"),
    DataType.location: ("LOCATION_ACCESS", "the location"),
    DataType.cell_location: ("LOCATION_ACCESS", "the cell location"),
}


def declared_for(data_type: DataType, party: str | None, declared: ThirdParty | None, ctx: RuleContext) -> bool:
    """Whether the policy declares ``data_type`` for this reader (the app itself when ``party`` is None)."""
    if declared is not None:
        return data_type in covered(declared.data_types)
    return party is None and data_type in ctx.declared_types


def judge_hook(event: HookEvent, party: str | None, declared: ThirdParty | None, ctx: RuleContext) -> list[Finding]:
    """One finding per sensitive read that needs a look, graded by consent, foreground and declaration."""
    if event.data_type not in SENSITIVE_READS:
        return []
    rule, what = SENSITIVE_READS[event.data_type]
    state = ctx.consent.state_at(event.time)
    foreground = event.foreground if event.foreground is not None else ctx.activity.foreground_at(event.time)
    is_declared = declared_for(event.data_type, party, declared, ctx)
    severity: Severity = "medium"
    when = ""
    if not state.granted:
        severity, when = (
            "high",
            " before the user consented" if state.decision == "none" else f" after the user {state.decision} consent",
        )
    elif foreground is False:
        severity, when = "high", " while the app was in the background"
    elif event.data_type in LOCATION_TYPES:
        if is_declared or (ctx.necessary is not None and event.data_type in ctx.necessary):
            return []  # after consent, in the foreground, needed or declared: correct behaviour
        who = f"for {party}" if party else "in declared_data_types"
        when = f", which the app's category does not need and the policy does not declare {who}"
    elif is_declared:
        severity = "low"
    message = f"{reader(party)} read {what} via {api_name(event)}{when}."
    rows = state.rows if state.refused else []
    return [hook_finding(rule, event, state, party=party, severity=severity, message=message, extra_rows=rows)]
