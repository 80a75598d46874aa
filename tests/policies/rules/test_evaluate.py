"""evaluate and LiveJudge: order, determinism, and live findings agreeing with the final ones."""

from __future__ import annotations

import random
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from piaudit.policies.models import ApiRef, HookStatus, Timeline
from piaudit.policies.rules import LiveJudge, evaluate
from piaudit.policies.rules.common import finding_key
from tests.policies.rules.build import (
    classifier,
    consent,
    flow,
    hook,
    life,
    permission,
    policy,
    rules,
    timeline,
    tls_failure,
)


def demo_session() -> Timeline:
    """The demo app's story: pre-consent reads and uploads, an undeclared Umeng, a refusal, the background."""
    return timeline(
        life(0, "process_start", id=1),
        hook(0.5, "android_id", id=1, phase="before_application_oncreate"),
        hook(0.6, "android_id", id=2, party="Tencent Bugly", caller="com.tencent.bugly.A.b(A.java:1)"),
        hook(0.7, "imei", id=3, party="Umeng", caller="com.umeng.commonsdk.B.c(B.java:2)"),
        permission(0.8, "READ_PHONE_STATE", id=1),
        flow("f1", 1.0, "alog.umeng.com", "imei", "android_id"),
        flow("f2", 1.1, "bugly.qq.com"),
        life(1.5, "activity_resumed", id=2),
        consent(2.0, id=1),
        flow("f3", 3.0, "api.demoapp.example", "android_id", scheme="http"),
        *[hook(4 + i, "location", id=10 + i, party="Umeng", caller="com.umeng.x.Y.z") for i in range(5)],
        consent(10.0, "withdrawn", id=2),
        flow("f4", 11.0, "api.demoapp.example", "android_id"),
        life(12.0, "background", id=3),
        hook(13.0, "clipboard", id=20),
        tls_failure(14.0, "pinned.example"),
    )


def judge(tl: Timeline):
    pol = policy()
    return evaluate(tl, pol, classifier(pol))


def test_demo_session_rules():
    findings = judge(demo_session())
    assert set(rules(findings)) == {
        "PRE_CONSENT_ACCESS",
        "PRE_CONSENT_TRANSMISSION",
        "POST_REFUSAL_COLLECTION",
        "UNDECLARED_THIRD_PARTY",
        "UNDECLARED_DATA_TYPE",
        "OVER_FREQUENCY",
        "BACKGROUND_COLLECTION",
        "BEYOND_NECESSARY_SCOPE",
        "CLEARTEXT_TRANSMISSION",
        "LOCATION_ACCESS",
        "CLIPBOARD_READ",
        "PERMISSION_ABUSE",
        "PRE_CONSENT_PERMISSION",
        "UNINSPECTED_TLS",
    }
    for f in findings:
        assert f.message.endswith(".") and "\n" not in f.message
        assert f.evidence_rows, f
        assert f.flow is None or f.event is None


def test_findings_are_sorted():
    findings = judge(demo_session())
    assert findings == sorted(findings, key=finding_key)
    assert [f.time for f in findings] == sorted(f.time for f in findings)


def test_same_input_same_output():
    assert judge(demo_session()) == judge(demo_session())


def test_shuffled_input_same_output():
    expected = [f.model_dump() for f in judge(demo_session())]
    rng = random.Random(7)
    for _ in range(10):
        tl = demo_session()
        for items in (tl.flows, tl.hook_events, tl.consent_events, tl.lifecycle_events, tl.permission_events, tl.tls_failures):
            rng.shuffle(items)
        for f in tl.flows:
            rng.shuffle(f.detections)
        assert [f.model_dump() for f in judge(tl)] == expected


@settings(max_examples=50, deadline=None)
@given(st.permutations(range(10)))
def test_shuffled_reads_and_consent_property(order):
    items = [hook(float(t), "imei" if t % 3 else "android_id", id=t + 1, party="Umeng" if t % 2 else None) for t in range(8)]
    items += [consent(3.0, id=1), consent(6.0, "refused", id=2)]
    shuffled = [items[i] for i in order]
    assert judge(timeline(*shuffled)) == judge(timeline(*items))


def test_live_judge_in_time_order_agrees_with_evaluate():
    pol = policy()
    judge_live = LiveJudge(pol, classifier(pol))
    tl = demo_session()
    stream = sorted(
        [*tl.consent_events, *tl.lifecycle_events, *tl.hook_events, *tl.permission_events, *tl.flows, *tl.tls_failures],
        key=lambda item: (item.time, 0 if item.__class__.__name__ in ("ConsentEvent", "LifecycleEvent") else 1),
    )
    live = []
    for item in stream:
        live += judge_live.on_flow(item) if hasattr(item, "flow_id") else judge_live.on_event(item)
    final = evaluate(tl, pol, classifier(pol))
    assert judge_live.findings() == final
    # live gives grouped findings once, at their first occurrence
    assert {(f.rule, f.time, f.flow, f.event) for f in live} == {(f.rule, f.time, f.flow, f.event) for f in final}


def test_live_judge_uses_consent_so_far():
    pol = policy()
    live = LiveJudge(pol, classifier(pol))
    assert rules(live.on_event(hook(1, id=1))) == ["PRE_CONSENT_ACCESS", "BEYOND_NECESSARY_SCOPE"]
    assert live.on_event(consent(2)) == []
    assert live.on_event(hook(3, id=2)) == []  # scope already reported for the app's android_id
    assert rules(live.on_flow(flow("f", 4, "alog.umeng.com", "android_id"))) == [
        "UNDECLARED_THIRD_PARTY",
        "BEYOND_NECESSARY_SCOPE",
    ]
    assert live.on_event(HookStatus(time=5, api=ApiRef(class_name="a.B", method="c"), installed=False)) == []


def test_live_judge_without_keeping_incidents():
    pol = policy()
    live = LiveJudge(pol, classifier(pol), keep=False)
    assert rules(live.on_event(hook(1, id=1))) == ["PRE_CONSENT_ACCESS", "BEYOND_NECESSARY_SCOPE"]
    assert rules(live.findings()) == ["BEYOND_NECESSARY_SCOPE"]


def test_live_flow_without_personal_data_is_cheap():
    pol = policy()
    live = LiveJudge(pol, classifier(pol))
    flows = [flow(f"f{i}", float(i), "api.demoapp.example") for i in range(2000)]
    start = time.perf_counter()
    for f in flows:
        live.on_flow(f)
    per_flow = (time.perf_counter() - start) / len(flows)
    assert per_flow < 100e-6, f"{per_flow * 1e6:.1f} µs per flow"


def test_empty_timeline():
    assert judge(Timeline()) == []


def test_evaluation_notes():
    from piaudit.policies.rules import evaluation_notes

    tl = timeline(consent(1, source="sdk_call"), hook(2, id=1))
    tl.hook_status.append(
        HookStatus(time=0, api=ApiRef(class_name="android.telephony.TelephonyManager", method="getImei"), installed=False)
    )
    notes = evaluation_notes(tl, policy(app={"package": "com.example.x", "category": "other"}))
    assert (
        notes[0] == "no consent event: everything treated as before consent (1 signal(s) from sources the policy does not count)"
    )
    assert "BEYOND_NECESSARY_SCOPE not judged: the policy's app.category is 'other'." in notes
    assert "BACKGROUND_COLLECTION: no lifecycle events; only hook events' own foreground flag was used." in notes
    assert "1 hook(s) failed to install, so reads through them are missing: android.telephony.TelephonyManager.getImei." in notes
    assert evaluation_notes(timeline(consent(1), life(0, "foreground")), policy()) == []


def standards_session() -> Timeline:
    """How the app asks, what it does after a refusal, whom it wakes: every rule of issue 12 once."""
    from tests.policies.rules.build import answer, probe, start

    boot = "android.intent.action.BOOT_COMPLETED"
    return timeline(
        start(0.1, "receive_broadcast", "com.example.demoapp", action=boot, id=1),
        start(0.2, "start_service", "com.example.demoapp/S", id=2),
        start(0.3, "set_alarm", repeat_seconds=60, id=3),
        life(0.5, "foreground", id=1),
        permission(1, "READ_PHONE_STATE", "CAMERA", "READ_CONTACTS", id=1),
        consent(2, id=1),
        permission(3, "CAMERA", id=2),
        answer(4, denied=("CAMERA",), id=1),
        permission(5, "CAMERA", id=3),
        *[probe(6 + i / 10, f"com.other{i}.app", id=10 + i, party="Umeng") for i in range(7)],
        start(7, "start_service", "com.other.app/Push", id=4),
        life(8, "process_exit", id=2, detail="exit(0)"),
    )


def test_standards_rules_live_and_final_agree_and_ignore_input_order():
    pol = policy()
    tl = standards_session()
    final = evaluate(tl, pol, classifier(pol))
    assert {f.rule for f in final} >= {
        "PRE_CONSENT_PERMISSION",
        "PERMISSION_BUNDLED",
        "PERMISSION_RE_REQUEST",
        "EXIT_AFTER_REFUSAL",
        "SELF_START",
        "ASSOCIATED_START",
        "APP_LIST_PROBING",
    }
    live = LiveJudge(pol, classifier(pol))
    for _, item in sorted(
        (
            (e.time, e)
            for e in [
                *tl.consent_events,
                *tl.permission_results,
                *tl.lifecycle_events,
                *tl.hook_events,
                *tl.permission_events,
                *tl.component_events,
            ]
        ),
        key=lambda pair: pair[0],
    ):
        live.on_event(item)
    assert live.findings() == final
    rng = random.Random(3)
    for _ in range(5):
        shuffled = standards_session()
        for items in (shuffled.hook_events, shuffled.permission_events, shuffled.permission_results, shuffled.component_events):
            rng.shuffle(items)
        assert evaluate(shuffled, pol, classifier(pol)) == final


def test_every_rule_has_a_row_in_the_rules_table_of_docs_policy():
    """The rule names are a contract: each one is documented (fires when, basis, severity) in docs/policy.md."""
    from typing import get_args

    from piaudit.policies.models import RuleName

    text = (Path(__file__).parents[3] / "docs" / "policy.md").read_text(encoding="utf-8")
    table = text[text.index("| rule | fires when |") :]
    rows = {line.split("|")[1].strip(" `") for line in table.splitlines() if line.startswith("| `")}
    assert set(get_args(RuleName)) <= rows
    for rule in ("PRE_CONSENT_PERMISSION", "PERMISSION_BUNDLED", "PERMISSION_RE_REQUEST", "EXIT_AFTER_REFUSAL"):
        (row,) = [line for line in table.splitlines() if line.startswith(f"| `{rule}` |")]
        assert "认定方法" in row or "164号文" in row
