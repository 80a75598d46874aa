"""The judge's order streamed (policies.rules.order.merged, the store's sorted reads) equals the order
of the whole timeline sorted in memory (judge_order), and the streamed final judgement equals evaluate."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from piaudit.policies import rows
from piaudit.policies.auditor import recompute
from piaudit.policies.inputs import AuditInputs
from piaudit.policies.models import ApiRef, HookStatus, Timeline
from piaudit.policies.options import AuditOptions
from piaudit.policies.rules import evaluate, evaluation_notes, judge_items
from piaudit.policies.rules.order import judge_order, merged, ordered_flows, stored_events
from piaudit.policies.session import Session
from tests.policies.rules.build import classifier, consent, flow, hook, life, permission, policy, tls_failure
from tests.policies.rules.test_evaluate import demo_session


def random_timeline(seed: int, n: int) -> Timeline:
    """Items of every kind at few distinct instants (many ties), flows with repeated (time, flow_id)."""
    rng = random.Random(seed)
    times = [float(rng.randrange(6)) for _ in range(n)]
    hosts = ["alog.umeng.com", "bugly.qq.com", "api.demoapp.example", "t.example.cn"]
    tl = Timeline()
    for i, t in enumerate(times):
        kind = rng.randrange(6)
        if kind == 0:
            tl.consent_events.append(consent(t, rng.choice(["granted", "refused", "withdrawn"]), id=rng.randrange(3)))
        elif kind == 1:
            tl.lifecycle_events.append(life(t, rng.choice(["foreground", "background"]), id=rng.randrange(3)))
        elif kind == 2:
            tl.hook_events.append(
                hook(t, rng.choice(["imei", "android_id", "location"]), id=i, party=rng.choice([None, "Umeng"]))
            )
        elif kind == 3:
            tl.permission_events.append(permission(t, "READ_PHONE_STATE", id=i))
        elif kind == 4:
            tl.flows.append(
                flow(f"f{rng.randrange(4)}", t, rng.choice(hosts), *rng.sample(["imei", "android_id"], rng.randrange(3)))
            )
        else:
            tl.tls_failures.append(tls_failure(t, rng.choice(hosts)))
    return tl


def streamed(tl: Timeline, rng: random.Random) -> list:
    """``tl``'s items through merged(), each stream in the order the store would give it."""

    def shuffled(items: list) -> list:
        return rng.sample(items, len(items))

    flows = sorted(shuffled(tl.flows), key=lambda f: (f.time, f.flow_id))  # SQL: ties in any order
    return list(
        merged(
            consent=shuffled(tl.consent_events),
            lifecycle=shuffled(tl.lifecycle_events),
            hooks=sorted(tl.hook_events, key=lambda e: (e.time, e.id)),
            permissions=sorted(tl.permission_events, key=lambda e: (e.time, e.id)),
            flows=flows,
            tls=shuffled(tl.tls_failures),
        )
    )


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 80))
def test_merged_streams_give_the_judge_order(seed: int, n: int):
    tl = random_timeline(seed, n)
    expected = [item for _, item in judge_order(tl)]
    got = streamed(tl, random.Random(seed + 1))

    def shown(items: list) -> list[tuple[str, str]]:  # equal items (same key) may come in either order
        return [(type(x).__name__, x.model_dump_json()) for x in items]

    assert shown(got) == shown(expected)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 80))
def test_judging_the_stream_equals_evaluate(seed: int, n: int):
    tl = random_timeline(seed, n)
    pol = policy()
    judged = judge_items(streamed(tl, random.Random(seed)), pol, classifier(pol))
    assert judged.findings == evaluate(tl, pol, classifier(pol))
    assert judged.notes == evaluation_notes(tl, pol)


def test_demo_session_streamed_with_hook_status():
    tl = demo_session()
    tl.hook_status.append(HookStatus(time=0.0, api=ApiRef(class_name="a.B", method="c"), installed=False, error="x"))
    pol = policy()
    judged = judge_items(streamed(tl, random.Random(1)), pol, classifier(pol), hook_status=tl.hook_status)
    assert judged.findings == evaluate(tl, pol, classifier(pol))
    assert judged.notes == evaluation_notes(tl, pol)
    assert any("failed to install" in n for n in judged.notes)


def test_a_stream_out_of_order_is_an_error_not_a_wrong_judgement():
    with pytest.raises(ValueError, match="out of"):
        list(stored_events([hook(2.0, id=1), hook(1.0, id=2)]))
    with pytest.raises(ValueError, match="without a row id"):
        list(stored_events([hook(1.0).model_copy(update={"id": None})]))
    with pytest.raises(ValueError, match="out of"):
        list(ordered_flows([flow("b", 1.0, "x.example"), flow("a", 1.0, "x.example")]))


def test_recompute_streams_the_store_and_equals_evaluate(tmp_path):
    """The final judgement over a stored session (flows sorted by SQL with their detections, events
    by (time, id)) equals evaluate() over the timeline read whole."""
    session = Session.create(tmp_path / "s", app="com.example.demoapp")
    tl = random_timeline(7, 300)
    store = session.store
    for f in tl.flows:
        record = {"flow_id": f.flow_id, "kind": f.kind, "method": f.method, "url": f.url, "host": f.host, "port": f.port,
                  "scheme": f.scheme, "tls": int(f.tls), "server_ip": f.server_ip, "timestamp_start": f.time}  # fmt: skip
        store.insert_many("flows", [record])
        store.insert_many("detections", [rows.detection_row(f.flow_id, d) for d in f.detections])
    for event in [*tl.hook_events, *tl.consent_events, *tl.lifecycle_events, *tl.permission_events]:
        table, row = rows.event_row(event.model_copy(update={"id": None}))
        store.insert_many(table, [row])
    for failure in tl.tls_failures:
        store.insert_many("tls_failures", [rows.tls_failure_row(failure)])
    inputs = AuditInputs.load(AuditOptions())
    whole = rows.read_timeline(store)
    assert len(whole.flows) == len(tl.flows) and len(whole.hook_events) == len(tl.hook_events)
    expected = evaluate(whole, inputs.policy, inputs.classifier, geo=inputs.geo)
    found = recompute(session, inputs)
    assert found == expected
    assert rows.latest_findings(store) == expected
    judgement = rows.latest_judgement(store)
    assert judgement is not None and judgement.notes == evaluation_notes(whole, inputs.policy, geo=inputs.geo)
    session.close(complete=True)


def test_recompute_of_a_store_out_of_order_judges_it_in_memory(tmp_path):
    """Rows whose time column disagrees with their event (SQLite's order is then not the judge's):
    the final judgement falls back to reading the timeline whole, and still equals evaluate()."""
    session = Session.create(tmp_path / "s", app="com.example.demoapp")
    store = session.store
    for i, t in enumerate([5.0, 1.0, 3.0]):
        table, row = rows.event_row(hook(1_764_000_000.0 + t, "imei", party="Umeng").model_copy(update={"id": None}))
        row["time"] = 1_764_000_000.0 + i  # the column says otherwise
        store.insert_many(table, [row])
    inputs = AuditInputs.load(AuditOptions())
    whole = rows.read_timeline(store)
    with pytest.raises(ValueError, match="out of"):
        list(stored_events(rows.events(store, "hook_events")))
    assert recompute(session, inputs) == evaluate(whole, inputs.policy, inputs.classifier, geo=inputs.geo)
    session.close(complete=True)
