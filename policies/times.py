"""Times: what counts as a plausible one, how one is read from the user, how one is shown.

Every time piaudit stores is UNIX epoch seconds. A time from outside (a hook-events file, a
capture, the agent, ``piaudit consent --at``) must be finite and lie between 1970-01-01 and
2100-01-01 (:data:`EARLIEST`, :data:`LATEST`): the models check it (:func:`plausible`), so an
impossible time is refused at the door with one line instead of being chained for ever.
Readers still never fail on a stored bad value (a row written by an older piaudit):
:func:`utc_text` shows it as ``invalid time (1e+20)``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ValidationInfo

EARLIEST = 0.0  # 1970-01-01T00:00:00Z
LATEST = 4_102_444_800.0  # 2100-01-01T00:00:00Z
RANGE = "epoch seconds from 1970 to 2100"


def plausible(t: float) -> float:
    """``t`` if it is a plausible time, else ValueError naming the range.

    >>> plausible(1764000000.0)
    1764000000.0
    """
    if not math.isfinite(t) or not EARLIEST <= t < LATEST:
        raise ValueError(f"{t!r} is not a plausible time ({RANGE})")
    return t


STORED = {"stored": True}
"""Validation context for reading back what piaudit stored: a bad time is kept (and shown as invalid), not refused."""


def _before(value: Any, info: ValidationInfo) -> Any:
    if value is None and info.context and info.context.get("stored"):
        return math.nan  # JSON keeps no infinity: a stored inf reads back as null
    return value


def _after(value: float, info: ValidationInfo) -> float:
    if info.context and info.context.get("stored"):
        return value
    return plausible(value)


EpochTime = Annotated[float, BeforeValidator(_before), AfterValidator(_after)]
"""A float field holding a plausible epoch time (the models use it for every time); lenient under :data:`STORED`."""


def is_plausible(t: object) -> bool:
    """Whether ``t`` is a number that :func:`plausible` accepts."""
    return isinstance(t, int | float) and not isinstance(t, bool) and math.isfinite(t) and EARLIEST <= t < LATEST


def parse_user_time(text: str) -> float:
    """Epoch seconds or ISO 8601 (``2026-11-28T17:03:00+00:00``; no zone: local time) to a plausible time."""
    try:
        t = float(text)
    except ValueError:
        try:
            t = datetime.fromisoformat(text).timestamp()
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"{text!r}: give epoch seconds or an ISO 8601 time (2026-11-28T17:03:00+00:00)") from None
    return plausible(t)


def utc_text(t: float | None, *, seconds_only: bool = False) -> str:
    """``2025-11-24T16:00:01.500Z`` (``""`` for None); a stored impossible time as ``invalid time (…)``."""
    if t is None:
        return ""
    if not is_plausible(t):
        return f"invalid time ({t!r})"
    moment = datetime.fromtimestamp(t, UTC)
    if seconds_only:
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def iso_or_epoch(t: float | None) -> str:
    """ISO 8601 with offset for HAR's ``startedDateTime``; the epoch for a missing or impossible time."""
    return datetime.fromtimestamp(t if t is not None and is_plausible(t) else 0.0, UTC).isoformat()
