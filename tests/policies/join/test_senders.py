"""The sender join: an ``http:request`` event names the code that sent a flow (method + URL, a window, a tie-break)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from piaudit.policies.join.senders import WINDOW_AFTER, WINDOW_BEFORE, SenderIndex, join_senders, normalize_url
from piaudit.policies.models import FlowSummary, HttpRequest

URL = "https://api.demoapp.example/v1/collect?x=1"


def req(id: int, time: float, url: str = URL, method: str = "POST", party: str | None = "Umeng", pid: int = 7) -> HttpRequest:
    return HttpRequest(id=id, time=time, method=method, url=url, party=party, pid=pid)


def flow(fid: str, time: float, url: str = URL, method: str = "POST") -> FlowSummary:
    return FlowSummary(flow_id=fid, time=time, method=method, url=url)


@pytest.mark.parametrize(
    ("given_url", "expected"),
    [
        ("HTTPS://API.Demoapp.Example:443/v1/collect?x=1", URL),
        ("https://api.demoapp.example/v1/collect?x=1#top", URL),
        ("http://h.example:80", "http://h.example/"),
        ("http://h.example:8080/p", "http://h.example:8080/p"),
        ("https://h.example/a%2fb?q=%e4%bd%a0", "https://h.example/a%2Fb?q=%E4%BD%A0"),
        ("https://[::1]:8443/x", "https://[::1]:8443/x"),
        ("not a url", "not a url"),
    ],
)
def test_urls_compare_normalized(given_url, expected):
    assert normalize_url(given_url) == expected


def test_a_flow_takes_the_request_with_its_method_and_url_in_the_window():
    requests = [req(1, 100.0), req(2, 100.5, method="GET"), req(3, 100.6, url=URL + "&y=2")]
    assert join_senders([flow("f", 101.0)], requests)["f"].id == 1
    assert join_senders([flow("f", 101.0 + WINDOW_BEFORE + 0.1)], requests) == {}  # too long before
    assert join_senders([flow("f", 100.0 - WINDOW_AFTER - 0.1)], requests) == {}  # too long after


def test_tie_break_before_the_flow_then_nearest_then_lowest_id():
    assert join_senders([flow("f", 100.0)], [req(1, 99.0), req(2, 100.5)])["f"].id == 1  # before beats a nearer one after
    assert join_senders([flow("f", 100.0)], [req(1, 99.0), req(2, 100.1)])["f"].id == 1  # ... even within the clock slack
    assert join_senders([flow("f", 100.0)], [req(1, 100.1), req(2, 100.9)])["f"].id == 1  # within the slack beats later
    assert join_senders([flow("f", 100.0)], [req(1, 98.0), req(2, 99.5)])["f"].id == 2  # then the nearest
    assert join_senders([flow("f", 100.0)], [req(5, 99.5), req(4, 99.5)])["f"].id == 4  # then the lower id


def test_one_to_one_a_polling_loop_pairs_in_order():
    requests = [req(i, 100.0 + i) for i in range(1, 6)]
    flows = [flow(f"f{i}", 100.05 + i) for i in range(1, 6)]
    joined = join_senders(flows, requests)
    assert {f: r.id for f, r in joined.items()} == {f"f{i}": i for i in range(1, 6)}


def test_a_flow_without_a_request_stays_unjoined_and_a_request_is_used_once():
    joined = join_senders([flow("a", 100.0), flow("b", 100.1)], [req(1, 99.9)])
    assert list(joined) == ["a"]


def test_the_live_index_gives_the_nearest_request_whatever_the_scan_order():
    index = SenderIndex()
    for r in (req(2, 100.5), req(1, 99.0), req(3, 104.0)):
        index.add(r)
    assert index.nearest("post", URL.upper().replace("HTTPS", "https").replace("/V1/COLLECT?X=1", "/v1/collect?x=1"), 100.0).id == 1
    assert index.nearest("POST", URL, 104.1).id == 3
    assert index.nearest("GET", URL, 100.0) is None
    assert len(index) == 3


def test_the_live_index_is_bounded():
    index = SenderIndex(max_requests=10)
    for i in range(25):
        index.add(req(i, float(i)))
    assert len(index) == 10
    assert index.nearest("POST", URL, 24.0).id == 24


@settings(max_examples=200, deadline=None)
@given(
    gaps=st.lists(st.floats(0.01, WINDOW_BEFORE), min_size=1, max_size=20),
    fractions=st.lists(st.floats(0.0, 0.99), min_size=20, max_size=20),
)
def test_each_flow_joins_its_own_request_when_each_flow_precedes_the_next_request(gaps, fractions):
    """Request i, then its flow, then request i+1 ...: every flow joins its own request, whatever the gaps."""
    requests, flows = [], []
    clock = 1000.0
    for i, gap in enumerate(gaps):
        requests.append(req(i + 1, clock))
        flows.append(flow(f"f{i + 1}", clock + gap * fractions[i]))
        clock += gap
    joined = join_senders(list(reversed(flows)), list(reversed(requests)))  # input order does not matter
    assert {f: r.id for f, r in joined.items()} == {f"f{i + 1}": i + 1 for i in range(len(gaps))}
