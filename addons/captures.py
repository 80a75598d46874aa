"""Read stored captures (mitmproxy ``.mitm`` and HAR) entry by entry, naming any entry that is malformed."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

from mitmproxy import flow as mflow
from mitmproxy.io import compat, tnetstring
from mitmproxy.io.har import request_to_flow


class CaptureError(ValueError):
    """A capture that cannot be read, naming the file and the entry."""


def detect_format(path: Path) -> str:
    """``"har"`` or ``"mitm"``, by the first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    return "har" if head.lstrip(b"\xef\xbb\xbf").startswith(b"{") else "mitm"


def read_mitm(path: Path) -> Iterator[mflow.Flow]:
    """Flows of a ``.mitm`` file; a bad entry raises :class:`CaptureError` with its number and offset."""
    with open(path, "rb") as fh:
        index = 0
        while True:
            offset = fh.tell()
            if not fh.peek(1):
                return
            try:
                loaded = tnetstring.load(fh)
            except ValueError as e:
                if str(e) == "not a tnetstring: empty file":
                    return
                raise CaptureError(f"{path}: entry {index + 1} (byte {offset}): not a mitmproxy flow ({e})") from e
            except (TypeError, IndexError) as e:
                raise CaptureError(f"{path}: entry {index + 1} (byte {offset}): not a mitmproxy flow ({e})") from e
            if not isinstance(loaded, dict):
                raise CaptureError(f"{path}: entry {index + 1} (byte {offset}): not a flow object")
            try:
                yield mflow.Flow.from_state(compat.migrate_flow(loaded))
            except (ValueError, KeyError, TypeError) as e:
                raise CaptureError(f"{path}: entry {index + 1} (byte {offset}): invalid flow: {e}") from e
            index += 1


def har_flow_id(index: int, entry: dict) -> str:
    """A stable flow id for a HAR entry (HAR keeps none): the same file always gives the same ids."""
    key = f"{index}|{entry.get('startedDateTime')}|{entry.get('request', {}).get('url')}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def read_har(path: Path) -> Iterator[mflow.Flow]:
    """Flows of a HAR file; a bad entry raises :class:`CaptureError` naming ``log.entries[i]``."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CaptureError(f"{path}: not a HAR file: {e}") from e
    try:
        entries = data["log"]["entries"]
    except (KeyError, TypeError) as e:
        raise CaptureError(f"{path}: not a HAR file: no log.entries") from e
    if not isinstance(entries, list):
        raise CaptureError(f"{path}: log.entries is not a list")
    for i, entry in enumerate(entries):
        try:
            f = request_to_flow(entry)
        except Exception as e:  # mitmproxy's HAR reader raises many kinds
            raise CaptureError(f"{path}: log.entries[{i}]: cannot read this entry: {type(e).__name__}: {e}") from e
        post = (entry.get("request") or {}).get("postData") or {}
        if post.get("encoding") == "base64" and isinstance(post.get("text"), str):
            try:  # mitmproxy's reader ignores the encoding: binary bodies would stay base64 text
                f.request.content = base64.b64decode(post["text"])
            except ValueError as e:
                raise CaptureError(f"{path}: log.entries[{i}].request.postData: invalid base64 ({e})") from e
        f.id = entry.get("_piaudit_flow_id") or har_flow_id(i, entry)
        yield f


def read_capture(path: Path) -> Iterator[mflow.Flow]:
    """Flows of a capture file, whatever its format."""
    if not path.is_file():
        raise CaptureError(f"{path}: no such file")
    return read_har(path) if detect_format(path) == "har" else read_mitm(path)

