"""The session timeline as an inline SVG: reads per data type, transmissions per party, consent, screens, background.

Marks are binned (``BINS`` columns) so the chart has the same size for ten flows or a
million; a mark's opacity grows with the number of events in its bin. Parties carry their one
name (:mod:`policies.parties`). Consent signals the judgement counted are solid lines, the
others dashed and grey. Labels never overlap: consent signals of one kind close together share
one label (``consent granted ×6``), and labels are laid out in as many rows as they need
(:func:`layout_labels`). Every label is escaped: party names and hosts come from captured
traffic.
"""

from __future__ import annotations

import html
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from piaudit.policies.catalog import default_catalog
from piaudit.policies.classify import Classifier
from piaudit.policies.models import LifecycleEvent, Screen
from piaudit.policies.parties import PartyDirectory
from piaudit.policies.store import Store
from piaudit.policies.times import LATEST, is_plausible

BINS = 400
MAX_LANES = 12
CLUSTER_PX = 110  # consent signals closer than this share one label
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#7f7f7f",
    "#393b79",
    "#637939",
    "#843c39",
)
GRANTED, REFUSED, UNCOUNTED, SCREEN, BACKGROUND = "#1a7f37", "#b42318", "#8a8a8a", "#16324f", "#c8c8c8"
_OPENS_BACKGROUND = {"background", "activity_paused"}
_CLOSES_BACKGROUND = {"foreground", "activity_resumed", "process_start", "process_exit"}
FONT = 11


@dataclass
class Lane:
    """One row of marks: a data type read by hooks, or a party data was sent to."""

    label: str
    bins: Counter[int] = field(default_factory=Counter)
    total: int = 0


@dataclass
class Signal:
    """A consent event on the chart."""

    time: float
    decision: str
    source: str
    counted: bool
    row: str  # consent_events:<id>


@dataclass
class TimelineData:
    """The binned timeline of one session."""

    start: float
    end: float
    reads: list[Lane]
    sends: list[Lane]
    consent: list[Signal]
    background: list[tuple[float, float]]
    screens: list[tuple[float, int, str | None]] = field(default_factory=list)  # time, screen id, dialog

    def bin(self, t: float) -> int:
        """The column of time ``t``."""
        return min(BINS - 1, max(0, int((t - self.start) / (self.end - self.start) * BINS)))


def _party_of_host(classifier: Classifier, host: str) -> str:
    """A lane for a flow without a finding: the catalog's party (as classification names it), else the domain."""
    if not host:
        return "(no host)"
    try:
        found = classifier.classify(host)
    except Exception:  # a hostile or malformed host name still gets a lane
        return host
    return found.party or found.registrable_domain or host


def _lanes(counted: dict[str, Lane], other: str) -> list[Lane]:
    lanes = sorted(counted.values(), key=lambda lane: (-lane.total, lane.label))
    if len(lanes) <= MAX_LANES:
        return lanes
    rest = Lane(other.format(n=len(lanes) - MAX_LANES + 1))
    for lane in lanes[MAX_LANES - 1 :]:
        rest.bins.update(lane.bins)
        rest.total += lane.total
    return [*lanes[: MAX_LANES - 1], rest]


def bin_timeline(
    store: Store,
    consent: dict[str, Any],
    lifecycle: list[LifecycleEvent],
    directory: PartyDirectory,
    screens: list[Screen] = (),  # type: ignore[assignment]
    other_lanes: tuple[str, str] = ("{n} more data types", "{n} more parties"),
) -> TimelineData | None:
    """Bin a session's hook reads and personal-data transmissions; None when nothing has a time.

    ``consent`` is :func:`policies.consent.consent_summary` (its events say whether they counted).
    """
    from piaudit.policies import rows

    conn = store.conn
    # a stored impossible time is listed elsewhere, not charted
    events = [e for e in consent["events"] if is_plausible(e["time"])]
    lifecycle = [e for e in lifecycle if is_plausible(e.time)]
    screens = [s for s in screens if is_plausible(s.time)]
    bounds = conn.execute(
        "SELECT min(t), max(t) FROM (SELECT min(time) t FROM hook_events WHERE time BETWEEN 0 AND :n"
        " UNION ALL SELECT max(time) FROM hook_events WHERE time BETWEEN 0 AND :n"
        " UNION ALL SELECT min(timestamp_start) FROM flows WHERE timestamp_start BETWEEN 0 AND :n"
        " UNION ALL SELECT max(timestamp_start) FROM flows WHERE timestamp_start BETWEEN 0 AND :n)",
        {"n": LATEST - 1},
    ).fetchone()
    times = [t for t in (bounds[0], bounds[1], *(e["time"] for e in events), *(e.time for e in lifecycle), *(s.time for s in screens)) if t]
    if not times:
        return None
    start, end = min(times), max(times)
    pad = max(1.0, (end - start) * 0.02)
    signals = [Signal(e["time"], e["decision"], e["source"], e["counted"], f"consent_events:{e['id']}") for e in events]
    data = TimelineData(start - pad, end + pad, [], [], signals, [], [(s.time, s.id or 0, s.dialog) for s in screens])
    reads: dict[str, Lane] = {}
    for t, data_type in conn.execute("SELECT time, data_type FROM hook_events"):
        if not is_plausible(t):
            continue
        lane = reads.setdefault(data_type, Lane(data_type))
        lane.bins[data.bin(t)] += 1
        lane.total += 1
    run = rows.latest_run(store)
    classifier = Classifier([], [], default_catalog())
    sends: dict[str, Lane] = {}
    sql = (
        "SELECT f.timestamp_start, f.host, p.party FROM flows f LEFT JOIN (SELECT flow_id, min(party) AS party FROM findings"
        " WHERE run = ? AND party IS NOT NULL AND flow_id IS NOT NULL GROUP BY flow_id) p ON p.flow_id = f.flow_id"
        " WHERE f.flow_id IN (SELECT flow_id FROM detections WHERE direction != 'response')"
    )
    for t, host, party in conn.execute(sql, (run if run is not None else -1,)):
        if t is not None and not is_plausible(t):
            continue
        name = directory.display(party or _party_of_host(classifier, host or "")) or host or "?"
        lane = sends.setdefault(name, Lane(name))
        lane.bins[data.bin(t or data.start)] += 1
        lane.total += 1
    data.reads, data.sends = _lanes(reads, other_lanes[0]), _lanes(sends, other_lanes[1])
    opened: float | None = None
    for event in sorted(lifecycle, key=lambda e: (e.time, e.id or 0)):
        if event.state in _OPENS_BACKGROUND and opened is None:
            opened = event.time
        elif event.state in _CLOSES_BACKGROUND and opened is not None:
            data.background.append((opened, event.time))
            opened = None
    if opened is not None:
        data.background.append((opened, data.end))
    return data


# ------------------------------------------------------------------------------ layout


def text_width(text: str, size: float = FONT) -> float:
    """A generous estimate of the rendered width of ``text`` (wide CJK characters count double).

    >>> text_width("consent"), text_width("同意")
    (48.3, 25.3)
    """
    units = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)
    return round(units * size * 1.15, 1)


def fit(text: str, width: float, size: float = FONT) -> str:
    """``text`` cut (with an ellipsis) to fit ``width``."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


@dataclass
class Label:
    """A consent label: the signals it stands for, where it goes, its text."""

    x: float  # the first signal's line
    signals: list[Signal]
    text: str = ""
    left: float = 0.0
    width: float = 0.0
    row: int = 0


def layout_labels(xs: list[tuple[float, Signal]], text_of: Callable[[list[Signal]], str], right_edge: float, min_left: float) -> list[Label]:
    """Cluster signals of one kind closer than :data:`CLUSTER_PX` into one label, then give every label a row where it overlaps no other.

    A label starts just right of its first line, or ends just left of it when it would cross
    ``right_edge``; rows are added as needed, so no two labels ever overlap.
    """
    labels: list[Label] = []
    last: dict[tuple[str, bool], Label] = {}  # the latest label of each kind (decision, counted)
    for x, signal in sorted(xs, key=lambda item: item[0]):
        kind = (signal.decision, signal.counted)
        if kind in last and x - last[kind].x < CLUSTER_PX:
            last[kind].signals.append(signal)
        else:
            last[kind] = Label(x, [signal])
            labels.append(last[kind])
    rows: list[list[tuple[float, float]]] = []
    for label in labels:
        label.text = text_of(label.signals)
        label.width = text_width(label.text, FONT) + 2
        label.left = label.x + 4 if label.x + 4 + label.width <= right_edge else max(min_left, label.x - 4 - label.width)
        span = (label.left - 3, label.left + label.width + 3)
        for n, taken in enumerate(rows):
            if all(span[1] <= a or span[0] >= b for a, b in taken):
                label.row = n
                taken.append(span)
                break
        else:
            label.row = len(rows)
            rows.append([span])
    return labels


# ------------------------------------------------------------------------------ drawing


def render_svg(data: TimelineData, words: Callable[..., str], clock: Callable[[float], str], mask: Callable[[str], str] = str) -> str:
    """The timeline chart as an ``<svg>`` element (no script, no external reference).

    ``words(key, **values)`` gives the report's labels in its language, ``clock(t)`` a time as
    the report shows times, ``mask`` redacts captured text (party names, hosts).
    """

    def esc(value: object) -> str:
        return html.escape(mask(str(value)), quote=True)

    width, left, right, lane_h, head_h, label_h = 1200, 200, 16, 18, 22, 15
    plot_w = width - left - right
    span = data.end - data.start

    def x(t: float) -> float:
        return round(left + (t - data.start) / span * plot_w, 1)

    def consent_text(signals: list[Signal]) -> str:
        kinds = Counter((s.decision, s.counted) for s in signals)
        if len(kinds) == 1:
            (decision, counted), n = kinds.popitem()
            text = words(f"timeline.consent_{decision}") if counted else words("timeline.not_counted", decision=words(f"decision.{decision}"))
            return text + (f" ×{n}" if n > 1 else "")
        return words("timeline.signals", n=len(signals))

    labels = layout_labels([(x(s.time), s) for s in data.consent], consent_text, width - right, left)
    n_label_rows = max((lbl.row for lbl in labels), default=-1) + 1
    top = 10 + n_label_rows * label_h + 6
    screens_lane = 1 if data.screens else 0
    n_rows = len(data.reads) + len(data.sends) + screens_lane
    plot_h = 2 * head_h + n_rows * lane_h + (head_h if screens_lane else 0) + 4
    height = top + plot_h + 26
    bottom = top + plot_h
    out = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>{esc(words("timeline.title"))}</title>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fbfbfb" stroke="#ccc"/>',
    ]
    for a, b in data.background:
        out.append(
            f'<rect class="mark-background" x="{x(a)}" y="{top}" width="{max(1.0, x(b) - x(a))}" height="{plot_h}" fill="{BACKGROUND}" '
            f'fill-opacity="0.45"><title>{esc(words("timeline.background_span", start=clock(a), end=clock(b)))}</title></rect>'
        )
    for i in range(7):
        t = data.start + span * i / 6
        out.append(f'<line x1="{x(t)}" y1="{top}" x2="{x(t)}" y2="{bottom}" stroke="#e3e3e3"/>')
        label = clock(t)[11:19] if i in (0, 6) else f"+{t - data.start:.1f} s"
        anchor = "start" if i == 0 else "end" if i == 6 else "middle"
        out.append(
            f'<text class="tl-label" x="{x(t)}" y="{height - 10}" font-size="{FONT}" text-anchor="{anchor}" fill="#444">{esc(label)}</text>'
        )
    y = top
    bin_w = max(3.0, round(plot_w / BINS, 1))
    for heading, lanes, offset in ((words("timeline.reads"), data.reads, 0), (words("timeline.sends"), data.sends, 5)):
        out.append(
            f'<text class="tl-label" x="8" y="{y + 15}" font-size="12" font-weight="bold" fill="#222">{esc(fit(heading, left + plot_w / 3, 12))}</text>'
        )
        y += head_h
        if not lanes:
            out.append(f'<text class="tl-label" x="{left + 6}" y="{y - 6}" font-size="{FONT}" fill="#777">{esc(words("timeline.none"))}</text>')
        for n, lane in enumerate(lanes):
            colour = PALETTE[(n + offset) % len(PALETTE)]
            out.append(
                f'<text class="tl-label" x="{left - 6}" y="{y + 13}" font-size="{FONT}" text-anchor="end" fill="#222">'
                f"{esc(fit(mask(lane.label), left - 14))}<title>{esc(f'{lane.label}: {lane.total}')}</title></text>"
            )
            peak = max(lane.bins.values())
            for column, count in sorted(lane.bins.items()):
                t0 = data.start + span * column / BINS
                opacity = round(0.35 + 0.65 * count / peak, 2)
                out.append(
                    f'<rect class="mark-event" x="{x(t0)}" y="{y + 3}" width="{bin_w}" height="12" fill="{colour}" fill-opacity="{opacity}">'
                    f"<title>{esc(f'{lane.label}: {count} · {clock(t0)}')}</title></rect>"
                )
            y += lane_h
    if data.screens:
        out.append(f'<text class="tl-label" x="8" y="{y + 15}" font-size="12" font-weight="bold" fill="#222">{esc(words("timeline.screens"))}</text>')
        y += head_h
        for t, screen_id, dialog in data.screens:
            shape = f'<rect class="mark-screen" x="{x(t) - 4}" y="{y + 2}" width="8" height="13" rx="1.5" fill="#fff" stroke="{SCREEN}" stroke-width="2">'
            what = words(f"screens.dialog_{dialog}") if dialog else words("timeline.screen")
            out.append(f'<a href="#screen-{screen_id}">{shape}<title>{esc(f"#{screen_id} {what} · {clock(t)}")}</title></rect></a>')
        y += lane_h
    for lbl in labels:
        first = lbl.signals[0]
        for s in lbl.signals:
            colour = (GRANTED if s.decision == "granted" else REFUSED) if s.counted else UNCOUNTED
            dash = "" if s.counted else ' stroke-dasharray="5 3"'
            kind = "counted" if s.counted else "uncounted"
            out.append(
                f'<line class="mark-consent-{kind}" x1="{x(s.time)}" y1="{10 + lbl.row * label_h + 4}" x2="{x(s.time)}" y2="{bottom}" '
                f'stroke="{colour}" stroke-width="{2.5 if s.counted else 1.5}"{dash}>'
                f"<title>{esc(words('timeline.consent_title', decision=words(f'decision.{s.decision}'), source=s.source, time=clock(s.time)))}</title></line>"
            )
        colour = (GRANTED if first.decision == "granted" else REFUSED) if first.counted else UNCOUNTED
        weight = ' font-weight="bold"' if first.counted else ""
        out.append(
            f'<text class="tl-label tl-consent" x="{lbl.left}" y="{10 + lbl.row * label_h + 11}" font-size="{FONT}"{weight} fill="{colour}">{esc(lbl.text)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
