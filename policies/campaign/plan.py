"""The batch plan (``piaudit batch PLAN.yaml``): apps with their policies and scenarios, over a pool of devices.

A plan is outside input, validated by :class:`Plan` (unknown fields are errors) and read with
the bounds of :mod:`policies.yamlinput`; mistakes name file, line and field::

    plan.yaml:9: devices[2]: give exactly one of local, serial, frida

Relative paths (policies, identifiers, catalog) are relative to the plan file.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from piaudit.policies.yamlinput import InputError, Limits, load_model

ENDPOINT = re.compile(r"^[A-Za-z0-9.\-]+:\d{1,5}$")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
PACKAGE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
PLAN_LIMITS = Limits(max_bytes=4 << 20, max_nodes=500_000, max_depth=20)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _device_shorthand(value: Any) -> Any:
    """``local``, ``emulator-5554`` (adb serial) or ``HOST:PORT`` (frida-server) as a mapping."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text == "local":
        return {"local": True}
    if ENDPOINT.match(text):
        return {"frida": text}
    return {"serial": text}


class DeviceSpec(_Strict):
    """One device of the pool: a local stand-in, an adb device (emulator serial) or a frida-server endpoint."""

    local: bool = False
    serial: str | None = Field(None, min_length=1, description="adb serial (emulator-5554); the app is spawned through Frida over USB/adb")
    frida: str | None = Field(None, description="HOST:PORT of a frida-server the device runs")
    name: str | None = Field(None, description="how progress and the campaign state name it (default: serial, endpoint, local-N)")
    host: str | None = Field(None, description="with --cluster: the Ray host the device is attached to (custom resource piaudit_host_<host>)")
    proxy_port: int | None = Field(None, ge=1, le=65535, description="this device's proxy port (default: base_port + its index)")
    listen_host: str = Field("127.0.0.1", description="address the device's proxy listens on")

    @model_validator(mode="after")
    def _one_kind(self) -> DeviceSpec:
        given = [k for k in ("local", "serial", "frida") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of local, serial, frida")
        if self.frida is not None and not ENDPOINT.match(self.frida):
            raise ValueError(f"frida {self.frida!r} is not HOST:PORT (e.g. 10.0.0.5:27042)")
        for label, value in (("name", self.name), ("host", self.host)):
            if value is not None and not NAME.match(value):
                raise ValueError(f"{label} {value!r}: letters, digits, '.', '_' and '-' only")
        return self

    @property
    def kind(self) -> Literal["local", "serial", "frida"]:
        """Which of the three kinds of device this is."""
        return "local" if self.local else "serial" if self.serial else "frida"


Device = Annotated[DeviceSpec, BeforeValidator(_device_shorthand)]


class Defaults(_Strict):
    """Settings of every app that does not give its own."""

    duration: float = Field(60.0, gt=0, description="seconds an app is audited (a local stand-in ends earlier when it exits)")
    retries: int = Field(2, ge=0, le=20, description="attempts after a failed one, preferably on another device")
    scenario: str = Field("demo", description="local stand-ins: the stand-in scenario to run")
    exercise: Literal["none", "monkey"] = Field("none", description="adb devices: drive the app with `adb shell monkey` (fixed seed), or not")
    sinkhole: bool = Field(False, description="answer every request at the proxy (local stand-ins always do)")
    catalog: str | None = None
    geoip: str | None = None


class AppSpec(_Strict):
    """One app to audit."""

    package: str
    id: str | None = Field(None, description="a unique name for this entry (default: the package); its session folder")
    policy: str | None = None
    identifiers: str | None = None
    duration: float | None = Field(None, gt=0)
    retries: int | None = Field(None, ge=0, le=20)
    scenario: str | None = None
    exercise: Literal["none", "monkey"] | None = None
    sinkhole: bool | None = None
    standin: dict[str, str | int | float | bool] = Field({}, description="local stand-ins: extra standin.* properties")

    @field_validator("package")
    @classmethod
    def _package(cls, value: str) -> str:
        if not PACKAGE.match(value):
            raise ValueError(f"{value!r} is not a Java package name (e.g. com.example.app)")
        return value

    @field_validator("id")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        if value is not None and not NAME.match(value):
            raise ValueError(f"id {value!r}: letters, digits, '.', '_' and '-' only (it names a folder)")
        return value

    @field_validator("standin")
    @classmethod
    def _props(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not re.fullmatch(r"[A-Za-z0-9_.]+", key):
                raise ValueError(f"standin property {key!r}: letters, digits, '_' and '.' only")
        return value

    @property
    def key(self) -> str:
        """The entry's unique name: ``id``, else the package."""
        return self.id or self.package


class Plan(_Strict):
    """A batch plan: apps and the device pool they are audited on."""

    version: Literal[1] = 1
    name: str = ""
    defaults: Defaults = Defaults()
    devices: list[Device] = Field(min_length=1)
    apps: list[AppSpec] = Field(min_length=1)
    base_port: int = Field(18080, ge=1024, le=65000, description="proxy ports of devices without proxy_port: base_port + index")
    device_failures: int = Field(2, ge=1, description="consecutive failed attempts after which a device is taken out of the pool")
    grace: float = Field(60.0, ge=5, description="seconds an attempt may run past its duration before it is stopped")

    @model_validator(mode="after")
    def _unique(self) -> Plan:
        keys = [a.key for a in self.apps]
        if dupes := sorted({k for k in keys if keys.count(k) > 1}):
            raise ValueError(f"apps: {', '.join(dupes)} appears more than once (give each entry its own id)")
        names = self.device_names()
        if dupes := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"devices: {', '.join(dupes)} appears more than once (give each a name)")
        ports = list(self.device_ports().values())
        if dupes := sorted({p for p in ports if ports.count(p) > 1}):
            raise ValueError(f"devices: proxy port {dupes[0]} is used twice")
        return self

    def device_names(self) -> list[str]:
        """Each device's name, in plan order (local stand-ins are local-1, local-2, ...)."""
        names, n_local = [], 0
        for d in self.devices:
            if d.local:
                n_local += 1
            names.append(d.name or (f"local-{n_local}" if d.local else d.serial or d.frida or "?"))
        return names

    def device_ports(self) -> dict[str, int]:
        """Each device's proxy port."""
        return {name: d.proxy_port or self.base_port + i for i, (name, d) in enumerate(zip(self.device_names(), self.devices, strict=True))}


class ResolvedApp(_Strict):
    """An app entry with the defaults applied and its paths absolute: what one attempt needs."""

    key: str
    package: str
    policy: str | None
    identifiers: str | None
    catalog: str | None
    geoip: str | None
    duration: float
    retries: int
    scenario: str
    exercise: Literal["none", "monkey"]
    sinkhole: bool
    standin: dict[str, str | int | float | bool]


def resolve(plan: Plan, plan_dir: Path) -> list[ResolvedApp]:
    """Every app with defaults applied and paths made absolute against ``plan_dir``."""

    def path(value: str | None) -> str | None:
        return str((plan_dir / value).resolve()) if value else None

    d = plan.defaults
    return [
        ResolvedApp(
            key=a.key,
            package=a.package,
            policy=path(a.policy),
            identifiers=path(a.identifiers),
            catalog=path(d.catalog),
            geoip=path(d.geoip),
            duration=a.duration if a.duration is not None else d.duration,
            retries=a.retries if a.retries is not None else d.retries,
            scenario=a.scenario or d.scenario,
            exercise=a.exercise or d.exercise,
            sinkhole=a.sinkhole if a.sinkhole is not None else d.sinkhole,
            standin=dict(a.standin),
        )
        for a in plan.apps
    ]


def load_plan(path: Path | str) -> Plan:
    """Read and validate a plan; raises :class:`InputError` naming file, line and field (missing files too)."""
    from piaudit.policies.yamlinput import compose

    path = Path(path)
    plan = load_model(path, Plan, what="plan", limits=PLAN_LIMITS)
    # the files it names must exist: say where, like any other mistake
    _, lines, _ = compose(path.read_text(encoding="utf-8"), str(path), "plan", PLAN_LIMITS)
    issues = []
    for i, app in enumerate(plan.apps):
        for field in ("policy", "identifiers"):
            value = getattr(app, field)
            if value and not (path.parent / value).is_file():
                line = lines.get(("apps", i, field), 1)
                issues.append(f"{path}:{line}: apps[{i}].{field}: no such file {value!r} (relative to the plan)")
    for field in ("catalog", "geoip"):
        value = getattr(plan.defaults, field)
        if value and not (path.parent / value).is_file():
            issues.append(f"{path}:{lines.get(('defaults', field), 1)}: defaults.{field}: no such file {value!r}")
    if issues:
        raise InputError(issues)
    return plan


def plan_sha256(path: Path | str) -> str:
    """SHA-256 of the plan file's bytes (recorded in the campaign state)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
