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

from collections.abc import Callable
from dataclasses import dataclass, field

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
    closed: Callable[[], bool] | None = field(default=None)


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

    def established(
        self,
        conn_id: str,
        *,
        time: float,
        client_addr: str,
        server_addr: str,
        host: str,
        sni: str,
        closed: Callable[[], bool] | None = None,
    ) -> None:
        """The client finished a TLS handshake with the proxy on connection ``conn_id``.

        ``closed`` tells whether the client has closed its side since (for :meth:`sweep`): the
        proxy may hold a connection whose client is gone (a TLS EOF without close_notify).
        """
        if len(self._open) >= self._max_open:
            self._open.pop(next(iter(self._open)))
            self.dropped += 1
        self._open[conn_id] = _Open(time, client_addr, server_addr, host, sni, closed)

    def used(self, conn_id: str) -> None:
        """A request (or raw TCP/UDP data) arrived on ``conn_id``: it was inspected."""
        self._open.pop(conn_id, None)

    def closed(self, conn_id: str) -> TlsFailure | None:
        """The client closed ``conn_id``: a failure record if it never carried a request."""
        entry = self._open.pop(conn_id, None)
        return None if entry is None else self._failure(entry)

    def sweep(self) -> list[TlsFailure]:
        """Failure records for the watched connections whose client has closed its side already."""
        gone = [conn_id for conn_id, entry in self._open.items() if entry.closed is not None and entry.closed()]
        return [self._failure(self._open.pop(conn_id)) for conn_id in gone]

    @staticmethod
    def _failure(entry: _Open) -> TlsFailure:
        return TlsFailure(
            time=entry.time,
            stage="after_handshake",
            client_addr=entry.client_addr,
            server_addr=entry.server_addr,
            host=entry.host,
            sni=entry.sni,
            error=AFTER_HANDSHAKE_ERROR,
        )
