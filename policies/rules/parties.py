"""Who gets which data, judged against what the policy declares.

UNDECLARED_THIRD_PARTY: personal data sent to, or read by an SDK of, a third party the
policy does not name — a catalog party that is not declared, or an unknown third party
receiving personal data (PIPL Art. 23: the recipient must be named and separately
agreed to; 2019 认定方法 "providing to third parties without consent"; PoliCheck,
USENIX Security 2020, on why the receiving entity matters).
UNDECLARED_DATA_TYPE: a data type collected — read by the app's own code or sent to the
first party — that ``declared_data_types`` does not list, or sent to / read by a declared
third party beyond that party's ``data_types`` (PIPL Art. 17: the types must be stated;
2019 认定方法 "collecting types not stated in the rules").

Both are policy mismatches, not incidents: one finding per (party, data type), citing
every occurrence (grouped by the judge).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from piaudit.policies.models import HookEvent
from piaudit.policies.policy import ThirdParty
from piaudit.policies.rules.common import FlowView, Occurrence, api_name, flow_finding, hook_finding, hook_row
from piaudit.policies.vocab import covered

if TYPE_CHECKING:
    from piaudit.policies.rules.context import RuleContext


def _declared_list(party: ThirdParty) -> str:
    return ", ".join(party.data_types) or "none"


def judge_hook(event: HookEvent, party: str | None, declared: ThirdParty | None, ctx: RuleContext) -> list[Occurrence]:
    """Reads by an undeclared SDK, or of an undeclared data type."""
    state = ctx.consent.state_at(event.time)
    data_type, api = event.data_type, api_name(event)
    if party is not None and declared is None:
        message = f"SDK {party} read {data_type} via {api}, but the policy does not name {party} as a third party."
        make = partial(hook_finding, "UNDECLARED_THIRD_PARTY", event, state, party=party, severity="high", message=message)
        return [Occurrence(("UNDECLARED_THIRD_PARTY", party, data_type), event.time, hook_row(event), make)]
    if declared is None and data_type not in ctx.declared_types:
        message = f"The app read {data_type} via {api}, but declared_data_types does not list it."
        make = partial(hook_finding, "UNDECLARED_DATA_TYPE", event, state, party=None, severity="medium", message=message)
        return [Occurrence(("UNDECLARED_DATA_TYPE", None, data_type), event.time, hook_row(event), make)]
    if declared is not None and data_type not in covered(declared.data_types):
        message = f"SDK {declared.name} read {data_type} via {api}, beyond the data types the policy declares for it ({_declared_list(declared)})."
        make = partial(
            hook_finding, "UNDECLARED_DATA_TYPE", event, state, party=declared.name, severity="medium", message=message
        )
        return [Occurrence(("UNDECLARED_DATA_TYPE", declared.name, data_type), event.time, hook_row(event), make)]
    return []


def judge_flow(view: FlowView, ctx: RuleContext) -> list[Occurrence]:
    """Personal data sent to an undeclared recipient, or of a type not declared for the recipient."""
    if not view.sent:
        return []
    state = ctx.consent.state_at(view.flow.time)
    out: list[Occurrence] = []
    rows = [f"flows:{view.flow.flow_id}"]
    for data_type in view.sent:
        if view.kind == "known_third_party":
            who = view.party or view.registrable_domain
            doubt = " (the host is shared by several catalog parties)" if view.ambiguous else ""
            message = f"{data_type} was sent to {view.recipient()}, a third party the policy does not name{doubt}."
            severity = "medium" if view.ambiguous else "high"
            make = partial(
                flow_finding, "UNDECLARED_THIRD_PARTY", view, state, data_type=data_type, severity=severity, message=message
            )
            out.append(Occurrence(("UNDECLARED_THIRD_PARTY", who, data_type), view.flow.time, rows, make))
        elif view.kind == "unknown_third_party":
            message = f"{data_type} was sent to {view.recipient()}, which is neither first party nor a declared third party."
            make = partial(
                flow_finding, "UNDECLARED_THIRD_PARTY", view, state, data_type=data_type, severity="medium", message=message
            )
            out.append(
                Occurrence(("UNDECLARED_THIRD_PARTY", "domain:" + view.registrable_domain, data_type), view.flow.time, rows, make)
            )
        elif view.kind == "first_party" and data_type not in ctx.declared_types:
            message = f"{data_type} was sent to {view.recipient()}, but declared_data_types does not list it."
            make = partial(
                flow_finding, "UNDECLARED_DATA_TYPE", view, state, data_type=data_type, severity="medium", message=message
            )
            out.append(Occurrence(("UNDECLARED_DATA_TYPE", None, data_type), view.flow.time, rows, make))
        elif view.declared is not None and data_type not in covered(view.declared.data_types):
            declared = view.declared
            message = (
                f"{data_type} was sent to {view.recipient()}, beyond the data types the policy declares for "
                f"{declared.name} ({_declared_list(declared)})."
            )
            make = partial(
                flow_finding, "UNDECLARED_DATA_TYPE", view, state, data_type=data_type, severity="medium", message=message
            )
            out.append(Occurrence(("UNDECLARED_DATA_TYPE", declared.name, data_type), view.flow.time, rows, make))
    return out
