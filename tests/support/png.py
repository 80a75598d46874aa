"""Small real PNGs for tests (8-bit RGB, zlib-compressed rows), without an imaging library."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def make_png(width: int, height: int, colour: Callable[[int, int], tuple[int, int, int]] = lambda x, y: (255, 255, 255)) -> bytes:
    """A PNG of ``width`` x ``height`` whose pixel (x, y) is ``colour(x, y)``."""
    raw = b"".join(b"\x00" + b"".join(bytes(colour(x, y)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")


def hierarchy(texts: list[str], package: str = "com.example.shop", resource_ids: list[str] | None = None) -> bytes:
    """A UI hierarchy as ``uiautomator dump`` writes it, with one node per text (attributes escaped)."""
    from xml.sax.saxutils import quoteattr

    ids = resource_ids or [f"{package}:id/n{i}" for i in range(len(texts))]
    nodes = "".join(
        f"<node index={quoteattr(str(i))} text={quoteattr(t)} resource-id={quoteattr(r)} class=\"android.widget.TextView\""
        f" package={quoteattr(package)} content-desc=\"\" bounds=\"[0,{i * 40}][360,{i * 40 + 40}]\" />"
        for i, (t, r) in enumerate(zip(texts, ids, strict=True))
    )
    root = f"<node index=\"0\" text=\"\" resource-id=\"\" class=\"android.widget.FrameLayout\" package={quoteattr(package)} content-desc=\"\" bounds=\"[0,0][360,640]\">"
    return f"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">{root}{nodes}</node></hierarchy>".encode()
