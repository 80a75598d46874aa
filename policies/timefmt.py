"""Times as evidence shows them: epoch seconds on the host clock, written as ISO 8601 UTC, or in a time zone.

Reports for a jurisdiction show its time (China: ``Asia/Shanghai``) beside UTC. The zone of
a country is the first one the system's time-zone database lists for it (``zone.tab``: the
most populous zone first, e.g. ``America/New_York`` for ``US``); ``piaudit report --tz`` chooses
another.
"""

from __future__ import annotations

import difflib
from datetime import UTC, datetime, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from piaudit.policies.times import is_plausible

ZONE_TABLES = (Path("/usr/share/zoneinfo/zone.tab"), Path("/usr/share/zoneinfo/zone1970.tab"))


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


def local(t: float | None, zone: tzinfo) -> str:
    """Epoch seconds in ``zone``, ``2025-11-25 00:00:01.500 +08:00``, or ``""``; never fails (as :func:`utc`).

    >>> local(1764000001.5, ZoneInfo("Asia/Shanghai"))
    '2025-11-25 00:00:01.500 +08:00'
    """
    if t is None:
        return ""
    if not is_plausible(t):
        return f"invalid time ({t!r})"
    moment = datetime.fromtimestamp(t, zone)
    offset = moment.strftime("%z")
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + f" {offset[:3]}:{offset[3:]}"


class TimeZoneError(ValueError):
    """A time-zone name the system does not know."""


def zone(name: str) -> ZoneInfo:
    """The zone called ``name`` (``Asia/Shanghai``, ``UTC``); :class:`TimeZoneError` names close ones."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        close = difflib.get_close_matches(name, sorted(available_timezones()), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else " (an IANA name such as Asia/Shanghai or Europe/Berlin)"
        raise TimeZoneError(f"unknown time zone {name!r}{hint}") from e


@cache
def country_zone(country: str | None) -> ZoneInfo:
    """The main time zone of a country (ISO 3166-1 alpha-2); UTC when unknown.

    >>> country_zone("CN").key, country_zone("DE").key, country_zone(None).key
    ('Asia/Shanghai', 'Europe/Berlin', 'UTC')
    """
    if country:
        for table in ZONE_TABLES:
            try:
                lines = table.read_text(encoding="utf-8").splitlines()
            except OSError:
                continue
            for line in lines:
                fields = line.split("\t")
                if len(fields) >= 3 and not line.startswith("#") and country.upper() in fields[0].split(","):
                    return ZoneInfo(fields[2])
    return ZoneInfo("UTC")
