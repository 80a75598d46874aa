"""A bounded, forgiving ZIP reader for APKs: hostile input never costs more than its budget.

APKs are ZIP files, and malware and packers bend the format in ways Android's own reader
tolerates but strict readers (Python's ``zipfile``) reject: several end-of-central-directory
records (the last one counts), a compression method that is neither stored nor deflate
(Android inflates anything that is not stored), sizes that disagree between the local
header and the central directory (the central directory counts), a general-purpose
"encrypted" bit that is not true. This reader follows Android's rules for those, and bounds
everything it does by a :class:`Budget`: entry count, bytes inflated per entry and in all,
nesting depth of archives inside archives, and wall time. A budget exceeded raises
:class:`ApkError` naming the archive and the problem; nothing is written to disk.

>>> archive = ZipArchive(open("app.apk", "rb").read(), "app.apk")   # doctest: +SKIP
>>> [e.name for e in archive.entries][:2]                           # doctest: +SKIP
['AndroidManifest.xml', 'classes.dex']
"""

from __future__ import annotations

import struct
import time
import zlib
from dataclasses import dataclass, field

EOCD_SIG = b"PK\x05\x06"
CENTRAL_SIG = b"PK\x01\x02"
LOCAL_SIG = b"PK\x03\x04"
EOCD_SIZE = 22
MAX_COMMENT = 0xFFFF


class ApkError(ValueError):
    """An APK (or an archive inside it) that cannot be read within bounds: one line, naming the file."""


@dataclass
class Budget:
    """What reading one APK may cost. Shared by every archive nested in it."""

    max_entries: int = 50_000  # entries in one archive's central directory
    max_entry_bytes: int = 128 * 1024 * 1024  # inflated size of one entry we read
    max_total_bytes: int = 768 * 1024 * 1024  # inflated bytes read from the APK and everything in it
    max_ratio: int = 1_000  # inflated / compressed, for entries larger than 1 MiB (zip bombs)
    max_depth: int = 3  # archives inside archives (assets/x.jar!/y.zip!/classes.dex is depth 2)
    max_seconds: float = 120.0
    used_bytes: int = 0
    started: float = field(default_factory=time.monotonic)

    def check_time(self, where: str) -> None:
        """Raise when the wall-time budget is spent."""
        if time.monotonic() - self.started > self.max_seconds:
            raise ApkError(f"{where}: reading took longer than {self.max_seconds:.0f} s (time limit)")

    def charge(self, amount: int, where: str) -> None:
        """Count ``amount`` inflated bytes against the total budget."""
        self.used_bytes += amount
        if self.used_bytes > self.max_total_bytes:
            raise ApkError(f"{where}: more than {self.max_total_bytes >> 20} MiB inflated in all (size limit; a zip bomb?)")


@dataclass(frozen=True)
class ZipEntry:
    """One central-directory entry."""

    name: str
    method: int
    flags: int
    compressed_size: int
    size: int
    local_offset: int


class ZipArchive:
    """The entries of one ZIP held in memory (or memory-mapped) as ``data``; ``label`` names it in errors."""

    def __init__(self, data: bytes | memoryview, label: str, budget: Budget | None = None):
        self.data = memoryview(data)
        self.label = label
        self.budget = budget or Budget()
        self.entries: list[ZipEntry] = []
        self.cd_offset = 0  # where the central directory starts (the APK signing block ends there)
        self._parse()

    # ------------------------------------------------------------------ structure

    def _find_eocd(self) -> int:
        data = self.data
        start = max(0, len(data) - EOCD_SIZE - MAX_COMMENT)
        tail = bytes(data[start:])
        pos = tail.rfind(EOCD_SIG)
        while pos >= 0:
            # Android takes the last record whose comment length reaches the end of the file
            # exactly; accept a looser last record too (truncated comments are common in the wild).
            if pos + EOCD_SIZE <= len(tail):
                return start + pos
            pos = tail.rfind(EOCD_SIG, 0, pos)
        raise ApkError(f"{self.label}: not a ZIP/APK file (no end-of-central-directory record)")

    def _parse(self) -> None:
        data = self.data
        if len(data) < EOCD_SIZE:
            raise ApkError(f"{self.label}: not a ZIP/APK file ({len(data)} bytes)")
        eocd = self._find_eocd()
        _, _, _, _, count, cd_size, cd_offset, _ = struct.unpack_from("<4sHHHHIIH", data, eocd)
        if cd_offset == 0xFFFFFFFF or count == 0xFFFF and cd_size == 0xFFFFFFFF:
            raise ApkError(f"{self.label}: ZIP64 archives are not supported (APKs never need them)")
        if cd_offset + cd_size > eocd:
            # Some writers prepend data (self-extracting shells): Android rejects this, so do we.
            raise ApkError(f"{self.label}: the central directory ({cd_offset}+{cd_size}) lies outside the file")
        self.cd_offset = cd_offset
        pos, end = cd_offset, cd_offset + cd_size
        entries: list[ZipEntry] = []
        while pos + 46 <= end:
            if data[pos : pos + 4] != CENTRAL_SIG:
                break  # the declared count may lie; the signature does not
            (flags, method, csize, usize, nlen, xlen, clen, local) = (
                struct.unpack_from("<H", data, pos + 8)[0],
                struct.unpack_from("<H", data, pos + 10)[0],
                *struct.unpack_from("<II", data, pos + 20),
                *struct.unpack_from("<HHH", data, pos + 28),
                struct.unpack_from("<I", data, pos + 42)[0],
            )
            raw_name = bytes(data[pos + 46 : pos + 46 + nlen])
            name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", errors="replace")
            entries.append(ZipEntry(name, method, flags, csize, usize, local))
            if len(entries) > self.budget.max_entries:
                raise ApkError(f"{self.label}: more than {self.budget.max_entries} entries (entry-count limit)")
            pos += 46 + nlen + xlen + clen
        if not entries and count:
            raise ApkError(f"{self.label}: the central directory is unreadable (expected {count} entries)")
        self.entries = entries

    def names(self) -> list[str]:
        """Entry names in central-directory order (duplicates kept: the first one is what Android uses)."""
        return [e.name for e in self.entries]

    def find(self, name: str) -> ZipEntry | None:
        """The first entry called ``name`` (Android's choice when names repeat)."""
        return next((e for e in self.entries if e.name == name), None)

    # ------------------------------------------------------------------ content

    def read(self, entry: ZipEntry, limit: int | None = None) -> bytes:
        """The inflated bytes of ``entry``, at most ``limit`` (default: the per-entry budget).

        Raises :class:`ApkError` when the entry is larger than the limit, inflates suspiciously
        far (a bomb), or its data lies outside the file.
        """
        budget = self.budget
        where = f"{self.label}!{entry.name}"
        budget.check_time(where)
        cap = min(limit or budget.max_entry_bytes, budget.max_entry_bytes)
        data = self.data
        lh = entry.local_offset
        if lh + 30 > len(data) or data[lh : lh + 4] != LOCAL_SIG:
            raise ApkError(f"{where}: the local header is missing or damaged")
        nlen, xlen = struct.unpack_from("<HH", data, lh + 26)
        start = lh + 30 + nlen + xlen
        csize = entry.compressed_size
        if start + csize > len(data):
            raise ApkError(f"{where}: its data runs past the end of the file")
        raw = data[start : start + csize]
        if entry.method == 0 or (entry.method != 8 and csize == entry.size):
            if csize > cap:
                raise ApkError(f"{where}: {csize} bytes, more than the {cap >> 20} MiB per-entry limit")
            out = bytes(raw)
        else:
            # Android inflates every method that is not "stored": a fake method number does not hide data.
            out = self._inflate(raw, cap, where)
        budget.charge(len(out), where)
        return out

    def _inflate(self, raw: memoryview, cap: int, where: str) -> bytes:
        inflater = zlib.decompressobj(-15)
        chunks: list[bytes] = []
        total = 0
        step = 1 << 20
        pos = 0
        while pos < len(raw):
            piece = raw[pos : pos + step]
            pos = min(pos + step, len(raw))
            try:
                out = inflater.decompress(bytes(piece), cap + 1 - total)
            except zlib.error as e:
                raise ApkError(f"{where}: damaged deflate data ({e})") from None
            total += len(out)
            chunks.append(out)
            if total > cap:
                raise ApkError(f"{where}: inflates to more than the {cap >> 20} MiB per-entry limit (a zip bomb?)")
            if inflater.unconsumed_tail:
                raise ApkError(f"{where}: inflates to more than the {cap >> 20} MiB per-entry limit (a zip bomb?)")
            if total > (1 << 20) and total > self.budget.max_ratio * max(pos, 1):
                raise ApkError(f"{where}: inflates more than {self.budget.max_ratio}:1 (a zip bomb?)")
            self.budget.check_time(where)
            if inflater.eof:
                break
        return b"".join(chunks)
