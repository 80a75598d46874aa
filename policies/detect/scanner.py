"""The Detector: personal data in a flow, however it is encoded.

>>> from piaudit.policies.identifiers import Identifiers
>>> ids = Identifiers(); ids.add("imei", "359881030314356")
True
>>> d = Detector(ids).scan_bytes(b'{"dev":{"imei":"359881030314356"}}', "body").detections[0]
>>> (d.data_type.value, d.source, d.encoding, d.where, d.excerpt)
('imei', 'value', 'json', 'body:$.dev.imei', '{"dev":{"imei":"[[359881030314356]]"}}')
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from piaudit.policies.detect.decoders import is_texty
from piaudit.policies.detect.layers import Hit, LayerScan
from piaudit.policies.detect.limits import Limits
from piaudit.policies.detect.matcher import Matcher
from piaudit.policies.detect.structure import header_fields
from piaudit.policies.identifiers import Identifiers
from piaudit.policies.models import Detection, FlowRecord, Header
from piaudit.policies.vocab import DataType

_DIRECTION_RANK = {"request": 0, "message": 1, "response": 2}
_EXCERPT = 120
_CONTROL = {i: "·" for i in (*range(32), 127)}


@dataclass
class ScanResult:
    """Detections (deduplicated, value hits first) and notes on limits hit or decoding problems."""

    detections: list[Detection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.detections)


def render_where(segments: Iterable[tuple[str, str]]) -> str:
    """``body`` + ``$.a`` → ``body:$.a``; ``body`` + form field ``data`` → ``form:data``;
    further levels join with ``>``: ``form:data>$.aid``."""
    it = iter(segments)
    where = next(it, ("", ""))[0]
    for seg, kind in it:
        if where == "body" and kind in ("form", "multipart"):
            where = f"{kind}:{seg}"
        else:
            where += (">" if ":" in where else ":") + seg
    return where


def _show(raw: bytes) -> str:
    if raw and not is_texty(raw):
        return raw.hex()
    return raw.decode("utf-8", "replace").translate(_CONTROL)


def excerpt(text: bytes, start: int, end: int, outer: bytes | None = None) -> str:
    """About 120 characters around the match, the match marked as ``[[match]]``."""
    match = text[start:end]
    if outer is not None and match and (pos := outer.find(match)) >= 0:
        text, start, end = outer, pos, pos + len(match)
    shown = _show(match)
    if len(shown) > 64:
        shown = shown[:61] + "…"
    room = max(8, (_EXCERPT - len(shown) - 4) // 2)
    before = _show(text[max(0, start - room) : start])[-room:]
    after = _show(text[end : end + room])[:room]
    lead = "…" if start > room else ""
    tail = "…" if end + room < len(text) else ""
    return f"{lead}{before}[[{shown}]]{after}{tail}"


class Detector:
    """Finds the device's identifiers (value hits) and personal-data patterns (pattern hits).

    ``identifiers`` is live: values added to it (from a hook thread, say) take effect at the
    next scan, which rebuilds the automaton once per identifier-set version.
    """

    def __init__(self, identifiers: Identifiers | None = None, *, patterns: bool = True, limits: Limits | None = None) -> None:
        self.identifiers = identifiers if identifiers is not None else Identifiers()
        self.patterns = patterns
        self.limits = limits or Limits()
        self._matcher: Matcher | None = None
        self._matcher_of: Identifiers | None = None
        self._build_lock = threading.Lock()

    @property
    def matcher(self) -> Matcher:
        """The automaton for the current identifier set, rebuilt if the set changed."""
        ids, m = self.identifiers, self._matcher
        if m is not None and self._matcher_of is ids and m.version == ids.version:
            return m
        with self._build_lock:
            m = self._matcher
            if m is None or self._matcher_of is not ids or m.version != ids.version:
                values, locations, version = ids.snapshot()
                m = Matcher(values, locations, version)
                self._matcher, self._matcher_of = m, ids
            return m

    # ------------------------------------------------------------------- API

    def scan_bytes(
        self, data: bytes, where: str, *, headers: Mapping[str, str] | None = None, direction: str = "request"
    ) -> ScanResult:
        """Scan one body or message; ``headers`` give Content-Type/Content-Encoding hints."""
        scan = LayerScan(self.matcher, self.limits, self.patterns)
        hits = self._body(scan, data, where, dict(headers or {}), direction)
        return self._result(scan, [(direction, hits)])

    def scan_flow(self, flow: FlowRecord) -> ScanResult:
        """URL, request headers and body, messages; response headers and body as "response"."""
        scan = LayerScan(self.matcher, self.limits, self.patterns)
        request = self._side(
            scan,
            _url_batch(flow.url) + _headers_batch(flow.request_headers),
            True,
            flow.request_body,
            flow.request_headers,
            "request",
        )
        groups: list[tuple[str, list[Hit]]] = [("request", request)]
        kind = {"http": "ws"}.get(flow.kind, flow.kind)
        for i, msg in enumerate(flow.messages):
            direction = "message" if msg.from_client else "response"
            groups.append((direction, self._body(scan, msg.content, f"{kind}:{i}", {}, direction)))
        groups.append(
            (
                "response",
                self._side(
                    scan, _headers_batch(flow.response_headers), False, flow.response_body, flow.response_headers, "response"
                ),
            )
        )
        return self._result(scan, groups)

    # ------------------------------------------------------------- internals

    def _side(
        self, scan: LayerScan, batch: bytes, with_url: bool, body: bytes, headers: list[Header], direction: str
    ) -> list[Hit]:
        """Headers (and URL) and body of one direction. A plain-text body is scanned in the same
        pass as the headers (one pass instead of two); the hits are then split by position."""

        def fields() -> list:
            return header_fields(batch, with_url)

        limit = self.limits.max_response_bytes if direction == "response" else self.limits.max_body_bytes
        if len(batch) > limit:
            scan.note(f"{direction} URL and headers: {len(batch)} bytes, scanned the first {limit} (size limit)")
            batch = batch[:limit]
        ctype, cenc = _content_headers(headers)
        if not body or len(body) > limit or b"\\/" in batch or not scan.plain(body, ctype, cenc):
            hits = scan.place.group(batch, fields, direction, 0) if batch else []
            return hits + self._body(scan, body, "body", _header_map(headers), direction) if body else hits
        cut = len(batch) + 1 if batch else 0
        combined = batch + b"\n" + body if batch else body
        raw = scan.text(combined, b"", 0, full=True)
        if not raw:
            return raw
        head = [h for h in raw if h.at < cut]
        tail = [h for h in raw if h.at >= cut]
        hits = scan.place.group_attribute(batch, head, fields, direction, 0) if head else []
        if tail:
            for h in tail:
                if h.text is combined and cut:  # excerpt from the body alone
                    h.text, h.start, h.end = body, h.start - cut, h.end - cut
                h.at -= cut
            found = scan.attribute(body, tail, True, "body", 0)
            for h in found:
                h.where = (("body", "place"), *h.where)
            hits += found
        return hits

    def _body(self, scan: LayerScan, data: bytes, place: str, headers: Mapping[str, str], direction: str) -> list[Hit]:
        limit = self.limits.max_response_bytes if direction == "response" else self.limits.max_body_bytes
        if len(data) > limit:
            scan.note(f"{place}: {len(data)} bytes, scanned the first {limit} (size limit)")
            data = data[:limit]
        lower = {k.lower(): v for k, v in headers.items()}
        try:
            hits = scan.layer(
                data,
                place,
                0,
                content_type=lower.get("content-type", ""),
                content_encoding=lower.get("content-encoding", ""),
            )
        except RecursionError:  # pragma: no cover - depth limits make this unreachable
            scan.note(f"{place}: nesting too deep, not scanned")
            return []
        for h in hits:
            h.where = ((place, "place"), *h.where)
        return hits

    def _result(self, scan: LayerScan, groups: list[tuple[str, list[Hit]]]) -> ScanResult:
        seen: dict[tuple[str, str, str, str], tuple[tuple[int, int, int], Detection]] = {}
        value_places: set[tuple[str, str, str]] = set()
        order = 0
        for direction, hits in groups:
            for h in hits:
                if h.source != "value":
                    continue
                value_places.add((h.data_type, render_where(h.where), direction))
        for direction, hits in groups:
            for h in hits:
                where = render_where(h.where)
                if h.source == "pattern" and (h.data_type, where, direction) in value_places:
                    continue  # the known value already explains it
                if h.data_type is DataType.device_info and where.lower() in _AMBIENT_DEVICE_INFO:
                    continue  # the system HTTP stack names the model in every User-Agent: not the app's upload
                chain = ">".join(h.chain) or "plain"
                key = (h.data_type, h.value, where, chain + direction)
                if key in seen:
                    continue
                if len(seen) >= self.limits.max_hits:
                    scan.note(f"hit cap of {self.limits.max_hits} detections reached; later ones not recorded")
                    break
                det = Detection(
                    data_type=h.data_type,
                    source=h.source,
                    value=h.value,
                    encoding=chain,
                    where=where,
                    excerpt=excerpt(h.text, h.start, h.end, h.outer),
                    direction=direction,
                )
                rank = (0 if h.source == "value" else 1, _DIRECTION_RANK.get(direction, 0), order)
                seen[key] = (rank, det)
                order += 1
        detections = [d for _, d in sorted(seen.values(), key=lambda item: item[0])]
        return ScanResult(detections, list(scan.notes))


# Places where the device model travels in every request of every app (Android's default User-Agent).
_AMBIENT_DEVICE_INFO = frozenset({"header:user-agent"})


def _content_headers(headers: list[Header]) -> tuple[str, str]:
    """(Content-Type, Content-Encoding), without lower-casing every header name."""
    ctype = cenc = ""
    for h in headers:
        n = len(h.name)
        if n == 12 and h.name.lower() == "content-type":
            ctype = h.value
        elif n == 16 and h.name.lower() == "content-encoding":
            cenc = h.value
    return ctype, cenc


def _header_map(headers: list[Header]) -> dict[str, str]:
    return {h.name: h.value for h in headers}


def _url_batch(url: str) -> bytes:
    """``path?query`` of a URL (the first line of a request batch), fragment dropped."""
    scheme = url.find("://")
    slash = url.find("/", scheme + 3) if scheme >= 0 else url.find("/")
    rest = url[slash:].partition("#")[0] if slash >= 0 else ""
    return rest.encode("utf-8", "surrogateescape")


def _headers_batch(headers: list[Header]) -> bytes:
    """One line per header, ``\nName: value``, for a single scan of all headers."""
    if not headers:
        return b""
    text = "".join(f"\n{h.name}: {h.value}" for h in headers)
    return text.encode("utf-8", "surrogateescape")
