"""Consent over time: which answer the user had given at any instant.

Only signals whose ``source`` the policy counts (``consent.signals``) are used. The state
at time *t* is the last counting consent event at or before *t*: an event at exactly the
consent time is already after consent. At one instant, events are ordered by row id, then
decision (``granted`` < ``refused`` < ``withdrawn``), so a refusal wins a tie.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Collection, Iterable
from functools import cache
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel

from piaudit.policies.models import ConsentEvent, Timeline
from piaudit.policies.policy import DATA_DIR, Policy
from piaudit.policies.yamlfile import load_yaml_file

NO_CONSENT_NOTE = "no consent event: everything treated as before consent"


def consent_key(event: ConsentEvent) -> tuple[Any, ...]:
    """A total order of consent events that does not depend on input order."""
    return (event.time, -1 if event.id is None else event.id, event.decision, event.source, event.detail)


class ConsentState(NamedTuple):
    """The user's answer in force at one instant; ``event`` is None before any answer."""

    decision: Literal["none", "granted", "refused", "withdrawn"]
    event: ConsentEvent | None

    @property
    def granted(self) -> bool:
        """Consent was given and not withdrawn."""
        return self.decision == "granted"

    @property
    def refused(self) -> bool:
        """The user refused or withdrew, and has not agreed since."""
        return self.decision in ("refused", "withdrawn")

    @property
    def rows(self) -> list[str]:
        """The evidence row of the event in force, if stored."""
        return [f"consent_events:{self.event.id}"] if self.event is not None and self.event.id is not None else []


class ConsentTimeline:
    """Counting consent events in time order; ``state_at(t)`` answers in O(log n)."""

    def __init__(self, events: Iterable[ConsentEvent] = (), signals: Collection[str] = ("manual", "ui_click")):
        self.signals = frozenset(signals)
        self.events: list[ConsentEvent] = []
        self._keys: list[tuple[Any, ...]] = []
        self.ignored: list[ConsentEvent] = []
        for event in sorted(events, key=consent_key):
            self.add(event)

    def add(self, event: ConsentEvent) -> bool:
        """Take one event into account; False (and kept in ``ignored``) when its source does not count."""
        if event.source not in self.signals:
            self.ignored.append(event)
            return False
        key = consent_key(event)
        index = bisect.bisect_right(self._keys, key)
        self._keys.insert(index, key)
        self.events.insert(index, event)
        return True

    def state_at(self, time: float) -> ConsentState:
        """The answer in force at ``time`` (events at exactly ``time`` count)."""
        index = bisect.bisect_right(self._keys, (time, float("inf")))
        if index == 0:
            return ConsentState("none", None)
        event = self.events[index - 1]
        return ConsentState(event.decision, event)

    @property
    def first_grant(self) -> ConsentEvent | None:
        """The first counting grant, if any."""
        return next((e for e in self.events if e.decision == "granted"), None)


def consent_summary(timeline: Timeline, policy: Policy) -> dict[str, Any]:
    """Consent facts for a report: signals counted, first grant, refusals, and a note when there was none."""
    consent = ConsentTimeline(timeline.consent_events, policy.consent.signals)
    first = consent.first_grant

    def brief(e: ConsentEvent) -> dict[str, Any]:
        return {"time": e.time, "decision": e.decision, "source": e.source, "detail": e.detail, "id": e.id}

    if not consent.events:
        note = NO_CONSENT_NOTE
    elif first is None:
        note = "consent was never granted: everything before the first refusal counts as before consent"
    else:
        note = ""
    return {
        "signals_counted": sorted(consent.signals),
        "first_grant": first.time if first else None,
        "grants": [brief(e) for e in consent.events if e.decision == "granted"],
        "refusals": [brief(e) for e in consent.events if e.decision != "granted"],
        "ignored": [brief(e) for e in sorted(consent.ignored, key=consent_key)],
        "note": note,
    }


class ConsentWords(BaseModel):
    """Button texts that mean agree or refuse."""

    agree: list[str]
    refuse: list[str]


@cache
def default_consent_words() -> ConsentWords:
    """The shipped agree/refuse words (``policies/data/consent_words.yaml``)."""
    data, _ = load_yaml_file(DATA_DIR / "consent_words.yaml")
    return ConsentWords(agree=data["agree"], refuse=data["refuse"])


def consent_words(policy: Policy) -> ConsentWords:
    """The default consent words extended by the policy's ``consent.agree_words`` / ``refuse_words``."""
    base = default_consent_words()
    return ConsentWords(agree=[*base.agree, *policy.consent.agree_words], refuse=[*base.refuse, *policy.consent.refuse_words])


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    return re.sub(r"^[\W_]+|[\W_]+$", "", re.sub(r"\s+", " ", text))


def match_consent_word(text: str, words: ConsentWords, *, max_length: int = 16) -> Literal["granted", "refused"] | None:
    """What a button text means: ``granted``, ``refused`` or None.

    Exact matches first; then, for short texts only (a long text is the dialog, not a
    button), containment, trying refuse words before agree words.

    >>> match_consent_word("不同意并退出", default_consent_words())
    'refused'
    >>> match_consent_word(" Agree ", default_consent_words())
    'granted'
    """
    norm = _normalize(text)
    refuse = [_normalize(w) for w in words.refuse]
    agree = [_normalize(w) for w in words.agree]
    if norm in refuse:
        return "refused"
    if norm in agree:
        return "granted"
    if not norm or len(norm) > max_length:
        return None
    if any(w and w in norm for w in refuse):
        return "refused"
    if any(w and w in norm for w in agree):
        return "granted"
    return None
