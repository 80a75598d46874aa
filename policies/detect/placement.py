"""Saying *where* a hit is: JSON paths, protobuf field numbers, form and header fields,
multipart parts, and the container-level checks (coordinates in sibling fields, package lists).

:class:`Placement` is the collaborator of one :class:`policies.detect.layers.LayerScan`: the
scan finds the evidence in one pass, the placement says where it sits, scanning the parts
that hold it as deeper layers through the scan (:class:`Scan`).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from piaudit.policies.detect.decoders import DecodeError, decode_run
from piaudit.policies.detect.hits import Hit, keep_lost, location_text, prefix
from piaudit.policies.detect.limits import Limits
from piaudit.policies.detect.matcher import Matcher
from piaudit.policies.detect.patterns import app_list_type, is_lat_key, is_lon_key, is_package_name, list_value
from piaudit.policies.detect.structure import (
    MAX_JSON_DEPTH,
    Field,
    json_locate,
    json_matches,
    json_path,
    parse_json,
    parse_multipart,
)
from piaudit.policies.detect.variants import LIST_TYPES
from piaudit.policies.vocab import DataType

_PACKAGE_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")


def _as_number(value: Any) -> tuple[float, int, str] | None:
    """(value, decimals, text) for a JSON number or a numeric string (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = (value if isinstance(value, str) else repr(value)).strip()
    if not text or len(text) > 32 or text[-1] not in "0123456789":
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    _, _, frac = text.partition(".")
    return number, len(frac) if frac.isdigit() else 0, text


def _packageish(value: Any) -> bool:
    """A string that may be a package name (checked properly later): dotted, no spaces or slashes."""
    return isinstance(value, str) and "." in value and len(value) < 256 and set(value) <= _PACKAGE_OK


def _unescape(text: str) -> str:
    """Evidence as a parsed JSON string holds it: ``\\u6211`` -> ``我``."""
    if "\\" not in text:
        return text
    try:
        return json.loads(f'"{text}"')
    except ValueError:
        return text


def _at_text(hit: Hit, text: str) -> Hit:
    """Point the excerpt of a container-level hit at ``text`` inside its layer."""
    pos = hit.text.find(text.encode())
    if pos >= 0:
        hit.start, hit.end = pos, pos + len(text)
    return hit


class Scan(Protocol):
    """What a placement needs from its scan: the snapshot, the limits, and scanning a part as a layer."""

    matcher: Matcher
    limits: Limits
    patterns: bool

    def layer(self, data: bytes, label: str, depth: int, key: bytes = b"", **kw: Any) -> list[Hit]:
        """Scan one layer (a value, a part, a field)."""
        ...

    def text(self, data: bytes, key: bytes, depth: int, *, full: bool, outer: bytes | None = None) -> list[Hit]:
        """One pass over the bytes, without structure."""
        ...

    def note(self, message: str) -> None:
        """Record a limit hit or a decoding problem."""
        ...


class Placement:
    """Structure-aware placement of the hits of one :class:`Scan`."""

    def __init__(self, scan: Scan) -> None:
        self.scan = scan
        self.matcher = scan.matcher
        self.limits = scan.limits
        self.patterns = scan.patterns

    def json_layer(self, data: bytes, raw: list[Hit], label: str, depth: int) -> list[Hit] | None:
        """Attribute raw hits to JSON paths; None if ``data`` is not JSON.

        A hit is placed by its offset (only the containers on the way are parsed twice). A
        string that is itself structured (JSON, a form) is scanned as its own layer. Positions
        and app lists span several fields: they are placed by walking the parsed document.
        """
        if b"\\/" in data:
            data = data.replace(b"\\/", b"/")  # as the raw pass saw it
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        area = [h for h in raw if h.data_type is DataType.location or h.data_type in LIST_TYPES]
        point = [h for h in raw if not (h.data_type is DataType.location or h.data_type in LIST_TYPES)]
        out: list[Hit] = []
        if point:
            same = len(text) == len(data)
            offsets = [h.at if same else len(data[: h.at].decode("utf-8", "ignore")) for h in point]
            located = json_locate(text, offsets, self.limits.max_nodes)
            if located is None:
                return None
            starts = [item[4] for item in located]
            placed: dict[int, list[Hit]] = {}
            for h, off in zip(point, offsets, strict=True):
                i = bisect_right(starts, off) - 1
                if i >= 0 and off < located[i][5]:
                    placed.setdefault(i, []).append(h)
            for i, hits in placed.items():
                kind, path, key, value, _, _ = located[i]
                seg = (json_path(path), "json")
                if kind == "leaf" and (value[:1] in "{[" or "=" in value.rstrip("=")):
                    sub = self.scan.layer(
                        value.encode("utf-8", "surrogatepass"),
                        label,
                        depth + 1,
                        key.lower().encode("utf-8", "ignore"),
                        outer=data,
                    )
                    out.extend(prefix(sub, ("json",), seg))
                else:
                    out.extend(prefix([h.copy() for h in hits], ("json",), seg))
        if area:
            doc = parse_json(data)
            if doc is None:
                return None if not point else keep_lost(raw, out)
            evidence = {_unescape(h.span.decode("utf-8", "ignore")) for h in area if h.span} - {""}
            matches, capped = json_matches(doc, evidence, True, self.limits.max_nodes)
            if capped:
                self.scan.note(f"{label}: JSON walk stopped after {self.limits.max_nodes} nodes or {MAX_JSON_DEPTH} levels")
            for kind, path, key, value in matches:
                seg = (json_path(path), "json")
                if kind == "dict" or kind == "list":
                    out.extend(prefix(self._container(value, key, data), ("json",), seg))
                else:
                    sub = self.scan.layer(
                        value.encode("utf-8", "surrogatepass"),
                        label,
                        depth + 1,
                        key.lower().encode("utf-8", "ignore"),
                        outer=data,
                    )
                    out.extend(
                        prefix([h for h in sub if h.data_type is DataType.location or h.data_type in LIST_TYPES], ("json",), seg)
                    )
        return keep_lost(raw, out)

    def protobuf_layer(self, leaves: list[tuple[str, bytes]], raw: list[Hit], label: str, depth: int) -> list[Hit]:
        """Attribute raw hits to protobuf field paths (``$.1.2``)."""
        evidence = {h.span for h in raw if h.span}
        out: list[Hit] = []
        for path, value in leaves:
            if any(ev in value for ev in evidence):
                out.extend(prefix(self.scan.layer(value, label, depth + 1), ("protobuf",), (path, "protobuf")))
        return keep_lost(raw, out)

    def _container(self, value: Any, key: str, data: bytes) -> list[Hit]:
        """Coordinates in sibling fields or a 2-element list; packages as a list, as dict keys, or
        as a field of each record of a list (``"apps": [{"pkg": "com.tencent.mm", "ver": "8.0"}, ...]``)."""
        hits: list[Hit] = []
        items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
        if len(items) > 2000:
            return hits
        pairs = [(str(k), *n) for k, v in items if (n := _as_number(v)) is not None]
        if len(pairs) >= 2 and (found := self._location_fields(pairs, data)):
            hits.append(found[0])
        names = [k for k, _ in items] if isinstance(value, dict) else [v for _, v in items]
        context = key
        if isinstance(value, list):  # records: their field names are context ("processName")
            fields = dict.fromkeys(k for record in names if type(record) is dict for k, v in record.items() if _packageish(v))
            names = [v for record in names for v in (record.values() if type(record) is dict else (record,))]
            context = " ".join((key, *fields))
        strings = [s for s in names if _packageish(s)]
        if len(strings) >= min(self.limits.min_known_packages, self.limits.min_package_list):
            hits.extend(self._package_list(strings, context, data))
        return hits

    def _location_fields(self, pairs: Sequence[tuple[str, float, int, str]], data: bytes) -> tuple[Hit, str] | None:
        """A known position in two sibling values, or (pattern) in ``lat``/``lon``-named ones.

        ``pairs`` are (name, value, decimals, text); returns the hit and the latitude's name.
        """
        tol = self.limits.location_tolerance
        precise = [p for p in pairs if p[2] >= 3]
        for lat, lon in self.matcher.locations:
            a = next((p for p in precise if abs(p[1] - lat) <= tol), None)
            b = next((p for p in precise if abs(p[1] - lon) <= tol and p is not a), None)
            if a is not None and b is not None:
                return _at_text(Hit(DataType.location, "value", location_text(lat, lon), (), data, 0, 0), a[3]), a[0]
        if not self.patterns:
            return None
        a = next((p for p in precise if is_lat_key(p[0])), None)
        b = next((p for p in precise if is_lon_key(p[0])), None)
        if a and b and abs(a[1]) <= 90 and abs(b[1]) <= 180 and max(abs(a[1]), abs(b[1])) >= 1:
            return _at_text(Hit(DataType.location, "pattern", f"{a[3]},{b[3]}", (), data, 0, 0), a[3]), a[0]
        return None

    def _package_list(self, strings: list[str], context: str, data: bytes) -> list[Hit]:
        hits = []
        for dtype in LIST_TYPES:
            known = self.matcher.list_values.get(dtype)
            members = sorted({s for s in strings if s in known}) if known else []
            if len(members) >= self.limits.min_known_packages:
                hits.append(_at_text(Hit(dtype, "value", list_value(members), (), data, 0, 0), members[0]))
        if self.patterns and not hits:
            tokens = list(dict.fromkeys(s for s in strings if is_package_name(s)))
            if len(tokens) >= self.limits.min_package_list:
                dtype = app_list_type(context.lower().encode("utf-8", "ignore"))
                hits.append(_at_text(Hit(dtype, "pattern", list_value(tokens), (), data, 0, 0), tokens[0]))
        return hits

    def group(self, data: bytes, make_fields: Callable[[], list[Field]], label: str, depth: int) -> list[Hit]:
        """Named values in one text (form body, query, headers, cookies): one pass over the raw
        text, then each field holding evidence is URL-decoded and scanned alone."""
        raw = self.scan.text(data, b"", depth, full=True)
        return self.group_attribute(data, raw, make_fields, label, depth) if raw else raw

    def group_attribute(
        self,
        data: bytes,
        raw: list[Hit],
        make_fields: Callable[[], list[Field]],
        label: str,
        depth: int,
        *,
        keyless: bool = False,
    ) -> list[Hit]:
        """Place the hits of one pass over a group's text in its fields (names are context unless keyless)."""
        fields = make_fields()
        if not fields:
            return raw
        starts = [f[0] for f in fields]
        marked = set()
        for h in raw:
            i = bisect_right(starts, h.at) - 1
            if i >= 0 and h.at < fields[i][1]:
                marked.add(i)
        out: list[Hit] = []
        for i in sorted(marked):
            _, _, name, value, seg = fields[i]
            sub = self.scan.layer(value, seg[0], depth, b"" if keyless else name.lower().encode("utf-8", "ignore"))
            out.extend(prefix(sub, (), seg))
        if any(h.data_type is DataType.location for h in raw):
            pairs = [(f[2], *v) for f in fields if (v := _as_number(f[3].decode("latin-1"))) is not None]
            if len(pairs) >= 2 and (found := self._location_fields(pairs, data)):
                hit, lat_name = found
                hit.where = (next(f[4] for f in fields if f[2] == lat_name),)
                out.append(hit)
        return keep_lost(raw, out, fields=fields, starts=starts)

    def multipart(self, data: bytes, boundary: bytes, label: str, depth: int) -> list[Hit]:
        """Each part scanned as its own layer, with its Content-Type and transfer encoding."""
        out: list[Hit] = []
        for name, headers, body in parse_multipart(data, boundary):
            chain: tuple[str, ...] = ("multipart",)
            if headers.get("content-transfer-encoding", "").lower() == "base64":
                try:
                    body = decode_run("base64", b"".join(body.split()))
                    chain = ("multipart", "base64")
                except DecodeError:
                    self.scan.note(f"{label}: part {name!r} declares base64 but is not")
            sub = self.scan.layer(
                body, f"{label}:{name}", depth + 1, name.lower().encode(), content_type=headers.get("content-type", "")
            )
            out.extend(prefix(sub, chain, (name, "multipart")))
        return out

    def protobuf_group(self, leaves: list[tuple[str, bytes]], label: str, depth: int) -> list[Hit]:
        """The length-delimited fields of a protobuf message, scanned like a group of fields."""
        fields: list[Field] = []
        pos = 0
        for path, value in leaves:
            fields.append((pos, pos + len(value), path, value, (path, "protobuf")))
            pos += len(value) + 1
        batch = b"\x00".join(value for _, value in leaves)
        raw = self.scan.text(batch, b"", depth + 1, full=True)
        if not raw:
            return raw
        return prefix(self.group_attribute(batch, raw, lambda: fields, label, depth + 1, keyless=True), ("protobuf",))
