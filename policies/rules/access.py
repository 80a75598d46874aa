"""Reads of personal data inside the app, judged against consent.

PRE_CONSENT_ACCESS: a personal-data API was called before the user consented (PIPL
Art. 13/14; GDPR Art. 6/7 with ePrivacy Art. 5(3); 2019 认定方法 "collecting before the
user agrees"). POST_REFUSAL_COLLECTION (reads): a read after the user refused or withdrew
and before any later grant (PIPL Art. 13/15; 2019 认定方法 "collecting after the user
explicitly disagreed").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from piaudit.policies.models import Finding, HookEvent
from piaudit.policies.rules.common import api_name, hook_finding, reader

if TYPE_CHECKING:
    from piaudit.policies.rules.context import RuleContext

_PHASE = {
    "before_application_oncreate": " before Application.onCreate finished",
    "before_first_activity": " before the first activity was shown",
}


def judge_hook(event: HookEvent, party: str | None, ctx: RuleContext) -> list[Finding]:
    """PRE_CONSENT_ACCESS or POST_REFUSAL_COLLECTION for one read."""
    state = ctx.consent.state_at(event.time)
    what = f"{reader(party)} read {event.data_type} via {api_name(event)}{_PHASE.get(event.phase or '', '')}"
    if state.decision == "none":
        message = f"{what} before the user consented."
        return [hook_finding("PRE_CONSENT_ACCESS", event, state, party=party, severity="high", message=message)]
    if state.refused:
        assert state.event is not None
        message = f"{what} after the user {state.decision} consent ({state.event.source}: {state.event.detail or 'no detail'})."
        return [
            hook_finding(
                "POST_REFUSAL_COLLECTION", event, state, party=party, severity="high", message=message, extra_rows=state.rows
            )
        ]
    return []
