"""CROSS_BORDER_TRANSFER and the geo lookup (a real MMDB file written by the test)."""

from __future__ import annotations

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from piaudit.policies.geo import GeoLookup, declared_country
from piaudit.policies.rules import evaluate, evaluation_notes
from tests.policies.rules.build import classifier, consent, flow, only, policy, timeline

US_IP, CN_IP, NL_IP = "8.8.8.8", "1.2.4.8", "145.100.100.100"


@pytest.fixture(scope="module")
def mmdb(tmp_path_factory):
    path = tmp_path_factory.mktemp("geo") / "country.mmdb"
    writer = MMDBWriter(ip_version=6, database_type="Test-Country", ipv4_compatible=True)
    writer.insert_network(IPSet(["8.8.8.0/24"]), {"country": {"iso_code": "US"}})
    writer.insert_network(IPSet(["1.2.4.0/24"]), {"country": {"iso_code": "CN"}})
    writer.insert_network(IPSet(["145.100.0.0/16"]), {"country_code": "nl"})  # IPinfo-style flat layout
    writer.to_db_file(str(path))
    return path


def judge(*flows, geo=None, **changes):
    pol = policy(**changes)
    return only(evaluate(timeline(consent(0), *flows), pol, classifier(pol), geo=geo), "CROSS_BORDER_TRANSFER")


def test_lookup_reads_common_layouts(mmdb):
    geo = GeoLookup(mmdb=mmdb)
    assert (geo.lookup_ip(US_IP), geo.lookup_ip(CN_IP), geo.lookup_ip(NL_IP)) == ("US", "CN", "NL")
    assert geo.lookup_ip("9.9.9.9") is None
    assert geo.lookup_ip("10.0.0.1") is None  # private: never looked up
    assert geo.lookup_ip("not-an-ip") is None
    assert geo.database_type == "Test-Country"
    geo.close()


def test_bad_database_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.mmdb"
    bad.write_bytes(b"not a database")
    with pytest.raises(ValueError, match="cannot open the IP-country database"):
        GeoLookup(mmdb=bad)


def test_declared_country_longest_key_wins():
    mapping = {"example.com": "CN", "cdn.example.com": "SG"}
    assert declared_country("a.cdn.example.com", mapping) == ("SG", "cdn.example.com")
    assert declared_country("example.com", mapping) == ("CN", "example.com")
    assert declared_country("notexample.com", mapping) is None


def test_policy_declared_server_country_outside_jurisdiction():
    (f,) = judge(flow("f1", 1, "eu.api.demoapp.example", "android_id"), server_countries={"eu.api.demoapp.example": "DE"})
    assert (f.flow, f.severity, f.data_type) == ("f1", "high", "android_id")
    assert "in DE (server_countries['eu.api.demoapp.example'])" in f.message
    assert "outside the expected countries (CN)" in f.message


def test_ip_database_country_is_medium(mmdb):
    findings = judge(
        flow("us", 1, "api.demoapp.example", "android_id", server_ip=US_IP),
        flow("cn", 2, "api.demoapp.example", "android_id", server_ip=CN_IP),
        flow("nodata", 3, "api.demoapp.example", server_ip=US_IP),
        geo=GeoLookup(mmdb=mmdb),
    )
    assert [(f.flow, f.severity) for f in findings] == [("us", "medium")]


def test_policy_declaration_beats_the_database(mmdb):
    geo = GeoLookup(mmdb=mmdb)
    assert (
        judge(
            flow("f", 1, "cdn.demoapp.example", "android_id", server_ip=US_IP),
            geo=geo,
            server_countries={"cdn.demoapp.example": "CN"},
        )
        == []
    )


def test_expected_server_countries(mmdb):
    geo = GeoLookup(mmdb=mmdb)
    assert judge(flow("us", 1, "x.example", "android_id", server_ip=US_IP), geo=geo, expected_server_countries=["CN", "US"]) == []


def test_declared_third_party_country():
    parties = [
        {"name": "Crash", "domains": ["crash.example"], "data_types": ["android_id"], "purpose": "crashes", "country": "US"}
    ]
    (f,) = judge(flow("f", 1, "crash.example", "android_id"), third_parties=parties)
    assert "the policy places Crash in US" in f.message and f.party == "Crash"


def test_no_geo_information_no_finding_but_a_note():
    pol = policy()
    tl = timeline(flow("f", 1, "x.example", "android_id", server_ip=US_IP))
    assert only(evaluate(tl, pol, classifier(pol)), "CROSS_BORDER_TRANSFER") == []
    notes = evaluation_notes(tl, pol)
    assert any("server country of 1 flow(s) carrying personal data is unknown (x.example)" in n for n in notes)


def test_note_mentions_cdn_caveat_with_a_database(mmdb):
    pol = policy()
    notes = evaluation_notes(timeline(), pol, geo=GeoLookup(mmdb=mmdb))
    assert any("CDN and anycast" in n for n in notes)
