"""Personal data found without knowing the value: IMEI, IMSI, ICCID, MEID, MAC, ad ids, phones,
e-mail addresses, coordinates and installed-app lists, each behind guards against the usual
false positives (timestamps, version strings, hex digests, the dummy MAC).

Everything here works on bytes. Candidates are located with ``bytes.translate`` + ``find``
(C speed) and only then checked with Python or a regex on a small window: a Python regex over
a whole 2 KB body costs ~30 µs, a translate + find ~1.5 µs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from piaudit.policies.identifiers import luhn_valid
from piaudit.policies.vocab import DataType

_DIGIT_TABLE = bytes(48 if 48 <= i <= 57 else (i if i in b".+-" else 32) for i in range(256))
_HEX_TABLE = bytes(104 if chr(i) in "0123456789abcdefABCDEF" else (115 if i in b":-" else 32) for i in range(256))
_ZEROS = re.compile(rb"0*")
_DIGIT_LENGTHS = frozenset({11, 13, 14, 15, 16, 18, 19, 20})
_DIGIT_RUN = re.compile(rb"00000000000+")
_E164 = re.compile(rb"\+00000000+")
_HS = re.compile(rb"h*")
_ALNUM = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_CONTEXT_BYTES = 48

# Reporting-body prefixes of real IMEIs (GSMA TAC allocation), and common mobile country codes.
_IMEI_PREFIXES = frozenset({"01", "10", "30", "33", "35", "44", "45", "49", "50", "51", "52", "53", "54", "86", "91", "98", "99"})
_MCCS = frozenset(
    str(mcc)
    for mcc in (202, 204, 206, 208, 214, 216, 222, 226, 228, 230, 232, 234, 235, 238, 240, 242, 244, 250, 255)
    + (260, 262, 268, 270, 272, 276, 280, 284, 286, 297, 302, 310, 311, 312, 313, 314, 315, 316, 334, 404)
    + (405, 410, 413, 414, 415, 420, 424, 425, 432, 440, 441, 450, 452, 454, 455, 456, 460, 466, 470, 502)
    + (505, 510, 515, 520, 525, 530, 602, 604, 621, 639, 655, 722, 724, 730, 732)
)
_CN_MOBILE = re.compile(rb"1(?:3\d|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8\d|9[0-35-9])\d{8}")
_EMAIL = re.compile(rb"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.([A-Za-z]{2,24})(?![A-Za-z0-9-])")
_EMAIL_LOCAL = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_FILE_TLDS = frozenset(b"png jpg jpeg gif webp svg bmp ico js mjs css json html htm xml txt map woff woff2 ttf mp4 mp3".split())
_PACKAGE = re.compile(
    rb"(?<![\w.$/@-])(?:com|cn|org|net|io|tv|me|air|de|jp|kr|ru|in|app|co|uk|fr|info|mobi|us|sg|tw|hk|vn|so|cc|top)"
    rb"\.[A-Za-z]\w*(?:\.[A-Za-z]\w*)+(?![\w$(/-]|\.\w)"
)
_TLDS = frozenset(b"com cn net org io tv me co uk jp kr de fr ru in info top xyz cc so hk tw sg vn app".split())

# Context words (searched in the lower-cased key and the bytes just before a candidate).
PHONE_CONTEXT = re.compile(
    rb"phone|mobile|msisdn|tel|cell|contact|number|line1|\xe6\x89\x8b\xe6\x9c\xba|\xe7\x94\xb5\xe8\xaf\x9d"
)
AD_CONTEXT = re.compile(rb"adid|ad_id|ad-id|adv_?id|gaid|aaid|idfa|advertis|oaid")
LOCATION_CONTEXT = re.compile(rb"lat|lng|lon|loc|gps|coord|geo|position|\xe7\xbb\x8f|\xe7\xba\xac")
_MAC_CONTEXT = re.compile(rb"mac|bssid|wifi|wlan|bluetooth|bt_?addr")
_RUNNING_CONTEXT = re.compile(rb"running|process|procs?(?![a-z])")
_LAT_KEY = re.compile(r"(?:^|.*[_\-.\s]|.*[a-z0-9](?=L))(?:lat|latitude)$", re.IGNORECASE)
_LON_KEY = re.compile(r"(?:^|.*[_\-.\s]|.*[a-z0-9](?=L))(?:lon|lng|long|longitude)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Found:
    """A pattern hit: the data type, where in the bytes, the text reported as Detection.value."""

    data_type: DataType
    start: int
    end: int
    value: str
    evidence: tuple[bytes, ...] = ()  # the pieces a structured walk looks for (list members)


def is_lat_key(key: str) -> bool:
    """``lat``, ``latitude``, ``gps_lat``, ``userLat`` — not ``flat`` or ``format``."""
    return bool(_LAT_KEY.match(key))


def is_lon_key(key: str) -> bool:
    """``lon``, ``lng``, ``longitude``, ``gps_lng``, ``userLng``."""
    return bool(_LON_KEY.match(key))


def _alnum_at(data: bytes, i: int) -> bool:
    return 0 <= i < len(data) and data[i] in _ALNUM


def _context(data: bytes, start: int, key: bytes) -> bytes:
    return key + b" " + data[max(0, start - _CONTEXT_BYTES) : start].lower()


def _digit_run(data: bytes, i: int, j: int, key: bytes) -> DataType | None:
    """Classify the digit run ``data[i:j]`` (already known to be delimited by non-digits)."""
    prev = data[i - 1] if i else 0
    nxt = data[j] if j < len(data) else 0
    if prev == 0x2E or (nxt == 0x2E and j + 1 < len(data) and 48 <= data[j + 1] <= 57):
        return None  # part of a decimal or version number
    if _alnum_at(data, i - 1) or (_alnum_at(data, j) and not (nxt in b"Ff" and j - i == 19)):
        return None
    digits = data[i:j].decode()
    n = len(digits)
    if n == 15:
        if digits[:2] in _IMEI_PREFIXES and luhn_valid(digits):
            return DataType.imei
        if digits[:3] in _MCCS:
            return DataType.imsi
        return None
    if n in (19, 20):
        return DataType.iccid if digits.startswith("89") and (luhn_valid(digits) or nxt in b"Ff") else None
    ctx = _context(data, i, key)
    if n == 11 and _CN_MOBILE.fullmatch(digits.encode()) and (prev == 0x2B or PHONE_CONTEXT.search(ctx)):
        return DataType.phone
    if n == 13 and digits.startswith("86") and _CN_MOBILE.fullmatch(digits[2:].encode()):
        return DataType.phone
    if n in (14, 16) and b"imei" in ctx:
        return DataType.imei
    if n == 18 and b"meid" in ctx:
        return DataType.meid
    return None


def _digits(data: bytes, table: bytes, key: bytes, out: list[Found]) -> None:
    spans = [m.span() for m in _DIGIT_RUN.finditer(table)]  # a literal prefix: the regex engine skips fast
    lengths = _DIGIT_LENGTHS
    # Millisecond timestamps (13 digits from 1...) are most runs: dropped here, cheaply.
    for i, j in [(i, j) for i, j in spans if j - i in lengths and (j - i != 13 or data[i] == 0x38)]:
        if dtype := _digit_run(data, i, j, key):
            if dtype is DataType.phone and i and data[i - 1] == 0x2B:
                i -= 1  # keep the + of an international number
            out.append(Found(dtype, i, j, data[i:j].decode()))
    if b"+" not in data:
        return
    for m in _E164.finditer(table):  # + and 8-15 digits
        i, j = m.span()
        n = j - i - 1
        standalone = not _alnum_at(data, i - 1) and not _alnum_at(data, j)
        cn_number = n == 13 and data.startswith(b"86", i + 1)  # found as a Chinese number above
        if n <= 15 and data[i + 1] != 0x30 and standalone and not cn_number:
            out.append(Found(DataType.phone, i, j, data[i:j].decode()))


def _mac_type(ctx: bytes) -> DataType:
    if b"bssid" in ctx:
        return DataType.bssid
    if b"bluetooth" in ctx or b"bt_" in ctx or b"btaddr" in ctx:
        return DataType.bluetooth_mac
    return DataType.mac


def _hex_patterns(data: bytes, key: bytes, context_words: bool, out: list[Found], ad_words: bool = True) -> None:
    """MACs (``:`` or ``-``), ad-id UUIDs near an ad-id word, and bare hex ids near their word."""
    bare = context_words or (key and (_MAC_CONTEXT.search(key) or b"meid" in key or b"oaid" in key))
    ad_words = ad_words or bool(key and AD_CONTEXT.search(key))
    if not bare and b":" not in data and b"-" not in data:
        return
    table = data.translate(_HEX_TABLE)  # hex digit -> h, ':' and '-' -> s
    pos = 0
    while (i := table.find(b"hhshhshhshhshhshh", pos)) >= 0:
        j = i + 17
        pos = i + 2
        sep = data[i + 2]
        if (i and table[i - 1] != 32) or (j < len(table) and table[j] != 32) or data[i + 5] != sep or data[i + 14] != sep:
            continue  # mixed separators, or part of a longer hex sequence (IPv6, fingerprint, UUID)
        pos = j
        mac = data[i:j].decode().lower().replace("-", ":")
        if mac in ("02:00:00:00:00:00", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff") or len(set(mac.replace(":", ""))) == 1:
            continue
        out.append(Found(_mac_type(_context(data, i, key)), i, j, data[i:j].decode()))
    pos = 0 if ad_words else len(table)
    while (i := table.find(b"hhhhhhhhshhhhshhhhshhhhshhhhhhhhhhhh", pos)) >= 0:
        j = pos = i + 36
        if (i and table[i - 1] == 104) or (j < len(table) and table[j] == 104) or data[i + 8] != 0x2D:
            continue
        ctx = _context(data, i, key)
        text = data[i:j].decode()
        if AD_CONTEXT.search(ctx) and len(set(text.replace("-", ""))) > 1:
            out.append(Found(DataType.oaid if b"oaid" in ctx else DataType.ad_id, i, j, text))
    if not bare:
        return
    pos = 0
    while (i := table.find(b"hhhhhhhhhhhh", pos)) >= 0:
        j = _HS.match(table, i).end()
        pos = j
        n = j - i
        if (i and table[i - 1] == 115) or (j < len(table) and table[j] == 115) or n not in (12, 14, 16, 32, 64):
            continue
        ctx = _context(data, i, key)
        text = data[i:j].decode()
        if len(set(text)) < 3:
            continue
        if n == 12 and _MAC_CONTEXT.search(ctx) and text.lower() not in ("020000000000", "000000000000"):
            out.append(Found(_mac_type(ctx), i, j, text))
        elif n == 14 and b"meid" in ctx:
            out.append(Found(DataType.meid, i, j, text))
        elif n in (16, 32, 64) and b"oaid" in ctx:
            out.append(Found(DataType.oaid, i, j, text))


def _emails(data: bytes, out: list[Found]) -> None:
    pos, seen = 0, 0
    while (at := data.find(b"@", pos)) >= 0 and seen < 64:
        pos = at + 1
        if not (at and data[at - 1] in _EMAIL_LOCAL and at + 1 < len(data) and data[at + 1] in _ALNUM):
            continue  # cheap: most '@' in binary or code have no address around them
        seen += 1
        lo = max(0, at - 65)
        m = _EMAIL.search(data, lo, at + 320)
        while m and m.end() <= at:
            m = _EMAIL.search(data, m.end(), at + 320)
        if not m or m.start() > at or m.group(1).lower() in _FILE_TLDS:
            continue
        local = data[m.start() : at]
        if local.startswith(b".") or local.endswith(b".") or local.isdigit():
            continue
        out.append(Found(DataType.email, m.start(), m.end(), m.group().decode()))
        pos = m.end()


def numbers(
    data: bytes, table: bytes, whole: frozenset[bytes] | None = None, limit: int = 4096
) -> list[tuple[int, int, float]]:
    """Decimal numbers with 3 or more decimals (not versions): (start, end, value), at most ``limit``.

    With ``whole``, only numbers whose integer part (no sign) is in it: the cheap way to look
    for known coordinates among the many decimals of an API response.
    """
    found: list[tuple[int, int, float]] = []
    pos = 0
    find = table.find
    while (d := find(b"0.000", pos)) >= 0 and len(found) < limit:
        i = d
        while i > 0 and table[i - 1] == 0x30:
            i -= 1
        j = _ZEROS.match(table, d + 2).end()
        pos = j
        if whole is not None and data[i : d + 1] not in whole:
            continue
        if i > 0 and table[i - 1] == 0x2D:
            i -= 1
        if (i and (table[i - 1] == 0x2E or _alnum_at(data, i - 1))) or (
            j < len(data) and (data[j] == 0x2E or _alnum_at(data, j))
        ):
            continue
        found.append((i, j, float(data[i:j])))
    return found


Pair = tuple[int, int, float, int, int, float]


def location_pairs(nums: list[tuple[int, int, float]]) -> list[Pair]:
    """Neighbouring numbers (at most 64 bytes apart) that could be a position, in either order."""
    out = []
    for (s1, e1, a), (s2, e2, b) in zip(nums, nums[1:], strict=False):
        if s2 - e1 <= 64 and max(abs(a), abs(b)) <= 180 and min(abs(a), abs(b)) <= 90:
            out.append((s1, e1, a, s2, e2, b))
    return out


def _locations(data: bytes, table: bytes, key: bytes, out: list[Found]) -> None:
    for s1, e1, a, s2, e2, b in location_pairs(numbers(data, table)):
        if (abs(a) < 1 and abs(b) < 1) or not LOCATION_CONTEXT.search(_context(data, s1, key)):
            continue
        out.append(Found(DataType.location, s1, e2, f"{data[s1:e1].decode()},{data[s2:e2].decode()}"))


def package_names(data: bytes) -> list[tuple[int, int, bytes]]:
    """Android package names (``com.tencent.mm``), not hostnames or class paths."""
    out = []
    for m in _PACKAGE.finditer(data):
        token = m.group()
        parts = token.split(b".")
        if parts[-1].lower() in _TLDS or any(p[:1].isupper() for p in parts[1:-1]) or len(token) < 7:
            continue
        out.append((m.start(), m.end(), token))
    return out


def is_package_name(text: str) -> bool:
    """True for one Android package name such as ``com.tencent.mm``."""
    raw = text.encode("utf-8", "ignore")
    found = package_names(raw)
    return len(found) == 1 and found[0][2] == raw


def app_list_type(context: bytes) -> DataType:
    """``running_apps`` next to a word for processes (``running``, ``processName``, ``procs``), else ``installed_apps``.

    ``context`` is lower-case: the field name and the text before the list.
    """
    return DataType.running_apps if _RUNNING_CONTEXT.search(context) else DataType.installed_apps


def _packages(data: bytes, key: bytes, minimum: int, out: list[Found]) -> None:
    tokens = package_names(data)
    distinct = list(dict.fromkeys(t for _, _, t in tokens))
    if len(distinct) >= minimum:
        dtype = app_list_type(_context(data, tokens[0][0], key))
        out.append(Found(dtype, tokens[0][0], tokens[-1][1], list_value(distinct), tuple(distinct)))


def list_value(members: list[bytes] | list[str]) -> str:
    """Detection.value for a list: the members, comma-separated, cut at ~200 characters."""
    names = [m.decode() if isinstance(m, bytes) else m for m in members]
    text = ",".join(names)
    return text if len(text) <= 200 else text[:190].rsplit(",", 1)[0] + f",…(+{len(names)})"


def find_patterns(
    data: bytes, key: bytes = b"", guards: Mapping[str, int] | None = None, *, min_packages: int = 5, table: bytes | None = None
) -> list[Found]:
    """All pattern hits in ``data``; ``key`` is the lower-cased field name, if any (context).

    ``guards`` are the guard-word counts of :meth:`Matcher.scan` (computed here if None);
    ``table`` is :func:`digit_table` of ``data`` if the caller has it.
    """
    if guards is None:
        guards = _guard_counts(data)
    out: list[Found] = []
    if table is None:
        table = data.translate(_DIGIT_TABLE)
    if table.find(b"00000000") >= 0:
        _digits(data, table, key, out)
    _hex_patterns(data, key, "hexctx" in guards or "ad" in guards, out, "ad" in guards)
    if b"@" in data:
        _emails(data, out)
    if ("loc" in guards or LOCATION_CONTEXT.search(key)) and table.find(b"0.000") >= 0:
        _locations(data, table, key, out)
    if guards.get("pkg", 0) >= min_packages - 1:
        _packages(data, key, min_packages, out)
    return out


def _guard_counts(data: bytes) -> dict[str, int]:
    from piaudit.policies.detect.matcher import GUARD_WORDS

    out: dict[str, int] = {}
    for word, category in GUARD_WORDS.items():
        if n := data.count(word):
            out[category] = out.get(category, 0) + n
    return out


def digit_table(data: bytes) -> bytes:
    """``data`` with digits as ``0`` and everything but ``. + -`` blanked (for :func:`numbers`)."""
    return data.translate(_DIGIT_TABLE)
