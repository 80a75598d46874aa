"""OVER_FREQUENCY: more than max_reads accesses (reads less than merge_seconds apart are one) within a closed window."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from piaudit.policies.rules import evaluate, frequency
from piaudit.policies.rules.context import RuleContext
from piaudit.policies.rules.frequency import MERGE_SECONDS, FrequencyTracker
from tests.policies.rules.build import classifier, consent, hook, only, policy, timeline


def bursts(times, party=None, data_type="android_id", **frequency):
    pol = policy(thresholds={"frequency": frequency} if frequency else {})
    reads = [hook(t, data_type, id=i + 1, party=party) for i, t in enumerate(times)]
    return only(evaluate(timeline(consent(-1), *reads), pol, classifier(pol)), "OVER_FREQUENCY")


@pytest.mark.parametrize(
    ("times", "count"),
    [
        ([0, 10, 20], 0),
        ([0, 10, 20, 30], 1),  # window edge included: 4 reads within [0, 30]
        ([0, 10, 20, 30.001], 0),  # just outside the window
        ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 1),  # one burst, one finding
        ([0, 1, 2, 3, 100, 101, 102, 103], 2),  # two bursts
        ([0, 0, 0, 0], 0),  # one access: four API calls at one instant
        ([0, 0.5, 10, 10.5, 20, 20.5], 0),  # three accesses of two calls each
        ([0, 0.5, 10, 10.5, 20, 20.5, 30, 30.5], 1),  # four accesses
        ([0, 0.999, 1.998, 2.997], 0),  # merged while less than 1 s after an access's first read: two accesses
        ([0, 1, 2, 3], 1),  # exactly merge_seconds apart: four accesses
        ([0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0], 1),  # a steady 0.5-s poll is no single access: anchored at 0, 1, 2, 3
    ],
)
def test_window_edges_and_bursts(times, count):
    assert len(bursts(times)) == count


def test_finding_cites_the_window_and_the_whole_burst():
    (f,) = bursts([0, 2, 4, 6, 8, 10])
    assert f.event == 4 and f.time == 6  # the read that crossed the threshold
    assert f.evidence_rows == [f"hook_events:{i}" for i in range(1, 7)]
    assert "4 times within 6.0 s" in f.message
    assert "The burst had 6 accesses over 10.0 s" in f.message
    assert f.severity == "medium"


def test_threshold_from_policy():
    assert len(bursts([0, 1, 2, 3], window_seconds=2, max_reads=3)) == 0
    assert len(bursts([0, 1, 2], window_seconds=2, max_reads=2)) == 1


def test_parties_are_counted_apart():
    pol = policy()
    reads = [hook(t, id=i, party="Umeng" if i % 2 else None) for i, t in enumerate([0, 1, 2, 3, 4, 5])]
    assert only(evaluate(timeline(*reads), pol, classifier(pol)), "OVER_FREQUENCY") == []


def test_data_types_are_counted_apart():
    pol = policy()
    reads = [hook(t, "imei" if i % 2 else "android_id", id=i) for i, t in enumerate([0, 1, 2, 3, 4, 5])]
    assert only(evaluate(timeline(*reads), pol, classifier(pol)), "OVER_FREQUENCY") == []


def location_fix(t, first_id):
    """One location read as the app makes it: the fix, then its latitude and longitude microseconds later."""
    return [hook(t + i * 0.000_001, "location", id=first_id + i) for i in range(3)]


def test_one_location_fix_is_one_access():
    pol = policy()
    fixes = [read for i, t in enumerate([0, 10, 20]) for read in location_fix(t, 3 * i + 1)]
    assert only(evaluate(timeline(consent(-1), *fixes), pol, classifier(pol)), "OVER_FREQUENCY") == []
    fixes += location_fix(30, 10)
    (f,) = only(evaluate(timeline(consent(-1), *fixes), pol, classifier(pol)), "OVER_FREQUENCY")
    assert f.event == 10 and f.time == 30  # the first call of the access that crossed the threshold
    assert f.evidence_rows == [f"hook_events:{i}" for i in range(1, 13)]  # every API call is cited
    assert "4 times within 30.0 s" in f.message and "less than 1 s apart count as one access" in f.message
    assert "The burst had 4 accesses" in f.message


def test_calls_merged_into_an_open_burst_are_cited_but_not_counted():
    (f,) = bursts([0, 10, 20, 30, 30.5, 40])
    assert f.evidence_rows == [f"hook_events:{i}" for i in range(1, 7)]
    assert "The burst had 5 accesses over 40.0 s" in f.message


def test_merged_calls_do_not_end_or_extend_a_burst():
    # accesses at 0, 1, 2, 3 (burst), then calls merged into the access at 3, then a new burst far later
    first, second = bursts([0, 1, 2, 3, 3.2, 3.4, 100, 101, 102, 103])
    assert first.evidence_rows == [f"hook_events:{i}" for i in range(1, 7)]
    assert "The burst had 4 accesses over 3.4 s" in first.message
    assert second.event == 10 and second.evidence_rows == [f"hook_events:{i}" for i in range(7, 11)]


def test_parties_and_types_are_merged_apart():
    pol = policy()
    reads = [hook(t, "location", id=i + 1, party="Umeng" if i % 2 else None) for i, t in enumerate([0, 0.1, 10, 10.1])]
    reads += [hook(20, "location", id=10), hook(20.1, "imei", id=11), hook(30, "location", id=12)]
    (f,) = only(evaluate(timeline(consent(-1), *reads), pol, classifier(pol)), "OVER_FREQUENCY")
    assert f.party is None and f.event == 12  # the app's location at 0, 10, 20, 30; Umeng's and imei apart


def test_merge_default_is_the_module_constant(monkeypatch):
    assert MERGE_SECONDS == 1.0
    # the constant is the documented default a policy field will later override: setting it is the input under test
    monkeypatch.setattr(frequency, "MERGE_SECONDS", 0.0)
    assert len(bursts([0, 0, 0, 0])) == 1  # no merging: four accesses


@pytest.mark.parametrize(("merge_seconds", "found"), [(5.0, 0), (2.0, 1)])
def test_merge_seconds_from_a_future_policy_field(merge_seconds, found):
    pol = policy()
    ctx = RuleContext.build(pol, classifier(pol))
    tracker = FrequencyTracker(SimpleNamespace(window_seconds=30.0, max_reads=3, merge_seconds=merge_seconds))
    results = [tracker.add(hook(t, id=i + 1), None, ctx) for i, t in enumerate([0, 2, 4, 6])]
    assert sum(r is not None for r in results) == found
