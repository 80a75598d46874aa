"""Joining what the app encrypted, encoded or compressed to the traffic that carries the result.

A ``crypto:op`` hook records an op's input (say, a gzip-compressed JSON envelope) and output
(the AES ciphertext). When a flow's body, or any layer the detector decodes from it, holds
that output, the op's *input* is scanned in its place as the next layer: the chain reads
``json>base64>cipher:AES/CBC/PKCS5Padding>gzip>json``.

:class:`OpIndex` keeps the outputs of the joinable ops (``encrypt``, ``compress``, ``encode``)
searchable in any byte string: the first :data:`MIN_JOIN` bytes of each output are the keys of
Aho-Corasick automata, so a layer is searched in one pass whatever the number of ops. Ops arrive
all the time in a live session: new keys go into a small automaton, and automata of similar
size are merged (a binary counter), so each key is rebuilt O(log n) times in all and a layer
is searched by O(log n) automata — a flow's cost does not grow with every op ever seen.

:class:`OpView` is the index as one flow sees it: only ops of the flow's process (when known)
and no later than the flow's request, plus :data:`CLOCK_SLACK`.

A candidate joins when the layer holds the op's whole recorded output (which, when the output
was capped, is itself the output's beginning), or a prefix of at least :data:`MIN_JOIN` bytes
that runs to the end of the layer (a body cut by a size limit). Bytes that start like an
output and then differ never join.

>>> index = OpIndex()
>>> op = CryptoOp(id=1, time=10.0, op="encrypt", algorithm="AES/CBC/PKCS5Padding",
...               input=base64.b64encode(b'{"imei":"359881030314356"}').decode(),
...               output=base64.b64encode(bytes(range(32))).decode())
>>> index.add(op)
True
>>> [(j.start, j.end, j.op.step) for j in index.view(pid=None, not_after=11.0).find(b"xx" + bytes(range(32)))]
[(2, 34, 'cipher:AES/CBC/PKCS5Padding')]
>>> index.view(pid=None, not_after=9.0).find(bytes(range(32)))  # the op came after the flow
[]
"""

from __future__ import annotations

import base64
from bisect import insort
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

import ahocorasick_rs

from piaudit.policies.models import JOINABLE_OPS, CryptoOp

MIN_JOIN = 16
"""Bytes of an output that must match (an AES block): shorter outputs are never joined."""
CLOCK_SLACK = 0.25
"""Seconds an op may be stamped after its flow's request and still join. An event's host time is its
device time shifted by the smallest transport delay seen, so it may lie a few milliseconds late."""
MAX_PER_KEY = 64
"""Ops kept per 16-byte output prefix (the most recent): a loop encrypting the same record repeats it."""
MAX_CANDIDATES = 1024
"""Positions of output prefixes checked per layer (a repetitive layer could otherwise match everywhere)."""
MAX_JOINS = 32
"""Joins per layer."""
DEFAULT_MAX_BYTES = 256 << 20
"""Bytes of op inputs and outputs the index holds; the oldest ops are dropped beyond it (counted in ``dropped``)."""
_MERGE_FLOOR = 256  # automata below this many keys are merged regardless of ratio


def join_step(op: CryptoOp | IndexedOp) -> str:
    """The chain step a join adds: ``cipher:<algorithm>`` (the op's kind when the algorithm is not known)."""
    algorithm = op.algorithm.strip() or op.op
    return f"cipher:{algorithm}"


@dataclass(slots=True, eq=False)
class IndexedOp:
    """A joinable op as the index keeps it: its bytes decoded once."""

    id: int
    op: str
    algorithm: str
    time: float
    pid: int | None
    input: bytes
    output: bytes
    input_whole: bool  # False when the input was capped: what is scanned is its beginning only
    step: str = ""
    weak: bool = False  # compress/encode: the detector may undo these itself, a join then adds nothing new
    live: bool = True  # False once dropped from the index (its bytes are released)

    @property
    def size(self) -> int:
        """Bytes held."""
        return len(self.input) + len(self.output)


@dataclass(slots=True)
class Join:
    """One op output found in a layer: ``data[start:end]`` is (the beginning of) ``op.output``."""

    start: int
    end: int
    op: IndexedOp


class _Tier:
    """One automaton over a fixed list of keys."""

    __slots__ = ("automaton", "keys")

    def __init__(self, keys: list[bytes]) -> None:
        self.keys = keys
        self.automaton = ahocorasick_rs.BytesAhoCorasick(keys)


@dataclass
class OpIndex:
    """The outputs of joinable ops, searchable in any byte string (see the module docstring).

    Not thread-safe: one owner adds and searches (the audit loop; in replay the index is filled
    before the flows are scanned and only read afterwards, also by forked workers).
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    version: int = 0  # changes whenever an op is added (rescans and caches key on it)
    bytes: int = 0
    dropped: int = 0  # ops dropped to stay within max_bytes (oldest first)
    _by_key: dict[bytes, list[IndexedOp]] = field(default_factory=dict)
    _tiers: list[_Tier] = field(default_factory=list)
    _pending: list[bytes] = field(default_factory=list)
    _order: deque[IndexedOp] = field(default_factory=deque)

    def __len__(self) -> int:
        return len(self._order)

    def add(self, op: CryptoOp) -> bool:
        """Index a stored op (it needs its row id); False when it cannot join (kind, length)."""
        if op.op not in JOINABLE_OPS or op.id is None:
            return False
        output = op.output_bytes()
        if len(output) < MIN_JOIN:
            return False
        data = op.input_bytes()
        item = IndexedOp(
            id=op.id,
            op=op.op,
            algorithm=op.algorithm,
            time=op.time,
            pid=op.pid,
            input=data,
            output=output,
            input_whole=op.input_length is None or op.input_length <= len(data),
            step=join_step(op),
            weak=op.op != "encrypt",
        )
        key = output[:MIN_JOIN]
        bucket = self._by_key.get(key)
        if bucket is None:
            bucket = self._by_key[key] = []
            self._pending.append(key)
        insort(bucket, item, key=lambda x: (x.time, x.id))
        self._order.append(item)
        self.bytes += item.size
        if len(bucket) > MAX_PER_KEY:
            self._drop(bucket.pop(0))
        while self.bytes > self.max_bytes and self._order:
            old = self._order.popleft()
            if old.live:
                bucket = self._by_key[old.output[:MIN_JOIN]]
                bucket.remove(old)
                self._drop(old)
        self.version += 1
        return True

    def _drop(self, item: IndexedOp) -> None:
        self.bytes -= item.size
        self.dropped += 1
        item.live = False
        item.input = item.output = b""

    def view(self, *, pid: int | None, not_after: float) -> OpView:
        """The ops one flow may join: of process ``pid`` (any when None), at most ``not_after`` (+ slack)."""
        return OpView(self, pid, not_after + CLOCK_SLACK)

    # ------------------------------------------------------------------ search
    def _automata(self) -> list[_Tier]:
        if self._pending:
            self._tiers.append(_Tier(self._pending))
            self._pending = []
            # merge while the newest tier is not much smaller than the one before it
            while len(self._tiers) > 1 and (
                len(self._tiers[-1].keys) * 2 >= len(self._tiers[-2].keys) or len(self._tiers[-2].keys) < _MERGE_FLOOR
            ):
                newer = self._tiers.pop()
                older = self._tiers.pop()
                self._tiers.append(_Tier(older.keys + newer.keys))
        return self._tiers

    def candidates(self, data: bytes) -> Iterator[tuple[int, list[IndexedOp]]]:
        """(position, ops whose output starts with the 16 bytes there), at most MAX_CANDIDATES positions."""
        if len(data) < MIN_JOIN or not self._order:
            return
        n = 0
        for tier in self._automata():
            for index, start, _ in tier.automaton.find_matches_as_indexes(data, overlapping=True):
                bucket = self._by_key.get(tier.keys[index])
                if not bucket:
                    continue
                yield start, bucket
                n += 1
                if n >= MAX_CANDIDATES:
                    return

    def __getstate__(self) -> dict:
        # automata do not pickle: rebuilt on first use
        state = {k: getattr(self, k) for k in ("max_bytes", "version", "bytes", "dropped", "_by_key", "_order")}
        state["_pending"] = list(self._by_key)
        return state

    def __setstate__(self, state: dict) -> None:
        for k, v in state.items():
            setattr(self, k, v)
        self._tiers = []


@dataclass(slots=True)
class OpView:
    """The index as one flow sees it (see :meth:`OpIndex.view`)."""

    index: OpIndex
    pid: int | None
    not_after: float

    @property
    def version(self) -> int:
        """The index version (a cache of 'nothing found here' is only valid for one version)."""
        return self.index.version

    def _admits(self, op: IndexedOp) -> bool:
        return op.time <= self.not_after and (self.pid is None or op.pid is None or op.pid == self.pid)

    def find(self, data: bytes) -> list[Join]:
        """The op outputs in ``data``, left to right, not overlapping (most recent op first at a tie)."""
        found: dict[int, Join] = {}
        for start, bucket in self.index.candidates(data):
            if start in found:
                continue
            rest = len(data) - start
            for op in reversed(bucket):  # the most recent admitted op that matches
                if not self._admits(op):
                    continue
                out = op.output
                n = min(len(out), rest)
                if (n == len(out) or n == rest) and n >= MIN_JOIN and data[start : start + n] == out[:n]:
                    found[start] = Join(start, start + n, op)
                    break
        joins: list[Join] = []
        end = -1
        for start in sorted(found):
            if start >= end:
                joins.append(found[start])
                end = found[start].end
                if len(joins) >= MAX_JOINS:
                    break
        return joins

    def may_match(self, data: bytes) -> bool:
        """True when ``data`` holds the start of some indexed output (admitted or not)."""
        return next(self.index.candidates(data), None) is not None


def b64(data: bytes) -> str:
    """Standard base64 text (for building ops in tests and tools)."""
    return base64.b64encode(data).decode()
