"""What the proxy and its audit process say to each other: one dataclass per message.

Proxy → audit process, sent by :class:`addons.auditclient.AuditClient` (one method each) and
handled by :class:`addons.auditproc.AuditProcess` (one handler each): :class:`Flow`,
:class:`FlowState`, :class:`FlowMessage`, :class:`Events`, :class:`TlsFailed`,
:class:`RecordOptions`, :class:`ReportError`, :class:`Sync`, :class:`Stop`.

Audit process → proxy: :class:`Ready`, :class:`Failed`, :class:`Annotate`, :class:`Synced`,
:class:`Stopped`.

Messages travel pickled, in batches, over a pipe. mitmproxy's certificates wrap objects that do
not pickle: :func:`register_pickling` sends them as DER (both processes call it).
"""

from __future__ import annotations

import copyreg
from dataclasses import dataclass, field
from typing import Any

from mitmproxy import certs
from mitmproxy import flow as mflow

from piaudit.policies.models import Message, TimelineItem, TlsFailure

# ---------------------------------------------------------------------------- proxy → audit


@dataclass(slots=True)
class Flow:
    """A completed flow: write it to ``flows.mitm``, detect, judge, store."""

    flow: mflow.Flow


@dataclass(slots=True)
class FlowState:
    """A completed flow whose metadata did not pickle (another addon's object): its plain state."""

    flow_id: str
    state: dict[str, Any]


@dataclass(slots=True)
class FlowMessage:
    """One WebSocket/TCP/UDP message as it passes (its flow follows when it ends)."""

    flow_id: str
    message: Message


@dataclass(slots=True)
class Events:
    """Timeline events from the Frida host (hook calls, consent, lifecycle, ...)."""

    events: list[TimelineItem]


@dataclass(slots=True)
class TlsFailed:
    """A client rejected the proxy's certificate: that host was not inspected."""

    failure: TlsFailure


@dataclass(slots=True)
class RecordOptions:
    """Options that change what is audited (unpinning, canaries, ...): recorded in ``session.json``."""

    options: dict[str, Any]


@dataclass(slots=True)
class ReportError:
    """Something the audit failed on, to store in the ``errors`` table."""

    source: str
    message: str
    detail: str = ""
    flow_id: str | None = None


@dataclass(slots=True)
class Sync:
    """Write everything received so far, then answer :class:`Synced` with the same token."""

    token: int


@dataclass(slots=True)
class Stop:
    """Write everything, judge the whole session once more, close it, answer :class:`Stopped`."""


ToAudit = Flow | FlowState | FlowMessage | Events | TlsFailed | RecordOptions | ReportError | Sync | Stop

# ---------------------------------------------------------------------------- audit → proxy


@dataclass(slots=True)
class Ready:
    """The session is open; the proxy may send."""

    session_dir: str


@dataclass(slots=True)
class Failed:
    """The session could not be opened (a bad policy, an unwritable directory): the reason."""

    reason: str


@dataclass(slots=True)
class Annotate:
    """What the audit found in a flow, for mitmweb's marker and comment."""

    flow_id: str
    parts: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Synced:
    """Everything up to the :class:`Sync` with this token is on disk."""

    token: int


@dataclass(slots=True)
class Stopped:
    """The audit is finished: a one-line summary for the log."""

    summary: str


FromAudit = Ready | Failed | Annotate | Synced | Stopped

# ---------------------------------------------------------------------------- pickling


def _cert_from_der(der: bytes) -> certs.Cert:
    from cryptography import x509

    return certs.Cert(x509.load_der_x509_certificate(der))


def _reduce_cert(cert: certs.Cert) -> tuple[Any, ...]:
    from cryptography.hazmat.primitives.serialization import Encoding

    return _cert_from_der, (cert._cert.public_bytes(Encoding.DER),)


def register_pickling() -> None:
    """mitmproxy's certificates wrap objects that do not pickle: send them as DER."""
    copyreg.pickle(certs.Cert, _reduce_cert)
