"""Client TLS connections that completed the handshake and closed without a request.

OkHttp's ``CertificatePinner`` (the most common pinning on Android) checks the pins only after
the TLS handshake: with a pin the proxy's certificate does not match, the client finishes the
handshake, then closes the connection without sending anything. mitmproxy's
``tls_failed_client`` never fires and no flow exists, so without this the host would not even
be listed as uninspected. :class:`HandshakeWatch` is pure bookkeeping (no mitmproxy imports):
the recorder calls it from its hooks and stores what it returns as a ``tls_failures`` row with
``stage="after_handshake"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from piaudit.policies.models import TlsFailure

MAX_OPEN = 10_000  # established client connections tracked at once (bounded: a flood cannot grow it)
AFTER_HANDSHAKE_ERROR = "TLS handshake completed, then the client closed the connection without sending a request"


@dataclass(slots=True)
class _Open:
    time: float
    client_addr: str
    server_addr: str
    host: str
    sni: str


class HandshakeWatch:
    """Connections with an established client TLS handshake and, so far, no request on them.

    >>> watch = HandshakeWatch()
    >>> watch.established("c1", time=1.0, client_addr="127.0.0.1:5000", server_addr="a.example:443", host="a.example", sni="a.example")
    >>> watch.closed("c1").stage
    'after_handshake'
    >>> watch.established("c2", time=2.0, client_addr="", server_addr="", host="", sni="b.example")
    >>> watch.used("c2"); watch.closed("c2") is None
    True
    """

    def __init__(self, max_open: int = MAX_OPEN) -> None:
        self._open: dict[str, _Open] = {}
        self._max_open = max_open
        self.dropped = 0  # connections forgotten because too many were open at once

    def established(self, conn_id: str, *, time: float, client_addr: str, server_addr: str, host: str, sni: str) -> None:
        """The client finished a TLS handshake with the proxy on connection ``conn_id``."""
        if len(self._open) >= self._max_open:
            self._open.pop(next(iter(self._open)))
            self.dropped += 1
        self._open[conn_id] = _Open(time, client_addr, server_addr, host, sni)

    def used(self, conn_id: str) -> None:
        """A request (or raw TCP/UDP data) arrived on ``conn_id``: it was inspected."""
        self._open.pop(conn_id, None)

    def closed(self, conn_id: str) -> TlsFailure | None:
        """The client closed ``conn_id``: a failure record if it never carried a request."""
        entry = self._open.pop(conn_id, None)
        if entry is None:
            return None
        return TlsFailure(
            time=entry.time,
            stage="after_handshake",
            client_addr=entry.client_addr,
            server_addr=entry.server_addr,
            host=entry.host,
            sni=entry.sni,
            error=AFTER_HANDSHAKE_ERROR,
        )
