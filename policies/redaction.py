"""Redaction: every known identifier value, in every encoding the detector knows, out of any text.

``piaudit report --redact`` (every format) and anything else that shows captured data without
the identifiers goes through :class:`Redactor`. It finds a value the way the detector does:

- the detector's own search strings (:func:`policies.detect.variants.needles_for`: plain, case
  variants, separators, hex, base64 at every alignment, MD5/SHA-1/SHA-256 digests) in one
  Aho-Corasick pass (:class:`policies.detect.matcher.Matcher`), also over the text read as a
  form (``+`` for a space) and with JSON's ``\\/`` unescaped;
- the detector's encoded runs (:func:`policies.detect.decoders.find_runs`: base64, hex, URL
  encoding, JWT), each decoded (and decompressed when it holds gzip/zlib/zstd) and redacted
  recursively: a run that holds a value is replaced whole, so double base64 and URL-encoded
  JSON go too;
- decimal numbers within the detector's tolerance of a known latitude or longitude, one by one
  (a longitude alone in a field is still a position).

Each span becomes a token that keeps the data type, the encoding and a SHA-256 prefix of the
*value* (not of its encoded form), so the same identifier reads the same in every place::

    imei=359881030314356   ->   imei=‹imei:sha256:bbd859f0›

In URLs the token is percent-encoded (a redacted HAR stays importable), in host names it is a
DNS label (``redacted-imei-bbd859f0``). A hash prefix of a low-entropy value (an IMEI) can be
brute-forced: redaction protects against casual reading, not a determined attacker. Lists of
installed or running apps are not masked (each package name alone is public and the report
must name apps).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from piaudit.policies.detect.decoders import DecodeError, decode_run, decompress, find_runs, sniff_compression
from piaudit.policies.detect.hits import location_text
from piaudit.policies.detect.matcher import Matcher
from piaudit.policies.detect.patterns import digit_table, numbers
from piaudit.policies.detect.scanner import Limits
from piaudit.policies.detect.variants import LIST_TYPES
from piaudit.policies.identifiers import Identifiers
from piaudit.policies.vocab import DataType

MAX_DEPTH = 8  # decoding steps inside one text (the detector stops at 12, but needs 4 at most in practice)
MAX_DECODED = 64 << 20  # bytes decoded per call; past it, runs are masked whole rather than looked into
_ALNUM = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_WORD = _ALNUM | frozenset(b"_.")  # a package name goes on across dots
_TOLERANCE = Limits().location_tolerance


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    data_type: str
    value: str
    encoding: str


def _digest(values: Iterable[str]) -> str:
    text = "\n".join(sorted(set(values)))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def token(data_type: str, value: str, encoding: str = "plain") -> str:
    """The mask of one value: ``‹imei:sha256:bbd859f0›``, ``‹oaid(md5):sha256:…›`` when encoded.

    >>> token("imei", "359881030314356")
    '‹imei:sha256:bbd859f0›'
    """
    kind = data_type if encoding in ("", "plain") else f"{data_type}({encoding})"
    return f"‹{kind}:sha256:{_digest([value])}›"


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_DECODED

    def take(self, n: int) -> bool:
        self.left -= n
        return self.left >= 0


class Redactor:
    """Masks every value of ``identifiers`` in text, URLs and nested data.

    >>> ids = Identifiers(); ids.add("imei", "359881030314356")
    True
    >>> Redactor(ids).text("imei=359881030314356&x=1")
    'imei=‹imei:sha256:bbd859f0›&x=1'
    """

    def __init__(self, identifiers: Identifiers | None = None):
        values, locations, version = (identifiers or Identifiers()).snapshot()
        values = {t: v for t, v in values.items() if t not in LIST_TYPES}
        self.locations = locations
        self.matcher = Matcher(values, locations, version)
        self._enabled = bool(values or locations)

    @property
    def enabled(self) -> bool:
        """Whether there is anything to mask."""
        return self._enabled

    # ------------------------------------------------------------------ public

    def text(self, text: str) -> str:
        """``text`` with every known value (in any known encoding) replaced by its token."""
        if not self._enabled or not text:
            return text
        data = text.encode("utf-8", "surrogateescape")
        spans = self._spans(data, 0, _Budget())
        if not spans:
            return text
        return self._replace(data, spans, "text").decode("utf-8", "surrogateescape")

    def data(self, data: bytes) -> bytes:
        """The same for bytes (UTF-8 tokens)."""
        if not self._enabled or not data:
            return data
        spans = self._spans(data, 0, _Budget())
        return self._replace(data, spans, "text") if spans else data

    def url(self, url: str) -> str:
        """A URL with values masked and the tokens percent-encoded (a DNS label in the host)."""
        if not self._enabled or not url:
            return url
        try:
            parts = urlsplit(url)
        except ValueError:
            return self._styled(url, "url")
        return urlunsplit(
            (
                parts.scheme,
                self._styled(parts.netloc, "host"),
                self._styled(parts.path, "url"),
                self._styled(parts.query, "url"),
                self._styled(parts.fragment, "url"),
            )
        )

    def any(self, value: Any) -> Any:
        """Mask every string inside nested dicts and lists (keys too)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.any(k) if isinstance(k, str) else k: self.any(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.any(v) for v in value]
        return value

    @staticmethod
    def binary_note(body: bytes) -> str:
        """What replaces a binary body, whose identifiers cannot be masked in place."""
        return f"‹binary body redacted: {len(body)} bytes, sha256:{hashlib.sha256(body).hexdigest()[:16]}›"

    # ------------------------------------------------------------------ spans

    def _styled(self, text: str, style: str) -> str:
        if not text:
            return text
        data = text.encode("utf-8", "surrogateescape")
        spans = self._spans(data, 0, _Budget())
        return self._replace(data, spans, style).decode("utf-8", "surrogateescape") if spans else text

    def _spans(self, data: bytes, depth: int, budget: _Budget) -> list[_Span]:
        """Every span of ``data`` that betrays a value."""
        out = self._needles(data, data)
        if b"+" in data:  # a form or query value: '+' is a space (same length: positions hold)
            out += self._needles(data.replace(b"+", b" "), data)
        if self.locations:
            out += self._coordinates(data)
        if depth < MAX_DEPTH:
            out += self._runs(data, depth, budget)
        if b"\\/" in data:  # JSON's optional escaping of '/': look again without it, map positions back
            parts = data.split(b"\\/")
            starts, pos = [], 0
            for part in parts:
                starts.append(pos)
                pos += len(part) + 1
            view = b"/".join(parts)

            def back(i: int) -> int:
                k = bisect_right(starts, i) - 1
                return i + k  # each '/' before position i was two bytes in the original

            for s in self._spans(view, depth, budget):
                out.append(_Span(back(s.start), back(s.end - 1) + 1, s.data_type, s.value, s.encoding))
        return out

    def _needles(self, view: bytes, data: bytes) -> list[_Span]:
        matcher = self.matcher
        matches, _ = matcher.scan(view)
        out = []
        for idx, s, e in matches:
            for nd in matcher.meaning[idx]:
                if nd.bounded and ((s and data[s - 1] in _ALNUM) or (e < len(data) and data[e] in _ALNUM)):
                    continue
                out.append(_Span(s, e, str(nd.data_type), nd.value, ">".join(nd.chain) or "plain"))
                break
        return out

    def _coordinates(self, data: bytes) -> list[_Span]:
        out = []
        for s, e, x in numbers(data, digit_table(data), self.matcher.location_whole, limit=len(data)):
            for lat, lon in self.locations:
                if abs(x - lat) <= _TOLERANCE or abs(x - lon) <= _TOLERANCE:
                    out.append(_Span(s, e, str(DataType.location), location_text(lat, lon), "plain"))
                    break
        return out

    def _runs(self, data: bytes, depth: int, budget: _Budget) -> list[_Span]:
        out = []
        runs, _ = find_runs(data, len(data), True)
        for kind, s, e in runs:
            try:
                decoded = decode_run(kind, data[s:e])
            except DecodeError:
                continue
            if not budget.take(len(decoded)):
                break
            inner = self._decoded(decoded, depth + 1, budget)
            if inner:
                first = inner[0]
                values = {i.value for i in inner}
                kinds = "+".join(sorted({i.data_type for i in inner}))
                value = first.value if len(values) == 1 else "\n".join(sorted(values))
                out.append(_Span(s, e, kinds, value, kind))
        return out

    def _decoded(self, decoded: bytes, depth: int, budget: _Budget) -> list[_Span]:
        method = sniff_compression(decoded)
        if method:
            try:
                out, _ = decompress(decoded, method, Limits().max_decoded_bytes)
            except DecodeError:
                out = b""
            if out and budget.take(len(out)) and (inner := self._spans(out, depth + 1, budget)):
                return inner
        return self._spans(decoded, depth, budget)

    # ------------------------------------------------------------------ output

    def _replace(self, data: bytes, spans: list[_Span], style: str) -> bytes:
        spans.sort(key=lambda s: (s.start, -s.end))
        parts: list[bytes] = []
        last = 0
        group: list[_Span] = []
        end = -1
        for span in spans:
            if group and span.start >= end:
                parts.append(self._token(group, style))
                group = []
            if not group:
                parts.append(data[last : span.start])
                end = span.end
            group.append(span)
            end = max(end, span.end)
            last = end
        if group:
            parts.append(self._token(group, style))
        parts.append(data[last:])
        return b"".join(parts)

    @staticmethod
    def _token(group: list[_Span], style: str) -> bytes:
        outer = max(group, key=lambda s: s.end - s.start)
        kinds = "+".join(sorted({k for s in group for k in s.data_type.split("+")}))
        values = [v for s in group for v in s.value.split("\n")]
        if style == "host":
            return f"redacted-{kinds.replace('+', '-').replace('_', '-')}-{_digest(values)}".encode()
        kind = kinds if outer.encoding in ("", "plain") else f"{kinds}({outer.encoding})"
        text = f"‹{kind}:sha256:{_digest(values)}›"
        return (quote(text, safe="") if style == "url" else text).encode()


class NoRedaction(Redactor):
    """The identity: reports without ``--redact``."""

    def __init__(self) -> None:
        super().__init__(None)

    def text(self, text: str) -> str:
        return text

    def data(self, data: bytes) -> bytes:
        return data

    def url(self, url: str) -> str:
        return url

    def any(self, value: Any) -> Any:
        return value


def session_identifiers(conn: sqlite3.Connection) -> Identifiers:
    """Every identifier value one session knows: its detections and what its hooks returned."""
    ids = Identifiers()
    for data_type, value in conn.execute("SELECT data_type, value FROM detections"):
        _learn(ids, data_type, value)
    for (text,) in conn.execute("SELECT json FROM hook_events"):
        try:
            event = json.loads(text)
        except (TypeError, ValueError):
            continue
        _learn(ids, event.get("data_type"), event.get("value"))
        for kind, values in (event.get("identifiers") or {}).items():
            for value in values if isinstance(values, list) else [values]:
                _learn(ids, kind, value)
    return ids


def _learn(ids: Identifiers, data_type: Any, value: Any) -> None:
    if not isinstance(data_type, str) or not isinstance(value, str) or data_type not in DataType.__members__:
        return
    if DataType(data_type) in LIST_TYPES:
        return
    ids.add(data_type, value)


def session_redactor(conn: sqlite3.Connection) -> Redactor:
    """A redactor for every identifier value one session recorded."""
    return Redactor(session_identifiers(conn))
