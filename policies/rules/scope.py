"""BEYOND_NECESSARY_SCOPE: data types beyond what the app's category needs.

Legal basis: 常见类型移动互联网应用程序必要个人信息范围规定 (2021) Art. 4/5 and GB/T
41391-2022 Annex A; PIPL Art. 6 (minimum necessary). The necessary types per category
are in ``policies/data/necessary_scope.yaml`` (their mapping onto the vocabulary is
piaudit's interpretation). Collecting more is lawful only with separate consent and must
not be a condition of the basic service, hence low severity: the finding tells the
auditor what to check (does the app still work when the user declines?). Category
``other`` disables the rule. One finding per (party, data type), reads and uploads alike.

Collection beyond the necessary scope that the policy declares for that reader and that
happens while consent is granted is the lawful case the rule allows (an extended function
the user agreed to): it gives no finding. Before consent, after a refusal, or undeclared,
it does.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from piaudit.policies.models import HookEvent
from piaudit.policies.policy import ThirdParty, app_categories
from piaudit.policies.rules.common import FlowView, Occurrence, api_name, flow_finding, hook_finding, hook_row, reader
from piaudit.policies.vocab import DataType, covered, uncovered

if TYPE_CHECKING:
    from piaudit.policies.rules.context import RuleContext


def _beyond(data_type: DataType, ctx: RuleContext) -> str | None:
    """The category's reason text when ``data_type`` is beyond its scope, else None."""
    if ctx.necessary is None or data_type in ctx.necessary:
        return None
    category = app_categories()[ctx.policy.app.category]
    needs = ", ".join(uncovered(ctx.necessary)) or "no personal information"
    return f"a {category.name_en} app ({category.name_zh}) needs {needs} for its basic service"


def _consented_and_declared(data_type: DataType, party: str | None, declared: ThirdParty | None, granted: bool, ctx: RuleContext) -> bool:
    """Declared for this reader and collected under consent: the extended-function case the rule allows."""
    if not granted:
        return False
    if declared is not None:
        return data_type in covered(declared.data_types)
    return party is None and data_type in ctx.declared_types


def judge_hook(event: HookEvent, party: str | None, ctx: RuleContext, declared: ThirdParty | None = None) -> list[Occurrence]:
    """A read of a data type the category does not need."""
    if (why := _beyond(event.data_type, ctx)) is None:
        return []
    state = ctx.consent.state_at(event.time)
    if _consented_and_declared(event.data_type, party, declared, state.granted, ctx):
        return []
    message = f"{reader(party)} read {event.data_type} via {api_name(event)}, beyond the necessary scope: {why}."
    make = partial(hook_finding, "BEYOND_NECESSARY_SCOPE", event, state, party=party, severity="low", message=message)
    return [Occurrence(("BEYOND_NECESSARY_SCOPE", party, event.data_type), event.time, hook_row(event), make)]


def judge_flow(view: FlowView, ctx: RuleContext) -> list[Occurrence]:
    """An upload of a data type the category does not need."""
    out: list[Occurrence] = []
    for data_type in view.sent:
        if (why := _beyond(data_type, ctx)) is None:
            continue
        state = ctx.consent.state_at(view.flow.time)
        first_party = view.kind == "first_party"
        if (first_party or view.declared is not None) and _consented_and_declared(
            data_type, None if first_party else view.party, None if first_party else view.declared, state.granted, ctx
        ):
            continue
        message = f"{data_type} was sent to {view.recipient()}, beyond the necessary scope: {why}."
        make = partial(flow_finding, "BEYOND_NECESSARY_SCOPE", view, state, data_type=data_type, severity="low", message=message)
        who = "domain:" + view.registrable_domain if view.kind == "unknown_third_party" else view.party
        out.append(Occurrence(("BEYOND_NECESSARY_SCOPE", who, data_type), view.flow.time, [f"flows:{view.flow.flow_id}"], make))
    return out
