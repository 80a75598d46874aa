"""How the app asks for runtime permissions: PRE_CONSENT_PERMISSION, PERMISSION_BUNDLED, PERMISSION_RE_REQUEST.

Legal basis: 2019 认定方法 三.1 (permissions that can collect personal information opened before
the user consented), 四.6 (several permissions requested at once instead of when the feature
that needs them is used); MIIT 164号文 §2.1 (频繁申请权限: asking again after the user refused).

* PRE_CONSENT_PERMISSION: a request while no consent is in force (before any answer to the
  privacy dialog, or after a refusal or withdrawal). Only permissions that open personal data
  count (``policies/data/permissions.yaml``): asking for notifications before consent is not
  三.1's "permission that can collect personal information".
* PERMISSION_BUNDLED: more than ``thresholds.permission_bundle.max_groups`` permission groups
  (Android's groups: FINE and COARSE location are one) of dangerous permissions asked within
  ``window_seconds`` of each other (one request, or a chain of dialogs). Requests that keep the
  chain going join the same finding. The defaults (2 groups, 10 s) are lab practice, not law.
* PERMISSION_RE_REQUEST: a permission asked again while the user's last answer to it is a
  refusal given at most ``thresholds.permission_retry_seconds`` earlier (default 48 h, lab
  practice). It needs the answers (``permission:result`` events); a session without any says so.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from piaudit.policies.models import Finding, PermissionEvent
from piaudit.policies.permissions import is_dangerous, permission_data_types, permission_group, short_name
from piaudit.policies.rules.common import Occurrence, Severity, joins_group
from piaudit.policies.rules.permission import permission_data_type

if TYPE_CHECKING:
    from piaudit.policies.rules.context import RuleContext


def request_rows(event: PermissionEvent) -> list[str]:
    """The evidence row of a permission request, once stored."""
    return [f"permission_events:{event.id}"] if event.id is not None else []


def permission_finding(
    rule: str,
    event: PermissionEvent,
    *,
    permissions: list[str],
    before_consent: bool,
    severity: Severity,
    message: str,
    rows: list[str],
) -> Finding:
    """A finding about one permission request (``permissions``: those the finding is about)."""
    return Finding(
        rule=rule,  # type: ignore[arg-type]
        data_type=permission_data_type(permissions),
        party=event.party,
        where=event.caller,
        time=event.time,
        before_consent=before_consent,
        evidence=", ".join(event.permissions),
        severity=severity,
        message=message,
        evidence_rows=rows,
        process=event.process or None,
    )


def _who(event: PermissionEvent) -> str:
    return f"SDK {event.party}" if event.party else "The app"


def _names(permissions: list[str]) -> str:
    return ", ".join(short_name(p) for p in permissions) or "(no permission named)"


def judge_pre_consent(event: PermissionEvent, ctx: RuleContext) -> list[Finding]:
    """PRE_CONSENT_PERMISSION: a permission that opens personal data, asked while no consent is in force."""
    state = ctx.consent.state_at(event.time)
    if state.granted:
        return []
    personal = [p for p in event.permissions if permission_data_types(p)]
    if not personal:
        return []
    if state.decision == "none":
        when = "before the user consented to the privacy policy"
    else:
        when = f"after the user {state.decision} consent to the privacy policy, without a later consent"
    message = f"{_who(event)} requested {_names(personal)} {when} (认定方法 三.1)."
    return [
        permission_finding(
            "PRE_CONSENT_PERMISSION",
            event,
            permissions=personal,
            before_consent=True,
            severity="high",
            message=message,
            rows=[*request_rows(event), *state.rows],
        )
    ]


def judge_re_request(event: PermissionEvent, ctx: RuleContext) -> list[Finding]:
    """PERMISSION_RE_REQUEST: asked again while the last answer is a refusal within the retry window."""
    window = ctx.policy.thresholds.permission_retry_seconds
    again: list[str] = []
    rows: list[str] = []
    elapsed: list[float] = []
    for permission in event.permissions:
        answer = ctx.answers.answer_at(permission, event.time, before=True)
        if answer is None or answer.answer != "denied":
            continue
        since = event.time - answer.result.time
        if since > window:
            continue
        again.append(permission)
        elapsed.append(since)
        rows += [r for r in answer.rows if r not in rows]
    if not again:
        return []
    state = ctx.consent.state_at(event.time)
    message = (
        f"{_who(event)} requested {_names(again)} again {min(elapsed):.1f} s after the user refused it "
        f"(window: {window:g} s; 164号文 §2.1, 频繁申请权限)."
    )
    return [
        permission_finding(
            "PERMISSION_RE_REQUEST",
            event,
            permissions=again,
            before_consent=not state.granted,
            severity="medium",
            message=message,
            rows=[*request_rows(event), *rows],
        )
    ]


class BundleTracker:
    """PERMISSION_BUNDLED: dangerous permission groups asked within a sliding window, chained into bundles."""

    def __init__(self, max_groups: int, window_seconds: float):
        self.max_groups = max_groups
        self.window = window_seconds
        self._recent: list[tuple[PermissionEvent, set[str]]] = []  # requests still inside the window
        self._bundle: int | None = None  # the open bundle's number
        self._bundles = 0

    def add(self, event: PermissionEvent, ctx: RuleContext) -> Occurrence | None:
        """Take one request; an occurrence when it makes (or continues) a bundle."""
        groups = {permission_group(p) for p in event.permissions if is_dangerous(p)}
        if not groups:
            return None
        last = self._recent[-1][0].time if self._recent else None
        self._recent = [(e, g) for e, g in self._recent if event.time - e.time <= self.window]
        if self._bundle is not None and (last is None or event.time - last > self.window):
            self._bundle = None  # the chain broke: a later bundle is a new finding
        self._recent.append((event, groups))
        if self._bundle is not None:
            key = ("PERMISSION_BUNDLED", self._bundle)
            return Occurrence(key, event.time, request_rows(event), joins_group)
        window_groups = set().union(*(g for _, g in self._recent))
        if len(window_groups) <= self.max_groups:
            return None
        self._bundles += 1
        self._bundle = self._bundles
        requests = [e for e, _ in self._recent]
        permissions = [p for e in requests for p in e.permissions if is_dangerous(p)]
        rows = [row for e in requests for row in request_rows(e)]
        span = event.time - requests[0].time
        how = "in one request" if len(requests) == 1 else f"in {len(requests)} requests within {span:.1f} s"
        state = ctx.consent.state_at(event.time)
        message = (
            f"{_who(event)} asked for {len(window_groups)} permission groups ({', '.join(sorted(window_groups))}) {how}, "
            f"not when a feature needing them is used (threshold: more than {self.max_groups} groups within "
            f"{self.window:g} s; 认定方法 四.6)."
        )
        make = partial(
            permission_finding,
            "PERMISSION_BUNDLED",
            requests[0],
            permissions=permissions,
            before_consent=not state.granted,
            severity="medium",
            message=message,
            rows=rows,
        )
        return Occurrence(("PERMISSION_BUNDLED", self._bundle), requests[0].time, rows, make)
