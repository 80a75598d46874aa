"""Consent, owned by policies.consent: the state at t is the last counting consent event at or
before t; the summary reports show; the words the agent is given."""

from __future__ import annotations

import pytest

from piaudit.policies.consent import (
    NO_CONSENT_NOTE,
    ConsentTimeline,
    ConsentWords,
    consent_summary,
    consent_words,
    default_consent_words,
    match_consent_word,
)
from piaudit.policies.policy import Policy
from piaudit.policies.rules import evaluate
from piaudit.policies.vocab import DEFAULT_CONSENT_SIGNALS
from tests.policies.rules.build import classifier, consent, hook, only, policy, timeline


@pytest.mark.parametrize(
    ("events", "time", "decision"),
    [
        ([], 5.0, "none"),
        ([consent(10)], 9.999, "none"),
        ([consent(10)], 10.0, "granted"),  # exactly at consent time: after consent
        ([consent(10), consent(20, "refused")], 15, "granted"),
        ([consent(10), consent(20, "refused")], 20, "refused"),
        ([consent(10, "refused"), consent(20)], 25, "granted"),  # refusal then grant
        ([consent(10), consent(20, "withdrawn")], 30, "withdrawn"),
        ([consent(10, id=1), consent(10, "refused", id=1)], 10, "refused"),  # same instant and id: refusal wins
    ],
)
def test_state_at(events, time, decision):
    assert ConsentTimeline(events).state_at(time).decision == decision


def test_state_ignores_uncounted_signals():
    events = [consent(5, source="sdk_call"), consent(8, source="manual")]
    line = ConsentTimeline(events, signals=["manual", "ui_click"])
    assert line.state_at(6).decision == "none"
    assert line.state_at(8).decision == "granted"
    assert [e.source for e in line.ignored] == ["sdk_call"]
    assert ConsentTimeline(events, signals=["sdk_call"]).state_at(6).granted


def test_state_does_not_depend_on_input_order():
    events = [consent(10, id=1), consent(20, "refused", id=2), consent(30, id=3)]
    assert [ConsentTimeline(events[::-1]).state_at(t).decision for t in (5, 10, 25, 30)] == [
        "none",
        "granted",
        "refused",
        "granted",
    ]


def test_read_exactly_at_consent_time_is_not_pre_consent():
    pol = policy()
    findings = evaluate(timeline(consent(10), hook(10.0, id=1), hook(9.5, id=2)), pol, classifier(pol))
    assert [f.event for f in only(findings, "PRE_CONSENT_ACCESS")] == [2]


def test_uncounted_signal_leaves_everything_before_consent():
    pol = policy()
    findings = evaluate(timeline(consent(1, source="network"), hook(5, id=1)), pol, classifier(pol))
    assert [f.event for f in only(findings, "PRE_CONSENT_ACCESS")] == [1]
    pol = policy(consent={"signals": ["network"]})
    assert not only(evaluate(timeline(consent(1, source="network"), hook(5, id=1)), pol, classifier(pol)), "PRE_CONSENT_ACCESS")


def test_summary_without_consent_event():
    summary = consent_summary([], DEFAULT_CONSENT_SIGNALS)
    assert summary["consent_time"] is None and summary["decision"] == "none"
    assert summary["note"] == NO_CONSENT_NOTE == "no consent event: everything treated as before consent"


def test_summary_with_refusal_then_grant():
    events = [consent(20, id=2), consent(10, "refused", id=1), consent(5, source="sdk_call", id=3), consent(30, "refused", id=4)]
    summary = consent_summary(events, ["manual", "ui_click"])
    assert summary["consent_time"] == 20 and summary["consent_time_utc"] == "1970-01-01T00:00:20.000Z"
    assert summary["decision"] == "refused"  # the last counted answer is in force
    assert [(e["id"], e["counted"]) for e in summary["events"]] == [(3, False), (1, True), (2, True), (4, True)]
    assert summary["signals"] == ["manual", "ui_click"]
    assert summary["note"] is None


def test_summary_counts_only_the_signals_it_is_given():
    summary = consent_summary([consent(5, source="sdk_call", id=1)], ["manual", "ui_click"])
    assert summary["consent_time"] is None and summary["note"] == NO_CONSENT_NOTE
    summary = consent_summary([consent(5, source="sdk_call", id=1)], ["sdk_call"])
    assert summary["consent_time"] == 5 and summary["note"] is None


def test_default_signals_have_one_owner():
    assert DEFAULT_CONSENT_SIGNALS == ("manual", "ui_click")
    assert Policy.empty().consent.signals == list(DEFAULT_CONSENT_SIGNALS)
    assert ConsentTimeline().signals == set(DEFAULT_CONSENT_SIGNALS)


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("同意", "granted"),
        ("同意并继续", "granted"),
        ("不同意", "refused"),  # contains 同意: refuse words win
        ("不同意并退出", "refused"),
        ("暂不同意", "refused"),
        ("  Agree ", "granted"),
        ("I AGREE.", "granted"),
        ("Disagree", "refused"),
        ("Don’t allow", "refused"),
        ("Allow", "granted"),
        ("OK", None),
        ("", None),
        ("请您阅读并同意我们的隐私政策，我们将严格保护您的个人信息", None),  # the dialog text, not a button
    ],
)
def test_match_consent_word(text, meaning):
    assert match_consent_word(text, default_consent_words()) == meaning


def test_policy_words_extend_defaults():
    words = consent_words(policy(consent={"agree_words": ["好的"], "refuse_words": ["残念"]}))
    assert match_consent_word("好的", words) == "granted"
    assert match_consent_word("残念", words) == "refused"
    assert match_consent_word("同意", words) == "granted"
    assert match_consent_word("好的", ConsentWords(agree=[], refuse=[])) is None
