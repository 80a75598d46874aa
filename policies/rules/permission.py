"""PERMISSION_ABUSE: a runtime permission requested before consent, or again soon after a refusal.

Legal basis: 2019 认定方法 §3 (opening permissions before the user agrees; asking again,
frequently, after the user refused); MIIT 337号 (2019) "频繁申请权限".
"Soon" is ``thresholds.permission_retry_seconds`` (default 48 h: the no-repeat period
Chinese app-store and SDK compliance reviews commonly apply; no statute or notice we
could confirm fixes a number, so it is lab practice, not law). A
request counts as "after a refusal" while the user's last answer to the privacy
dialog is a refusal or withdrawal. Repeated requests of an already granted permission
are not judged: Android shows no dialog for them, and the hook cannot tell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from piaudit.policies.models import Finding, PermissionEvent
from piaudit.policies.permissions import permission_data_types
from piaudit.policies.vocab import DataType

if TYPE_CHECKING:
    from piaudit.policies.rules.context import RuleContext

def permission_data_type(permissions: list[str]) -> DataType | None:
    """The one data type all ``permissions`` guard, or None (none or several)."""
    types = {(permission_data_types(p) or [None])[0] for p in permissions}  # the main type of each
    return types.pop() if len(types) == 1 else None


def judge_permission(event: PermissionEvent, ctx: RuleContext) -> list[Finding]:
    """PERMISSION_ABUSE for one permission request."""
    state = ctx.consent.state_at(event.time)
    asked = ", ".join(p.rsplit(".", 1)[-1] for p in event.permissions) or "(no permission named)"
    who = f"SDK {event.party}" if event.party else "The app"
    if state.decision == "none":
        message = f"{who} requested {asked} before the user consented to the privacy policy."
    elif state.refused:
        assert state.event is not None
        elapsed = event.time - state.event.time
        if elapsed > ctx.policy.thresholds.permission_retry_seconds:
            return []
        message = f"{who} requested {asked} {elapsed:.0f} s after the user {state.event.decision} consent."
    else:
        return []
    return [
        Finding(
            rule="PERMISSION_ABUSE",
            data_type=permission_data_type(event.permissions),
            party=event.party,
            where=event.caller,
            time=event.time,
            before_consent=True,
            evidence=", ".join(event.permissions),
            severity="medium",
            message=message,
            evidence_rows=[*([f"permission_events:{event.id}"] if event.id is not None else []), *state.rows],
            process=event.process or None,
        )
    ]
