"""Byte-level decoding, bounded: decompression (gzip, deflate, brotli, zstd), and the encoded
runs inside a text (base64, hex, URL-encoding, JWT) with cheap guards that skip bytes which
cannot be that encoding.

Every decoder either returns bytes or raises :class:`DecodeError` with a short reason; none
lets a library exception escape, and none produces more than the limit it is given.
"""

from __future__ import annotations

import binascii
import re
import zlib
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

import ahocorasick_rs
import brotli
import zstandard


class DecodeError(ValueError):
    """The bytes are not what the decoder expected (truncated, invalid, too large)."""


COMPRESSIONS = ("gzip", "deflate", "br", "zstd")
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"\x00\x00\x00", b"%PDF", b"PK\x03\x04", b"OggS", b"ID3")
_PRINTABLE = bytes(range(32, 127)) + b"\t\r\n"
_TEXT = frozenset(_PRINTABLE)
_B64_TABLE = bytes(  # base64 alphabet -> b, other text -> space, other bytes -> x (binary framing)
    98 if chr(i).isascii() and (chr(i).isalnum() or chr(i) in "+/-_") else 32 if i in _TEXT else 120 for i in range(256)
)
_X = ord("x")
_BS = re.compile(rb"b*")
_RUN = b"b" * 16
_HEXCHARS = b"0123456789abcdefABCDEF"
_TEXT_HEX = re.compile(rb"(?:[2-7][0-9a-fA-F]){8}")  # hex of printable ASCII: high nibble 2-7
_HEX_ONLY = re.compile(rb"[0-9a-fA-F]+")
_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MIXED = re.compile(rb"(?=[^0-9]*[0-9])(?=[^A-Z]*[A-Z])[^a-z]*[a-z]")
_PCT = re.compile(rb"%[0-9A-Fa-f]{2}")
_URL_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.~!$'()*+-:@%[]{}|^")  # not & = / ; ,
_URL_TAIL = re.compile(rb"[\w.~!$'()*+\-:@%\[\]{}|^]*")
_JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{4,}\.(eyJ[A-Za-z0-9_-]{4,})\.[A-Za-z0-9_-]*")
MIN_RUN = len(_RUN)
_RUN_FINDER = ahocorasick_rs.BytesAhoCorasick([b" " + _RUN])
# Apart: one automaton with both a ' ' and an 'x' lead is four times slower; this one skips to each rare 'x'.
_FRAMED_FINDER = ahocorasick_rs.BytesAhoCorasick([b"x" + _RUN, b"x " + _RUN])


def sniff_compression(data: bytes) -> str | None:
    """The compression whose magic bytes start ``data``: gzip, deflate (zlib) or zstd."""
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd"
    if len(data) > 2 and data[0] == 0x78 and (data[0] << 8 | data[1]) % 31 == 0:
        return "deflate"
    return None


def decompress(data: bytes, method: str, limit: int) -> tuple[bytes, str | None]:
    """Decompress at most ``limit`` bytes; returns (output, problem or None).

    A truncated stream gives its readable prefix and a problem such as "truncated";
    output cut at ``limit`` gives "output limit". Raises DecodeError if nothing decodes.
    """
    try:
        if method in ("gzip", "deflate", "deflate-raw", "x-gzip"):
            wbits = {"gzip": 31, "x-gzip": 31, "deflate": 15, "deflate-raw": -15}[method]
            d = zlib.decompressobj(wbits)
            try:
                out = d.decompress(data, limit)
            except zlib.error:
                if method != "deflate":
                    raise
                d = zlib.decompressobj(-15)  # "deflate" is often sent without the zlib header
                out = d.decompress(data, limit)
            if d.unconsumed_tail:
                return out, "output limit"
            return out, None if d.eof else "truncated"
        if method == "br":
            b = brotli.Decompressor()
            out = b.process(data, output_buffer_limit=limit)
            if len(out) >= limit:
                return out[:limit], "output limit"
            return out, None if b.is_finished() else "truncated"
        if method == "zstd":
            reader = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True)
            chunks, total = [], 0
            try:
                while total < limit and (chunk := reader.read(min(1 << 20, limit - total))):
                    chunks.append(chunk)
                    total += len(chunk)
            except zstandard.ZstdError as e:
                if not chunks:
                    raise DecodeError(f"zstd: {e}") from None
                return b"".join(chunks), "truncated"
            return b"".join(chunks), "output limit" if total >= limit else None
    except (zlib.error, brotli.error, zstandard.ZstdError, MemoryError, ValueError) as e:
        raise DecodeError(f"{method}: {e}") from None
    raise DecodeError(f"unknown content encoding {method!r}")


def try_headerless(data: bytes, limit: int, accept: Callable[[bytes], bool] | None = None) -> tuple[str, bytes] | None:
    """Brotli or raw deflate without any header or magic: accepted only if the whole input is
    one complete stream whose output looks like text, has a known magic, or passes ``accept``."""
    if len(data) < 8 or data.startswith(_IMAGE_MAGIC):
        return None
    for method in ("br", "deflate-raw"):
        try:
            if method == "br":
                b = brotli.Decompressor()
                out = b.process(data, output_buffer_limit=limit)
                complete = b.is_finished() and len(out) < limit
            else:
                d = zlib.decompressobj(-15)
                out = d.decompress(data, limit)
                complete = d.eof and not d.unused_data and not d.unconsumed_tail
        except (brotli.error, zlib.error, MemoryError, ValueError):
            continue
        if complete and len(out) >= 4 and (is_texty(out) or sniff_compression(out) or (accept is not None and accept(out))):
            return ("br" if method == "br" else "deflate"), out
    return None


def is_texty(data: bytes) -> bool:
    """True if ``data`` reads as text: mostly printable ASCII, or valid UTF-8 with few controls."""
    sample = data[:512]
    if not sample:
        return False
    odd = len(sample.translate(None, _PRINTABLE))
    if odd * 20 <= len(sample):
        return True
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(sample) - 3:
            return False
        text = sample[: e.start].decode("utf-8")
    controls = sum(1 for c in text if c < " " and c not in "\t\r\n")
    return controls * 20 <= len(text)


def looks_binary_image(data: bytes) -> bool:
    """Images, archives and media: never decoded further."""
    return data.startswith(_IMAGE_MAGIC)


def find_runs(data: bytes, max_runs: int, jwt: bool = True, binary_hex: bool = False) -> tuple[list[tuple[str, int, int]], bool]:
    """Encoded runs worth decoding: (kind, start, end) with kind jwt, base64, hex or url.

    Base64 runs (16+ characters) must mix digits, upper and lower case, or be a quarter upper
    case: base64 of real data is, camelCase names (``getElementsByClassName``) and words are not. Hex runs must decode to printable
    ASCII (a digest never needs decoding: its needles match it as text). A run that starts in
    binary framing (:func:`_framed`) is also returned from its second byte: the first may be a
    length or tag byte (``%``, 0x25, read as an escape would eat the text's first two characters).

    Returns (runs, capped) where capped says more runs existed than ``max_runs``; ``jwt=False``
    says the caller knows ``eyJ`` does not occur. ``binary_hex`` also returns hex runs that do
    not decode to text, as kind ``hexbin`` (a ciphertext in hex, for the crypto join to look at).
    """
    runs: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    if jwt and b"eyJ" in data:
        for m in _JWT.finditer(data):
            runs.append(("jwt", m.start(), m.end()))
            taken.append((m.start(), m.end()))
    if b"%" in data:
        end = 0
        for m in _PCT.finditer(data):  # from each %XX, widen to the URL-encoded token around it
            i = m.start()
            if i < end:
                continue
            while i > end and data[i - 1] in _URL_CHARS and m.start() - i < 4096:
                i -= 1
            end = _URL_TAIL.match(data, m.end()).end()
            if not any(a <= i < b for a, b in taken):
                runs.append(("url", i, end))
                taken.append((i, end))
                if i == m.start() and _framed(data, i) and _PCT.search(data, i + 1, end):
                    runs.append(("url", i + 1, end))
    table: bytes | bytearray = data.translate(_B64_TABLE)
    if taken:  # base64 inside a JWT or a URL-encoded token is decoded with it, not on its own
        table = bytearray(table)
        for a, b in taken:
            table[a:b] = b" " * (b - a)
    match = _BS.match
    starts, framed = _run_starts(data, table)
    if framed:  # read from the second character too: the first may be a length or tag byte
        starts += [i + 1 for i in framed if match(table, i).end() - i > MIN_RUN]
        starts.sort()
    for i in starts:
        j = match(table, i).end()
        run = data[i:j]
        if run.islower() or run.isupper():  # one case: hex ids, digests, UUIDs, words; hex of text
            if not (j - i) % 2 and _HEX_ONLY.fullmatch(run):
                if _TEXT_HEX.match(run):
                    runs.append(("hex", i, j))
                elif binary_hex and j - i >= 32:
                    runs.append(("hexbin", i, j))
            continue
        if data[i] == 0x2F and (cut := data.rfind(b"/", i + 1, j - MIN_RUN + 1)) > 0 and _MIXED.match(data, cut + 1, j):
            runs.append(("base64", cut + 1, j))  # "/v1/<base64>": a path glued on by the '/' of the alphabet
        if _MIXED.match(run) or len(run.translate(None, _UPPER)) * 4 <= 3 * len(run):
            if data[j : j + 1] == b"=":
                j += 2 if data[j + 1 : j + 2] == b"=" else 1
            runs.append(("base64", i, j))
        else:
            continue
        if len(runs) >= max_runs:
            return runs, table.find(_RUN, j) >= 0
    return runs, False


def _framed(data: bytes, i: int) -> bool:
    """True if ``data[i]`` may be a length or tag byte of binary framing (``%`` is 37, ``h`` is 104)
    rather than the first character of the text after it: it follows a byte that is not text, or a
    line feed that opens the data or itself follows such a byte (0x0A tags protobuf field 1)."""
    if i < 1:
        return False
    before = data[i - 1]
    return before not in _TEXT or (before == 0x0A and (i == 1 or data[i - 2] not in _TEXT))


def _run_starts(data: bytes, table: bytes | bytearray) -> tuple[list[int], list[int]]:
    """Where runs of 16+ ``b`` start in the translated ``data``, and which of them are
    :func:`_framed`. A plain ``find`` of ``b * 16`` is slow where most characters are ``b``
    (partial matches everywhere); the automaton is linear. Text has no ``x``: one ``in`` test."""
    starts = [0] if table[:MIN_RUN] == _RUN else []
    framed = [1] if data[:1] == b"\n" and table[1 : 1 + MIN_RUN] == _RUN else []
    starts += [s + 1 for _, s, _ in _RUN_FINDER.find_matches_as_indexes(table)]
    if _X in table:  # an int: a memchr, where b"x" costs a substring search's setup
        for pattern, s, _ in _FRAMED_FINDER.find_matches_as_indexes(table):
            if pattern == 0:  # right after a byte that is not text
                starts.append(s + 1)
                framed.append(s + 1)
            elif data[s + 1] == 0x0A:  # after a line feed after a byte that is not text
                framed.append(s + 2)
    return starts, framed


def decode_run(kind: str, run: bytes) -> bytes:
    """Decode one run found by :func:`find_runs`; raises DecodeError."""
    try:
        if kind == "base64" or kind == "jwt":
            if kind == "jwt":
                run = run.split(b".")[1]
            if run.endswith(b"=") and len(run) % 4:
                run = run[len(run) % 4 :]  # padded, so the extra characters are glued on at the start
            core = run.rstrip(b"=")
            if b"-" in core or b"_" in core:
                if b"+" in core or b"/" in core:
                    raise DecodeError("base64: mixed alphabets")
                core = core.replace(b"-", b"+").replace(b"_", b"/")
            if len(core) % 4 == 1:
                core = core[:-1]
            return binascii.a2b_base64(core + b"=" * (-len(core) % 4), strict_mode=False)
        if kind == "hex" or kind == "hexbin":
            return bytes.fromhex(run.decode("ascii"))
        if kind == "url":
            out = unquote_to_bytes(run)
            if out == run:
                raise DecodeError("url: nothing encoded")
            return out
    except (binascii.Error, ValueError, UnicodeDecodeError) as e:
        raise DecodeError(f"{kind}: {e}") from None
    raise DecodeError(f"unknown run kind {kind!r}")
