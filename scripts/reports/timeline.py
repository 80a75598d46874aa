"""The session timeline as an inline SVG: reads per data type, transmissions per party, consent, background.

Marks are binned (``BINS`` columns) so the chart has the same size for ten flows or a
million; a mark's opacity grows with the number of events in its bin. Every label is
escaped: party names and hosts come from captured traffic.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from piaudit.policies.catalog import default_catalog
from piaudit.policies.classify import Classifier
from piaudit.policies.models import ConsentEvent, Finding, LifecycleEvent
from piaudit.policies.store import Store
from piaudit.policies.timefmt import utc
from piaudit.policies.times import LATEST, is_plausible

BINS = 400
MAX_LANES = 12
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
_OPENS_BACKGROUND = {"background", "activity_paused"}
_CLOSES_BACKGROUND = {"foreground", "activity_resumed", "process_start", "process_exit"}


@dataclass
class Lane:
    """One row of marks: a data type read by hooks, or a party data was sent to."""

    label: str
    bins: Counter[int] = field(default_factory=Counter)
    total: int = 0


@dataclass
class TimelineData:
    """The binned timeline of one session."""

    start: float
    end: float
    reads: list[Lane]
    sends: list[Lane]
    consent: list[tuple[float, str, str]]  # time, decision, source
    background: list[tuple[float, float]]

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


def _lanes(counted: dict[str, Lane], prefix: str) -> list[Lane]:
    lanes = sorted(counted.values(), key=lambda lane: (-lane.total, lane.label))
    if len(lanes) <= MAX_LANES:
        return lanes
    other = Lane(f"{prefix} ({len(lanes) - MAX_LANES + 1} more)")
    for lane in lanes[MAX_LANES - 1 :]:
        other.bins.update(lane.bins)
        other.total += lane.total
    return [*lanes[: MAX_LANES - 1], other]


def bin_timeline(
    store: Store, findings: list[Finding], consent: list[ConsentEvent], lifecycle: list[LifecycleEvent]
) -> TimelineData | None:
    """Bin a session's hook reads and personal-data transmissions; None when nothing has a time."""
    conn = store.conn
    consent = [e for e in consent if is_plausible(e.time)]  # a stored impossible time is listed elsewhere, not charted
    lifecycle = [e for e in lifecycle if is_plausible(e.time)]
    bounds = conn.execute(
        "SELECT min(t), max(t) FROM (SELECT min(time) t FROM hook_events WHERE time BETWEEN 0 AND :n"
        " UNION ALL SELECT max(time) FROM hook_events WHERE time BETWEEN 0 AND :n"
        " UNION ALL SELECT min(timestamp_start) FROM flows WHERE timestamp_start BETWEEN 0 AND :n"
        " UNION ALL SELECT max(timestamp_start) FROM flows WHERE timestamp_start BETWEEN 0 AND :n)",
        {"n": LATEST - 1},
    ).fetchone()
    times = [t for t in (bounds[0], bounds[1], *(e.time for e in consent), *(e.time for e in lifecycle)) if t]
    if not times:
        return None
    start, end = min(times), max(times)
    pad = max(1.0, (end - start) * 0.02)
    data = TimelineData(start - pad, end + pad, [], [], [(e.time, e.decision, e.source) for e in consent], [])
    reads: dict[str, Lane] = {}
    for t, data_type in conn.execute("SELECT time, data_type FROM hook_events"):
        if not is_plausible(t):
            continue
        lane = reads.setdefault(data_type, Lane(data_type))
        lane.bins[data.bin(t)] += 1
        lane.total += 1
    party_of_flow = {f.flow: f.party for f in findings if f.flow and f.party}
    classifier = Classifier([], [], default_catalog())
    sends: dict[str, Lane] = {}
    sql = (
        "SELECT timestamp_start, host, flow_id FROM flows WHERE flow_id IN"
        " (SELECT flow_id FROM detections WHERE direction != 'response')"
    )
    for t, host, flow_id in conn.execute(sql):
        if t is not None and not is_plausible(t):
            continue
        party = party_of_flow.get(flow_id) or _party_of_host(classifier, host or "")
        lane = sends.setdefault(party, Lane(party))
        lane.bins[data.bin(t or data.start)] += 1
        lane.total += 1
    data.reads, data.sends = _lanes(reads, "other data types"), _lanes(sends, "other parties")
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


def render_svg(data: TimelineData, mask: Callable[[str], str] = str) -> str:
    """The timeline chart as an ``<svg>`` element (no script, no external reference); ``mask`` redacts labels."""

    def _esc(value: object) -> str:
        return html.escape(mask(str(value)), quote=True)

    width, left, right, top, lane_h, head_h = 1200, 200, 16, 34, 18, 22
    plot_w = width - left - right
    n_rows = len(data.reads) + len(data.sends)
    height = top + 2 * head_h + n_rows * lane_h + 26
    span = data.end - data.start

    def x(t: float) -> float:
        return round(left + (t - data.start) / span * plot_w, 1)

    out = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>Session timeline</title>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{height - top - 26}" fill="#fbfbfb" stroke="#ccc"/>',
    ]
    for a, b in data.background:
        out.append(
            f'<rect x="{x(a)}" y="{top}" width="{max(1.0, x(b) - x(a))}" height="{height - top - 26}" fill="#c8c8c8" '
            f'fill-opacity="0.45"><title>{_esc(f"app in background {utc(a)} – {utc(b)}")}</title></rect>'
        )
    for i in range(7):
        t = data.start + span * i / 6
        out.append(f'<line x1="{x(t)}" y1="{top}" x2="{x(t)}" y2="{height - 26}" stroke="#e3e3e3"/>')
        label = utc(t)[11:19] + " UTC" if i in (0, 6) else f"+{t - data.start:.1f} s"
        anchor = "start" if i == 0 else "end" if i == 6 else "middle"
        out.append(f'<text x="{x(t)}" y="{height - 10}" font-size="11" text-anchor="{anchor}" fill="#444">{_esc(label)}</text>')
    y = top
    bin_w = max(3.0, round(plot_w / BINS, 1))
    for heading, lanes, offset in (
        ("reads (hooks), by data type", data.reads, 0),
        ("transmissions of personal data, by party", data.sends, 5),
    ):
        out.append(f'<text x="8" y="{y + 15}" font-size="12" font-weight="bold" fill="#222">{_esc(heading)}</text>')
        y += head_h
        if not lanes:
            out.append(f'<text x="{left + 6}" y="{y - 6}" font-size="11" fill="#777">none recorded</text>')
        for n, lane in enumerate(lanes):
            colour = PALETTE[(n + offset) % len(PALETTE)]
            out.append(
                f'<text x="{left - 6}" y="{y + 13}" font-size="11" text-anchor="end" fill="#222">'
                f"{_esc(lane.label[:34])}<title>{_esc(f'{lane.label}: {lane.total}')}</title></text>"
            )
            peak = max(lane.bins.values())
            for column, count in sorted(lane.bins.items()):
                t0 = data.start + span * column / BINS
                opacity = round(0.35 + 0.65 * count / peak, 2)
                out.append(
                    f'<rect x="{x(t0)}" y="{y + 3}" width="{bin_w}" height="12" fill="{colour}" fill-opacity="{opacity}">'
                    f"<title>{_esc(f'{lane.label}: {count} at {utc(t0)}')}</title></rect>"
                )
            y += lane_h
    for t, decision, source in data.consent:
        colour = "#1a7f37" if decision == "granted" else "#b42318"
        out.append(
            f'<line x1="{x(t)}" y1="{top - 4}" x2="{x(t)}" y2="{height - 26}" stroke="{colour}" stroke-width="2.5">'
            f"<title>{_esc(f'consent {decision} ({source}) at {utc(t)}')}</title></line>"
        )
        out.append(
            f'<text x="{x(t) + 4}" y="{top - 8}" font-size="11" font-weight="bold" fill="{colour}">{_esc(f"consent {decision}")}</text>'
        )
    out.append("</svg>")
    return "".join(out)
