"""Structured formats, parsed only to say *where* something was found: JSON, form fields,
multipart parts, protobuf wire format, cookies. Parsers return None (or an empty list) for
input that is not that format; none raises.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Collection
from typing import Any
from urllib.parse import unquote_to_bytes

from piaudit.policies.detect.decoders import is_texty

_FORM = re.compile(rb"[\w.\-\[\]%*~!$'()]+=[^&\s]*(?:&+[\w.\-\[\]%*~!$'()]+=?[^&\s]*)*&*")
_BASE64ISH = re.compile(rb"[A-Za-z0-9+/_-]+={1,2}")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BOUNDARY = re.compile(r"boundary=\"?([^\";]+)\"?", re.IGNORECASE)
_DISPOSITION_NAME = re.compile(rb"""\bname="?([^";\r\n]*)"?""", re.IGNORECASE)
_FILENAME = re.compile(rb"""\bfilename="?([^";\r\n]*)"?""", re.IGNORECASE)
_MAX_VARINT = 10


class Num(str):
    """A JSON float kept as its source text, so ``39.900`` keeps its three decimals."""

    __slots__ = ()


def parse_json(data: bytes) -> Any:
    """The parsed JSON document, or None when ``data`` is not a JSON object or array."""
    head = data[:64].lstrip()
    if not head or head[0] not in b"{[":
        return None
    try:
        doc = json.loads(data, parse_float=Num)
    except (ValueError, RecursionError):
        return None
    return doc if isinstance(doc, dict | list) else None


def json_path(parts: tuple[str | int, ...]) -> str:
    """``$.device.ids[0]``; keys that are not identifiers are quoted: ``$['a b']``."""
    out = ["$"]
    for p in parts:
        if isinstance(p, int):
            out.append(f"[{p}]")
        elif _IDENT.fullmatch(p):
            out.append(f".{p}")
        else:
            out.append("[" + json.dumps(p, ensure_ascii=False).replace("'", "\\'").replace('"', "'") + "]")
    return "".join(out)


JsonMatch = tuple[str, tuple[str | int, ...], str, Any]
MAX_JSON_DEPTH = 200


def json_matches(doc: Any, evidence: Collection[str], containers: bool, max_nodes: int) -> tuple[list[JsonMatch], bool]:
    """Where evidence is in a parsed document, in document order: ``(kind, path, nearest key,
    value)`` for each string or number ("leaf") and dict key ("key") containing one of the
    evidence strings, and, if ``containers``, every dict and list. Returns (matches, capped)."""
    evs = sorted(evidence, key=len, reverse=True)
    if not evs and not containers:
        return [], False
    has = re.compile("|".join(map(re.escape, evs)) or "(?!)").search  # one C-level search per string
    digit_evs = tuple(e for e in evs if e.lstrip("-").isdigit())
    out: list[JsonMatch] = []
    nodes = 0
    capped = False

    def visit(node: Any, path: tuple[str | int, ...], key: str, depth: int) -> None:
        nonlocal nodes, capped
        nodes += len(node) + 1
        if nodes > max_nodes or depth > MAX_JSON_DEPTH:
            capped = True
            return
        if type(node) is dict:
            if containers:
                out.append(("dict", path, key, node))
            items: Any = node.items()
        else:
            if containers:
                out.append(("list", path, key, node))
            items = enumerate(node)
        for k, v in items:
            if type(k) is str and has(k):
                out.append(("key", (*path, k), k, k))
            t = type(v)
            if t is str or t is Num:
                if has(v):
                    out.append(("leaf", (*path, k), k if type(k) is str else key, v))
            elif t is dict or t is list:
                visit(v, (*path, k), k if type(k) is str else key, depth + 1)
            elif t is int and digit_evs and has(str(v)):
                out.append(("leaf", (*path, k), k if type(k) is str else key, str(v)))

    if type(doc) is dict or type(doc) is list:
        visit(doc, (), "", 0)
    return out, capped


_WS = re.compile(r"[ \t\n\r]*")
_SCAN_ONCE = json.JSONDecoder(parse_float=Num).scan_once  # C: parses one value from an index
_SCANSTRING = json.decoder.scanstring  # type: ignore[attr-defined]
Located = tuple[str, tuple[str | int, ...], str, str, int, int]


def json_locate(text: str, offsets: Collection[int], max_nodes: int = 50_000) -> list[Located] | None:
    """The strings, numbers and keys of a JSON document that contain the given character
    offsets: ``(kind, path, nearest key, value as text, start, end)``, in document order.

    Only containers that hold an offset are opened; the rest is skipped by the C parser, so
    the Python work is the few fields along the way to each offset. None if not JSON.
    """
    targets = sorted(set(offsets))
    out: list[Located] = []
    nodes = 0

    def holds(a: int, b: int) -> bool:
        i = bisect_left(targets, a)
        return i < len(targets) and targets[i] < b

    def visit(idx: int, path: tuple[str | int, ...], key: str, depth: int) -> None:
        nonlocal nodes
        is_dict = text[idx] == "{"
        close = "}" if is_dict else "]"
        idx = _WS.match(text, idx + 1).end()
        i = 0
        while text[idx] != close:
            nodes += 1
            if nodes > max_nodes or depth > MAX_JSON_DEPTH:
                raise ValueError("too big")
            name: str | int = i
            near = key
            if is_dict:
                kstart = idx
                name, idx = _SCANSTRING(text, idx + 1)
                near = name
                if holds(kstart, idx):
                    out.append(("key", (*path, name), name, name, kstart, idx))
                idx = _WS.match(text, _WS.match(text, idx).end() + 1).end()  # past ':'
            start = idx
            value, idx = _SCAN_ONCE(text, idx)
            if holds(start, idx):
                if type(value) is dict or type(value) is list:
                    visit(start, (*path, name), near, depth + 1)
                elif type(value) is not bool and value is not None:
                    out.append(("leaf", (*path, name), near, value if type(value) is str else str(value), start, idx))
            idx = _WS.match(text, idx).end()
            if text[idx] == ",":
                idx = _WS.match(text, idx + 1).end()
            i += 1

    try:
        start = _WS.match(text).end()
        if text[start] not in "{[":
            return None
        visit(start, (), "", 0)
    except (ValueError, IndexError, StopIteration, RecursionError):
        return None
    return out


def looks_like_form(data: bytes) -> bool:
    """``a=1&b=2`` (not a base64 string that merely ends in ``=``)."""
    if b"=" not in data or len(data) > 1 << 20:
        return False
    data = data.rstrip()
    return not _BASE64ISH.fullmatch(data) and _FORM.fullmatch(data) is not None


def _unquote_plus(b: bytes) -> bytes:
    return unquote_to_bytes(b.replace(b"+", b" ")) if b"%" in b or b"+" in b else b


Field = tuple[int, int, str, bytes, tuple[str, str]]
"""A named value in a group: (start, end) in the raw text, name, decoded value, where segment."""


def form_fields(data: bytes, place: str = "", base: int = 0) -> list[Field]:
    """Form or query fields with their byte ranges, names and values URL-decoded.

    The where segment is ``(name, "form")``, or ``("query:name", "place")`` with ``place="query"``.
    """
    out: list[Field] = []
    pos = base
    for part in data.split(b"&"):
        if part:
            k, _, v = part.partition(b"=")
            name = _unquote_plus(k).decode("utf-8", "replace")
            seg = (f"{place}:{name}", "place") if place else (name, "form")
            out.append((pos, pos + len(part), name, _unquote_plus(v), seg))
        pos += len(part) + 1
    return out


def parse_form(data: bytes) -> list[tuple[str, bytes]]:
    """Form or query fields, URL-decoded: ``[("imei", b"3598..."), ...]``."""
    return [(name, value) for _, _, name, value, _ in form_fields(data)]


def _cookie_fields(value: bytes, base: int, first_only: bool) -> list[Field]:
    out: list[Field] = []
    pos = base
    for part in value.split(b";"):
        name, sep, val = part.partition(b"=")
        name_s = name.strip().decode("utf-8", "replace")
        if sep and name_s:
            out.append((pos, pos + len(part), name_s, val.strip().strip(b'"'), (f"cookie:{name_s}", "place")))
            if first_only:
                break
        pos += len(part) + 1
    return out


def header_fields(batch: bytes, with_url: bool) -> list[Field]:
    """Fields of a batch ``[path?query\n]Name: value\n...``: path, query:NAME, header:Name, cookie:NAME."""
    out: list[Field] = []
    pos = 0
    for i, line in enumerate(batch.split(b"\n")):
        if i == 0 and with_url:
            path, q, query = line.partition(b"?")
            if len(path) > 1:
                out.append((pos, pos + len(path), "path", path, ("path", "place")))
            if q:
                out.extend(form_fields(query, "query", pos + len(path) + 1))
        elif line:
            name, _, value = line.partition(b": ")
            name_s = name.decode("utf-8", "replace")
            lname = name_s.lower()
            if lname in ("cookie", "set-cookie"):
                out.extend(_cookie_fields(value, pos + len(name) + 2, lname == "set-cookie"))
            else:
                out.append((pos, pos + len(line), name_s, value, (f"header:{name_s}", "place")))
        pos += len(line) + 1
    return out


def parse_cookies(header: str) -> list[tuple[str, bytes]]:
    """``a=1; b=2`` as name/value pairs."""
    return [(name, value) for _, _, name, value, _ in _cookie_fields(header.encode("utf-8", "surrogateescape"), 0, False)]


def multipart_boundary(content_type: str, data: bytes) -> bytes | None:
    """The boundary from the Content-Type, or from the first line of a body that looks multipart."""
    if m := _BOUNDARY.search(content_type):
        return m.group(1).strip().encode("latin-1", "replace")
    if data.startswith(b"--") and b"content-disposition" in data[:1024].lower():
        line = data[2 : data.find(b"\n", 0, 200)].rstrip(b"\r")
        return line or None
    return None


def parse_multipart(data: bytes, boundary: bytes) -> list[tuple[str, dict[str, str], bytes]]:
    """Parts as (name, headers with lower-case names, body)."""
    parts = []
    for i, chunk in enumerate(data.split(b"--" + boundary)[1:]):
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        elif chunk.startswith(b"\n"):
            chunk = chunk[1:]
        head, sep, body = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, sep, body = chunk.partition(b"\n\n")
        if body.endswith(b"\r\n"):
            body = body[:-2]
        elif body.endswith(b"\n"):
            body = body[:-1]
        headers = {}
        for line in head.splitlines():
            k, _, v = line.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        disposition = headers.get("content-disposition", "").encode("latin-1")
        m = _DISPOSITION_NAME.search(disposition) or _FILENAME.search(disposition)
        name = m.group(1).decode("utf-8", "replace") if m else f"part{i}"
        parts.append((name, headers, body))
    return parts


def _varint(data: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    for k in range(_MAX_VARINT):
        if i + k >= len(data):
            raise ValueError("truncated varint")
        b = data[i + k]
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i + k + 1
        shift += 7
    raise ValueError("varint too long")


def protobuf_fields(data: bytes) -> list[tuple[int, int, bytes]] | None:
    """Top-level (field number, wire type, value bytes) if ALL of ``data`` is valid wire format."""
    fields = []
    i, n = 0, len(data)
    try:
        while i < n:
            key, i = _varint(data, i)
            number, wire = key >> 3, key & 7
            if number == 0 or number > 536_870_911:
                return None
            if wire == 0:
                start = i
                _, i = _varint(data, i)
            elif wire == 1 or wire == 5:
                start = i
                i += 8 if wire == 1 else 4
            elif wire == 2:
                length, start = _varint(data, i)
                i = start + length
            else:
                return None
            if i > n:
                return None
            fields.append((number, wire, data[start:i]))
    except ValueError:
        return None
    return fields or None


def protobuf_leaves(data: bytes, max_depth: int = 6, max_leaves: int = 4096) -> list[tuple[str, bytes]] | None:
    """Length-delimited values of a protobuf message as (``$.1.2`` path, bytes), nested messages
    opened; None if ``data`` is not a protobuf message."""
    top = protobuf_fields(data)
    if top is None:
        return None
    out: list[tuple[str, bytes]] = []
    stack = [("$", top, 0)]
    while stack and len(out) < max_leaves:
        prefix, fields, depth = stack.pop()
        for number, wire, value in fields:
            if wire != 2:
                continue
            path = f"{prefix}.{number}"
            sub = protobuf_fields(value) if depth < max_depth and value else None
            if sub is not None and (value[0] < 0x20 or not is_texty(value)):
                stack.append((path, sub, depth + 1))
            else:
                out.append((path, value))
    return out
