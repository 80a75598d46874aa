"""Read stored captures (mitmproxy ``.mitm`` and HAR) entry by entry, naming any entry that is malformed.

A ``.mitm`` file is a run of tnetstrings, one per flow, each led by its length. :func:`mitm_spans`
reads only those length prefixes (a few bytes a flow) and cuts the file into spans of whole
entries (:class:`Span`); :func:`read_span` parses one span into flows. Replay hands spans to worker
processes and :func:`read_mitm` reads them one after the other: either way the first entry that
cannot be read raises :class:`CaptureError` with its number and byte offset.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mitmproxy import flow as mflow
from mitmproxy import websocket
from mitmproxy.io import compat, tnetstring
from mitmproxy.io.har import request_to_flow

from piaudit.addons.flowmodel import implausible_time

MAX_PREFIX_DIGITS = 12  # as mitmproxy's own reader: a longer length prefix is damage, not a flow
SPAN_ENTRIES = 200  # entries per span: big enough that handing a span to a worker costs little
SPAN_BYTES = 8 << 20  # and few enough bytes that large bodies do not make a span large (one entry at least)


class CaptureError(ValueError):
    """A capture that cannot be read, naming the file and the entry."""


@dataclass(frozen=True)
class Span:
    """Consecutive whole entries of a ``.mitm`` file: where the first starts, and each one's size."""

    first: int  # number of the first entry, from 0
    offset: int  # byte offset of the first entry
    sizes: tuple[int, ...]  # bytes of each entry, length prefix and type tag included

    @property
    def size(self) -> int:
        """Bytes of the whole span."""
        return sum(self.sizes)


def detect_format(path: Path) -> str:
    """``"har"`` or ``"mitm"``, by the first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    return "har" if head.lstrip(b"\xef\xbb\xbf").startswith(b"{") else "mitm"


# ---------------------------------------------------------------------- .mitm


def _entry(path: Path, index: int, offset: int) -> str:
    return f"{path}: entry {index + 1} (byte {offset})"


def _short(e: BaseException) -> str:
    """An error message on one line and short: mitmproxy's quote the rest of the entry, which helps nobody."""
    text = " ".join(str(e).split()).split(": b'")[0].split(': b"')[0]
    return text if len(text) <= 120 else text[:117] + "..."


def mitm_spans(path: Path, entries_per_span: int = SPAN_ENTRIES, bytes_per_span: int = SPAN_BYTES) -> Iterator[Span]:
    """Cut a ``.mitm`` file into spans of whole entries, reading only the length prefixes.

    A span ends at ``entries_per_span`` entries or once it holds ``bytes_per_span`` bytes. The
    entries before a damaged one are still yielded, then :class:`CaptureError` names it.
    """
    with open(path, "rb", buffering=1 << 16) as fh:
        index = offset = first = start = 0
        sizes: list[int] = []
        span_bytes = 0
        while True:
            fh.seek(offset)
            head = fh.read(MAX_PREFIX_DIGITS + 1)
            if not head:
                break
            colon = head.find(b":")
            digits = head[:colon] if colon > 0 else b""
            problem = None
            if not digits.isdigit():
                problem = "not a mitmproxy flow (no length prefix here: the file is damaged or not a .mitm capture)"
            else:
                end = offset + colon + 1 + int(digits) + 1
                fh.seek(end - 1)
                tag = fh.read(1)
                if not tag:
                    left = os.fstat(fh.fileno()).st_size - offset
                    problem = f"cut short: the entry needs {end - offset} bytes, the file has {left} left"
                elif tag != b"}":
                    problem = f"not a flow object (type tag {tag!r}): the file is damaged here"
            if problem is not None:
                if sizes:
                    yield Span(first, start, tuple(sizes))
                raise CaptureError(f"{_entry(path, index, offset)}: {problem}")
            sizes.append(end - offset)
            span_bytes += end - offset
            offset, index = end, index + 1
            if len(sizes) >= entries_per_span or span_bytes >= bytes_per_span:
                yield Span(first, start, tuple(sizes))
                first, start, sizes, span_bytes = index, offset, [], 0
        if sizes:
            yield Span(first, start, tuple(sizes))


def read_span(path: Path, span: Span) -> Iterator[mflow.Flow]:
    """The flows of one span; an entry that is not a valid flow raises :class:`CaptureError`."""
    with open(path, "rb") as fh:
        fh.seek(span.offset)
        data = fh.read(span.size)
    view, pos = memoryview(data), 0
    for i, size in enumerate(span.sizes):
        where = _entry(path, span.first + i, span.offset + pos)
        if pos + size > len(data):
            raise CaptureError(f"{where}: cut short (the file changed while it was read)")
        try:
            state = tnetstring.loads(view[pos : pos + size])
        except (ValueError, TypeError, IndexError) as e:  # what mitmproxy's FlowReader treats as damage
            raise CaptureError(f"{where}: not a mitmproxy flow ({_short(e)})") from e
        pos += size
        if not isinstance(state, dict):
            raise CaptureError(f"{where}: not a flow object")
        try:
            f = mflow.Flow.from_state(compat.migrate_flow(state))
        except Exception as e:  # mitmproxy's state loaders raise many kinds on malformed input
            raise CaptureError(f"{where}: invalid flow: {type(e).__name__}: {_short(e)}") from e
        if problem := implausible_time(f):
            raise CaptureError(f"{where}: {problem}")
        yield f


def read_mitm(path: Path) -> Iterator[mflow.Flow]:
    """Flows of a ``.mitm`` file; a bad entry raises :class:`CaptureError` with its number and offset."""
    for span in mitm_spans(path):
        yield from read_span(path, span)


# ---------------------------------------------------------------------- HAR


def har_flow_id(index: int, entry: dict) -> str:
    """A stable flow id for a HAR entry (HAR keeps none): the same file always gives the same ids."""
    key = f"{index}|{entry.get('startedDateTime')}|{entry.get('request', {}).get('url')}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


_HAR_REQUIRED = {
    "": ("startedDateTime", "time", "request", "response"),
    "request": ("method", "url", "httpVersion", "headers"),
    "response": ("status", "httpVersion", "headers", "content"),
}


def _har_entry_problem(entry: Any) -> str | None:
    """What a HAR entry lacks that mitmproxy's HAR reader needs (``missing field 'request.url'``), if anything."""
    if not isinstance(entry, dict):
        return "not a JSON object"
    for parent, names in _HAR_REQUIRED.items():
        obj = entry[parent] if parent else entry
        if not isinstance(obj, dict):
            return f"field {parent!r} is not a JSON object"
        for name in names:
            if name not in obj:
                return f"missing field {f'{parent}.{name}' if parent else name!r} (HAR 1.2 requires it)"
    return None


def _websocket(entry: dict, where: str) -> websocket.WebSocketData | None:
    """Chrome's ``_webSocketMessages`` (also written by ``piaudit report --format har``) as mitmproxy's WebSocket data."""
    frames = entry.get("_webSocketMessages")
    if frames is None:
        return None
    if not isinstance(frames, list):
        raise CaptureError(f"{where}._webSocketMessages: not a list")
    data = websocket.WebSocketData()
    for n, frame in enumerate(frames):
        at = f"{where}._webSocketMessages[{n}]"
        if not isinstance(frame, dict) or frame.get("type") not in ("send", "receive"):
            raise CaptureError(f"{at}: not a message (needs type send or receive)")
        opcode, text, t = frame.get("opcode"), frame.get("data"), frame.get("time")
        if opcode not in (1, 2) or not isinstance(text, str) or isinstance(t, bool) or not isinstance(t, int | float):
            if opcode in (8, 9, 10):  # close, ping, pong: control frames carry no message
                continue
            raise CaptureError(f"{at}: needs opcode 1 (text) or 2 (binary), data (a string) and time (epoch seconds)")
        content = text.encode("utf-8", "surrogateescape")
        if opcode == 2:  # binary frames are base64 in Chrome's HAR (and in piaudit's)
            try:
                content = base64.b64decode(text, validate=True)
            except ValueError:
                pass  # not base64 (a redaction note): kept as its text
        kind = websocket.Opcode.TEXT if opcode == 1 else websocket.Opcode.BINARY
        data.messages.append(websocket.WebSocketMessage(kind, frame["type"] == "send", content, float(t)))
    return data


def _har_flow(entry: Any, where: str) -> mflow.Flow:
    """One HAR entry as a flow; raises :class:`CaptureError` naming the entry (and field) that is damaged."""
    problem = _har_entry_problem(entry)
    if problem is not None:
        raise CaptureError(f"{where}: {problem}")
    url = entry["request"]["url"]
    if isinstance(url, str) and url.startswith(("ws://", "wss://")):  # a browser's WebSocket: the upgrade request
        entry = entry | {"request": entry["request"] | {"url": "http" + url[2:]}}
    try:
        f = request_to_flow(entry)
    except Exception as e:  # mitmproxy's HAR reader raises many kinds
        raise CaptureError(f"{where}: cannot read this entry: {type(e).__name__}: {e}") from e
    post = entry["request"].get("postData") or {}
    if post.get("encoding") == "base64" and isinstance(post.get("text"), str):
        try:  # mitmproxy's reader ignores the encoding: binary bodies would stay base64 text
            f.request.content = base64.b64decode(post["text"])
        except ValueError as e:
            raise CaptureError(f"{where}.request.postData: invalid base64 ({e})") from e
    f.websocket = _websocket(entry, where)
    if problem := implausible_time(f):
        raise CaptureError(f"{where}: startedDateTime {entry.get('startedDateTime')!r}: {problem}")
    return f


def read_har(path: Path, *, strict: bool = True, on_skip: Callable[[str], None] | None = None) -> Iterator[mflow.Flow]:
    """Flows of a HAR file; a bad entry raises :class:`CaptureError` naming ``log.entries[i]``.

    With ``strict=False`` a damaged entry is skipped instead and ``on_skip`` gets the same
    one-line message (a browser's HAR often has an entry or two that no reader accepts).
    """
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise CaptureError(f"{path}: not a HAR file: not UTF-8 (byte {e.start})") from e
    except json.JSONDecodeError as e:
        raise CaptureError(f"{path}: line {e.lineno}, column {e.colno}: not a HAR file: invalid JSON ({e.msg})") from e
    except RecursionError:
        raise CaptureError(f"{path}: not a HAR file: nested too deep") from None
    try:
        entries = data["log"]["entries"]
    except (KeyError, TypeError) as e:
        raise CaptureError(f"{path}: not a HAR file: no log.entries") from e
    if not isinstance(entries, list):
        raise CaptureError(f"{path}: log.entries is not a list")
    for i, entry in enumerate(entries):
        try:
            f = _har_flow(entry, f"{path}: log.entries[{i}]")
        except CaptureError as e:
            if strict:
                raise
            if on_skip is not None:
                on_skip(str(e))
            continue
        f.id = entry.get("_piaudit_flow_id") or har_flow_id(i, entry)
        yield f


def read_capture(path: Path, *, strict: bool = True, on_skip: Callable[[str], None] | None = None) -> Iterator[mflow.Flow]:
    """Flows of a capture file, whatever its format (``strict``/``on_skip``: see :func:`read_har`)."""
    if not path.is_file():
        raise CaptureError(f"{path}: no such file")
    return read_har(path, strict=strict, on_skip=on_skip) if detect_format(path) == "har" else read_mitm(path)
