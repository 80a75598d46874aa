"""The classes a DEX file defines: its class_defs, through the type and string tables.

Only the tables needed to name the defined classes are read (header, ``string_ids``,
``type_ids``, ``class_defs``); every offset and count is checked against the file's size
before use, so a damaged or hostile file raises :class:`ApkError` instead of reading past
its end or allocating by a forged count. Classes that are only *referenced* (in
``type_ids``) are not counted as embedded: an app that calls ``com.umeng`` through
reflection or a stub does not embed Umeng.

Reference: https://source.android.com/docs/core/runtime/dex-format
"""

from __future__ import annotations

import struct

from piaudit.policies.apk.zipread import ApkError

DEX_MAGIC = b"dex\n"
HEADER_SIZE = 0x70
NO_INDEX = 0xFFFFFFFF


def is_dex(data: bytes) -> bool:
    """True when ``data`` starts like a DEX file (``dex\\n035\\0`` … ``dex\\n041\\0``)."""
    return len(data) >= 8 and data[:4] == DEX_MAGIC and data[7] == 0 and data[4:7].isdigit()


def _uleb128(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    for _ in range(5):
        if pos >= len(data):
            raise IndexError("uleb128 past the end")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
    raise ValueError("uleb128 longer than 5 bytes")


def _mutf8(data: bytes, pos: int) -> str:
    length, pos = _uleb128(data, pos)  # in UTF-16 code units; the bytes end at a NUL
    end = data.find(b"\x00", pos, pos + 3 * length + 1)
    if end < 0:
        raise ValueError("unterminated string")
    # MUTF-8 writes NUL as C0 80 and supplementary characters as surrogate pairs
    return data[pos:end].replace(b"\xc0\x80", b"\x00").decode("utf-8", errors="surrogateescape")


def descriptor_to_class(descriptor: str) -> str | None:
    """``Lcom/umeng/analytics/MobclickAgent;`` → ``com.umeng.analytics.MobclickAgent`` (None for arrays and primitives)."""
    if len(descriptor) < 3 or descriptor[0] != "L" or descriptor[-1] != ";":
        return None
    return descriptor[1:-1].replace("/", ".")


def defined_classes(data: bytes, label: str) -> list[str]:
    """Names of the classes ``data`` (a DEX file) defines, in class_defs order."""
    if not is_dex(data):
        raise ApkError(f"{label}: not a DEX file (bad magic)")
    if len(data) < HEADER_SIZE:
        raise ApkError(f"{label}: truncated DEX header")
    size = len(data)
    string_ids_size, string_ids_off, type_ids_size, type_ids_off = struct.unpack_from("<IIII", data, 0x38)
    class_defs_size, class_defs_off = struct.unpack_from("<II", data, 0x60)
    for what, count, offset, width in (
        ("string_ids", string_ids_size, string_ids_off, 4),
        ("type_ids", type_ids_size, type_ids_off, 4),
        ("class_defs", class_defs_size, class_defs_off, 32),
    ):
        if count and (offset < HEADER_SIZE or offset + count * width > size):
            raise ApkError(f"{label}: the {what} table ({count} × {width} bytes at {offset}) lies outside the file")
    classes: list[str] = []
    try:
        for i in range(class_defs_size):
            (type_idx,) = struct.unpack_from("<I", data, class_defs_off + 32 * i)
            if type_idx >= type_ids_size:
                raise ApkError(f"{label}: class_defs[{i}] names type {type_idx}, beyond the {type_ids_size} types")
            (string_idx,) = struct.unpack_from("<I", data, type_ids_off + 4 * type_idx)
            if string_idx >= string_ids_size:
                raise ApkError(f"{label}: type {type_idx} names string {string_idx}, beyond the {string_ids_size} strings")
            (string_off,) = struct.unpack_from("<I", data, string_ids_off + 4 * string_idx)
            if not HEADER_SIZE <= string_off < size:
                raise ApkError(f"{label}: string {string_idx} lies outside the file")
            name = descriptor_to_class(_mutf8(data, string_off))
            if name:
                classes.append(name)
    except (IndexError, ValueError, struct.error) as e:
        if isinstance(e, ApkError):
            raise
        raise ApkError(f"{label}: damaged DEX string or type table ({e})") from None
    return classes
