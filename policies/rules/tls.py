"""UNINSPECTED_TLS (informational): TLS connections whose traffic was not inspected.

Either the client rejected the proxy's certificate during the handshake, or it completed the
handshake and closed the connection without any request (pins checked after the handshake,
as OkHttp's ``CertificatePinner`` does). Either usually means certificate pinning: whatever the app sent there is
missing from every other rule's view. Not a violation in itself; it bounds what the audit
can claim. One finding per host, citing every failure (grouped by the judge).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from piaudit.policies.models import Finding, TlsFailure
from piaudit.policies.rules.common import Occurrence

if TYPE_CHECKING:
    from piaudit.policies.rules.context import RuleContext


def tls_key(failure: TlsFailure) -> tuple[Any, ...]:
    """A total order of TLS failures that does not depend on input order."""
    return (failure.time, failure.sni or failure.host, failure.server_addr, failure.client_addr, failure.stage, failure.error)


def tls_row(failure: TlsFailure) -> str:
    """The evidence row: by id once the model carries one, else by host and time."""
    row_id = getattr(failure, "id", None)
    return f"tls_failures:{row_id}" if row_id is not None else f"tls_failures:{failure.sni or failure.host}@{failure.time:.6f}"


def judge_tls(failure: TlsFailure, ctx: RuleContext) -> list[Occurrence]:
    """One informational finding per host whose handshakes the client rejected."""
    host = failure.sni or failure.host or failure.server_addr
    host_class = ctx.host_class(failure.sni or failure.host)
    party = host_class.party if host_class is not None and host_class.kind != "first_party" else None
    state = ctx.consent.state_at(failure.time)
    if failure.stage == "after_handshake":
        message = (
            f"The client completed the TLS handshake for {host or 'an unnamed host'} and closed the connection"
            " without sending a request, so its traffic was not inspected (pinning checked after the handshake,"
            " e.g. OkHttp's CertificatePinner?)."
        )
    else:
        message = f"The client rejected the proxy's certificate for {host or 'an unnamed host'}, so its traffic was not inspected (pinning?)."
    make = partial(
        Finding,
        rule="UNINSPECTED_TLS",
        party=party,
        host=host or None,
        time=failure.time,
        before_consent=not state.granted,
        evidence=failure.error[:300],
        severity="info",
        message=message,
        evidence_rows=[tls_row(failure)],
    )
    return [Occurrence(("UNINSPECTED_TLS", host), failure.time, [tls_row(failure)], make)]
