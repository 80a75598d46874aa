"""Which code sent each flow: ``http:request`` events joined to captured flows by method and URL.

An HTTP stack hook (OkHttp, HttpURLConnection, Volley, Cronet, WebView) records the method, the
URL and the Java stack of the code that handed the request over. A flow is joined to the
request with the same method and the same URL (scheme and host lower-cased, default port and
fragment dropped, percent-escapes upper-cased) whose time lies in
``[flow start - WINDOW_BEFORE, flow start + WINDOW_AFTER]``.

Tie-break, when several requests qualify: a request stamped at or before the flow's start beats
one stamped up to the clock slack (:data:`policies.join.crypto.CLOCK_SLACK`) after it, which
beats one later still; then the nearest in time; then the lower row id. The join is
one to one: flows are taken in time order (then by id) and each takes the best request not
taken yet, so a polling loop's requests pair with its flows in order.

>>> req = HttpRequest(id=1, time=99.5, method="post", url="HTTPS://Api.Example.com:443/up?a=%2f", party="Umeng")
>>> flow = FlowSummary(flow_id="f1", time=100.0, method="POST", url="https://api.example.com/up?a=%2F")
>>> join_senders([flow], [req])["f1"].party
'Umeng'
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from piaudit.policies.join.crypto import CLOCK_SLACK
from piaudit.policies.models import FlowSummary, HttpRequest

WINDOW_BEFORE = 5.0
"""Seconds a request may precede its flow (OkHttp's dispatcher may queue an enqueued call)."""
WINDOW_AFTER = 1.0
"""Seconds a request may be stamped after its flow started (clock mapping, batching)."""
MAX_REQUESTS = 200_000
"""Requests a live index keeps (the oldest are dropped beyond it)."""

_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalize_url(url: str) -> str:
    """The URL as the join compares it.

    >>> normalize_url("HTTPS://Api.Example.com:443/p?q=%2f#frag")
    'https://api.example.com/p?q=%2F'
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    if not parts.scheme or not parts.netloc:
        return url.strip()  # not an absolute URL: compared as given
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = _ESCAPE.sub(lambda m: m.group(0).upper(), parts.path or "/")
    query = _ESCAPE.sub(lambda m: m.group(0).upper(), parts.query)
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def request_key(method: str, url: str) -> tuple[str, str]:
    """(METHOD, normalized URL)."""
    return method.strip().upper(), normalize_url(url)


def _rank(request: HttpRequest, when: float) -> tuple[int, float, int]:
    order = 0 if request.time <= when else 1 if request.time <= when + CLOCK_SLACK else 2
    return (order, abs(when - request.time), request.id if request.id is not None else -1)


def _window(bucket: list[HttpRequest], times: list[float], when: float) -> list[HttpRequest]:
    """The requests of a time-sorted bucket in a flow's window."""
    return bucket[bisect_left(times, when - WINDOW_BEFORE) : bisect_right(times, when + WINDOW_AFTER)]


@dataclass
class SenderIndex:
    """Requests by (method, URL), for finding a flow's sender while the session runs.

    :meth:`nearest` ignores which requests other flows took (it does not depend on the order
    flows are scanned in, so forked replay workers agree with one process); the one-to-one join
    of the final judgement is :func:`join_senders`.
    """

    max_requests: int = MAX_REQUESTS
    _by_key: dict[tuple[str, str], tuple[list[HttpRequest], list[float]]] = field(default_factory=dict)
    _order: list[tuple[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(bucket) for bucket, _ in self._by_key.values())

    def add(self, request: HttpRequest) -> None:
        """Index one request."""
        key = request_key(request.method, request.url)
        bucket, times = self._by_key.setdefault(key, ([], []))
        i = bisect_right(times, request.time)
        bucket.insert(i, request)
        times.insert(i, request.time)
        self._order.append(key)
        if len(self._order) > self.max_requests:  # bounded memory: drop the oldest request of the oldest key
            old = self._order.pop(0)
            old_bucket, old_times = self._by_key[old]
            old_bucket.pop(0)
            old_times.pop(0)

    def nearest(self, method: str, url: str, when: float) -> HttpRequest | None:
        """The best request for a flow of ``method`` ``url`` starting at ``when`` (None: none in the window)."""
        found = self._by_key.get(request_key(method, url))
        if not found:
            return None
        window = _window(*found, when)
        return min(window, key=lambda r: _rank(r, when)) if window else None


def join_senders(flows: Iterable[FlowSummary], requests: Iterable[HttpRequest]) -> dict[str, HttpRequest]:
    """The one-to-one join of flows and requests: ``{flow_id: request}`` (see the module docstring)."""
    by_key: dict[tuple[str, str], list[HttpRequest]] = {}
    for r in requests:
        by_key.setdefault(request_key(r.method, r.url), []).append(r)
    buckets: dict[tuple[str, str], tuple[list[HttpRequest], list[float]]] = {}
    for key, bucket in by_key.items():
        bucket.sort(key=lambda r: r.time)  # stable: equal times keep their order
        buckets[key] = (bucket, [r.time for r in bucket])
    taken: set[int] = set()
    out: dict[str, HttpRequest] = {}
    for flow in sorted(flows, key=lambda f: (f.time, f.flow_id)):
        if flow.origin != "proxy" or not flow.method or not flow.url:
            continue
        bucket = buckets.get(request_key(flow.method, flow.url))
        if not bucket:
            continue
        found = [r for r in _window(*bucket, flow.time) if id(r) not in taken]
        if found:
            best = min(found, key=lambda r: _rank(r, flow.time))
            taken.add(id(best))
            out[flow.flow_id] = best
    return out
