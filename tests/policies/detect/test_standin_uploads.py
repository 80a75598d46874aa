"""The stand-in app's SDK uploads (hooks/standin), byte for byte as its Java sources send them:
found with the right data types, places and encodings, by pattern and from the hooks' values."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from piaudit.policies.detect import Detector
from piaudit.policies.identifiers import Identifiers
from tests.policies.detect.helpers import describe, flow, hits

USER_AGENT = "Dalvik/2.1.0 (Linux; U; Android 13; 22101316C Build/TP1A.220624.014)"  # Net.USER_AGENT
# Fake.DEFAULTS: what ApplicationPackageManager, ActivityManager and WifiInfo return.
INSTALLED = [
    "com.example.demoapp",
    "com.tencent.mm",
    "com.eg.android.AlipayGphone",
    "com.ss.android.ugc.aweme",
    "com.taobao.taobao",
    "com.sina.weibo",
    "com.android.settings",
]
RUNNING = ["com.example.demoapp", "com.tencent.mm", "com.android.systemui"]
BSSID, SSID = "d8:0d:17:4c:9e:21", '"DemoCorp-5G"'  # getSSID() returns the SSID in quotes


def talkingdata_flow() -> object:
    """TCAgent.init: the installed packages as gzip-compressed JSON records, Content-Encoding: gzip."""
    app_id = "A1B2C3D4E5F60718293A4B5C6D7E8F90"  # DemoApplication.TALKINGDATA_APPID
    apps = ",".join(f'{{"pkg":"{p}","ver":"1.{i}.0"}}' for i, p in enumerate(INSTALLED))  # PackageInfo.versionName
    tdid = "h" + hashlib.md5(app_id.encode()).hexdigest()[:31]
    body = f'{{"appId":"{app_id}","channel":"demo","tdid":"{tdid}","apps":[{apps}]}}'
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*", "Content-Type": "application/json", "Content-Encoding": "gzip"}
    return flow("https://sdk.open.talkingdata.com/g/d", headers, gzip.compress(body.encode()))


def jpush_flow() -> object:
    """JPushInterface.init (refuse scenario): BSSID, SSID and running processes, URLEncoder-encoded, as a form."""
    body = (
        "bssid=d8%3A0d%3A17%3A4c%3A9e%3A21&ssid=%22DemoCorp-5G%22"
        "&procs=com.example.demoapp%2Ccom.tencent.mm%2Ccom.android.systemui&sdk_ver=5.0.3"
    )
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*", "Content-Type": "application/x-www-form-urlencoded"}
    return flow("https://stats.jpush.cn/v1/report", headers, body.encode())


def hook_identifiers(**values: list[str]) -> Identifiers:
    ids = Identifiers()
    added, ignored = ids.add_many(values)
    assert added == sum(map(len, values.values())) and not ignored, ignored
    return ids


def test_talkingdata_app_list_by_pattern() -> None:
    result = Detector().scan_flow(talkingdata_flow())
    found = hits(result, data_type="installed_apps", source="pattern", where="body:$.apps", encoding="gzip>json")
    assert found and found[0].value == ",".join(INSTALLED), describe(result)
    assert [d.data_type.value for d in result.detections] == ["installed_apps"], describe(result)


@pytest.mark.parametrize("patterns", [True, False])
def test_talkingdata_app_list_from_hook_values(patterns: bool) -> None:
    ids = hook_identifiers(installed_apps=INSTALLED)
    result = Detector(ids, patterns=patterns).scan_flow(talkingdata_flow())
    found = hits(result, data_type="installed_apps", source="value", where="body:$.apps", encoding="gzip>json")
    assert found and found[0].value == ",".join(sorted(INSTALLED)), describe(result)
    assert len(result.detections) == 1, describe(result)  # the value hit explains the pattern


def test_jpush_form_by_pattern() -> None:
    result = Detector().scan_flow(jpush_flow())
    assert [(d.data_type.value, d.where, d.encoding) for d in result.detections] == [("bssid", "form:bssid", "form")], describe(
        result
    )


def test_jpush_form_from_hook_values() -> None:
    ids = hook_identifiers(bssid=[BSSID], ssid=[SSID], running_apps=RUNNING)
    result = Detector(ids).scan_flow(jpush_flow())
    found = {(d.data_type.value, d.source, d.where, d.encoding) for d in result.detections}
    assert found == {
        ("bssid", "value", "form:bssid", "form"),
        ("ssid", "value", "form:ssid", "form"),
        ("running_apps", "value", "form:procs", "form"),
    }, describe(result)
