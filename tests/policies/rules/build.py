"""Small builders for rule tests: a tiny catalog, the demo policy, and timeline rows."""

from __future__ import annotations

from typing import Any

from piaudit.policies.catalog import Catalog, CatalogEntry
from piaudit.policies.classify import Classifier
from piaudit.policies.models import (
    ApiRef,
    ConsentEvent,
    Detection,
    FlowSummary,
    HookEvent,
    LifecycleEvent,
    PermissionEvent,
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


def life(time: float, state: str, *, id: int | None = None) -> LifecycleEvent:
    """A lifecycle change at ``time``."""
    return _make(LifecycleEvent, id=id if id is not None else int(time * 1000), time=time, state=state)


def permission(time: float, *names: str, id: int | None = None, party: str | None = None) -> PermissionEvent:
    """A runtime permission request at ``time``."""
    return _make(
        PermissionEvent,
        id=id if id is not None else int(time * 1000),
        time=time,
        permissions=[f"android.permission.{n}" for n in names],
        party=party,
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
