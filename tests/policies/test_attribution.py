"""Attribution: the first frame outside the framework names the caller; the catalog names the party."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from piaudit.policies.attribution import (
    attribute,
    first_app_frame,
    frame_class,
    is_framework_class,
    party_of_class,
    strip_api_frames,
)
from piaudit.policies.catalog import load_catalog


@dataclass(frozen=True)
class Entry:
    name: str


class PrefixCatalog:
    """A catalog with plain longest-prefix matching, independent of the shipped data."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = prefixes

    def match_package(self, class_or_package_name: str) -> list[Entry]:
        hits = [p for p in self.prefixes if class_or_package_name == p or class_or_package_name.startswith(p + ".")]
        return [Entry(self.prefixes[max(hits, key=len)])] if hits else []


CATALOG = PrefixCatalog({"com.umeng": "Umeng", "com.umeng.push": "Umeng Push", "com.tencent.bugly": "Bugly"})

IMEI_API = "android.telephony.TelephonyManager.getImei(Native Method)"


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ("com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:12)", "com.umeng.commonsdk.UMConfigure"),
        ("java.base/java.lang.Thread.run(Thread.java:833)", "java.lang.Thread"),
        ("app//com.example.Main.<clinit>(Main.java:4)", "com.example.Main"),
        (
            "com.google.android.gms.ads.identifier.AdvertisingIdClient$Info.getId(Unknown Source:2)",
            "com.google.android.gms.ads.identifier.AdvertisingIdClient$Info",
        ),
        ("android.telephony.TelephonyManager.getDeviceId(Native Method)", "android.telephony.TelephonyManager"),
        ("com.example.Outer$1.run(Outer.java)", "com.example.Outer$1"),
        ("libc.so.6!open+0x25", None),
        ("0x7f1234", None),
        ("main(Main.java:1)", None),
    ],
)
def test_frame_class(frame: str, expected: str | None) -> None:
    assert frame_class(frame) == expected


@pytest.mark.parametrize(
    ("class_name", "framework"),
    [
        ("android.telephony.TelephonyManager", True),
        ("androidx.core.app.ActivityCompat", True),
        ("com.android.internal.os.ZygoteInit", True),
        ("java.lang.reflect.Method", True),
        ("jdk.internal.reflect.DirectMethodHandleAccessor", True),
        ("sun.reflect.NativeMethodAccessorImpl", True),
        ("kotlin.collections.CollectionsKt", True),
        ("kotlinx.coroutines.DispatchedTask", True),
        ("dalvik.system.VMStack", True),
        ("libcore.io.Linux", True),
        ("com.google.android.gms.tasks.zzc", True),
        ("com.google.android.gms.common.internal.BaseGmsClient", True),
        ("jdk.proxy1.$Proxy0", True),
        ("$Proxy12", True),
        ("com.google.android.gms.measurement.internal.zzx", False),
        ("com.google.android.gms.ads.AdView", False),
        ("com.umeng.commonsdk.UMConfigure", False),
        ("com.example.app.MainActivity", False),
        ("androidapp.Main", False),
        ("kotlinx.serialization.json.Json", False),
    ],
)
def test_is_framework_class(class_name: str, framework: bool) -> None:
    assert is_framework_class(class_name) is framework


@pytest.mark.parametrize(
    ("stack", "caller", "party"),
    [
        pytest.param(
            [
                IMEI_API,
                "com.umeng.commonsdk.internal.utils.DeviceInfo.imei(DeviceInfo.java:42)",
                "com.example.App.onCreate(App.java:9)",
            ],
            "com.umeng.commonsdk.internal.utils.DeviceInfo.imei(DeviceInfo.java:42)",
            "Umeng",
            id="sdk-read",
        ),
        pytest.param(
            [IMEI_API, "com.umeng.push.Agent.register(Agent.java:7)"],
            "com.umeng.push.Agent.register(Agent.java:7)",
            "Umeng Push",
            id="longest-prefix",
        ),
        pytest.param(
            [
                IMEI_API,
                "com.example.app.MainActivity.onCreate(MainActivity.java:20)",
                "com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:3)",
            ],
            "com.example.app.MainActivity.onCreate(MainActivity.java:20)",
            None,
            id="app-read-called-from-sdk-callback-is-the-app",
        ),
        pytest.param(
            [
                IMEI_API,
                "java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)",
                "java.base/java.lang.reflect.Method.invoke(Method.java:568)",
                "androidx.core.content.ContextCompat.getSystemService(ContextCompat.java:1)",
                "com.tencent.bugly.crashreport.common.info.b.a(SourceFile:12)",
            ],
            "com.tencent.bugly.crashreport.common.info.b.a(SourceFile:12)",
            "Bugly",
            id="through-reflection-and-androidx",
        ),
        pytest.param(
            [IMEI_API, "android.app.Activity.performCreate(Activity.java:8000)", "java.lang.Thread.run(Thread.java:1)"],
            None,
            None,
            id="only-framework",
        ),
        pytest.param([], None, None, id="empty"),
        pytest.param(["libc.so.6!open+0x25", "libfoo.so!bar+0x10"], None, None, id="native-only"),
    ],
)
def test_attribute(stack: list[str], caller: str | None, party: str | None) -> None:
    assert attribute(stack, CATALOG) == (caller, party)


def test_attribute_without_catalog_names_the_caller_only() -> None:
    stack = [IMEI_API, "com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:3)"]
    assert attribute(stack, None) == ("com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:3)", None)


def test_attribute_with_the_shipped_catalog() -> None:
    catalog = load_catalog()
    umeng = catalog.get("umeng")
    assert umeng is not None
    stack = [IMEI_API, "com.umeng.commonsdk.statistics.idtracking.ImeiTracker.a(ImeiTracker.java:5)"]
    assert attribute(stack, catalog)[1] == umeng.name
    assert attribute([IMEI_API, "com.example.demoapp.MainActivity.onCreate(MainActivity.java:1)"], catalog)[1] is None


def test_strip_api_frames_for_sdk_class_hooks() -> None:
    api = "com.huawei.hms.ads.identifier.AdvertisingIdClient"
    stack = [
        f"{api}.getAdvertisingIdInfo(Native Method)",
        f"{api}$Info.getId(AdvertisingIdClient.java:3)",
        "com.umeng.commonsdk.statistics.idtracking.OaidTracker.a(OaidTracker.java:8)",
    ]
    assert strip_api_frames(stack, api) == stack[2:]
    assert attribute(strip_api_frames(stack, api), CATALOG)[1] == "Umeng"
    assert strip_api_frames([IMEI_API], api) == [IMEI_API]


def test_first_app_frame_and_party_of_class() -> None:
    assert first_app_frame([IMEI_API]) is None
    assert party_of_class("com.tencent.bugly.Bugly", CATALOG) == "Bugly"
    assert party_of_class("com.example.Main", CATALOG) is None
    assert party_of_class("com.tencent.bugly.Bugly", None) is None
