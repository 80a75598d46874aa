"""One answer to "does this declared party stand for that catalog entry?", for hosts and for reads.

Classification (hosts) and the rules (hook reads) used to match party names separately and
disagreed: with "Umeng Analytics" declared for alog.umeng.com, Umeng's reads counted as
declared while ulogs.umeng.com traffic was a known but undeclared third party.
"""

from __future__ import annotations

from typing import Any

import pytest

from piaudit.policies.catalog import load_catalog
from piaudit.policies.classify import Classifier
from piaudit.policies.models import ApiRef, ConsentEvent, Detection, FlowSummary, HookEvent, Timeline
from piaudit.policies.partymatch import named_entries, prefixes_overlap
from piaudit.policies.policy import Policy
from piaudit.policies.rules import evaluate

UMENG_CALLER = "com.umeng.commonsdk.statistics.UMWorkDispatch.run(UMWorkDispatch.java:12)"


def _policy(party: dict[str, Any]) -> Policy:
    return Policy.model_validate(
        {
            "app": {"package": "com.example.app", "category": "other"},
            "first_party_domains": ["api.example.com"],
            "third_parties": [{"purpose": "statistics", "data_types": ["android_id"], **party}],
            "declared_data_types": ["android_id"],
        }
    )


def _timeline() -> Timeline:
    read = HookEvent(
        id=1,
        time=2.0,
        data_type="android_id",
        api=ApiRef(class_name="android.provider.Settings$Secure", method="getString"),
        value="9774d56d682e549c",
        stack=[UMENG_CALLER],
        caller=UMENG_CALLER,
        party="Umeng",  # the catalog entry's name, as the hook host attributes it
    )
    sent = Detection(data_type="android_id", source="value", value="9774d56d682e549c", where="query:aid")
    flows = [
        FlowSummary(flow_id=f"f-{host}", time=3.0 + n, host=host, scheme="https", tls=True, detections=[sent])
        for n, host in enumerate(("alog.umeng.com", "ulogs.umeng.com"))
    ]
    return Timeline(consent_events=[ConsentEvent(id=1, time=1.0, decision="granted", source="manual")], hook_events=[read], flows=flows)


def _undeclared(policy: Policy) -> list[str]:
    """The rows behind any UNDECLARED_* finding (a grouped finding cites every occurrence)."""
    catalog = load_catalog()
    findings = evaluate(_timeline(), policy, Classifier(policy.first_party_domains, policy.third_parties, catalog))
    return [f"{f.rule} {row}" for f in findings if f.rule.startswith("UNDECLARED_") for row in f.evidence_rows]


def test_umeng_analytics_declared_for_alog_covers_ulogs_and_the_reads() -> None:
    """The issue's exact case: the alias "Umeng Analytics", declared with the domain alog.umeng.com only."""
    policy = _policy({"name": "Umeng Analytics", "domains": ["alog.umeng.com"]})
    classifier = Classifier(policy.first_party_domains, policy.third_parties, load_catalog())
    for host in ("alog.umeng.com", "ulogs.umeng.com"):
        found = classifier.classify(host)
        assert (found.kind, found.party) == ("declared_third_party", "Umeng Analytics"), host
    assert _undeclared(policy) == []


@pytest.mark.parametrize(
    "party",
    [
        {"name": "Umeng", "domains": ["alog.umeng.com"]},  # the entry's name
        {"name": "UMENG", "domains": ["alog.umeng.com"]},  # any case
        {"name": "Umeng Analytics", "domains": ["alog.umeng.com"]},  # an alias
        {"name": "umeng+", "domains": ["alog.umeng.com"]},  # another alias, any case
        {"name": "友盟统计", "catalog_id": "umeng"},  # the catalog id, any name
        {"name": "Umeng statistics", "sdk_prefixes": ["com.umeng.commonsdk"]},  # a narrower package prefix
        {"name": "Umeng everything", "sdk_prefixes": ["com.umeng"]},  # the entry's prefix
    ],
    ids=["name", "name-case", "alias", "alias-case", "catalog-id", "narrower-prefix", "same-prefix"],
)
def test_every_alias_form_is_one_party_for_hosts_and_reads(party: dict[str, Any]) -> None:
    policy = _policy(party)
    classifier = Classifier(policy.first_party_domains, policy.third_parties, load_catalog())
    assert "umeng" in named_entries(policy.third_parties[0], load_catalog())
    found = classifier.classify("ulogs.umeng.com")
    assert (found.kind, found.party) == ("declared_third_party", party["name"])
    assert _undeclared(policy) == []


@pytest.mark.parametrize(
    "party",
    [
        {"name": "Umeng Analytics Pro", "domains": ["alog.umeng.com"]},  # not a name or alias: no match by name
        {"name": "Umen", "sdk_prefixes": ["com.umen"]},  # a prefix that is not on a dotted boundary
    ],
)
def test_near_misses_name_nothing_and_both_sides_agree(party: dict[str, Any]) -> None:
    policy = _policy(party)
    assert named_entries(policy.third_parties[0], load_catalog()) == []
    classifier = Classifier(policy.first_party_domains, policy.third_parties, load_catalog())
    assert classifier.classify("ulogs.umeng.com").kind == "known_third_party"
    # the read and the upload to ulogs are both Umeng's, undeclared, on both sides
    assert {"UNDECLARED_THIRD_PARTY hook_events:1", "UNDECLARED_THIRD_PARTY flows:f-ulogs.umeng.com"} <= set(_undeclared(policy))


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [("com.umeng", "com.umeng.analytics", True), ("com.umeng.analytics", "com.umeng", True), ("com.umeng", "com.umengx", False)],
)
def test_prefix_overlap_is_on_dotted_boundaries(first: str, second: str, overlap: bool) -> None:
    assert prefixes_overlap(first, second) is overlap


def test_policy_compare_knows_a_party_by_its_alias_too() -> None:
    """`piaudit policy compare` / the report's declared-versus-embedded: "Umeng Analytics" declared by domain is Umeng."""
    from piaudit.policies.draft.compare import compare

    inventory = {"package": "com.example.app", "permissions": [], "sdks": [{"catalog_id": "umeng", "name": "Umeng", "prefixes": ["com.umeng"], "locations": ["classes.dex"]}]}
    result = compare(_policy({"name": "Umeng Analytics", "domains": ["alog.umeng.com"]}), inventory, load_catalog())
    assert result.embedded_not_declared == [] and result.declared_not_embedded == [] and result.not_checkable == []
    result = compare(_policy({"name": "Some Other SDK", "domains": ["alog.umeng.com"]}), inventory, load_catalog())
    assert [d.catalog_id for d in result.embedded_not_declared] == ["umeng"]
