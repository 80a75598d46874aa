"""Reads the regulators name one by one: the installed-app list, the clipboard, the location.

INSTALLED_APP_LIST, CLIPBOARD_READ, LOCATION_ACCESS: every such read is reported, so an
auditor can check each against its purpose. MIIT rectification reports name reading the
installed-app list and the clipboard without need or consent; PIPL Art. 28/29 make location tracks sensitive personal information needing
separate consent. Severity: high before consent, after a refusal or in the background;
otherwise medium; ``info`` for location in a category that needs it (map, ride hailing,
vehicle services).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from policies.models import Finding, HookEvent, RuleName
from policies.rules.common import Severity, api_name, hook_finding, reader
from policies.vocab import DataType

if TYPE_CHECKING:
    from policies.rules.context import Context

SENSITIVE_READS: dict[DataType, tuple[RuleName, str]] = {
    DataType.installed_apps: ("INSTALLED_APP_LIST", "the list of installed apps"),
    DataType.clipboard: ("CLIPBOARD_READ", "the clipboard"),
    DataType.location: ("LOCATION_ACCESS", "the location"),
}


def judge_hook(event: HookEvent, party: str | None, ctx: Context) -> list[Finding]:
    """One finding per sensitive read, graded by consent, foreground and category."""
    if event.data_type not in SENSITIVE_READS:
        return []
    rule, what = SENSITIVE_READS[event.data_type]
    state = ctx.consent.state_at(event.time)
    foreground = event.foreground if event.foreground is not None else ctx.activity.foreground_at(event.time)
    severity: Severity = "medium"
    when = ""
    if not state.granted:
        severity, when = (
            "high",
            " before the user consented" if state.decision == "none" else f" after the user {state.decision} consent",
        )
    elif foreground is False:
        severity, when = "high", " while the app was in the background"
    elif event.data_type == DataType.location and ctx.necessary is not None and DataType.location in ctx.necessary:
        severity = "info"
    message = f"{reader(party)} read {what} via {api_name(event)}{when}."
    rows = state.rows if state.refused else []
    return [hook_finding(rule, event, state, party=party, severity=severity, message=message, extra_rows=rows)]
