"""The recursive layer scan behind :class:`policies.detect.Detector`.

A *layer* is one byte string at one decoding depth: a body, a header value, a decoded base64
run, a JSON string. Scanning a layer:

1. undoes compression (by Content-Encoding, by magic bytes, or headerless brotli/deflate);
2. scans the bytes once, whatever their format: every known-value needle in one
   Aho-Corasick pass, the value-less patterns, known positions, and each encoded run
   (base64, hex, URL, JWT) decoded and scanned as a deeper layer;
3. only if that found something, parses the structure (JSON, protobuf) to say *where*:
   each JSON string or number containing a piece of evidence is scanned as its own layer,
   and containers are checked for coordinates in separate fields and package lists.

So the common case, a flow without personal data, costs one pass per layer and no parse.
Form bodies, query strings and headers are *field groups*: their URL-decoded values are
joined and scanned in one pass, then only the fields with evidence are scanned alone.
"""

from __future__ import annotations

from piaudit.policies.detect.decoders import (
    MIN_RUN,
    DecodeError,
    decode_run,
    decompress,
    find_runs,
    is_texty,
    looks_binary_image,
    sniff_compression,
    try_headerless,
)
from piaudit.policies.detect.hits import Hit, location_text, prefix
from piaudit.policies.detect.limits import Limits
from piaudit.policies.detect.matcher import Matcher
from piaudit.policies.detect.patterns import (
    digit_table,
    find_patterns,
    list_value,
    location_pairs,
    numbers,
)
from piaudit.policies.detect.placement import Placement
from piaudit.policies.detect.structure import (
    form_fields,
    looks_like_form,
    multipart_boundary,
    protobuf_fields,
    protobuf_leaves,
)
from piaudit.policies.join.crypto import OpView
from piaudit.policies.vocab import DataType

_ALNUM = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _is_protobuf(data: bytes) -> bool:
    return protobuf_fields(data) is not None


def _odd_start(data: bytes) -> bool:
    """A control or non-ASCII first byte: a text may be wrapped (brotli has no magic, and a short
    text compresses to itself between a binary header and trailer)."""
    return bool(data) and (data[0] < 0x20 or data[0] > 0x7E) and data[0] not in b"\t\r\n"


class LayerScan:
    """One scan call: the identifier snapshot, the limits, the notes and budgets; its
    :class:`~policies.detect.placement.Placement` says where the hits sit."""

    def __init__(self, matcher: Matcher, limits: Limits, patterns: bool, plaintexts: OpView | None = None) -> None:
        self.matcher = matcher
        self.limits = limits
        self.patterns = patterns
        self.plaintexts = plaintexts  # the crypto ops this flow may carry the output of
        self.notes: list[str] = []
        self.decoded_total = 0
        self.place = Placement(self)

    def note(self, message: str) -> None:
        """Record a limit hit or a decoding problem once."""
        if message not in self.notes and len(self.notes) < 64:
            self.notes.append(message)

    def _budget(self, size: int, label: str) -> bool:
        self.decoded_total += size
        if self.decoded_total > self.limits.max_total_decoded:
            self.note(
                f"{label}: decoding budget of {self.limits.max_total_decoded} bytes per scan used up; rest scanned undecoded"
            )
            return False
        return True

    # ------------------------------------------------------------------ layers

    def layer(
        self,
        data: bytes,
        label: str,
        depth: int,
        key: bytes = b"",
        *,
        content_type: str = "",
        content_encoding: str = "",
        decoded: bool = False,
        outer: bytes | None = None,
    ) -> list[Hit]:
        """Scan one layer; returns hits with chain and where relative to it.

        Where the layer holds the output of a crypto op the flow may carry, the op's input is
        scanned there too, as the next layer (chain step ``cipher:<algorithm>``).
        """
        hits = self._layer(
            data, label, depth, key, content_type=content_type, content_encoding=content_encoding, decoded=decoded, outer=outer
        )
        if self.plaintexts is not None and depth + 1 < self.limits.max_depth:
            joined = self._joined(data, label, depth, key)
            if joined and data.lstrip()[:1] in (b"{", b"[") and is_texty(data):
                # an output inside a JSON text (an encoder's output in a field): say which field
                joined = self.place.json_layer(data, joined, label, depth) or joined
            if joined:
                hits = hits + joined
        return hits

    def _joined(self, data: bytes, label: str, depth: int, key: bytes) -> list[Hit]:
        """The hits in the inputs of the crypto ops whose outputs ``data`` holds."""
        assert self.plaintexts is not None, "only called with plaintexts"
        out: list[Hit] = []
        for join in self.plaintexts.find(data):
            op = join.op
            if not self._budget(len(op.input), label):
                break
            if not op.input_whole:
                self.note(f"{label}: the input of crypto op {op.id} was captured in part; only its first {len(op.input)} bytes were scanned")
            sub = self.layer(op.input, label, depth + 1, key, decoded=True)
            span = data[join.start : join.end]
            for h in sub:
                h.chain = (op.step, *h.chain)
                h.strong = h.strong or not op.weak
                h.ops = (op.id, *h.ops)
                h.span = span
                h.at = join.start
            out.extend(sub)
        return out

    def _layer(
        self,
        data: bytes,
        label: str,
        depth: int,
        key: bytes = b"",
        *,
        content_type: str = "",
        content_encoding: str = "",
        decoded: bool = False,
        outer: bytes | None = None,
    ) -> list[Hit]:
        limits = self.limits
        if content_encoding:
            steps: list[str] = []
            out = data
            for enc in reversed([e.strip().lower() for e in content_encoding.split(",")]):
                if enc in ("", "identity", "none"):
                    continue
                try:
                    out, problem = decompress(out, enc, limits.max_decoded_bytes)
                except DecodeError as e:
                    self.note(f"{label}: Content-Encoding {content_encoding!r} did not decode ({e}); scanned as sent")
                    steps = []
                    break
                steps.append("deflate" if enc == "deflate-raw" else enc)
                if problem:
                    self.note(f"{label}: {enc} stream {problem}; scanned what decoded")
            if steps and self._budget(len(out), label):
                hits = self.layer(out, label, depth + len(steps), key, content_type=content_type)
                return prefix(hits, tuple(steps))
        if depth >= limits.max_depth:
            self.note(f"{label}: depth limit {limits.max_depth} reached; deeper encodings not decoded")
            return self.text(data, key, depth, full=False, outer=outer)
        method = sniff_compression(data)
        if method:
            try:
                out, problem = decompress(data, method, limits.max_decoded_bytes)
            except DecodeError as e:
                self.note(f"{label}: looks {method}-compressed but did not decode ({e})")
            else:
                if problem:
                    self.note(f"{label}: {method} stream {problem}; scanned what decoded")
                if self._budget(len(out), label):
                    return prefix(self.layer(out, label, depth + 1, key, content_type=content_type), (method,))
        texty = is_texty(data)
        if (not texty or _odd_start(data)) and not looks_binary_image(data) and (not decoded or len(data) >= 64):
            found = try_headerless(data, limits.max_decoded_bytes, _is_protobuf)
            if found and self._budget(len(found[1]), label):
                return prefix(self.layer(found[1], label, depth + 1, key, content_type=content_type), (found[0],))
        ctype = content_type.lower()
        if "multipart/" in ctype or data.startswith(b"--"):
            boundary = multipart_boundary(content_type, data)
            if boundary:
                return self.place.multipart(data, boundary, label, depth)
        if texty and (
            "x-www-form-urlencoded" in ctype
            or (not decoded and looks_like_form(data))
            or (decoded and b"&" in data and looks_like_form(data))
        ):
            return prefix(self.place.group(data, lambda: form_fields(data), label, depth + 1), ("form",))
        if (not texty or _odd_start(data) or "proto" in ctype) and not looks_binary_image(data):
            leaves = protobuf_leaves(data)  # scanned field by field: a length byte may look like text
            if leaves:
                return self.place.protobuf_group(leaves, label, depth)
        hits = self.text(data, key, depth, full=texty or not decoded, outer=outer)
        return self.attribute(data, hits, texty, label, depth) if hits else hits

    def plain(self, data: bytes, content_type: str, content_encoding: str) -> bool:
        """True if :meth:`layer` would scan ``data`` as it is (text: not compressed, multipart or form)."""
        if (
            content_encoding.strip().lower() not in ("", "identity")
            or sniff_compression(data)
            or data.startswith(b"--")
            or _odd_start(data)
            or data[:1] == b"\n"  # alone, a leading line feed may be framing (protobuf field 1): see find_runs
        ):
            return False
        ctype = content_type.lower()
        return "multipart/" not in ctype and "form-urlencoded" not in ctype and is_texty(data) and not looks_like_form(data)

    def attribute(self, data: bytes, hits: list[Hit], texty: bool, label: str, depth: int) -> list[Hit]:
        """Say where the hits of one pass over ``data`` are, by its structure (JSON, protobuf)."""
        if texty and data.lstrip()[:1] in (b"{", b"["):
            found = self.place.json_layer(data, hits, label, depth)
            if found is not None:
                return found
        if not looks_binary_image(data):  # protobuf of mostly text fields reads as text too
            leaves = protobuf_leaves(data)
            if leaves is not None:
                return self.place.protobuf_layer(leaves, hits, label, depth)
        return hits

    def text(self, data: bytes, key: bytes, depth: int, *, full: bool, outer: bytes | None = None) -> list[Hit]:
        """One pass over the bytes: needles, patterns, positions, encoded runs."""
        matcher = self.matcher
        matches, guards = matcher.scan(data)
        if "slash" in guards:
            data = data.replace(b"\\/", b"/")  # JSON's optional escaping of '/'
            matches, guards = matcher.scan(data)
        hits: list[Hit] = []
        if matches:
            listed: dict[DataType, dict[str, tuple[int, int]]] = {}
            meaning = matcher.meaning
            if len(matches) > 1:  # longest first where several needles start together (IMEI 15 before 14)
                matches = sorted(matches, key=lambda m: (m[1], m[1] - m[2]))
            for idx, s, e in matches:
                for nd in meaning[idx]:
                    if nd.bounded and ((s and data[s - 1] in _ALNUM) or (e < len(data) and data[e] in _ALNUM)):
                        continue
                    if nd.listed:
                        listed.setdefault(nd.data_type, {}).setdefault(nd.value, (s, e))
                        continue
                    hit = Hit(nd.data_type, "value", nd.value, nd.chain, data, s, e)
                    hit.outer = outer
                    hits.append(hit)
            for dtype, members in listed.items():
                if len(members) >= self.limits.min_known_packages:
                    spans = sorted(members.values())
                    hits.append(Hit(dtype, "value", list_value(sorted(members)), (), data, spans[0][0], spans[-1][1]))
        if not full:
            return hits
        table = digit_table(data) if matcher.locations or self.patterns else b""
        if matcher.locations and table.find(b"0.000") >= 0:
            hits.extend(self._known_locations(data, table))
        if self.patterns:
            for f in find_patterns(data, key, guards, min_packages=self.limits.min_package_list, table=table):
                hit = Hit(f.data_type, "pattern", f.value, (), data, f.start, f.end)
                hit.outer = outer
                hits.append(hit)
        if len(data) < MIN_RUN and b"%" not in data:
            return hits  # too short for any encoded run (base64 and JWT need 16 characters, a URL escape a %)
        if depth + 1 < self.limits.max_depth:
            self._runs(data, key, depth, hits, "jwt" in guards)
        elif find_runs(data, 1, "jwt" in guards)[0]:
            self.note(f"depth limit {self.limits.max_depth} reached; encoded runs at that depth not decoded")
        return hits

    def _known_locations(self, data: bytes, table: bytes) -> list[Hit]:
        out = []
        tol = self.limits.location_tolerance
        for s1, _e1, a, _s2, e2, b in location_pairs(numbers(data, table, self.matcher.location_whole)):
            for lat, lon in self.matcher.locations:
                if (abs(a - lat) <= tol and abs(b - lon) <= tol) or (abs(a - lon) <= tol and abs(b - lat) <= tol):
                    out.append(Hit(DataType.location, "value", location_text(lat, lon), (), data, s1, e2))
        return out

    def _runs(self, data: bytes, key: bytes, depth: int, hits: list[Hit], jwt: bool) -> None:
        runs, capped = find_runs(data, self.limits.max_runs, jwt, binary_hex=self.plaintexts is not None)
        if capped:
            self.note(f"more than {self.limits.max_runs} encoded runs in one layer; the rest not decoded")
        quiet = self.matcher.quiet_runs
        plaintexts = self.plaintexts
        for kind, s, e in runs:
            chunk = data[s:e]
            # a run that decoded to nothing may hold an op output once that op is known: the
            # cache of quiet runs is kept per version of the op index
            quiet_key = (chunk, key) if plaintexts is None else (chunk, key, plaintexts.version)
            if quiet_key in quiet:
                continue  # seen in an earlier flow with nothing in it (tokens, cookies repeat)
            try:
                decoded = decode_run(kind, chunk)
            except DecodeError:
                continue
            if len(decoded) < 4 or not self._budget(len(decoded), kind):
                continue
            candidate = plaintexts is not None and plaintexts.may_match(decoded)
            if kind == "hexbin":
                if not candidate:
                    continue  # hex of binary data is only decoded when it may be an op's output
                kind = "hex"
            if len(decoded) < 64 and not is_texty(decoded) and not sniff_compression(decoded) and not candidate:
                continue  # short binary (a token, a digest): the run's own needles already matched it
            notes = len(self.notes)
            sub = self.layer(decoded, kind, depth + 1, key, decoded=True)
            if not sub:
                if len(self.notes) == notes and len(chunk) <= 4096 and not candidate:
                    quiet.remember(quiet_key)
                continue
            found = {(h.data_type, h.value) for h in sub}
            hits[:] = [h for h in hits if not (s <= h.at < e and (h.data_type, h.value) in found)]
            span = data[s:e]
            for h in sub:
                h.chain = (kind, *h.chain)
                h.span = span
                h.at = s
            hits.extend(sub)

    # -------------------------------------------------------------- structure
