"""A detection while the scan is under way, and the helpers that move it up through layers."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from piaudit.policies.vocab import DataType


class Hit:
    """A detection inside the scan: ``where`` is a tuple of (segment, kind) outermost first."""

    __slots__ = ("data_type", "source", "value", "chain", "where", "text", "start", "end", "outer", "span", "at", "ops", "strong")

    def __init__(
        self, data_type: DataType, source: str, value: str, chain: tuple[str, ...], text: bytes, start: int, end: int
    ) -> None:
        self.data_type = data_type
        self.source = source
        self.value = value
        self.chain = chain
        self.where: tuple[tuple[str, str], ...] = ()
        self.text = text  # the innermost layer, for the excerpt
        self.start = start
        self.end = end
        self.outer: bytes | None = None  # the raw parent text, for a more readable excerpt
        self.span = text[start:end]  # the evidence as it appears in the current layer
        self.at = start  # where the evidence starts in the current layer
        self.ops: tuple[int, ...] = ()  # crypto:op rows whose input was scanned on the way (cipher: steps)
        self.strong = False  # a joined op on the way was an encryption (the detector alone could not have seen it)

    def copy(self) -> Hit:
        """An independent copy (one raw hit may be placed in several fields)."""
        other = Hit.__new__(Hit)  # the slots one by one: a getattr/setattr loop cost five times as much
        other.data_type, other.source, other.value, other.chain = self.data_type, self.source, self.value, self.chain
        other.where, other.text, other.start, other.end = self.where, self.text, self.start, self.end
        other.outer, other.span, other.at, other.ops, other.strong = self.outer, self.span, self.at, self.ops, self.strong
        return other


def location_text(lat: float, lon: float) -> str:
    """Detection.value of a known position: ``39.9042,116.4074``."""
    return f"{lat!r},{lon!r}"


def prefix(hits: list[Hit], chain: tuple[str, ...], seg: tuple[str, str] | None = None) -> list[Hit]:
    """Put a decoding step (chain) and a place (where segment) in front of hits found inside."""
    for h in hits:
        if chain:
            h.chain = chain + h.chain
        if seg is not None:
            h.where = (seg, *h.where)
    return hits


def keep_lost(raw: list[Hit], out: list[Hit], fields: Sequence[Any] | None = None, starts: list[int] | None = None) -> list[Hit]:
    """Value hits the structured walk could not place are kept at the layer (never lost)."""
    placed = {(h.data_type, h.value) for h in out}
    for h in raw:
        if h.source == "value" and (h.data_type, h.value) not in placed:
            if fields is not None and starts is not None:
                h.where = (fields[max(0, bisect_right(starts, h.at) - 1)][4],)
            out.append(h)
            placed.add((h.data_type, h.value))
    return out
