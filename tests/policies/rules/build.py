"""Small builders for rule tests: a tiny catalog, the demo policy, and timeline rows."""

from __future__ import annotations

from typing import Any

from piaudit.policies.catalog import Catalog, CatalogEntry
from piaudit.policies.classify import Classifier
from piaudit.policies.models import (
    ApiRef,
    ComponentEvent,
    ConsentEvent,
    Detection,
    FlowSummary,
    HookEvent,
    LifecycleEvent,
    PermissionDialog,
    PermissionEvent,
    PermissionResult,
    Timeline,
    TlsFailure,
)
from piaudit.policies.policy import Policy
from piaudit.policies.times import STORED

_APIS = {
    "android_id": ApiRef(class_name="android.provider.Settings$Secure", method="getString"),
    "imei": ApiRef(class_name="android.telephony.TelephonyManager", method="getImei"),
    "location": ApiRef(class_name="android.location.LocationManager", method="getLastKnownLocation"),
    "installed_apps": ApiRef(class_name="android.app.ApplicationPackageManager", method="getInstalledPackages"),
    "clipboard": ApiRef(class_name="android.content.ClipboardManager", method="getPrimaryClip"),
}


def catalog() -> Catalog:
    """Umeng, Tencent Bugly and AMap: enough to tell declared, known and unknown parties apart."""

    def entry(id: str, name: str, prefixes: list[str], domains: list[str], country: str = "CN") -> CatalogEntry:
        return CatalogEntry(
            id=id,
            name=name,
            country=country,
            category="analytics",
            package_prefixes=prefixes,
            domains=domains,
            source="test",
            licence="CC0-1.0",
        )

    return Catalog(
        [
            entry("umeng", "Umeng", ["com.umeng"], ["umeng.com", "umengcloud.com"]),
            entry("tencent-bugly", "Tencent Bugly", ["com.tencent.bugly"], ["bugly.qq.com"]),
            entry("amap", "AMap", ["com.amap.api"], ["amap.com"]),
        ]
    )


def policy(**changes: Any) -> Policy:
    """The demo app's policy (news category, Bugly declared for android_id), with changes."""
    data: dict[str, Any] = {
        "app": {"package": "com.example.demoapp", "name": "Demo", "category": "news"},
        "first_party_domains": ["api.demoapp.example"],
        "third_parties": [
            {
                "name": "Bugly",
                "catalog_id": "tencent-bugly",
                "sdk_prefixes": ["com.tencent.bugly"],
                "domains": ["bugly.qq.com"],
                "data_types": ["android_id"],
                "purpose": "crash reporting",
            }
        ],
        "declared_data_types": ["android_id"],
    }
    data.update(changes)
    return Policy.model_validate(data)


def _make(model: type[Any], **fields: Any) -> Any:
    """A model with relative times (0, 10, -1): the rules take any time; only input from outside must be plausible."""
    return model.model_validate(fields, context=STORED)


def classifier(pol: Policy) -> Classifier:
    """A classifier for ``pol`` over the tiny catalog."""
    return Classifier(pol.first_party_domains, pol.third_parties, catalog())


def hook(
    time: float,
    data_type: str = "android_id",
    *,
    id: int | None = None,
    party: str | None = None,
    caller: str | None = None,
    foreground: bool | None = None,
    phase: str | None = None,
) -> HookEvent:
    """A read of ``data_type`` at ``time`` (id defaults to a number derived from the time)."""
    return _make(
        HookEvent,
        id=id if id is not None else int(time * 1000),
        time=time,
        data_type=data_type,
        api=_APIS.get(data_type, ApiRef(class_name="android.x.Y", method="get")),
        value="v",
        party=party,
        caller=caller,
        foreground=foreground,
        phase=phase,
    )


def flow(
    flow_id: str,
    time: float,
    host: str,
    *data_types: str,
    scheme: str = "https",
    kind: str = "http",
    source: str = "value",
    direction: str = "request",
    server_ip: str = "",
) -> FlowSummary:
    """A flow to ``host`` carrying ``data_types`` (TLS unless the scheme says otherwise)."""
    return _make(
        FlowSummary,
        flow_id=flow_id,
        kind=kind,
        time=time,
        method="POST" if kind == "http" else "",
        url=f"{scheme}://{host}/collect" if scheme else "",
        host=host,
        port=443 if scheme == "https" else 80,
        scheme=scheme,
        tls=scheme in ("https", "wss"),
        server_ip=server_ip,
        detections=[
            Detection(data_type=t, source=source, value="v", where=f"body:$.{t}", excerpt=f"[[{t}]]", direction=direction)
            for t in data_types
        ],
    )


def consent(time: float, decision: str = "granted", *, source: str = "ui_click", id: int | None = None) -> ConsentEvent:
    """A consent answer at ``time``."""
    return _make(
        ConsentEvent, id=id if id is not None else int(time * 1000), time=time, decision=decision, source=source, detail="btn"
    )


def life(time: float, state: str, *, id: int | None = None, detail: str = "") -> LifecycleEvent:
    """A lifecycle change at ``time``."""
    return _make(LifecycleEvent, id=id if id is not None else int(time * 1000), time=time, state=state, detail=detail)


def permission(time: float, *names: str, id: int | None = None, party: str | None = None) -> PermissionEvent:
    """A runtime permission request at ``time``."""
    return _make(
        PermissionEvent,
        id=id if id is not None else int(time * 1000),
        time=time,
        permissions=[f"android.permission.{n}" for n in names],
        party=party,
    )


def answer(time: float, *, granted: tuple[str, ...] = (), denied: tuple[str, ...] = (), id: int | None = None) -> PermissionResult:
    """The user's answer at ``time``: short permission names granted and denied."""
    results = {f"android.permission.{n}": "granted" for n in granted} | {f"android.permission.{n}": "denied" for n in denied}
    return _make(PermissionResult, id=id if id is not None else int(time * 1000), time=time, results=results)


def dialog(time: float, *names: str, kind: str = "system", id: int | None = None) -> PermissionDialog:
    """A permission dialog shown at ``time``."""
    return _make(
        PermissionDialog,
        id=id if id is not None else int(time * 1000),
        time=time,
        dialog=kind,
        permissions=[f"android.permission.{n}" for n in names],
    )


_START_APIS = {
    "start_activity": ("android.app.Activity", "startActivity"),
    "start_service": ("android.app.ContextImpl", "startService"),
    "start_foreground_service": ("android.app.ContextImpl", "startForegroundService"),
    "bind_service": ("android.app.ContextImpl", "bindService"),
    "send_broadcast": ("android.app.ContextImpl", "sendBroadcast"),
    "register_receiver": ("android.app.ContextImpl", "registerReceiver"),
    "receive_broadcast": ("android.app.ActivityThread", "handleReceiver"),
    "set_alarm": ("android.app.AlarmManager", "setRepeating"),
    "schedule_job": ("android.app.job.JobScheduler", "schedule"),
    "enqueue_work": ("androidx.work.WorkManager", "enqueue"),
    "request_sync": ("android.content.ContentResolver", "requestSync"),
}


def start(time: float, call: str, target: str | None = None, *, id: int | None = None, **fields: Any) -> ComponentEvent:
    """A component start or wake-up at ``time``; ``target`` is ``pkg`` or ``pkg/Class``."""
    package, _, component = (target or "").partition("/")
    cls, method = _START_APIS[call]
    return _make(
        ComponentEvent,
        id=id if id is not None else int(time * 1000),
        time=time,
        call=call,
        api=ApiRef(class_name=cls, method=method),
        target_package=package or None,
        target_component=component or None,
        **fields,
    )


def probe(time: float, package: str, *, id: int | None = None, party: str | None = None, **fields: Any) -> HookEvent:
    """A per-package probe (``getPackageInfo(package)``) at ``time``."""
    return _make(
        HookEvent,
        id=id if id is not None else int(time * 1000),
        time=time,
        data_type="installed_apps",
        api=ApiRef(class_name="android.app.ApplicationPackageManager", method="getPackageInfo"),
        args={"package": package},
        value=f"{package}: installed",
        party=party,
        caller="com.umeng.x.Y.z(Y.java:1)" if party == "Umeng" else None,
        **fields,
    )


def tls_failure(time: float, host: str) -> TlsFailure:
    """A rejected client handshake for ``host``."""
    return _make(TlsFailure, time=time, host=host, sni=host, error="client does not trust the proxy's certificate")


def timeline(*items: Any) -> Timeline:
    """A timeline from mixed rows, each put in its list."""
    tl = Timeline()
    lists = {
        FlowSummary: tl.flows,
        HookEvent: tl.hook_events,
        ConsentEvent: tl.consent_events,
        LifecycleEvent: tl.lifecycle_events,
        PermissionEvent: tl.permission_events,
        PermissionResult: tl.permission_results,
        PermissionDialog: tl.permission_dialogs,
        ComponentEvent: tl.component_events,
        TlsFailure: tl.tls_failures,
    }
    for item in items:
        lists[type(item)].append(item)
    return tl


def rules(findings: list[Any]) -> list[str]:
    """The rule names of ``findings``, in order."""
    return [f.rule for f in findings]


def only(findings: list[Any], rule: str) -> list[Any]:
    """The findings of one rule."""
    return [f for f in findings if f.rule == rule]
