"""All search strings of one identifier set in one Aho-Corasick automaton over bytes.

The automaton is ``ahocorasick_rs`` (Rust, ~350 MB/s here; pyahocorasick managed ~50 MB/s),
the one Aho-Corasick library piaudit uses.

The same automaton also finds a few *guard words* (``eyJ`` of a JWT, ``mac``, ``com.``...)
that tell the pattern finders whether their costlier checks can apply: one pass instead of
a dozen ``word in data`` tests (each ~1.5 µs on 2 KB when the word is absent).
"""

from __future__ import annotations

from collections.abc import Mapping

import ahocorasick_rs

from piaudit.policies.detect.variants import LIST_TYPES, Needle, needles_for
from piaudit.policies.vocab import DataType

BACKEND = "ahocorasick_rs"  # recorded by the detection benchmark

GUARD_WORDS: dict[bytes, str] = {
    b"eyJ": "jwt",
    b"\\/": "slash",
    **{w: "hexctx" for w in (b"mac", b"Mac", b"MAC", b"meid", b"Meid", b"MEID", b"oaid", b"Oaid", b"OAID", b"bssid", b"BSSID")},
    **{w: "pkg" for w in (b"com.", b"cn.", b"org.", b"net.", b"tv.")},
    **{
        w: "ad"
        for w in (
            b"adid",
            b"adId",
            b"AdId",
            b"ADID",
            b"ad_id",
            b"Ad_id",
            b"AD_ID",
            b"ad-id",
            b"advid",
            b"adv_id",
            b"gaid",
            b"GAID",
        )
    },
    **{w: "ad" for w in (b"aaid", b"AAID", b"idfa", b"IDFA", b"dvertis", b"oaid", b"Oaid", b"OAID")},
    **{
        w: "loc" for w in (b"lat", b"Lat", b"LAT", b"lng", b"Lng", b"lon", b"Lon", b"LON", b"loc", b"Loc", b"gps", b"Gps", b"GPS")
    },
    **{w: "loc" for w in (b"coord", b"Coord", b"geo", b"Geo", b"position", b"Position", "经".encode(), "纬".encode())},
}
"""Guard word -> category; :meth:`Matcher.scan` counts categories (up to 64 occurrences)."""


class QuietRuns(set):
    """Encoded runs (JWTs, cookies, tokens) that decoded to nothing known: they repeat from flow
    to flow, so each is decoded once per identifier set. Bounded; cleared when full."""

    limit = 4096

    def remember(self, item: object) -> None:
        if len(self) >= self.limit:
            self.clear()
        self.add(item)


class Matcher:
    """The compiled search strings of one identifier snapshot; immutable once built.

    >>> m = Matcher({DataType.imei: {"359881030314356"}})
    >>> sorted((m.needles[i], s, e) for i, s, e in m.scan(b"imei=359881030314356")[0])
    [(b'35988103031435', 5, 19), (b'359881030314356', 5, 20)]
    """

    def __init__(
        self,
        values: Mapping[DataType, frozenset[str] | set[str]],
        locations: tuple[tuple[float, float], ...] = (),
        version: int = 0,
    ) -> None:
        table: dict[bytes, list[Needle]] = {}
        for dtype in sorted(values):
            for value in sorted(values[dtype]):
                for text, needle in needles_for(dtype, value):
                    metas = table.setdefault(text, [])
                    if needle not in metas:
                        metas.append(needle)
        self.value_count = len(table)  # needles that mean an identifier (guards may add more)
        for word in GUARD_WORDS:
            table.setdefault(word, [])
        self.needles: list[bytes] = list(table)
        self.meaning: list[tuple[Needle, ...]] = [tuple(table[n]) for n in self.needles]
        self.guard: list[str | None] = [GUARD_WORDS.get(n) for n in self.needles]
        self.locations = locations
        self.location_whole = frozenset(  # integer parts a known coordinate can show, for numbers()
            str(int(abs(v)) + d).encode() for lat_lon in locations for v in lat_lon for d in (-1, 0, 1) if int(abs(v)) + d >= 0
        )
        self.version = version
        self.list_values = {t: frozenset(v) for t, v in values.items() if t in LIST_TYPES}
        self.quiet_runs = QuietRuns()
        self._automaton = ahocorasick_rs.BytesAhoCorasick(self.needles)

    def __len__(self) -> int:
        return self.value_count

    def find(self, data: bytes) -> list[tuple[int, int, int]]:
        """Every (needle index, start, end) in ``data``, overlapping matches included."""
        return self._automaton.find_matches_as_indexes(data, overlapping=True)

    def scan(self, data: bytes) -> tuple[list[tuple[int, int, int]], dict[str, int]]:
        """(identifier matches, guard category counts) in one pass."""
        matches = self.find(data)
        guards: dict[str, int] = {}
        if not matches:
            return matches, guards
        values = []
        guard = self.guard
        for m in matches:
            category = guard[m[0]]
            if category is not None:
                guards[category] = guards.get(category, 0) + 1
                if not self.meaning[m[0]]:
                    continue
            values.append(m)
        return values, guards
