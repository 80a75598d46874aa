"""Android binary XML (the compiled ``AndroidManifest.xml``): elements and attributes, bounded.

The format is a chunk stream: a string pool, a resource-id map, then start/end element
chunks whose attributes point into the pool. Like Android, attributes are recognised by
their **resource id** when the map gives one (``0x01010003`` is ``android:name`` whatever
the pool says), so a manifest whose attribute-name strings were blanked or renamed to evade
tools still reads correctly. Every offset and count is checked before use.

Reference: frameworks/base/libs/androidfw/include/androidfw/ResourceTypes.h (AOSP).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from piaudit.policies.apk.zipread import ApkError

RES_XML_TYPE = 0x0003
RES_STRING_POOL_TYPE = 0x0001
RES_XML_RESOURCE_MAP_TYPE = 0x0180
RES_XML_START_ELEMENT_TYPE = 0x0102
RES_XML_END_ELEMENT_TYPE = 0x0103
UTF8_FLAG = 0x100
NO_INDEX = 0xFFFFFFFF
MAX_ELEMENTS = 200_000

# android: attributes by resource id (android.R.attr), as Android itself resolves them
ANDROID_ATTRS = {
    0x01010003: "name",
    0x0101021B: "versionCode",
    0x0101021C: "versionName",
    0x0101020C: "minSdkVersion",
    0x01010270: "targetSdkVersion",
    0x01010271: "maxSdkVersion",
    0x01010001: "label",
    0x01010009: "protectionLevel",
}


@dataclass
class Element:
    """One XML element: its tag, attributes (local names, values as text) and depth (root = 0)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    depth: int = 0


def _string_pool(data: bytes, start: int, label: str) -> list[str]:
    _, header_size, size, count, _styles, flags, strings_start, _ = struct.unpack_from("<HHIIIIII", data, start)
    end = start + size
    if count > (size // 4) or start + header_size + 4 * count > end:
        raise ApkError(f"{label}: string pool of {count} strings does not fit its {size} bytes")
    utf8 = bool(flags & UTF8_FLAG)
    base = start + strings_start
    strings: list[str] = []
    for i in range(count):
        (offset,) = struct.unpack_from("<I", data, start + header_size + 4 * i)
        pos = base + offset
        if not base <= pos < end:
            strings.append("")
            continue
        try:
            if utf8:
                n = data[pos]
                pos += 2 if n & 0x80 else 1  # length in UTF-16 units, skipped
                n = data[pos]
                if n & 0x80:
                    n = ((n & 0x7F) << 8) | data[pos + 1]
                    pos += 2
                else:
                    pos += 1
                strings.append(data[pos : min(pos + n, end)].decode("utf-8", errors="replace"))
            else:
                (n,) = struct.unpack_from("<H", data, pos)
                pos += 2
                if n & 0x8000:
                    (low,) = struct.unpack_from("<H", data, pos)
                    n = ((n & 0x7FFF) << 16) | low
                    pos += 2
                strings.append(data[pos : min(pos + 2 * n, end)].decode("utf-16-le", errors="replace"))
        except (IndexError, struct.error):
            strings.append("")
    return strings


def _value(strings: list[str], raw: int, data_type: int, value: int) -> str:
    if raw != NO_INDEX and raw < len(strings):
        return strings[raw]
    if data_type == 0x03:  # string
        return strings[value] if value < len(strings) else ""
    if data_type == 0x10:  # int (decimal)
        return str(struct.unpack("<i", struct.pack("<I", value))[0])
    if data_type == 0x11:  # int (hex)
        return f"0x{value:08x}"
    if data_type == 0x12:  # boolean
        return "true" if value else "false"
    if data_type in (0x01, 0x02):  # reference, attribute
        return f"@0x{value:08x}"
    return str(value)


def parse_axml(data: bytes, label: str) -> list[Element]:
    """The elements of a binary XML document, in document order."""
    if len(data) < 8:
        raise ApkError(f"{label}: not a binary XML file ({len(data)} bytes)")
    strings: list[str] = []
    res_ids: list[int] = []
    elements: list[Element] = []
    depth = 0
    # The file header's type is not checked by Android's parser either: start after it.
    pos = 8
    try:
        while pos + 8 <= len(data):
            chunk_type, header_size, size = struct.unpack_from("<HHI", data, pos)
            if size < 8 or pos + size > len(data):
                break  # Android stops at a damaged chunk too
            if chunk_type == RES_STRING_POOL_TYPE and not strings:
                strings = _string_pool(data, pos, label)
            elif chunk_type == RES_XML_RESOURCE_MAP_TYPE:
                count = (size - header_size) // 4
                res_ids = list(struct.unpack_from(f"<{count}I", data, pos + header_size))
            elif chunk_type == RES_XML_START_ELEMENT_TYPE:
                ext = pos + header_size
                _ns, name, attr_start, attr_size, attr_count = struct.unpack_from("<IIHHH", data, ext)
                tag = strings[name] if name < len(strings) else ""
                attrs: dict[str, str] = {}
                for i in range(attr_count):
                    a = ext + attr_start + i * max(attr_size, 20)
                    if a + 20 > pos + size:
                        break
                    _ans, aname, raw, _vsize, _res0, vtype, vdata = struct.unpack_from("<IIIHBBI", data, a)
                    key = ANDROID_ATTRS.get(res_ids[aname]) if aname < len(res_ids) else None
                    if key is None:
                        key = strings[aname] if aname < len(strings) else ""
                    if key:
                        attrs[key] = _value(strings, raw, vtype, vdata)
                elements.append(Element(tag, attrs, depth))
                depth += 1
                if len(elements) > MAX_ELEMENTS:
                    raise ApkError(f"{label}: more than {MAX_ELEMENTS} elements (limit)")
            elif chunk_type == RES_XML_END_ELEMENT_TYPE:
                depth = max(0, depth - 1)
            pos += size
    except struct.error as e:
        raise ApkError(f"{label}: damaged binary XML ({e})") from None
    if not elements:
        raise ApkError(f"{label}: no XML elements found (not a compiled manifest?)")
    return elements
