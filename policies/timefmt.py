"""Times as evidence shows them: epoch seconds on the host clock, written as ISO 8601 UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from piaudit.policies.times import is_plausible


def utc(t: float | None) -> str:
    """Epoch seconds as ISO 8601 UTC with milliseconds, or ``""`` for no time; never fails.

    A stored time that is not plausible (see :mod:`policies.times`) reads ``invalid time (…)``.

    >>> utc(1764000001.5)
    '2025-11-24T16:00:01.500Z'
    """
    if t is None:
        return ""
    if not is_plausible(t):
        return f"invalid time ({t!r})"
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
