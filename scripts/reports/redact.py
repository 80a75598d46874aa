"""Mask identifier values in report text: ``359881030314356`` → ``‹imei:sha256:bbd859f0›``.

The values to mask are every detection value of the session, the wire text each
detection matched (the ``[[...]]`` part of its excerpt, so encoded forms are masked
too) and every value and identifier a hook returned. The token keeps the data type,
the encoding and a SHA-256 prefix of the masked text, so a reader can still tell the
same value apart from a different one, and someone holding the device's identifiers
can check a token. Low-entropy values (an IMEI) can be brute-forced from a hash prefix:
redaction protects against casual reading, not against a determined attacker.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import ahocorasick_rs

from piaudit.policies.store import Store

MIN_LENGTH = 4  # shorter values would mask ordinary text
_MARKED = re.compile(r"\[\[(.+?)\]\]", re.S)


def token(text: str, data_type: str, encoding: str = "plain") -> str:
    """The mask of one value: type, encoding (when not plain) and a hash prefix."""
    kind = data_type if encoding in ("", "plain") else f"{data_type}({encoding})"
    return f"‹{kind}:sha256:{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}›"


class Redactor:
    """Replaces every known identifier value in a string by its token.

    >>> r = Redactor({"359881030314356": ("imei", "plain")})
    >>> r.mask("imei=359881030314356&x=1")
    'imei=‹imei:sha256:bbd859f0›&x=1'
    """

    def __init__(self, values: dict[str, tuple[str, str]] | None = None):
        self.values: dict[str, tuple[str, str]] = {}
        for value, kind in (values or {}).items():
            self.add(value, *kind)
        self._automaton: tuple[ahocorasick_rs.AhoCorasick, list[str]] | None = None

    def add(self, value: str | None, data_type: str, encoding: str = "plain") -> None:
        """Mask ``value`` (and its upper/lower-case forms) from now on."""
        if not value or len(value) < MIN_LENGTH:
            return
        for form in (value, value.lower(), value.upper()):
            self.values.setdefault(form, (data_type, encoding))
        self._automaton = None

    @property
    def enabled(self) -> bool:
        """Whether there is anything to mask."""
        return bool(self.values)

    def _build(self) -> tuple[ahocorasick_rs.AhoCorasick, list[str]]:
        values = list(self.values)
        tokens = [token(value, *self.values[value]) for value in values]
        return ahocorasick_rs.AhoCorasick(values, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest), tokens

    def mask(self, text: str) -> str:
        """``text`` with every known value replaced by its token (longest match wins)."""
        if not self.values or not text:
            return text
        if self._automaton is None:
            self._automaton = self._build()
        automaton, tokens = self._automaton
        parts, last = [], 0
        for index, start, end in automaton.find_matches_as_indexes(text):
            parts.append(text[last:start])
            parts.append(tokens[index])
            last = end
        if not parts:
            return text
        parts.append(text[last:])
        return "".join(parts)

    def mask_any(self, value: Any) -> Any:
        """Mask every string inside nested dicts/lists (keys are left alone)."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, dict):
            return {k: self.mask_any(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.mask_any(v) for v in value]
        return value

    def mask_bytes(self, body: bytes) -> str:
        """A note replacing a binary body whose identifiers cannot be masked in place."""
        return f"‹binary body redacted: {len(body)} bytes, sha256:{hashlib.sha256(body).hexdigest()[:16]}›"


KEY_REMOVED = "‹removed by --redact›"


def key_text(key_b64: str | None, redactor: Redactor) -> str | None:
    """A crypto op's key or IV as a report shows it: hex, or removed when the report is redacted.

    Keys are evidence (they decrypt what was sent) and stay in the session; a redacted report
    drops them. (The one owner of redaction will be ``policies.redaction``; this moves there.)
    """
    if key_b64 is None:
        return None
    if not isinstance(redactor, NoRedaction):
        return KEY_REMOVED
    import base64

    return base64.b64decode(key_b64).hex()


class NoRedaction(Redactor):
    """The identity redactor (reports without ``--redact``)."""

    def mask(self, text: str) -> str:
        return text

    def mask_any(self, value: Any) -> Any:
        return value


def redactor_for(store: Store) -> Redactor:
    """A redactor for every identifier value one session recorded."""
    redactor = Redactor()
    for row in store.conn.execute("SELECT data_type, value, encoding, excerpt FROM detections"):
        data_type, value, encoding, excerpt = row
        redactor.add(value, data_type)
        for marked in _MARKED.findall(excerpt or ""):
            redactor.add(marked, data_type, encoding or "plain")
    for (text,) in store.conn.execute("SELECT json FROM hook_events"):
        event = json.loads(text)
        data_type = event.get("data_type", "")
        redactor.add(event.get("value"), data_type)
        for kind, values in (event.get("identifiers") or {}).items():
            for value in values:
                redactor.add(value, kind)
    return redactor
