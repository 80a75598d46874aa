"""CROSS_BORDER_TRANSFER: personal data sent to a server outside the expected countries.

Legal basis: PIPL Art. 38/39 (providing personal information abroad needs a legal
mechanism, notice and separate consent); GDPR Chapter V for EU jurisdictions. The server's
country comes from, in order: the policy's ``server_countries`` (by host or domain), the
``country`` of the declared third party receiving the flow, then the IP-country database
the auditor supplied (lower severity: CDNs and anycast mislead). No country known → no
finding, but :func:`border_notes` says which hosts could not be judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from piaudit.policies.geo import GeoLookup, declared_country
from piaudit.policies.models import Finding, FlowSummary
from piaudit.policies.policy import Policy
from piaudit.policies.rules.common import FlowView, flow_detections, flow_finding

if TYPE_CHECKING:
    from piaudit.policies.rules.context import RuleContext


def server_country(view: FlowView, ctx: RuleContext) -> tuple[str, str, bool] | None:
    """``(country, how it is known, declared by the policy)`` for a flow's server, or None."""
    host, ip = view.flow.host, view.flow.server_ip
    if host and ctx.policy.server_countries and (found := declared_country(host, ctx.policy.server_countries)):
        return found[0], f"server_countries[{found[1]!r}]", True
    answer = ctx.geo.country(host, ip)
    if answer is not None and answer.source == "policy":
        return answer.country, f"server_countries[{answer.detail!r}]", True
    if view.declared is not None and view.declared.country:
        return view.declared.country, f"the policy places {view.declared.name} in {view.declared.country}", True
    if answer is not None:
        return answer.country, f"IP database lookup of {ip}", False
    return None


def judge_flow(view: FlowView, ctx: RuleContext) -> list[Finding]:
    """Personal data to a server whose known country is not allowed."""
    if not view.sent:
        return []
    found = server_country(view, ctx)
    if found is None:
        return []
    country, how, declared = found
    allowed = ctx.policy.allowed_server_countries
    if country in allowed:
        return []
    state = ctx.consent.state_at(view.flow.time)
    expected = ", ".join(sorted(allowed))
    return [
        flow_finding(
            "CROSS_BORDER_TRANSFER",
            view,
            state,
            data_type=data_type,
            severity="high" if declared else "medium",
            message=f"{data_type} was sent to {view.recipient()} in {country} ({how}), outside the expected countries ({expected}).",
        )
        for data_type in view.sent
    ]


def border_notes(flows: list[FlowSummary], policy: Policy, geo: GeoLookup | None) -> list[str]:
    """What the border rule could not judge, for the report."""
    geo = geo if geo is not None else GeoLookup(server_countries=policy.server_countries)
    declared = {d for p in policy.third_parties if p.country for d in p.domains}
    unknown: dict[str, int] = {}
    for flow in flows:
        if not any(d.direction != "response" for d in flow_detections(flow)):
            continue
        host = flow.host or flow.server_ip
        if declared_country(flow.host, policy.server_countries) or declared_country(flow.host, dict.fromkeys(declared, "")):
            continue
        if geo.country(flow.host, flow.server_ip) is None:
            unknown[host] = unknown.get(host, 0) + 1
    notes = []
    if unknown:
        hosts = sorted(unknown)
        shown = ", ".join(hosts[:5]) + (f" and {len(hosts) - 5} more" if len(hosts) > 5 else "")
        notes.append(
            f"CROSS_BORDER_TRANSFER: the server country of {sum(unknown.values())} flow(s) carrying personal data is unknown "
            f"({shown}); give an IP-country database (MMDB) or the policy's server_countries to judge them."
        )
    if geo.has_database:
        notes.append("CROSS_BORDER_TRANSFER: countries from an IP database can mislead for CDN and anycast addresses.")
    return notes
