"""Screens as the HTML report shows them: inline PNGs (data URIs) beside the events they document.

A screen's PNG is embedded only when its file still has the SHA-256 its chained row records
(a changed file is named instead), and only up to :data:`MAX_EMBEDDED_BYTES` in all, so a
session with hundreds of captures still gives a report a mail client opens. With ``--redact``,
a screen whose hierarchy shows an identifier value is withheld: its pixels cannot be masked.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from piaudit.policies.models import Screen
from piaudit.policies.screens import SCREENS_DIR

MAX_EMBEDDED_BYTES = 24 << 20
SAME_EVENT = 0.002  # seconds: a trigger carries its event's time
NEAR_SECONDS = 10.0  # a finding with no screen of its own shows the last screen captured at most this long before it


@dataclass
class Shot:
    """One screen, ready for the template."""

    id: int
    time: float
    when: str
    png: str
    png_sha256: str
    width: int | None
    height: int | None
    dialog: str  # in words
    kind: str | None  # "consent", "permission" or None
    triggers: list[str]
    texts: str
    events: list[tuple[str, float, str | None]] = field(default_factory=list)  # (kind, time, data type) of its triggers
    image: Markup | None = None
    withheld: str = ""


class Shots:
    """The session's screens for one report: images loaded once, with a byte budget."""

    def __init__(
        self,
        session_dir: Path,
        screens: list[Screen],
        words: Callable[..., str],
        clock: Callable[[float], str],
        redact: Callable[[str], str] | None = None,
    ):
        self.shots: list[Shot] = []
        budget = MAX_EMBEDDED_BYTES
        for s in screens:
            texts = " · ".join(s.texts)
            shot = Shot(
                id=s.id or 0,
                time=s.time,
                when=clock(s.time),
                png=s.png or "",
                png_sha256=s.png_sha256 or "",
                width=s.width,
                height=s.height,
                dialog=words(f"screens.dialog_{s.dialog}") if s.dialog else "",
                kind=s.dialog,
                triggers=[_trigger(t, words) for t in s.triggers],
                texts=texts,
                events=[(t.kind, t.time, str(t.data_type) if t.data_type else None) for t in s.triggers],
            )
            if not s.png:
                shot.withheld = words("screens.no_png", error=s.error or "")
            elif redact is not None and redact(texts) != texts:
                shot.withheld = words("screens.withheld")
            else:
                data, problem = _read(session_dir / SCREENS_DIR / s.png, s.png_sha256)
                if problem:
                    shot.withheld = words(problem, file=s.png)
                elif len(data) > budget:
                    shot.withheld = words("screens.over_budget", file=s.png)
                else:
                    budget -= len(data)
                    shot.image = Markup("data:image/png;base64," + base64.b64encode(data).decode("ascii"))
            self.shots.append(shot)

    def for_event(self, kind: str, time: float, data_type: str | None = None) -> list[Shot]:
        """The screens captured for one event (a consent decision, the first read of a data type), by its time."""
        return [
            s
            for s in self.shots
            if any(k == kind and abs(t - time) < SAME_EVENT and (data_type is None or d == data_type) for k, t, d in s.events)
        ]

    def near(self, t: float) -> list[Shot]:
        """The last screen captured at or before ``t`` (within :data:`NEAR_SECONDS`), if any."""
        before = [s for s in self.shots if t - NEAR_SECONDS <= s.time <= t]
        return before[-1:]

    def dialogs(self) -> list[Shot]:
        """Screens whose hierarchy shows a consent dialog: its text is part of the consent evidence."""
        return [s for s in self.shots if s.kind == "consent" and s.texts]


def _trigger(t: Any, words: Callable[..., str]) -> str:
    text = words(f"trigger.{t.kind}", data_type=t.data_type or "", detail=t.detail or "")
    return f"{text} ({t.row})" if t.row else text


def _read(path: Path, sha256: str | None) -> tuple[bytes, str]:
    """The PNG's bytes and a problem key (empty when the file is as its row says)."""
    try:
        data = path.read_bytes()
    except OSError:
        return b"", "screens.missing"
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        return b"", "screens.changed"
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return b"", "screens.not_png"
    return data, ""
