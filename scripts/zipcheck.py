"""The byte layout of a zip archive: nothing before its first entry, between its entries, or after its end.

Python's :mod:`zipfile` (like most readers) opens an archive with bytes prepended (a
self-extracting stub, or anything a forger wants a signed bundle to carry) or appended, and
reads its central directory whole before anyone can ask how many entries it has. An evidence
bundle must be exactly what piaudit wrote, so :func:`check_layout` reads the end records first
(bounding the entry count before :mod:`zipfile` parses anything) and :func:`check_entries` then
walks the entries: the first starts at byte 0, each ends where the next begins, the last where
the central directory begins, and the end record is the last byte.
"""

from __future__ import annotations

import os
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

EOCD = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_EOCD = b"PK\x06\x06"
LOCAL = b"PK\x03\x04"
DESCRIPTOR = b"PK\x07\x08"


class LayoutError(ValueError):
    """The archive is not laid out as a plain zip: the message says where it differs."""


@dataclass(frozen=True)
class Layout:
    """Where a zip's central directory is, and how many entries it lists."""

    entries: int
    cd_offset: int
    cd_size: int


def check_layout(path: Path | str, max_entries: int) -> Layout:
    """Read the end records; refuse appended or prepended data, a comment, several disks, too many entries."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        if size < 22:
            raise LayoutError("too short to be a zip archive")
        fh.seek(size - 22)
        _sig, disk, cd_disk, on_disk, entries, cd_size, cd_offset, comment = struct.unpack("<4sHHHHIIH", fh.read(22))
        if _sig != EOCD:
            raise LayoutError("does not end with a zip end record: data was appended, or an archive comment added")
        if comment:
            raise LayoutError("has an archive comment (piaudit writes none)")
        end_of_cd = size - 22
        if entries == 0xFFFF or 0xFFFFFFFF in (cd_size, cd_offset):  # Zip64: the real numbers are in its end record
            if size < 22 + 20 + 56:
                raise LayoutError("a Zip64 archive too short for its end records")
            fh.seek(size - 22 - 20)
            sig, _disk, z64_offset, _disks = struct.unpack("<4sIQI", fh.read(20))
            if sig != ZIP64_LOCATOR or z64_offset != size - 22 - 20 - 56:
                raise LayoutError("a damaged Zip64 end record, or data between the end records")
            fh.seek(z64_offset)
            sig, _n, _v1, _v2, disk, cd_disk, on_disk, entries, cd_size, cd_offset = struct.unpack("<4sQHHIIQQQQ", fh.read(56))
            if sig != ZIP64_EOCD:
                raise LayoutError("a damaged Zip64 end record")
            end_of_cd = z64_offset
        if disk or cd_disk or on_disk != entries:
            raise LayoutError("a multi-disk archive")
        if entries > max_entries:
            raise LayoutError(f"lists {entries} entries; a bundle has a handful (limit {max_entries})")
        extra = end_of_cd - cd_size - cd_offset
        if extra > 0:
            raise LayoutError(f"{extra} bytes before the archive (prepended data: not as piaudit wrote it)")
        if extra < 0:
            raise LayoutError("its central directory does not fit where the end record says")
    return Layout(entries, cd_offset, cd_size)


def check_entries(zf: zipfile.ZipFile, layout: Layout) -> None:
    """Every entry's local header and data, back to back from byte 0 to the central directory."""
    fp = zf.fp
    assert fp is not None
    position = 0
    for info in sorted(zf.infolist(), key=lambda i: i.header_offset):
        if info.header_offset != position:
            gap = "bytes before the first entry" if position == 0 else "bytes between entries"
            raise LayoutError(f"{info.header_offset - position} {gap} (at {info.filename!r}): not as piaudit wrote it")
        fp.seek(info.header_offset)
        header = fp.read(30)
        if len(header) < 30 or header[:4] != LOCAL:
            raise LayoutError(f"{info.filename!r}: no local header where the directory says")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        position = info.header_offset + 30 + name_len + extra_len + info.compress_size
        if info.flag_bits & 0x08:  # a data descriptor follows the data
            fp.seek(position)
            head = fp.read(4)
            zip64 = info.file_size > 0xFFFFFFFF or info.compress_size > 0xFFFFFFFF
            position += (4 if head == DESCRIPTOR else 0) + (20 if zip64 else 12)
    if position != layout.cd_offset:
        raise LayoutError(f"{layout.cd_offset - position} bytes between the last entry and the central directory")
