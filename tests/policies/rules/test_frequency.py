"""OVER_FREQUENCY: more than max_reads reads of one type by one party within a closed window."""

from __future__ import annotations

import pytest

from policies.rules import evaluate
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
        ([0, 0, 0, 0], 1),
    ],
)
def test_window_edges_and_bursts(times, count):
    assert len(bursts(times)) == count


def test_finding_cites_the_window_and_the_whole_burst():
    (f,) = bursts([0, 2, 4, 6, 8, 10])
    assert f.event == 4 and f.time == 6  # the read that crossed the threshold
    assert f.evidence_rows == [f"hook_events:{i}" for i in range(1, 7)]
    assert "4 times within 6.0 s" in f.message
    assert "The burst had 6 reads over 10.0 s" in f.message
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
