"""Encoded forms of known values: every byte string that betrays an identifier on the wire.

For each identifier the textual *forms* (MAC with ``:``, ``-`` or no separator, upper and
lower case, IMEI with 14 or 15 digits, phone with and without country code, ...) are
each expanded into *needles*: the plain form, hex, base64 (standard and URL-safe, in all
three byte alignments so that a value inside a larger base64 blob is found), and MD5 /
SHA-1 / SHA-256 digests as lower and upper hex, as base64 and as raw bytes. Each needle
carries the encoding chain that produced it (``("base64", "md5")``).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from piaudit.policies.identifiers import luhn_digit
from piaudit.policies.vocab import DataType

LIST_TYPES = frozenset({DataType.installed_apps, DataType.running_apps})
"""Types whose values are members of a list: one alone proves little, a few together do."""

_MAC_TYPES = frozenset({DataType.mac, DataType.bluetooth_mac, DataType.bssid})
_HASHES = (("md5", hashlib.md5), ("sha1", hashlib.sha1), ("sha256", hashlib.sha256))
BOUNDED_BELOW = 12
"""Plain and hex needles shorter than this must stand alone (no letter or digit either side)."""
MIN_BASE64_CORE = 10
_UPPER_ESCAPE = re.compile(r"\\u([0-9a-f]{4})")


@dataclass(frozen=True, slots=True)
class Needle:
    """What a matched search string means."""

    data_type: DataType
    value: str  # the normalised identifier, reported as Detection.value
    chain: tuple[str, ...]  # encodings from the matched text to the value, outermost first
    bounded: bool = False  # must not touch a letter or digit on either side
    listed: bool = False  # a member of a list type: counts only with others


def _case(*texts: str) -> list[str]:
    out: list[str] = []
    for t in texts:
        for v in (t, t.lower(), t.upper()):
            if v not in out:
                out.append(v)
    return out


def forms(data_type: DataType, value: str) -> list[str]:
    """The textual forms a normalised ``value`` takes in traffic, the normalised one first.

    >>> forms(DataType.imei, "359881030314356")
    ['359881030314356', '35988103031435']
    """
    if data_type in _MAC_TYPES:
        bare = value.replace(":", "")
        return _case(value, value.replace(":", "-"), bare)
    if data_type is DataType.imei:
        base = value[:14]  # without check digit (or software version): the common prefix of all forms
        full = value if len(value) == 15 else base + luhn_digit(base)
        return list(dict.fromkeys([value, full, base]))
    if data_type is DataType.phone:
        digits = value.lstrip("+")
        out = [value, digits]
        for cc, national in (("86", 11), ("1", 10)):
            if digits.startswith(cc) and len(digits) == len(cc) + national:
                rest = digits[len(cc) :]
                out += [rest, "+" + digits, "00" + digits]
        if len(digits) == 11 and digits.startswith("1") and digits[1] in "3456789":
            out += ["+86" + digits, "86" + digits]
        return list(dict.fromkeys(out))
    if data_type in (DataType.ad_id, DataType.oaid) and value.count("-") == 4:
        return _case(value, value.replace("-", ""))
    if data_type in LIST_TYPES:
        return [value]
    return _case(value)


def base64_cores(raw: bytes) -> set[str]:
    """Base64 substrings that appear whenever ``raw`` is base64-encoded at any byte offset.

    Encoding ``k`` zero bytes then ``raw`` and keeping only the characters that depend on
    ``raw`` alone gives the part that is the same in every blob where ``raw`` starts at an
    offset congruent to ``k`` modulo 3.
    """
    out: set[str] = set()
    n = len(raw)
    for k in range(3):
        enc = base64.b64encode(b"\0" * k + raw).decode()
        start, end = -(-8 * k // 6), 8 * (k + n) // 6
        core = enc[start:end]
        if len(core) >= MIN_BASE64_CORE:
            out.add(core)
            out.add(core.replace("+", "-").replace("/", "_"))
    return out


def _encoded(form: str) -> Iterator[tuple[bytes, tuple[str, ...], bool]]:
    raw = form.encode("utf-8")
    short = len(raw) < BOUNDED_BELOW
    yield raw, (), short
    if not form.isascii():
        escaped = form.encode("ascii", "backslashreplace").decode().replace("\\x", "\\u00")
        yield escaped.encode(), (), False  # JSON \uXXXX escapes (Python, Gson with escaping on)
        yield _UPPER_ESCAPE.sub(lambda m: "\\u" + m.group(1).upper(), escaped).encode(), (), False
    hexed = raw.hex()
    yield hexed.encode(), ("hex",), len(hexed) < BOUNDED_BELOW
    yield hexed.upper().encode(), ("hex",), len(hexed) < BOUNDED_BELOW
    for core in base64_cores(raw):
        yield core.encode(), ("base64",), False
    whole = base64.b64encode(raw).rstrip(b"=")
    if len(whole) < 16:  # too short for the cores, and for the decoder (runs of 16+): match it whole
        yield whole, ("base64",), True
        yield whole.replace(b"+", b"-").replace(b"/", b"_"), ("base64",), True
    for name, fn in _HASHES:
        digest = fn(raw).digest()
        yield digest.hex().encode(), (name,), False
        yield digest.hex().upper().encode(), (name,), False
        b64 = base64.b64encode(digest).rstrip(b"=")
        yield b64, ("base64", name), False
        yield b64.replace(b"+", b"-").replace(b"/", b"_"), ("base64", name), False
        yield digest, (name,), False


def needles_for(data_type: DataType, value: str) -> Iterator[tuple[bytes, Needle]]:
    """Every (search bytes, meaning) pair for one identifier."""
    listed = data_type in LIST_TYPES
    for form in forms(data_type, value):
        if listed:
            yield form.encode("utf-8"), Needle(data_type, value, (), True, True)
            continue
        for text, chain, bounded in _encoded(form):
            yield text, Needle(data_type, value, chain, bounded)
