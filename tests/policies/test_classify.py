"""Registrable domains (public-suffix list) and host classification."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from pydantic import ValidationError

from piaudit.policies.catalog import Catalog, load_catalog
from piaudit.policies.classify import Classifier, HostClass, classify_host
from piaudit.policies.psl import PublicSuffixList, default_public_suffix_list, is_ip_address, public_suffix, registrable_domain

# --------------------------------------------------------------------------- public-suffix list


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("example.com", "example.com"),
        ("www.example.com", "example.com"),
        ("WWW.Example.COM.", "example.com"),
        ("a.b.example.co.uk", "example.co.uk"),
        ("example.co.uk", "example.co.uk"),
        ("co.uk", "co.uk"),  # a public suffix itself is returned unchanged
        ("uk", "uk"),
        ("bugly.qq.com", "qq.com"),
        ("xmpush.xiaomi.com", "xiaomi.com"),
        ("api.vivo.com.cn", "vivo.com.cn"),
        ("www.gov.cn", "www.gov.cn"),
        # wildcard *.ck with exception !www.ck
        ("www.ck", "www.ck"),
        ("a.www.ck", "www.ck"),
        ("test.ck", "test.ck"),
        ("b.test.ck", "b.test.ck"),
        ("a.b.test.ck", "b.test.ck"),
        # *.kawasaki.jp with !city.kawasaki.jp
        ("city.kawasaki.jp", "city.kawasaki.jp"),
        ("www.city.kawasaki.jp", "city.kawasaki.jp"),
        ("b.test.kawasaki.jp", "b.test.kawasaki.jp"),
        # private section
        ("github.io", "github.io"),
        ("someone.github.io", "someone.github.io"),
        ("www.someone.github.io", "someone.github.io"),
        ("my-app.firebaseapp.com", "my-app.firebaseapp.com"),
        ("x.s3.amazonaws.com", "x.s3.amazonaws.com"),
        # unlisted TLD falls back to the implicit "*" rule
        ("a.b.example.invalidtld", "example.invalidtld"),
        # single labels and IP literals return themselves
        ("localhost", "localhost"),
        ("10.0.2.2", "10.0.2.2"),
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("[2001:DB8::1]", "2001:db8::1"),
        # internationalised names, Unicode and punycode
        ("www.食狮.公司.cn", "食狮.公司.cn"),
        ("www.xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
        ("shishi.公司.cn", "shishi.公司.cn"),
        ("", ""),
    ],
)
def test_registrable_domain(host: str, expected: str) -> None:
    assert registrable_domain(host) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("a.example.co.uk", "co.uk"),
        ("a.b.test.ck", "test.ck"),
        ("a.www.ck", "ck"),
        ("x.github.io", "github.io"),
        ("a.b.zzz", "zzz"),
    ],
)
def test_public_suffix(host: str, expected: str) -> None:
    assert public_suffix(host) == expected


def test_shipped_list_is_current_and_complete() -> None:
    psl = default_public_suffix_list()
    assert psl.version and psl.version >= "2026"
    assert {"com", "co.uk", "com.cn", "github.io"} <= psl.rules
    assert "ck" in psl.wildcards and "www.ck" in psl.exceptions


def test_a_custom_list_can_be_parsed() -> None:
    psl = PublicSuffixList.parse("// comment\n// ===BEGIN ICANN DOMAINS===\nexample\n*.wild.example\n!ok.wild.example\n")
    assert psl.registrable_domain("a.b.example") == "b.example"
    assert psl.registrable_domain("a.b.wild.example") == "a.b.wild.example"
    assert psl.registrable_domain("x.ok.wild.example") == "ok.wild.example"


@pytest.mark.parametrize(
    ("host", "expected"), [("1.2.3.4", True), ("[::1]", True), ("::ffff:1.2.3.4", True), ("1.2.3", False), ("qq.com", False)]
)
def test_is_ip_address(host: str, expected: bool) -> None:
    assert is_ip_address(host) is expected


# --------------------------------------------------------------------------- classification


@dataclass
class Party:
    """Stands in for the policy's declared-party model (same attributes)."""

    name: str
    domains: list[str] = field(default_factory=list)
    sdk_prefixes: list[str] = field(default_factory=list)
    catalog_id: str | None = None


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


FIRST_PARTY = ["example.com", "api.example-app.cn"]


def classify(host: str, catalog: Catalog, parties: list[Party] | None = None, first_party: list[str] | None = None) -> HostClass:
    return Classifier(FIRST_PARTY if first_party is None else first_party, parties or [], catalog).classify(host)


@pytest.mark.parametrize("host", ["example.com", "www.example.com", "a.b.example.com", "EXAMPLE.COM.", "api.example-app.cn"])
def test_first_party_domain_and_subdomains(catalog: Catalog, host: str) -> None:
    result = classify(host, catalog)
    assert result.kind == "first_party"
    assert result.party is None and not result.ambiguous


def test_same_registrable_domain_as_first_party_is_first_party(catalog: Catalog) -> None:
    result = classify("cdn.example-app.cn", catalog)
    assert result.kind == "first_party"
    assert result.registrable_domain == "example-app.cn"


def test_first_party_wins_over_catalog(catalog: Catalog) -> None:
    result = classify("bugly.qq.com", catalog, first_party=["qq.com"])
    assert result.kind == "first_party"
    assert result.catalog_ids == ["tencent-bugly"]


def test_declared_by_domain(catalog: Catalog) -> None:
    parties = [Party("Partner Analytics Ltd", domains=["partner-analytics.io"])]
    result = classify("eu.collect.partner-analytics.io", catalog, parties)
    assert result == HostClass(
        kind="declared_third_party",
        party="Partner Analytics Ltd",
        catalog_ids=[],
        ambiguous=False,
        registrable_domain="partner-analytics.io",
    )


def test_declared_domain_beats_catalog(catalog: Catalog) -> None:
    parties = [Party("Our crash vendor", domains=["bugly.qq.com"])]
    result = classify("android.bugly.qq.com", catalog, parties)
    assert (result.kind, result.party, result.catalog_ids) == ("declared_third_party", "Our crash vendor", ["tencent-bugly"])


def test_most_specific_declared_domain_wins(catalog: Catalog) -> None:
    parties = [Party("Tencent", domains=["qq.com"]), Party("Bugly team", domains=["bugly.qq.com"])]
    assert classify("x.bugly.qq.com", catalog, parties).party == "Bugly team"
    assert classify("gdt.qq.com", catalog, parties).party == "Tencent"


def test_two_parties_declaring_one_domain_is_ambiguous(catalog: Catalog) -> None:
    parties = [Party("A", domains=["shared.example.net"]), Party("B", domains=["shared.example.net"])]
    result = classify("shared.example.net", catalog, parties)
    assert (result.kind, result.party, result.ambiguous) == ("declared_third_party", "A / B", True)


@pytest.mark.parametrize(
    ("party", "host"),
    [
        (Party("Crash reporting", catalog_id="tencent-bugly"), "bugly.qq.com"),
        (Party("tencent bugly"), "bugly.qq.com"),  # the catalog name, any case
        (Party("Tencent SDKs", sdk_prefixes=["com.tencent"]), "bugly.qq.com"),  # broader prefix covers com.tencent.bugly
        (Party("Umeng statistics", sdk_prefixes=["com.umeng.analytics"]), "alog.umeng.com"),  # narrower prefix
        (Party("Umeng", sdk_prefixes=["com.umeng."]), "umeng.com"),
    ],
)
def test_declared_via_catalog(catalog: Catalog, party: Party, host: str) -> None:
    result = classify(host, catalog, [party])
    assert result.kind == "declared_third_party"
    assert result.party == party.name
    assert not result.ambiguous


def test_prefix_overlap_respects_dotted_boundaries(catalog: Catalog) -> None:
    result = classify("umeng.com", catalog, [Party("Umen", sdk_prefixes=["com.umen"])])
    assert result.kind == "known_third_party"


def test_declared_party_does_not_cover_a_less_specific_sibling(catalog: Catalog) -> None:
    # Declaring GDT does not declare Bugly, although both live under qq.com.
    result = classify("bugly.qq.com", catalog, [Party("Ads", catalog_id="tencent-gdt")])
    assert (result.kind, result.party) == ("known_third_party", "Tencent Bugly")


def test_known_third_party(catalog: Catalog) -> None:
    result = classify("mi.gdt.qq.com", catalog)
    assert result == HostClass(
        kind="known_third_party",
        party="Tencent GDT (Youlianghui ads)",
        catalog_ids=["tencent-gdt"],
        ambiguous=False,
        registrable_domain="qq.com",
    )


def test_tied_catalog_entries_are_ambiguous(catalog: Catalog) -> None:
    result = classify("is.snssdk.com", catalog)
    assert result.kind == "known_third_party"
    assert result.ambiguous
    assert result.catalog_ids == ["bytedance-applog", "pangle"]
    assert result.party == "ByteDance AppLog (DataFinder) / Pangle (CSJ)"


def test_declaring_one_of_tied_entries_resolves_the_tie(catalog: Catalog) -> None:
    result = classify("is.snssdk.com", catalog, [Party("Pangle", catalog_id="pangle")])
    assert (result.kind, result.party, result.ambiguous) == ("declared_third_party", "Pangle", False)
    assert result.catalog_ids == ["bytedance-applog", "pangle"]


@pytest.mark.parametrize("host", ["tracker.unknown-vendor.net", "www.googleapis.com", "www.qq.com", "example.com.evil.net"])
def test_unknown_third_party(catalog: Catalog, host: str) -> None:
    result = classify(host, catalog)
    assert result.kind == "unknown_third_party"
    assert (result.party, result.catalog_ids, result.ambiguous) == (None, [], False)


def test_without_first_party_domains_everything_unknown_is_third_party(catalog: Catalog) -> None:
    assert classify("example.com", catalog, first_party=[]).kind == "unknown_third_party"


@pytest.mark.parametrize(
    ("host", "parties", "first_party", "kind"),
    [
        ("203.0.113.7", [], FIRST_PARTY, "unknown_third_party"),
        ("10.0.2.2", [], ["10.0.2.0", "example.com"], "unknown_third_party"),
        ("203.0.113.7", [Party("CDN", domains=["203.0.113.7"])], FIRST_PARTY, "declared_third_party"),
        ("[2001:db8::7]", [Party("CDN", domains=["2001:db8::7"])], FIRST_PARTY, "declared_third_party"),
        ("10.0.2.2", [], ["10.0.2.2"], "first_party"),  # listed verbatim by the user
    ],
)
def test_ip_literals(catalog: Catalog, host: str, parties: list[Party], first_party: list[str], kind: str) -> None:
    result = classify(host, catalog, parties, first_party)
    assert result.kind == kind
    assert result.registrable_domain == host.strip("[]").lower()


def test_ip_in_catalog_is_known() -> None:
    from piaudit.policies.catalog import CatalogEntry

    small = Catalog(
        [CatalogEntry(id="httpdns", name="HTTPDNS", category="cloud", domains=["203.107.1.1"], source="t", licence="CC0-1.0")]
    )
    assert Classifier([], [], small).classify("203.107.1.1").kind == "known_third_party"


def test_classifier_caches_and_normalises(catalog: Catalog) -> None:
    classifier = Classifier(FIRST_PARTY, [], catalog)
    first = classifier.classify("bugly.qq.com")
    assert classifier.classify("BUGLY.QQ.COM.") is first
    assert classifier.classify("bugly.qq.com") is first


def test_classify_host_matches_classifier(catalog: Catalog) -> None:
    parties = [Party("Umeng", sdk_prefixes=["com.umeng"])]
    for host in ["umeng.com", "bugly.qq.com", "www.example.com", "nowhere.example.org"]:
        assert classify_host(host, first_party_domains=FIRST_PARTY, declared_parties=parties, catalog=catalog) == classify(
            host, catalog, parties
        )


def test_host_class_is_strict_and_immutable() -> None:
    with pytest.raises(ValidationError):
        HostClass(kind="first_party", party=None, catalog_ids=[], ambiguous=False, registrable_domain="x.com", extra=1)
    with pytest.raises(ValidationError):
        HostClass(kind="second_party", party=None, catalog_ids=[], ambiguous=False, registrable_domain="x.com")
    result = HostClass(kind="first_party", party=None, catalog_ids=[], ambiguous=False, registrable_domain="x.com")
    with pytest.raises(ValidationError):
        result.kind = "unknown_third_party"
