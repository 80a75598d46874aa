"""Attribution: which code made a call, and which SDK (catalog entry) that code belongs to.

The caller is the first frame of the stack (innermost first) outside the Android framework,
the Java runtime and the instrumentation; the party is the catalog entry whose package
prefix matches the caller's class (longest prefix), or ``None`` for the app itself. Matching
one frame, not substrings of the whole stack text, is what keeps attribution right (an SDK
class further down the stack that merely called back into the app does not own the call).

Decisions:

* ``androidx.`` and ``android.support.`` are skipped like the framework. They are bundled into
  the app, but they are Google's extensions of the framework API (``ActivityCompat``,
  ``ContextCompat``, ``androidx.ads.identifier``): the code that called *them* decides what
  was read. No SDK in the catalog lives there.
* ``com.google.android.gms.`` is NOT skipped as a whole: Google's ads and Firebase analytics
  live there and must be attributed. Only its plumbing is skipped: ``gms.common.`` (binder and
  API client glue) and ``gms.tasks.`` (``Task`` continuations that run the caller's callback).
* Kotlin's standard library and ``kotlinx.coroutines`` are runtime, skipped.
* Reflection, dynamic proxies (``$Proxy12``, ``jdk.proxy1.``) and Frida's own frames are skipped.
* Native frames (``libfoo.so!symbol``) are not Java classes and never name a caller.
* Who *sent* a request (``http:request``, a TLS write) skips the HTTP client libraries too
  (:data:`HTTP_LIBRARY_PREFIXES`: OkHttp, Okio, Retrofit, Volley, Cronet, Apache HttpClient):
  apps and SDKs bundle them, so the code that called them is the sender.

The live hook host and replay both attribute through :class:`Attributor`, so a timeline from
another tool (stacks, no ``party``) is attributed in replay exactly as it would have been live.

>>> attribute(["android.telephony.TelephonyManager.getImei(Native Method)",
...            "com.example.app.Main.onCreate(Main.java:12)"], None)
('com.example.app.Main.onCreate(Main.java:12)', None)
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from typing import Any, Protocol

from piaudit.policies.models import (
    ComponentEvent,
    CryptoOp,
    HookEvent,
    HttpRequest,
    PermissionEvent,
    PermissionResult,
    TimelineItem,
)

FRAMEWORK_PREFIXES: tuple[str, ...] = (
    "android.",
    "androidx.",
    "com.android.",
    "com.google.android.gms.common.",
    "com.google.android.gms.tasks.",
    "java.",
    "javax.",
    "jdk.",
    "sun.",
    "com.sun.",
    "kotlin.",
    "kotlinx.coroutines.",
    "dalvik.",
    "libcore.",
    "org.apache.harmony.",
    "org.json.",
    "org.xml.",
    "org.w3c.",
    "re.frida.",
)

HTTP_LIBRARY_PREFIXES: tuple[str, ...] = (
    "okhttp3.",
    "okio.",
    "retrofit2.",
    "com.squareup.okhttp.",
    "com.android.volley.",
    "org.chromium.net.",
    "org.apache.http.",
    "io.reactivex.",
    "rx.",
)
"""HTTP client libraries an app or SDK bundles: skipped when naming who sent a request."""

# "java.base/java.lang.Thread.run(Thread.java:833)", "app//com.foo.Bar.baz(Bar.java:3)"
_FRAME = re.compile(r"^(?:[^(]*/)?(?P<qualified>[^/(]+)\((?P<location>[^)]*)\)$")


class PackageCatalog(Protocol):
    """What attribution needs from a catalog: ``policies.catalog.Catalog`` satisfies it."""

    def match_package(self, class_or_package_name: str) -> Sequence[Any]: ...


def frame_class(frame: str) -> str | None:
    """The class of a Java stack frame ``"class.method(file:line)"``, or None for a non-Java frame.

    >>> frame_class("com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:12)")
    'com.umeng.commonsdk.UMConfigure'
    >>> frame_class("libc.so.6!open+0x25") is None
    True
    """
    match = _FRAME.match(frame.strip())
    if match is None:
        return None
    qualified = match.group("qualified")
    if "." not in qualified:
        return None
    return qualified.rsplit(".", 1)[0]


def is_framework_class(class_name: str) -> bool:
    """True for classes of the Android framework, the Java/Kotlin runtime, proxies and Frida."""
    if class_name.startswith(FRAMEWORK_PREFIXES):
        return True
    simple = class_name.rsplit(".", 1)[-1]
    return simple.startswith("$Proxy")


def first_app_frame(stack: Sequence[str], skip: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """The first (innermost) frame outside the framework (and ``skip``), with its class; None if there is none."""
    for frame in stack:
        class_name = frame_class(frame)
        if class_name is not None and not is_framework_class(class_name) and not class_name.startswith(skip):
            return frame, class_name
    return None


def party_of_class(class_name: str, catalog: PackageCatalog | None) -> str | None:
    """The catalog entry name for a class (longest package prefix), or None (the app itself)."""
    if catalog is None:
        return None
    entries = catalog.match_package(class_name)
    return entries[0].name if entries else None


def attribute(stack: Sequence[str], catalog: PackageCatalog | None, skip: tuple[str, ...] = ()) -> tuple[str | None, str | None]:
    """Return ``(caller, party)`` for a stack, innermost frame first.

    ``caller`` is the first frame outside the framework and runtime (and ``skip``; None when
    every frame is one of those or native); ``party`` is the catalog entry name of the caller's
    class, None for the app's own code or when no catalog is given.
    """
    found = first_app_frame(stack, skip)
    if found is None:
        return None, None
    frame, class_name = found
    return frame, party_of_class(class_name, catalog)


def strip_api_frames(stack: Sequence[str], api_class: str) -> list[str]:
    """Drop the hooked API's own frames from the top of a stack (it is not its own caller).

    Needed when the hooked class is SDK code (``com.huawei.hms.ads.identifier.AdvertisingIdClient``):
    the party is whoever called it, not the SDK that implements it.
    """
    frames = list(stack)
    start = 0
    while start < len(frames):
        class_name = frame_class(frames[start])
        if class_name is None or not (class_name == api_class or class_name.startswith(api_class + "$")):
            break
        start += 1
    return frames[start:]


class Attributor:
    """Attributes calls with one catalog, caching per stack (a polling loop repeats one stack).

    >>> Attributor(None).call(["com.example.app.Main.run(Main.java:3)"], "")
    ('com.example.app.Main.run(Main.java:3)', None)
    """

    MAX_CACHED = 65536

    def __init__(self, catalog: PackageCatalog | None) -> None:
        self.catalog = catalog
        self._calls: dict[tuple[Hashable, str], tuple[str | None, str | None]] = {}

    def call(self, stack: Sequence[str], api_class: str, key: Hashable | None = None) -> tuple[str | None, str | None]:
        """``(caller, party)`` of a call to a hooked API of ``api_class`` (its own frames are skipped).

        ``key`` names the stack for the cache (the agent's interned stack id); by default the
        stack itself.
        """
        cache_key = (tuple(stack) if key is None else key, api_class)
        found = self._calls.get(cache_key)
        if found is None:
            found = attribute(strip_api_frames(stack, api_class) if api_class else stack, self.catalog)
            if len(self._calls) >= self.MAX_CACHED:
                self._calls.clear()
            self._calls[cache_key] = found
        return found

    def sender(self, stack: Sequence[str], key: Hashable | None = None) -> tuple[str | None, str | None]:
        """``(caller, party)`` of the code that sent a request or wrote to a TLS connection (HTTP libraries skipped)."""
        cache_key = ("sender", tuple(stack) if key is None else key)
        found = self._calls.get(cache_key)
        if found is None:
            found = attribute(stack, self.catalog, HTTP_LIBRARY_PREFIXES)
            if len(self._calls) >= self.MAX_CACHED:
                self._calls.clear()
            self._calls[cache_key] = found
        return found

    def event(self, event: TimelineItem, key: Hashable | None = None) -> tuple[str | None, str | None]:
        """``(caller, party)`` of any attributable event by its kind: reads and permission requests by
        their API's caller, crypto ops by their caller, requests and TLS writes by their sender."""
        if isinstance(event, HttpRequest) or (isinstance(event, CryptoOp) and event.op in ("tls_write", "tls_read")):
            return self.sender(event.stack, key)
        api_class = ""
        if isinstance(event, HookEvent | ComponentEvent) or isinstance(event, CryptoOp) and event.api is not None:
            api_class = event.api.class_name
        return self.call(event.stack, api_class, key)

    def party_of(self, class_name: str) -> str | None:
        """The catalog entry name of a class (an SDK's consent switch), or None."""
        return party_of_class(class_name, self.catalog)

    def complete(self, event: TimelineItem) -> None:
        """Attribute a read, permission request or answer, component start, crypto op or HTTP request that has a stack but no party, in place.

        An event that names its party keeps it; a ``caller`` already given is kept too.
        """
        attributable = HookEvent | PermissionEvent | PermissionResult | ComponentEvent | CryptoOp | HttpRequest
        if not isinstance(event, attributable) or event.party is not None or not event.stack:
            return
        caller, party = self.event(event)
        event.party = party
        if event.caller is None:
            event.caller = caller
