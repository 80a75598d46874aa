"""Consent, owned here: which signals count, which button words mean agree or refuse, and
which answer the user had given at any instant.

Only signals whose ``source`` the policy counts (``consent.signals``, by default
:data:`policies.vocab.DEFAULT_CONSENT_SIGNALS`) are used. The state at time *t* is the last
counting consent event at or before *t*: an event at exactly the consent time is already after
consent. At one instant, events are ordered by row id, then decision (``granted`` <
``refused`` < ``withdrawn``), so a refusal wins a tie.

The rules judge with :class:`ConsentTimeline`; reports show :func:`consent_summary` of the
signals the judgement stored (never the policy file again); the Frida agent gets its button
words from :func:`consent_words` through the host.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Collection, Iterable
from functools import cache
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from piaudit.policies.models import ConsentEvent
from piaudit.policies.policy import DATA_DIR, Policy
from piaudit.policies.timefmt import utc
from piaudit.policies.vocab import DEFAULT_CONSENT_SIGNALS
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

    def __init__(self, events: Iterable[ConsentEvent] = (), signals: Collection[str] = DEFAULT_CONSENT_SIGNALS):
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


def consent_summary(events: Iterable[ConsentEvent], signals: Collection[str]) -> dict[str, Any]:
    """The consent facts a report shows: the consent moment, the answer last in force, every event.

    ``signals`` are the sources the judgement counted (stored with its findings run). The keys
    are part of the JSON report's contract: ``consent_time``, ``consent_time_utc``,
    ``decision``, ``signals``, ``note`` and ``events`` (each with ``counted``).
    """
    every = sorted(events, key=consent_key)
    timeline = ConsentTimeline(every, signals)
    first = timeline.first_grant
    return {
        "consent_time": first.time if first else None,
        "consent_time_utc": utc(first.time) if first else None,
        "decision": timeline.events[-1].decision if timeline.events else "none",
        "signals": list(signals),
        "note": None if timeline.events else NO_CONSENT_NOTE,
        "events": [
            {
                "id": e.id,
                "time": e.time,
                "time_utc": utc(e.time),
                "decision": e.decision,
                "source": e.source,
                "detail": e.detail,
                "party": e.party,
                "counted": e.source in timeline.signals,
            }
            for e in every
        ],
    }


class ConsentWords(BaseModel):
    """Button texts that mean agree or refuse (``policies/data/consent_words.yaml``, extended by a policy)."""

    model_config = ConfigDict(frozen=True)

    agree: list[str]
    refuse: list[str]


@cache
def default_consent_words() -> ConsentWords:
    """The shipped agree/refuse words (``policies/data/consent_words.yaml``)."""
    data, _ = load_yaml_file(DATA_DIR / "consent_words.yaml")
    return ConsentWords(agree=data["agree"], refuse=data["refuse"])


def consent_words(policy: Policy | None) -> ConsentWords:
    """The default consent words extended by the policy's ``consent.agree_words`` / ``refuse_words``.

    This is what the Frida agent is given: without a policy, the defaults.
    """
    base = default_consent_words()
    if policy is None:
        return base
    return ConsentWords(agree=[*base.agree, *policy.consent.agree_words], refuse=[*base.refuse, *policy.consent.refuse_words])


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    return re.sub(r"^[\W_]+|[\W_]+$", "", re.sub(r"\s+", " ", text))


MAX_BUTTON_TEXT = 16
"""Longer texts are the dialog, not a button: they only count when they are a word exactly."""


def match_consent_word(text: str, words: ConsentWords, *, max_length: int = MAX_BUTTON_TEXT) -> Literal["granted", "refused"] | None:
    """What a button text means: ``granted``, ``refused`` or None. The one judge of clicks: the
    agent only sends the texts that may be consent, the host asks this function.

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
