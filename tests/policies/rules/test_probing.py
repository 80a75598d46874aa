"""APP_LIST_PROBING on hand-written timelines, at the threshold edge, with its guards."""

from __future__ import annotations

from piaudit.policies.rules import evaluate
from tests.policies.rules.build import classifier, consent, hook, only, policy, probe, timeline

LIMIT = {"thresholds": {"app_list_probing": {"max_packages": 3}}}
PACKAGES = ["com.tencent.mm", "com.eg.android.AlipayGphone", "com.sina.weibo", "com.taobao.taobao", "com.jingdong.app.mall"]


def judge(*items, **changes):
    pol = policy(**{**LIMIT, **changes})
    return evaluate(timeline(*items), pol, classifier(pol))


def test_fires_when_one_party_probes_more_packages_than_the_threshold():
    items = [consent(0), *(probe(1 + i, p, id=10 + i, party="Umeng", foreground=True) for i, p in enumerate(PACKAGES[:4]))]
    (f,) = only(judge(*items), "APP_LIST_PROBING")
    assert (f.time, f.party, f.severity, f.event) == (4, "Umeng", "medium", 13)
    assert f.evidence_rows == ["hook_events:10", "hook_events:11", "hook_events:12", "hook_events:13"]
    assert "probed 4 other apps' packages" in f.message and "more than 3" in f.message


def test_quiet_at_exactly_the_threshold():
    assert only(judge(*(probe(1 + i, p, party="Umeng") for i, p in enumerate(PACKAGES[:3]))), "APP_LIST_PROBING") == []


def test_counts_distinct_packages_not_calls():
    items = [probe(1 + i, PACKAGES[i % 3], party="Umeng") for i in range(12)]
    assert only(judge(*items), "APP_LIST_PROBING") == []


def test_counted_per_party():
    items = [probe(1 + i, p, party="Umeng" if i % 2 else None) for i, p in enumerate(PACKAGES[:5])]
    assert only(judge(*items), "APP_LIST_PROBING") == []


def test_own_package_and_declared_other_apps_are_not_counted():
    items = [probe(1 + i, p) for i, p in enumerate([*PACKAGES[:3], "com.example.demoapp"])]
    assert only(judge(*items), "APP_LIST_PROBING") == []
    items = [probe(1 + i, p) for i, p in enumerate(PACKAGES[:4])]
    assert only(judge(*items, other_apps=[{"package": "com.tencent.mm", "purpose": "share to WeChat"}]), "APP_LIST_PROBING") == []


def test_later_probes_join_the_one_finding():
    items = [probe(1 + i, p, id=i + 1, party="Umeng") for i, p in enumerate(PACKAGES)]
    items.append(probe(9, PACKAGES[0], id=9, party="Umeng"))
    (f,) = only(judge(*items), "APP_LIST_PROBING")
    assert f.severity == "high"  # before consent
    assert f.evidence_rows == [f"hook_events:{i}" for i in (1, 2, 3, 4, 5, 9)]
    assert "In all 5 distinct packages" in f.message


def test_probes_are_not_installed_app_list_reads_but_a_list_read_still_is():
    items = [probe(1, PACKAGES[0]), hook(2, "installed_apps", id=2)]
    assert [f.event for f in only(judge(*items), "INSTALLED_APP_LIST")] == [2]
