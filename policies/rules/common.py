"""What every rule shares: the per-flow view, finding builders, severities and the sort order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from piaudit.policies.classify import HostClass
from piaudit.policies.consent import ConsentState
from piaudit.policies.models import Detection, Finding, FlowSummary, HookEvent, RuleName
from piaudit.policies.policy import ThirdParty
from piaudit.policies.vocab import DataType

Severity = Literal["high", "medium", "low", "info"]
_LOWER: dict[str, Severity] = {"high": "medium", "medium": "low", "low": "info", "info": "info"}
MAX_EVIDENCE_TEXT = 300


def lower(severity: Severity) -> Severity:
    """One step less severe (pattern-only detections are weaker evidence than known values)."""
    return _LOWER[severity]


def _clip(text: str, limit: int = MAX_EVIDENCE_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_DIRECTION_RANK = {"request": 0, "message": 0, "response": 1}  # a client message is sent data, like a request


def _strength(detection: Detection) -> tuple[int, int]:
    """Lower is stronger: known values before patterns, then sent (request, client message) before response."""
    return (detection.source != "value", _DIRECTION_RANK[detection.direction])


def flow_detections(flow: FlowSummary) -> list[Detection]:
    """A flow's detections, in the detector's order, without pattern hits a value hit of another type explains.

    A known android_id value ``9774d56d682e549c`` also matches the OAID pattern: where a
    value hit of one type sits (same ``where``, same direction), a pattern hit of a
    different type is the same string misread, not a second identifier.
    """
    known: dict[tuple[str, str], set[DataType]] = {}
    for d in flow.detections:
        if d.source == "value":
            known.setdefault((d.direction, d.where), set()).add(d.data_type)
    return [d for d in flow.detections if d.source == "value" or not (known.get((d.direction, d.where), set()) - {d.data_type})]


def strongest(detections: Iterable[Detection]) -> dict[DataType, Detection]:
    """Per data type, the detection that stands for it: value before pattern, request before response, then the first.

    >>> strongest([pattern_oaid_at_a, value_oaid_at_b, imei_at_c])  # doctest: +SKIP
    {DataType.imei: imei_at_c, DataType.oaid: value_oaid_at_b}
    """
    found: dict[DataType, Detection] = {}
    for d in detections:
        if d.data_type not in found or _strength(d) < _strength(found[d.data_type]):
            found[d.data_type] = d
    return dict(sorted(found.items()))


@dataclass(slots=True)
class FlowView:
    """A flow as the rules use it, computed once: who received it and which data it carried.

    ``sent`` holds, per data type, the strongest sent detection (:func:`strongest` over
    :func:`flow_detections`; response detections are data the server sent, not a
    transmission), so a finding about type X always cites X's own detection. ``kind`` is the
    classifier's host class; ``party`` is the catalog or policy name of a third party.
    """

    flow: FlowSummary
    host: str
    sent: dict[DataType, Detection]
    kind: str
    party: str | None
    declared: ThirdParty | None
    registrable_domain: str
    ambiguous: bool

    @classmethod
    def build(cls, flow: FlowSummary, host_class: HostClass | None, declared: ThirdParty | None) -> FlowView:
        """Combine a flow with its host class (``None`` when the flow has no host or IP)."""
        sent = strongest(d for d in flow_detections(flow) if d.direction != "response")
        kind = host_class.kind if host_class is not None else "unknown_third_party"
        named = kind in ("declared_third_party", "known_third_party")
        return cls(
            flow=flow,
            host=flow.host or flow.server_ip,
            sent=sent,
            kind=kind,
            party=host_class.party if named else None,
            declared=declared,
            registrable_domain=host_class.registrable_domain if host_class is not None else flow.host or flow.server_ip,
            ambiguous=host_class.ambiguous if host_class is not None else False,
        )

    @property
    def encrypted(self) -> bool:
        """Sent inside TLS (HTTPS, WSS, TLS-wrapped TCP)."""
        return self.flow.tls or self.flow.scheme in ("https", "wss")

    def recipient(self) -> str:
        """Who received the flow, for messages: ``the first party (api.x)``, ``Umeng (ulogs.umeng.com)``."""
        if self.kind == "first_party":
            return f"the first party ({self.host})"
        if self.party:
            return f"{self.party} ({self.host})"
        return f"unknown third party {self.host or '(no host)'}"


def describe(data_type: DataType | str | None) -> str:
    """A data type as a message word."""
    return str(data_type) if data_type is not None else "no personal data"


def flow_finding(
    rule: RuleName,
    view: FlowView,
    state: ConsentState,
    *,
    severity: Severity,
    message: str,
    data_type: DataType | None = None,
    extra_rows: list[str] | None = None,
) -> Finding:
    """A finding about one flow (and, with ``data_type``, the detection of that type in it)."""
    flow = view.flow
    detection = view.sent.get(data_type) if data_type is not None else None
    if detection is not None:
        evidence = detection.excerpt or detection.value
        if detection.source == "pattern":
            severity = lower(severity)
    else:
        evidence = f"{flow.method} {flow.url}".strip() or f"{flow.kind} {view.host}:{flow.port}"
    return Finding(
        rule=rule,
        data_type=data_type,
        party=view.party,
        host=view.host or None,
        encoding=detection.encoding if detection else None,
        where=detection.where if detection else None,
        flow=flow.flow_id,
        time=flow.time,
        before_consent=not state.granted,
        evidence=_clip(evidence),
        severity=severity,
        message=message,
        evidence_rows=[f"flows:{flow.flow_id}", *(extra_rows or [])],
    )


def hook_row(event: HookEvent) -> list[str]:
    """The evidence row of a hook event, once it is stored."""
    return [f"hook_events:{event.id}"] if event.id is not None else []


def api_name(event: HookEvent) -> str:
    """``Class.method`` of a hook event."""
    return f"{event.api.class_name}.{event.api.method}"


def reader(party: str | None) -> str:
    """Who read something, for messages."""
    return f"SDK {party}" if party else "The app"


def hook_finding(
    rule: RuleName,
    event: HookEvent,
    state: ConsentState,
    *,
    party: str | None,
    severity: Severity,
    message: str,
    extra_rows: list[str] | None = None,
    rows: list[str] | None = None,
) -> Finding:
    """A finding about one read inside the app (``rows`` replaces the default evidence rows)."""
    api = event.api
    value = "" if event.value is None else f" -> {event.value!r}"
    return Finding(
        rule=rule,
        data_type=event.data_type,
        party=party,
        where=api_name(event),
        event=event.id,
        time=event.time,
        before_consent=not state.granted,
        evidence=_clip(f"{api.class_name}.{api.method}({api.overload}){value}"),
        severity=severity,
        message=message,
        evidence_rows=rows if rows is not None else [*hook_row(event), *(extra_rows or [])],
        process=event.process or None,
    )


class Occurrence(NamedTuple):
    """One occurrence of a grouped finding; ``make`` builds the finding only for the group's first."""

    key: tuple[Any, ...]
    time: float
    rows: list[str]
    make: Callable[[], Finding]


def finding_key(finding: Finding) -> tuple[Any, ...]:
    """The report order: time, rule, flow or event, data type, then everything else for a total order."""
    return (
        finding.time,
        finding.rule,
        finding.flow or "",
        -1 if finding.event is None else finding.event,
        finding.data_type or "",
        finding.party or "",
        finding.host or "",
        finding.evidence_rows,
        finding.message,
    )
