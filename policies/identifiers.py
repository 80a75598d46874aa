"""The known identifiers of the device under test: normalised, versioned, thread-safe.

Values arrive from two places: an identifiers file the auditor writes (see
:func:`load_identifiers`) and the Frida hooks, whose events carry
``identifiers: {"mac": ["02:1A:11:F4:3B:9C"], ...}``. Both go through
:meth:`Identifiers.add`, which normalises the value (MAC lower-case with colons,
IMEI digits only, ...) and ignores degenerate ones (``unknown``, the dummy MAC
``02:00:00:00:00:00``, all-zero ids) with a reason the caller can read.

Example::

    ids = Identifiers()
    ids.add("mac", "02-1A-11-F4-3B-9C")        # True: stored as "02:1a:11:f4:3b:9c"
    ids.add("mac", "02:00:00:00:00:00")        # False: ids.last_ignored says why
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from piaudit.policies.vocab import DATA_TYPES, DataType
from piaudit.policies.wording import suggest


class IdentifiersError(ValueError):
    """An identifiers file the auditor wrote is unusable; the message names the file and key."""


class IgnoredValue(ValueError):
    """A value that is not worth searching for (too short, a placeholder, a dummy)."""


MIN_LENGTH = 4
MIN_DEVICE_INFO = 6  # "Redmi", "13": brand names and versions are too common; models and fingerprints are not
_PLACEHOLDERS = frozenset(
    {
        "unknown",
        "null",
        "none",
        "nil",
        "undefined",
        "n/a",
        "default",
        "<unknown ssid>",
        "0x",
        "0123456789abcdef",  # a serial many cheap devices and emulators share
        "android",
        "empty",
    }
)
_DUMMY_MACS = frozenset({"02:00:00:00:00:00", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"})
_MAC_TYPES = frozenset({DataType.mac, DataType.bluetooth_mac, DataType.bssid})
_SEPARATORS = re.compile(r"[\s:\-.]")
_HEX = re.compile(r"[0-9a-f]+")
_DIGITS = re.compile(r"\d+")
_LOCATION_TEXT = re.compile(r"\s*(-?\d{1,3}(?:\.\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*")
_REJECTED_KEEP = 100


def luhn_digit(digits: str) -> str:
    """The Luhn check digit for ``digits`` (IMEI, ICCID). ``luhn_digit("35988103031435") == "6"``."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(digits: str) -> bool:
    """True if the last digit of ``digits`` is its Luhn check digit."""
    return len(digits) > 1 and luhn_digit(digits[:-1]) == digits[-1]


def _degenerate(text: str) -> str | None:
    """Why ``text`` is useless as a search string, or None."""
    if len(text) < MIN_LENGTH:
        return f"shorter than {MIN_LENGTH} characters"
    low = text.lower()
    if low in _PLACEHOLDERS:
        return "a placeholder, not an identifier"
    core = _SEPARATORS.sub("", low)
    if core and len(set(core)) == 1:
        return "one repeated character (all-zero or blank id)"
    return None


def _mac(value: str) -> str:
    core = _SEPARATORS.sub("", value).lower()
    if len(core) != 12 or not _HEX.fullmatch(core):
        raise IgnoredValue("not a MAC address (expected 12 hex digits)")
    mac = ":".join(core[i : i + 2] for i in range(0, 12, 2))
    if mac in _DUMMY_MACS:
        raise IgnoredValue(f"{mac} is the dummy MAC Android returns instead of the real one")
    return mac


def _digits(value: str, what: str, lengths: range) -> str:
    core = re.sub(r"[\s\-]", "", value)
    if not _DIGITS.fullmatch(core) or len(core) not in lengths:
        raise IgnoredValue(f"not {what} (expected {lengths.start}-{lengths.stop - 1} digits)")
    return core


def normalise_value(data_type: DataType | str, value: str) -> str:
    """The canonical form of ``value`` for ``data_type``; raises :class:`IgnoredValue` with a reason.

    >>> normalise_value("mac", "02-1A-11-F4-3B-9C")
    '02:1a:11:f4:3b:9c'
    """
    dtype = DataType(data_type)
    if not isinstance(value, str):
        raise IgnoredValue(f"expected a string, got {type(value).__name__}")
    text = value.strip()
    if dtype in _MAC_TYPES:
        text = _mac(text)
    elif dtype is DataType.imei:
        text = _digits(text, "an IMEI", range(14, 17))
    elif dtype is DataType.imsi:
        text = _digits(text, "an IMSI", range(6, 16))
    elif dtype is DataType.iccid:
        text = re.sub(r"[\s\-]", "", text).upper()
        if not re.fullmatch(r"\d{17,22}F?", text):
            raise IgnoredValue("not an ICCID (expected 18-22 digits)")
    elif dtype is DataType.meid:
        text = re.sub(r"[\s\-]", "", text).upper()
        if not re.fullmatch(r"[0-9A-F]{14,15}|\d{18}", text):
            raise IgnoredValue("not a MEID (expected 14 hex digits or 18 decimal digits)")
    elif dtype is DataType.phone:
        plus = text.startswith("+")
        text = re.sub(r"[\s\-().]", "", text).lstrip("+")
        if not _DIGITS.fullmatch(text) or len(text) < 5:
            raise IgnoredValue("not a phone number (expected at least 5 digits)")
        text = "+" + text if plus else text
    elif dtype in (DataType.ad_id, DataType.oaid, DataType.android_id):
        text = text.lower()
        if dtype is DataType.ad_id and re.fullmatch(r"[0-9a-f]{32}", text):
            text = f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    elif dtype is DataType.ssid:
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
    elif dtype is DataType.email:
        text = text.lower()
        if "@" not in text:
            raise IgnoredValue("not an e-mail address (no @)")
    elif dtype is DataType.ip:
        if text in {"0.0.0.0", "127.0.0.1", "::1", "255.255.255.255", "::"}:
            raise IgnoredValue("a loopback or unspecified address")
    elif dtype is DataType.location:
        raise IgnoredValue("locations are (lat, lon) pairs: use add_location")
    elif dtype is DataType.carrier:
        if _DIGITS.fullmatch(text):
            # MCC+MNC (46001): a 3-digit country code 2xx-7xx and a 2-3 digit network code
            if len(text) not in (5, 6) or text[0] not in "234567":
                raise IgnoredValue("not an MCC/MNC (expected 5-6 digits, MCC 200-799)")
        elif len(text) < MIN_LENGTH:
            raise IgnoredValue("a country code or an abbreviation: too short to search for")
    elif dtype is DataType.device_info:
        if len(text) < MIN_DEVICE_INFO or _DIGITS.fullmatch(text):
            raise IgnoredValue(f"too generic to search for (a version number or a name under {MIN_DEVICE_INFO} characters)")
    elif dtype in (DataType.network_state, DataType.cell_location):
        raise IgnoredValue(f"{dtype.value} values (network types, cell ids) are too generic to search for in traffic")
    reason = _degenerate(text)
    if reason:
        raise IgnoredValue(reason)
    return text


def parse_location(value: Any) -> tuple[float, float]:
    """``(lat, lon)`` from ``{"lat": .., "lon": ..}`` or ``"lat,lon"``; raises ValueError with a reason."""
    if isinstance(value, Mapping):
        lat = value.get("lat", value.get("latitude"))
        lon = value.get("lon", value.get("lng", value.get("longitude")))
        if lat is None or lon is None:
            raise ValueError("a location needs 'lat' and 'lon'")
    elif isinstance(value, str) and (m := _LOCATION_TEXT.fullmatch(value)):
        lat, lon = m.group(1), m.group(2)
    else:
        raise ValueError('expected {"lat": number, "lon": number} or "lat,lon"')
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        raise ValueError("'lat' and 'lon' must be numbers") from None
    if not (math.isfinite(lat_f) and math.isfinite(lon_f) and -90 <= lat_f <= 90 and -180 <= lon_f <= 180):
        raise ValueError(f"({lat_f}, {lon_f}) is not a position (lat -90..90, lon -180..180)")
    if lat_f == 0 and lon_f == 0:
        raise ValueError("(0, 0) is the placeholder of an unknown position")
    return lat_f, lon_f


class Identifiers:
    """The known values of the device under test; ``version`` bumps on every change.

    Safe to share between a hook thread that calls :meth:`add` and a proxy thread that
    scans: readers take :meth:`snapshot`, which copies under the lock.
    """

    def __init__(self) -> None:
        self.values: dict[DataType, set[str]] = {}
        self.locations: list[tuple[float, float]] = []
        self.version = 0
        self.last_ignored: str | None = None
        self.ignored: dict[tuple[str, str], str] = {}  # (data type, raw value) -> reason, last 100
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return sum(len(v) for v in self.values.values()) + len(self.locations)

    def __repr__(self) -> str:
        counts = {str(k): len(v) for k, v in self.values.items()}
        return f"Identifiers(version={self.version}, {counts}, locations={len(self.locations)})"

    def _ignore(self, data_type: str, raw: str, reason: str) -> bool:
        self.last_ignored = f"{data_type} {raw!r}: {reason}"
        if len(self.ignored) >= _REJECTED_KEEP:
            self.ignored.pop(next(iter(self.ignored)))
        self.ignored[(str(data_type), raw)] = reason
        return False

    def add(self, data_type: DataType | str, value: str) -> bool:
        """Add one value (normalised); True if it is new. Ignored values set :attr:`last_ignored`."""
        try:
            dtype = DataType(data_type)
        except ValueError:
            return self._ignore(str(data_type), str(value), "not a data type of the vocabulary")
        if dtype is DataType.location:
            try:
                return self.add_location(*parse_location(value))
            except ValueError as e:
                return self._ignore(dtype, str(value), str(e))
        try:
            norm = normalise_value(dtype, value)
        except IgnoredValue as e:
            return self._ignore(dtype, str(value), str(e))
        with self._lock:
            bucket = self.values.setdefault(dtype, set())
            if norm in bucket:
                return False
            bucket.add(norm)
            self.version += 1
        self.last_ignored = None
        return True

    def add_location(self, lat: float, lon: float) -> bool:
        """Add a known position; True if it is new (positions within 1e-6 degrees are the same)."""
        try:
            lat, lon = parse_location({"lat": lat, "lon": lon})
        except ValueError as e:
            return self._ignore("location", f"{lat},{lon}", str(e))
        with self._lock:
            if any(abs(lat - a) < 1e-6 and abs(lon - b) < 1e-6 for a, b in self.locations):
                return False
            self.locations.append((lat, lon))
            self.version += 1
        return True

    def add_many(self, identifiers: Mapping[str, Iterable[str] | str]) -> tuple[int, list[str]]:
        """Add a hook event's ``identifiers`` dict; returns (values added, reasons for ignored ones)."""
        added, reasons = 0, []
        for key, values in identifiers.items():
            for value in [values] if isinstance(values, str) else values:
                if self.add(key, value):
                    added += 1
                elif self.last_ignored:
                    reasons.append(self.last_ignored)
        return added, reasons

    def merge(self, other: Identifiers) -> bool:
        """Add everything ``other`` knows; True if anything was new."""
        values, locations, _ = other.snapshot()
        changed = False
        for dtype, vals in values.items():
            for v in sorted(vals):
                changed |= self.add(dtype, v)
        for lat, lon in locations:
            changed |= self.add_location(lat, lon)
        return changed

    def snapshot(self) -> tuple[dict[DataType, frozenset[str]], tuple[tuple[float, float], ...], int]:
        """A consistent copy: (values, locations, version)."""
        with self._lock:
            return (
                {k: frozenset(v) for k, v in self.values.items() if v},
                tuple(self.locations),
                self.version,
            )

    def to_json(self) -> dict[str, Any]:
        """The identifiers-file form: ``{"imei": [...], "location": [{"lat":..,"lon":..}]}``."""
        values, locations, _ = self.snapshot()
        out: dict[str, Any] = {str(k): sorted(v) for k, v in sorted(values.items())}
        if locations:
            out["location"] = [{"lat": a, "lon": b} for a, b in sorted(locations)]
        return out

    def sha256(self) -> str:
        """A hash of the canonical JSON form, recorded with the session for reproducibility."""
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number", dict: "object", list: "list"}.get(type(value), type(value).__name__)


def identifiers_from_json(data: Any, source: str = "<identifiers>") -> Identifiers:
    """Build :class:`Identifiers` from the parsed JSON of an identifiers file; errors name ``source``.

    Every problem is listed (one line each) in the :class:`IdentifiersError`, not just the first.
    """
    if not isinstance(data, dict):
        raise IdentifiersError(f"{source}: expected a JSON object mapping data types to values")
    ids = Identifiers()
    problems: list[str] = []
    for key, raw in data.items():
        if key not in DataType.__members__:
            known = " (known: " + ", ".join(t.value for t in DataType) + ")"
            problems.append(f"{source}: key {key!r}: not a data type{suggest(str(key), DATA_TYPES) or known}")
            continue
        problem = _add_values(ids, DataType(key), raw, f"{source}: key {key!r}")
        if problem:
            problems.append(problem)
    if problems:
        raise IdentifiersError("\n".join(problems))
    return ids


def _add_values(ids: Identifiers, dtype: DataType, raw: Any, where: str) -> str | None:
    """Add one key's values; the first problem with them, if any."""
    for item in raw if isinstance(raw, list) else [raw]:
        if dtype is DataType.location:
            if not isinstance(item, dict):
                return f'{where}: expected an object {{"lat": .., "lon": ..}} or a list of them, got {_type_name(item)}'
            try:
                ids.add_location(*parse_location(item))
            except ValueError as e:
                return f"{where}: {e}"
            continue
        if not isinstance(item, str):
            hint = " (quote it: JSON numbers lose leading zeros)" if isinstance(item, int | float) else ""
            return f"{where}: expected a string or a list of strings, got {_type_name(item)}{hint}"
        try:
            norm = normalise_value(dtype, item)
        except IgnoredValue as e:
            return f"{where}: value {item!r} is not usable: {e}"
        ids.add(dtype, norm)
    return None


def load_identifiers(path: Path) -> Identifiers:
    """Read an identifiers file (JSON); raises :class:`IdentifiersError` ``"FILE: key 'x': reason"``.

    Example file::

        {"imei": ["359881030314356"], "mac": "02:1a:11:f4:3b:9c",
         "location": {"lat": 39.9042, "lon": 116.4074}}
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise IdentifiersError(f"{path}: cannot read the identifiers file: {e}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise IdentifiersError(f"{path}: line {e.lineno} column {e.colno}: not valid JSON: {e.msg}") from None
    except RecursionError:
        raise IdentifiersError(f"{path}: nested too deep to be an identifiers file (a flat object of lists is expected)") from None
    return identifiers_from_json(data, str(path))
