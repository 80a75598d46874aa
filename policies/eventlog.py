"""The hook-events JSONL format: one timeline event per line, the same models as live sessions.

Timelines from other tools can be converted to this and audited with ``piaudit replay --hooks``.
A malformed line is a :class:`EventLogError` naming the file, the line and the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from piaudit.policies.models import ConsentEvent, HookEvent, HookStatus, LifecycleEvent, PermissionEvent, parse_event
from piaudit.policies.wording import problems


class EventLogError(ValueError):
    """A line of a hook-events file that is not a valid event."""


_MODELS = {m.model_fields["type"].default: m for m in (HookEvent, ConsentEvent, LifecycleEvent, PermissionEvent, HookStatus)}


def _problems(e: ValidationError, tag: Any) -> str:
    """Every problem of one event, worded as policy errors are (see :mod:`policies.wording`)."""
    found = problems(e, _MODELS.get(tag), skip=tuple(_MODELS))
    return "; ".join(text for _, text in found) or "not a valid event"


def read_events(path: Path) -> Iterator[Any]:
    """Yield the events of a JSONL file in order; blank lines and ``#`` comments are skipped."""
    try:
        fh = open(path, "rb")
    except OSError as e:
        raise EventLogError(f"{path}: cannot read: {e.strerror}") from e
    with fh:
        for number, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8").strip()
            except UnicodeDecodeError as e:
                raise EventLogError(f"{path}:{number}: not UTF-8 (byte {e.start})") from e
            if not text or text.startswith("#"):
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as e:
                raise EventLogError(f"{path}:{number}: not JSON: {e.msg} at column {e.colno}") from e
            except RecursionError:
                raise EventLogError(f"{path}:{number}: nested too deep to be an event") from None
            if not isinstance(data, dict):
                raise EventLogError(f"{path}:{number}: an event must be a JSON object")
            if "type" not in data:
                raise EventLogError(f"{path}:{number}: type: missing (one of hook:call, consent:signal, lifecycle:change, permission:request, hook:status)")
            try:
                yield parse_event(data)
            except ValidationError as e:
                raise EventLogError(f"{path}:{number}: {_problems(e, data.get('type'))}") from e


def write_events(path: Path, events: Iterable[Any]) -> int:
    """Write events as JSONL (ids dropped); returns how many."""
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for event in events:
            fh.write(event.model_dump_json(exclude={"id"}) + "\n")
            n += 1
    return n
