"""The SDK / tracker catalog: shipped data, lookups, validation, Exodus import and merge."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from piaudit.policies.catalog import (
    CATALOG_FILE,
    CATEGORIES,
    Catalog,
    CatalogEntry,
    CatalogError,
    default_catalog,
    load_catalog,
    read_catalog_file,
    save_catalog,
)
from piaudit.policies.exodus import import_exodus, merge_catalog

EXODUS_SAMPLE = Path(__file__).parent / "data" / "exodus_sample.json"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def entry(entry_id: str, **fields) -> CatalogEntry:
    """A minimal valid entry for tests."""
    values = {"name": entry_id.title(), "category": "other", "source": "tests", "licence": "CC0-1.0"}
    return CatalogEntry(id=entry_id, **(values | fields))


def write(tmp_path: Path, text: str, name: str = "catalog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- shipped data


def test_shipped_catalog_has_at_least_150_entries(catalog: Catalog) -> None:
    assert len(catalog) >= 150
    assert catalog.origins == (str(CATALOG_FILE),)


def test_ids_and_names_are_unique(catalog: Catalog) -> None:
    ids = [e.id for e in catalog]
    names = [e.name.casefold() for e in catalog]
    assert len(ids) == len(set(ids))
    assert len(names) == len(set(names))


def test_every_entry_has_source_licence_and_a_way_to_be_recognised(catalog: Catalog) -> None:
    for e in catalog:
        assert e.source.strip() and e.licence.strip(), e.id
        assert e.category in CATEGORIES
        assert e.package_prefixes or e.domains, f"{e.id} can never match"


def test_no_entry_uses_a_non_commercial_source(catalog: Catalog) -> None:
    for e in catalog:
        assert "duckduckgo" not in e.source.casefold(), e.id
        assert not re.search(r"\bNC\b|non-?commercial", e.licence, re.IGNORECASE), e.id


def test_no_plain_domain_is_a_bare_public_suffix_or_shared_platform(catalog: Catalog) -> None:
    # A catalog domain such as "googleapis.com" or "qq.com" would attribute every
    # Google API or Tencent host to one SDK.
    too_broad = {"googleapis.com", "qq.com", "google.com", "baidu.com", "xiaomi.com", "com.cn", "gtimg.cn"}
    for e in catalog:
        assert not too_broad & set(e.domains), e.id


# Straight from DOMAIN.md, "Third parties": id → (package prefixes, domains).
DOMAIN_MD_VENDORS = {
    "umeng": (["com.umeng"], ["umeng.com", "umengcloud.com", "umtrack.com"]),
    "getui": (["com.igexin"], ["igexin.com", "getui.com"]),
    "jpush": (["cn.jpush.android", "cn.jiguang"], ["jpush.cn", "jiguang.cn"]),
    "tencent-bugly": (["com.tencent.bugly"], ["bugly.qq.com"]),
    "tencent-gdt": (["com.qq.e"], ["gdt.qq.com", "e.qq.com"]),
    "pangle": (["com.bytedance.sdk.openadsdk"], ["pangolin-sdk-toutiao.com", "pangle.cn", "snssdk.com"]),
    "baidu-mobads": (["com.baidu.mobads"], ["mobads.baidu.com"]),
    "alipay": (["com.alipay.sdk"], ["alipay.com"]),
    "weibo": (["com.sina.weibo.sdk"], ["sina.cn"]),
    "xiaomi-push": (["com.xiaomi.mipush"], ["xmpush.xiaomi.com"]),
    "huawei-hms": (["com.huawei.hms"], ["hicloud.com"]),
    "heytap-push": (["com.heytap.msp"], ["heytapmobi.com"]),
    "vivo-push": (["com.vivo.push"], ["vivo.com.cn"]),
    "amap": (["com.amap.api"], ["amap.com"]),
    "baidu-location": (["com.baidu.location"], ["map.baidu.com"]),
    "tencent-location": (["com.tencent.map.geolocation"], ["map.qq.com"]),
    "wechat-opensdk": (["com.tencent.mm.opensdk"], ["weixin.qq.com"]),
    "shanyan": (["com.chuanglan.shanyan_sdk"], ["253.com"]),
    "cmcc-login": ([], ["cmpassport.com"]),
    "cucc-login": ([], ["10010.com"]),
    "ctcc-login": ([], ["189.cn"]),
    "msa-oaid": (["com.bun.miitmdid"], []),
}


@pytest.mark.parametrize("entry_id", sorted(DOMAIN_MD_VENDORS))
def test_domain_md_vendor_present_with_its_prefixes_and_domains(catalog: Catalog, entry_id: str) -> None:
    prefixes, domains = DOMAIN_MD_VENDORS[entry_id]
    e = catalog.get(entry_id)
    assert e is not None, f"{entry_id} missing from the catalog"
    assert e.country == "CN"
    assert set(prefixes) <= set(e.package_prefixes)
    assert set(domains) <= set(e.domains)
    for domain in domains:
        assert entry_id in [m.id for m in catalog.match_host(f"sub.{domain}")]
    for prefix in prefixes:
        assert entry_id in [m.id for m in catalog.match_package(f"{prefix}.internal.Worker")]


OTHER_CHINESE_VENDORS = [
    "kuaishou-ads", "sensorsdata", "growingio", "talkingdata", "tencent-mta", "tencent-beacon",
    "alibaba-cloud", "alibaba-push", "netease-yunxin", "netease-qiyu", "netease-yidun", "sobot",
    "mobtech", "bytedance-applog", "sigmob", "qumeng", "iflytek", "baidu-mobstat", "huawei-analytics",
    "xiaomi-ads", "meizu-push", "honor-push", "dcloud-unipush", "zhugeio", "shumei", "tongdun", "geetest",
]  # fmt: skip


@pytest.mark.parametrize("entry_id", OTHER_CHINESE_VENDORS)
def test_other_chinese_vendor_present(catalog: Catalog, entry_id: str) -> None:
    e = catalog.get(entry_id)
    assert e is not None and e.country == "CN"


# id → a host it must match (None: package-only entry) and a class it must match.
GLOBAL_VENDORS = {
    "firebase-analytics": ("app-measurement.com", "com.google.firebase.analytics.FirebaseAnalytics"),
    "firebase-installations": ("firebaseinstallations.googleapis.com", "com.google.firebase.installations.FirebaseInstallations"),
    "firebase-datatransport": ("firebaselogging-pa.googleapis.com", "com.google.android.datatransport.runtime.TransportRuntime"),
    "firebase-crashlytics": ("firebase-settings.crashlytics.com", "com.google.firebase.crashlytics.FirebaseCrashlytics"),
    "firebase-messaging": ("fcm.googleapis.com", "com.google.firebase.messaging.FirebaseMessaging"),
    "google-admob": ("googleads.g.doubleclick.net", "com.google.android.gms.ads.MobileAds"),
    "google-ad-manager": ("securepubads.doubleclick.net", None),
    "google-analytics": ("ssl.google-analytics.com", "com.google.android.gms.analytics.Tracker"),
    "google-maps": ("maps.googleapis.com", "com.google.android.gms.maps.GoogleMap"),
    "google-play-billing": (None, "com.android.billingclient.api.BillingClient"),
    "google-play-services": ("play.googleapis.com", "com.google.android.gms.common.GoogleApiAvailability"),
    "facebook-sdk": ("graph.facebook.com", "com.facebook.FacebookSdk"),
    "facebook-audience-network": (None, "com.facebook.ads.AdView"),
    "appsflyer": ("launches.appsflyer.com", "com.appsflyer.AppsFlyerLib"),
    "adjust": ("app.adjust.com", "com.adjust.sdk.Adjust"),
    "branch": ("api2.branch.io", "io.branch.referral.Branch"),
    "unity-ads": ("unityads.unity3d.com", "com.unity3d.ads.UnityAds"),
    "ironsource": ("outcome-ssp.supersonicads.com", "com.ironsource.mediationsdk.IronSource"),
    "applovin": ("ms.applovin.com", "com.applovin.sdk.AppLovinSdk"),
    "mintegral": ("analytics.rayjump.com", "com.mbridge.msdk.MBridgeSDK"),
    "vungle": ("api.vungle.com", "com.vungle.warren.Vungle"),
    "chartboost": ("live.chartboost.com", "com.chartboost.sdk.Chartboost"),
    "inmobi": ("config.inmobi.com", "com.inmobi.sdk.InMobiSdk"),
    "sentry": ("o1.ingest.sentry.io", "io.sentry.Sentry"),
    "bugsnag": ("sessions.bugsnag.com", "com.bugsnag.android.Bugsnag"),
    "onesignal": ("api.onesignal.com", "com.onesignal.OneSignal"),
    "appmetrica": ("report.appmetrica.yandex.net", "com.yandex.metrica.YandexMetrica"),
    "appcenter": ("in.appcenter.ms", "com.microsoft.appcenter.AppCenter"),
    "amplitude": ("api2.amplitude.com", "com.amplitude.api.Amplitude"),
    "mixpanel": ("api.mixpanel.com", "com.mixpanel.android.mpmetrics.MixpanelAPI"),
    "segment": ("api.segment.io", "com.segment.analytics.Analytics"),
    "braze": ("sdk.iad-01.braze.com", "com.braze.Braze"),
    "clevertap": ("eu1.clevertap-prod.com", "com.clevertap.android.sdk.CleverTapAPI"),
    "kochava": ("control.kochava.com", "com.kochava.tracker.Tracker"),
    "singular": ("sdk-api-v1.singular.net", "com.singular.sdk.Singular"),
    "tenjin": ("track.tenjin.com", "com.tenjin.android.TenjinSDK"),
    "flurry": ("data.flurry.com", "com.flurry.android.FlurryAgent"),
    "newrelic": ("mobile-collector.newrelic.com", "com.newrelic.agent.android.NewRelic"),
    "datadog": ("browser-intake-datadoghq.com", "com.datadog.android.Datadog"),
    "instabug": ("api.instabug.com", "com.instabug.library.Instabug"),
    "smartlook": ("manager.smartlook.com", "com.smartlook.sdk.smartlook.Smartlook"),
    "uxcam": ("api.uxcam.com", "com.uxcam.UXCam"),
    "heap": ("heapanalytics.com", "com.heapanalytics.android.Heap"),
    "mopub": ("ads.mopub.com", "com.mopub.common.MoPub"),
    "criteo": ("bidder.criteo.com", "com.criteo.publisher.Criteo"),
    "pollfish": ("wss.pollfish.com", "com.pollfish.Pollfish"),
    "tapjoy": ("connect.tapjoy.com", "com.tapjoy.Tapjoy"),
    "fyber": ("fyber.com", "com.fyber.FairBid"),
    "smaato": ("unifiedbidding.ad.smaato.net", "com.smaato.sdk.core.SmaatoSdk"),
    "ogury": ("ms-ads.presage.io", "io.presage.Presage"),
    "huawei-ads": (None, "com.huawei.hms.ads.HwAds"),
    "twitter": ("api.twitter.com", "com.twitter.sdk.android.core.Twitter"),
    "tiktok": ("business-api.tiktok.com", "com.tiktok.TikTokBusinessSdk"),
    "snap": ("tr.snapchat.com", "com.snapchat.kit.sdk.SnapKit"),
    "pinterest": ("api.pinterest.com", "com.pinterest.android.pdk.PDKClient"),
    "linkedin": ("api.linkedin.com", "com.linkedin.platform.LISessionManager"),
    "yahoo-ads": ("ads.yahoo.com", "com.yahoo.ads.YASAds"),
    "adcolony": ("adc3-launch.adcolony.com", "com.adcolony.sdk.AdColony"),
    "pangle-global": ("api16-access-sg.pangleglobal.com", None),
    "leanplum": ("api.leanplum.com", "com.leanplum.Leanplum"),
    "airship": ("device-api.urbanairship.com", "com.urbanairship.UAirship"),
    "pushwoosh": ("cp.pushwoosh.com", "com.pushwoosh.Pushwoosh"),
    "mapbox": ("api.mapbox.com", "com.mapbox.maps.MapView"),
    "here": ("router.hereapi.com", "com.here.sdk.core.engine.SDKNativeEngine"),
    "stripe": ("api.stripe.com", "com.stripe.android.Stripe"),
    "paypal": ("api-m.paypal.com", "com.paypal.android.sdk.payments.PayPalService"),
}  # fmt: skip


@pytest.mark.parametrize("entry_id", sorted(GLOBAL_VENDORS))
def test_global_vendor_present_and_matched(catalog: Catalog, entry_id: str) -> None:
    host, class_name = GLOBAL_VENDORS[entry_id]
    assert entry_id in catalog
    if host:
        assert entry_id in [e.id for e in catalog.match_host(host)]
    if class_name:
        assert entry_id in [e.id for e in catalog.match_package(class_name)]


# --------------------------------------------------------------------------- match_host


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("bugly.qq.com", ["tencent-bugly"]),
        ("android.bugly.qq.com", ["tencent-bugly"]),
        ("gdt.qq.com", ["tencent-gdt"]),
        ("mi.gdt.qq.com", ["tencent-gdt"]),
        ("weixin.qq.com", ["wechat-opensdk"]),
        ("api.weixin.qq.com", ["wechat-opensdk"]),
        ("apis.map.qq.com", ["tencent-map"]),  # more specific than map.qq.com
        ("lbs.map.qq.com", ["tencent-location"]),
        ("www.qq.com", []),
        ("qq.com", []),
        ("googleapis.com", []),
        ("www.googleapis.com", []),
        ("firebaseinstallations.googleapis.com", ["firebase-installations"]),
        ("firebaselogging-pa.googleapis.com", ["firebase-datatransport"]),
        ("app-measurement.com", ["firebase-analytics"]),
        ("firebase-settings.crashlytics.com", ["firebase-crashlytics"]),
        ("googleads.g.doubleclick.net", ["google-admob"]),
        ("stats.g.doubleclick.net", ["google-ad-manager"]),
        ("pagead2.googlesyndication.com", ["google-admob"]),
        ("BUGLY.QQ.COM.", ["tencent-bugly"]),  # case and trailing dot
        ("notumeng.com", []),  # label boundary: not a subdomain of umeng.com
        ("umeng.com.evil.example", []),
        ("pangolin.snssdk.com", ["pangle"]),
        ("log.snssdk.com", ["bytedance-applog"]),
        ("is.snssdk.com", ["bytedance-applog", "pangle"]),  # tie → both, sorted by id
        ("metrics.data.hicloud.com", ["huawei-analytics"]),  # regex beats hicloud.com
        ("grs.hicloud.com", ["huawei-hms"]),
        ("apilocate.amap.com", ["amap-location"]),
        ("restsdk.amap.com", ["amap"]),
        ("api.map.baidu.com", ["baidu-map"]),
        ("loc.map.baidu.com", ["baidu-location"]),
        ("203.0.113.9", []),
        ("", []),
    ],
)
def test_match_host(catalog: Catalog, host: str, expected: list[str]) -> None:
    assert [e.id for e in catalog.match_host(host)] == expected


def test_match_host_returns_a_fresh_list(catalog: Catalog) -> None:
    catalog.match_host("bugly.qq.com").clear()
    assert catalog.match_host("bugly.qq.com")


def test_ip_domain_pattern_matches_only_that_ip() -> None:
    small = Catalog([entry("dns", domains=["203.107.1.1"])])
    assert [e.id for e in small.match_host("203.107.1.1")] == ["dns"]
    assert small.match_host("1.203.107.1.1") == []
    assert small.match_host("107.1.1") == []


def test_regex_match_length_ranks_against_plain_domains() -> None:
    small = Catalog(
        [
            entry("plain", domains=["example.com"]),
            entry("regex", domains=[r"regex:^t\d+\.example\.com$"]),
            entry("short-regex", domains=["regex:ampl"]),
        ]
    )
    assert [e.id for e in small.match_host("t12.example.com")] == ["regex"]
    assert [e.id for e in small.match_host("www.example.com")] == ["plain"]
    assert [e.id for e in small.match_host("sample.org")] == ["short-regex"]


# Brute force, straight from the definition, to check the indexed lookup against.
def reference_match_host(catalog: Catalog, host: str) -> list[str]:
    best, ids = 0, set()
    for e in catalog:
        for pattern in e.domains:
            if pattern.startswith("regex:"):
                found = re.search(pattern.removeprefix("regex:"), host)
                length = found.end() - found.start() if found else 0
            else:
                length = len(pattern) if host == pattern or host.endswith("." + pattern) else 0
            if length > best:
                best, ids = length, {e.id}
            elif length == best and length > 0:
                ids.add(e.id)
    return sorted(ids)


def _label_pool() -> list[str]:
    labels = {label for e in default_catalog() for d in e.domains if not d.startswith("regex:") for label in d.split(".")}
    return sorted(labels) + ["www", "api", "metrics", "data", "x1"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_label_pool()), min_size=1, max_size=5))
def test_match_host_agrees_with_brute_force(labels: list[str]) -> None:
    catalog = default_catalog()
    host = ".".join(labels)
    assert [e.id for e in catalog.match_host(host)] == reference_match_host(catalog, host)


# --------------------------------------------------------------------------- match_package


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("com.umeng.analytics.MobclickAgent", ["umeng"]),
        ("com.umeng", ["umeng"]),
        ("com.umengx.Foo", []),  # dotted boundary
        ("com.umen", []),
        ("com.umeng.message.PushAgent", ["umeng-push"]),  # longest prefix wins
        ("com.umeng.analytics.MobclickAgent$1", ["umeng"]),
        ("com.umeng.analytics.MobclickAgent.onResume(MobclickAgent.java:42)", ["umeng"]),
        ("at com.umeng.analytics.MobclickAgent.onResume(Unknown Source)", ["umeng"]),
        ("Lcom/tencent/bugly/crashreport/CrashReport;", ["tencent-bugly"]),
        ("com/tencent/bugly/crashreport/CrashReport", ["tencent-bugly"]),
        ("com.google.android.gms.ads.identifier.AdvertisingIdClient", ["google-advertising-id"]),
        ("com.google.android.gms.ads.MobileAds", ["google-admob"]),
        ("com.google.android.gms.common.api.GoogleApi", ["google-play-services"]),
        ("com.facebook.react.ReactActivity", ["react-native"]),  # not the Facebook SDK
        ("com.facebook.appevents.AppEventsLogger", ["facebook-sdk"]),
        ("com.bytedance.sdk.openadsdk.TTAdSdk", ["pangle", "pangle-global"]),  # same package: ambiguous
        ("com.huawei.hms.push.HmsMessaging", ["huawei-push"]),
        ("com.huawei.hms.support.api.Api", ["huawei-hms"]),
        ("java.lang.Thread", []),
        ("", []),
    ],
)
def test_match_package(catalog: Catalog, name: str, expected: list[str]) -> None:
    assert [e.id for e in catalog.match_package(name)] == expected


def test_match_package_regex_prefix() -> None:
    small = Catalog([entry("sdk", package_prefixes=[r"regex:^io\.exinsight\.[a-z]+\.Agent"])])
    assert [e.id for e in small.match_package("io.exinsight.core.Agent")] == ["sdk"]
    assert small.match_package("io.exinsight.Core.Agent") == []


# --------------------------------------------------------------------------- hashing


def test_sha256_is_stable_and_order_independent(catalog: Catalog) -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", catalog.sha256)
    assert load_catalog().sha256 == catalog.sha256
    shuffled = [e.model_copy(update={"domains": list(reversed(e.domains))}) for e in reversed(catalog.entries)]
    assert Catalog(shuffled).sha256 == catalog.sha256


def test_sha256_changes_when_an_entry_changes(catalog: Catalog) -> None:
    changed = [e.model_copy(update={"domains": [*e.domains, "extra.example"]}) if e.id == "umeng" else e for e in catalog]
    assert Catalog(changed).sha256 != catalog.sha256


# --------------------------------------------------------------------------- validation


def test_duplicate_ids_are_rejected_in_memory() -> None:
    with pytest.raises(CatalogError, match="duplicate catalog id 'a'"):
        Catalog([entry("a"), entry("a")])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": "Bad Id"}, "lower-case slug"),
        ({"category": "tracking"}, "category"),
        ({"domains": ["*.umeng.com"]}, "plain domain"),
        ({"domains": ["https://umeng.com/x"]}, "plain domain"),
        ({"domains": ["regex:(unclosed"]}, "invalid regex"),
        ({"package_prefixes": ["com umeng"]}, "dotted Java package"),
        ({"country": "China"}, "alpha-2"),
        ({"source": ""}, "source"),
        ({"website": "https://x"}, "website"),
    ],
)
def test_invalid_entries_are_rejected(fields: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        entry(fields.pop("id", "ok"), **fields)


def test_entry_fields_are_normalised() -> None:
    e = entry(
        "n", domains=["WWW.Example.COM.", "www.example.com"], package_prefixes=["com.example.", "com.example"], country="cn"
    )
    assert e.domains == ["www.example.com"]
    assert e.package_prefixes == ["com.example"]
    assert e.country == "CN"


def test_malformed_catalog_file_names_file_line_entry_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
entries:
  - id: good
    name: Good
    category: ads
    source: tests
    licence: CC0-1.0
  - id: broken
    name: Broken
    category: tracking
    source: tests
    licence: CC0-1.0
""",
    )
    with pytest.raises(CatalogError) as caught:
        read_catalog_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert "line 7" in message
    assert "entry #2 (id 'broken')" in message
    assert "field 'category'" in message


def test_missing_required_fields_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, "entries:\n  - id: bare\n    name: Bare\n")
    with pytest.raises(
        CatalogError, match=r"line 2, entry #1 \(id 'bare'\): .*field 'category'.*field 'source'.*field 'licence'"
    ):
        read_catalog_file(path)


def test_duplicate_ids_in_a_file_name_both_lines(tmp_path: Path) -> None:
    body = "    name: X\n    category: other\n    source: s\n    licence: l\n"
    path = write(tmp_path, f"entries:\n  - id: dup\n{body}  - id: dup\n{body}")
    with pytest.raises(CatalogError, match=r"line 7, entry #2 \(id 'dup'\): duplicate id 'dup' \(first defined at line 2\)"):
        read_catalog_file(path)


def test_unquoted_norway_gets_a_helpful_message(tmp_path: Path) -> None:
    path = write(tmp_path, "entries:\n  - {id: no, name: N, category: other, source: s, licence: l, country: NO}\n")
    with pytest.raises(CatalogError, match="quote the country code"):
        read_catalog_file(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("entries: [\n", "YAML syntax error"),
        ("version: 2\nentries: []\n", "unknown top-level key"),
        ("just a string\n", "must be a mapping"),
        ("entries: {a: 1}\n", "must be a list"),
        ("entries:\n  - just-a-string\n", "must be a mapping of fields"),
    ],
)
def test_malformed_catalog_structure(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CatalogError, match=message) as caught:
        read_catalog_file(path)
    assert str(path) in str(caught.value)


def test_missing_catalog_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read the catalog file"):
        load_catalog(tmp_path / "nope.yaml")


def test_bare_list_and_empty_files_are_accepted(tmp_path: Path) -> None:
    assert read_catalog_file(write(tmp_path, "")) == []
    listed = write(tmp_path, "- {id: a, name: A, category: ads, source: s, licence: l}\n", "list.yaml")
    assert [e.id for e in read_catalog_file(listed)] == ["a"]


def test_extra_file_adds_and_overrides_entries(tmp_path: Path) -> None:
    extra = write(
        tmp_path,
        """\
entries:
  - {id: in-house-sdk, name: In-house SDK, category: analytics, domains: [telemetry.example.net], source: us, licence: CC0-1.0}
  - {id: tencent-bugly, name: Tencent Bugly, category: crash, domains: [bugly.qq.com, crashes.example.cn], source: us, licence: CC0-1.0}
""",
        "extra.yaml",
    )
    catalog = load_catalog(extra=extra)
    assert len(catalog) == len(load_catalog()) + 1
    assert [e.id for e in catalog.match_host("telemetry.example.net")] == ["in-house-sdk"]
    assert [e.id for e in catalog.match_host("crashes.example.cn")] == ["tencent-bugly"]
    assert catalog.get("tencent-bugly").source == "us"
    assert catalog.origins == (str(CATALOG_FILE), str(extra))


def test_save_catalog_round_trips(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "saved.yaml"
    save_catalog(catalog, path)
    assert load_catalog(path).sha256 == catalog.sha256


# --------------------------------------------------------------------------- Exodus


@pytest.fixture(scope="module")
def exodus_entries() -> list[CatalogEntry]:
    return import_exodus(EXODUS_SAMPLE)


def test_import_exodus_converts_signatures(exodus_entries: list[CatalogEntry]) -> None:
    by_id = {e.id: e for e in exodus_entries}
    assert sorted(by_id) == ["exodus-25", "exodus-27", "exodus-70", "exodus-901", "exodus-902", "exodus-904"]
    assert "exodus-903" not in by_id  # no signature at all: skipped
    umeng = by_id["exodus-25"]
    assert umeng.package_prefixes == ["com.umeng.analytics", "com.umeng.commonsdk"]
    assert umeng.domains == ["alog.umeng.com", "oc.umeng.com"]
    insight = by_id["exodus-901"]
    assert insight.package_prefixes == ["com.exampleinsight.sdk", r"regex:^io\.exinsight\.[a-z]+\.Agent"]
    assert insight.domains == ["collect.exampleinsight.net", "exinsight.io", r"regex:ingest[0-9]+\.exinsight-cdn\.com"]
    assert by_id["exodus-70"].domains == [r"regex:tapjoy(ads)?\.com"]
    assert by_id["exodus-902"].package_prefixes == []  # empty signature and empty alternative skipped
    assert by_id["exodus-902"].domains == ["ads.example-adnet.com"]


@pytest.mark.parametrize(
    ("entry_id", "category"),
    [
        ("exodus-25", "analytics"),
        ("exodus-70", "ads"),
        ("exodus-901", "analytics"),
        ("exodus-902", "ads"),
        ("exodus-904", "location"),
    ],
)
def test_import_exodus_maps_categories(exodus_entries: list[CatalogEntry], entry_id: str, category: str) -> None:
    assert {e.id: e.category for e in exodus_entries}[entry_id] == category


def test_import_exodus_records_source_and_licence(exodus_entries: list[CatalogEntry]) -> None:
    for e in exodus_entries:
        assert e.source == "Exodus Privacy ETIP"
        assert e.licence.startswith("ODbL-1.0 / DbCL-1.0")


def test_import_exodus_accepts_a_plain_list(tmp_path: Path) -> None:
    trackers = list(json.loads(EXODUS_SAMPLE.read_text())["trackers"].values())
    path = write(tmp_path, json.dumps(trackers), "list.json")
    assert [e.id for e in import_exodus(path)] == [e.id for e in import_exodus(EXODUS_SAMPLE)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "line 1: not valid JSON"),
        ('"a string"', "expected"),
        ('{"trackers": {"1": "x"}}', "tracker '1'"),
        ('[{"id": 5, "code_signature": "com.x."}]', r"tracker 5 \(\?\): a tracker needs an 'id' and a non-empty 'name'"),
    ],
)
def test_import_exodus_errors_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text, "bad.json")
    with pytest.raises(CatalogError, match=message) as caught:
        import_exodus(path)
    assert str(path) in str(caught.value)


def test_merge_enriches_by_name_and_adds_the_rest(catalog: Catalog, exodus_entries: list[CatalogEntry]) -> None:
    merged, report = merge_catalog(catalog, exodus_entries)
    assert report.added == ["exodus-901", "exodus-902", "exodus-904"]
    assert sorted(report.enriched) == ["tapjoy", "umeng"]  # "Umeng Analytics" is an alias; "TAPJOY" any case
    assert report.unchanged == ["firebase-analytics"]
    assert report.summary() == "3 added, 2 enriched, 1 unchanged"
    assert len(merged) == len(catalog) + 3

    umeng = merged.get("umeng")
    assert {"alog.umeng.com", "oc.umeng.com"} <= set(umeng.domains)
    assert set(catalog.get("umeng").domains) <= set(umeng.domains)
    assert "Exodus Privacy ETIP" in umeng.source and "ODbL-1.0" in umeng.licence
    assert merged.get("firebase-analytics") == catalog.get("firebase-analytics")
    assert [e.id for e in merged.match_host("collect.exampleinsight.net")] == ["exodus-901"]
    assert [e.id for e in merged.match_host("ingest7.exinsight-cdn.com")] == ["exodus-901"]
    assert merged.sha256 != catalog.sha256


def test_merge_is_idempotent(catalog: Catalog, exodus_entries: list[CatalogEntry]) -> None:
    once, _ = merge_catalog(catalog, exodus_entries)
    twice, report = merge_catalog(once, exodus_entries)
    assert report.added == [] and report.enriched == []
    assert twice.sha256 == once.sha256
