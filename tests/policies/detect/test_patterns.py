"""Value-less patterns: each kind found, and the usual false positives not."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest

from piaudit.policies.detect import Detector
from piaudit.policies.identifiers import luhn_digit
from tests.policies.detect.helpers import describe, hits

ICCID = "8986001234567890123" + luhn_digit("8986001234567890123")
APPS = [
    "com.tencent.mm",
    "com.taobao.taobao",
    "com.eg.android.AlipayGphone",
    "com.ss.android.ugc.aweme",
    "com.sina.weibo",
    "tv.danmaku.bili",
]


def patterns(text: str | bytes):
    data = text if isinstance(text, bytes) else text.encode()
    return Detector().scan_bytes(data, "body")


@pytest.mark.parametrize(
    ("text", "data_type", "value"),
    [
        ('{"a":"490154203237518"}', "imei", "490154203237518"),
        ("imei=35209900176148&x=1", "imei", "35209900176148"),
        ('{"imeisv": "3520990017614823"}', "imei", "3520990017614823"),
        ('{"meid":"A0000012345678"}', "meid", "A0000012345678"),
        ("sub=460001234567890", "imsi", "460001234567890"),
        (f'{{"sim": "{ICCID}"}}', "iccid", ICCID),
        ("m=a4:5e:60:c2:11:07", "mac", "a4:5e:60:c2:11:07"),
        ('{"hw":"A4-5E-60-C2-11-07"}', "mac", "A4-5E-60-C2-11-07"),
        ('{"wifi_mac":"a45e60c21107"}', "mac", "a45e60c21107"),
        ('{"bssid":"a4:5e:60:c2:11:07"}', "bssid", "a4:5e:60:c2:11:07"),
        ('{"bt_addr":"a4:5e:60:c2:11:07"}', "bluetooth_mac", "a4:5e:60:c2:11:07"),
        ('{"gaid":"6f1d2c3b-1111-4a2b-9c3d-aabbccddeeff"}', "ad_id", "6f1d2c3b-1111-4a2b-9c3d-aabbccddeeff"),
        ('{"advertisingId":"6F1D2C3B-1111-4A2B-9C3D-AABBCCDDEEFF"}', "ad_id", "6F1D2C3B-1111-4A2B-9C3D-AABBCCDDEEFF"),
        ('{"oaid":"6f1d2c3b-1111-4a2b-9c3d-aabbccddeeff"}', "oaid", "6f1d2c3b-1111-4a2b-9c3d-aabbccddeeff"),
        ('{"oaid":"f3c1a9b27d4e6a58"}', "oaid", "f3c1a9b27d4e6a58"),
        ('{"mobile":"13912345678"}', "phone", "13912345678"),
        ('{"tel":"+8613912345678"}', "phone", "+8613912345678"),
        ('{"n":"8613912345678"}', "phone", "8613912345678"),
        ('{"n":"+14155552671"}', "phone", "+14155552671"),
        ("contact: wang.fang+shop@mail.example.cn.", "email", "wang.fang+shop@mail.example.cn"),
        ('{"lat": 31.2304, "lng": 121.4737}', "location", "31.2304,121.4737"),
        ("loc=31.2304,121.4737", "location", "31.2304,121.4737"),
        ('{"gps": "121.473701,31.230416"}', "location", "121.473701,31.230416"),
    ],
)
def test_pattern_found(text: str, data_type: str, value: str) -> None:
    result = patterns(text)
    assert hits(result, data_type=data_type, source="pattern", value=value), describe(result)


@pytest.mark.parametrize(
    "record",
    [
        json.dumps({"apps": APPS}),
        json.dumps({"list": ",".join(APPS)}),
        json.dumps({"pkgs": {a: {"v": 1} for a in APPS}}),
        json.dumps({"apps": [{"pkg": a, "ver": f"1.{i}.0"} for i, a in enumerate(APPS)]}),  # records
        "\n".join(f"package:{a}" for a in APPS),
    ],
)
def test_installed_app_list(record: str) -> None:
    result = patterns(record)
    found = hits(result, data_type="installed_apps", source="pattern")
    assert found and "com.tencent.mm" in found[0].value, describe(result)
    assert not hits(result, data_type="running_apps"), describe(result)


def test_app_list_of_records_is_placed_at_the_list() -> None:
    record = json.dumps({"id": 7, "apps": [{"pkg": a, "ver": f"1.{i}.0", "sys": False} for i, a in enumerate(APPS)]})
    found = hits(patterns(record), data_type="installed_apps", source="pattern", where="body:$.apps", encoding="json")
    assert found and found[0].value == ",".join(APPS), describe(patterns(record))


@pytest.mark.parametrize(
    "record",
    [
        json.dumps({"running_processes": APPS}),
        json.dumps({"list": [{"processName": a, "pid": 4000 + i} for i, a in enumerate(APPS)]}),
        "sdk_ver=5.0.3&procs=" + "%2C".join(APPS),
    ],
)
def test_running_apps_by_context(record: str) -> None:
    result = patterns(record)
    assert hits(result, data_type="running_apps", source="pattern"), describe(result)
    assert not hits(result, data_type="installed_apps"), describe(result)


NOT_PERSONAL = {
    "timestamps": '{"ts": 1700000000123, "t": 1700000000, "ns": 1700000000123456789}',
    "versions": '{"v": "1.2.345", "build": "10.0.19041.1000", "sdk": "3.14.159.265"}',
    "digests": json.dumps({h: hashlib.new(h, b"x").hexdigest() for h in ("md5", "sha1", "sha256")}),
    "upper digests": json.dumps({h: hashlib.new(h, b"y").hexdigest().upper() for h in ("md5", "sha1", "sha256")}),
    "dummy macs": '{"mac": "02:00:00:00:00:00", "m2": "00:00:00:00:00:00", "m3": "FF:FF:FF:FF:FF:FF", "wifi_mac": "020000000000"}',
    "request ids": json.dumps({"request_id": str(uuid.uuid4()), "trace": str(uuid.uuid4()).upper()}),
    "ipv6": '{"ip": "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "ll": "fe80::a4:5e:60:c2:11"}',
    "fingerprint": '{"sha1": "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"}',
    "not luhn": '{"order": "490154203237519", "n": "123456789012347"}',
    "11 digits no context": '{"item_id": "13800000000", "sku": 13912345678}',
    "image names": '{"icon": "icon@2x.png", "logo": "logo@3x.webp", "pkg": "@babel/core@7.23.0"}',
    "fractions": '{"probs": [0.125, 0.375], "ratio": "0.500,0.250", "lat_offset": 0.0}',
    "prices": '{"price": 12.99, "total": 1234.5, "rate": 6.8871}',
    "stack trace": "at com.example.app.MainActivity.onCreate(MainActivity.java:42)\n"
    "at com.example.app.net.Client.send(Client.java:7)\nat com.android.internal.os.ZygoteInit.main(ZygoteInit.java:1)\n"
    "at com.example.app.Foo.bar(Foo.java:1)\nat com.example.app.Foo.baz(Foo.java:2)",
    "hostnames": "api.example.com,cdn.example.com,cn.bing.com,img.alicdn.com,log.umeng.com,com.cn",
    "dates": '{"d": "2023-11-14T10:22:01.123+08:00", "tz": "+0800", "phoneNumberFormat": "+86"}',
}


@pytest.mark.parametrize("case", list(NOT_PERSONAL))
def test_no_false_positive(case: str) -> None:
    result = patterns(NOT_PERSONAL[case])
    assert not result.detections, describe(result)


def test_patterns_can_be_switched_off() -> None:
    assert not Detector(patterns=False).scan_bytes(b'{"imei":"490154203237518"}', "body").detections
