"""Personal data on the wire, judged against consent and transport security.

PRE_CONSENT_TRANSMISSION: personal data sent before the user consented, or any contact
with a known or declared third party before consent even when no personal data was found
(a tracker contact is itself a device access under ePrivacy Art. 5(3); PIPL Art. 13/14;
Nguyen et al., USENIX Security 2021). POST_REFUSAL_COLLECTION (uploads): personal data
sent after a refusal or withdrawal and before any later grant. CLEARTEXT_TRANSMISSION:
personal data over plain HTTP or raw TCP/UDP without TLS (PIPL Art. 51: security
measures such as encryption). Response-direction detections never count as sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from piaudit.policies.models import Finding
from piaudit.policies.rules.common import FlowView, flow_finding
from piaudit.policies.vocab import DataType

if TYPE_CHECKING:
    from piaudit.policies.rules.context import RuleContext


def _where(view: FlowView, data_type: DataType) -> str:
    detection = view.sent[data_type]
    return f"in {detection.where}, {detection.encoding}"


def judge_consent(view: FlowView, ctx: RuleContext) -> list[Finding]:
    """PRE_CONSENT_TRANSMISSION or POST_REFUSAL_COLLECTION for one flow."""
    state = ctx.consent.state_at(view.flow.time)
    if state.decision == "none":
        if view.sent:
            return [
                flow_finding(
                    "PRE_CONSENT_TRANSMISSION",
                    view,
                    state,
                    data_type=data_type,
                    severity="high",
                    message=f"{data_type} was sent to {view.recipient()} before the user consented ({_where(view, data_type)}).",
                )
                for data_type in view.sent
            ]
        if view.kind in ("known_third_party", "declared_third_party"):
            message = (
                f"The app contacted third party {view.recipient()} before the user consented (no personal data found in it)."
            )
            return [flow_finding("PRE_CONSENT_TRANSMISSION", view, state, severity="medium", message=message)]
        return []
    if state.refused and view.sent:
        assert state.event is not None
        return [
            flow_finding(
                "POST_REFUSAL_COLLECTION",
                view,
                state,
                data_type=data_type,
                severity="high",
                message=f"{data_type} was sent to {view.recipient()} after the user {state.decision} consent ({_where(view, data_type)}).",
                extra_rows=state.rows,
            )
            for data_type in view.sent
        ]
    return []


def judge_cleartext(view: FlowView, ctx: RuleContext) -> list[Finding]:
    """CLEARTEXT_TRANSMISSION: personal data in a flow that was not encrypted."""
    if not view.sent or view.encrypted:
        return []
    state = ctx.consent.state_at(view.flow.time)
    transport = view.flow.scheme or view.flow.kind
    return [
        flow_finding(
            "CLEARTEXT_TRANSMISSION",
            view,
            state,
            data_type=data_type,
            severity="high",
            message=f"{data_type} was sent to {view.recipient()} without encryption ({transport}, {_where(view, data_type)}).",
        )
        for data_type in view.sent
    ]
