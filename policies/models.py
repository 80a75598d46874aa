"""The data model: every flow, event, detection, finding and session record, defined once.

Times are UNIX epoch seconds (float) on the host clock unless a field says otherwise.
Events that travel between the Frida agent, JSONL files and the store carry a ``type``
tag (``noun:verb``) that is the discriminator of :data:`TimelineEvent`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from piaudit.policies.provenance import SessionInputs
from piaudit.policies.times import STORED, EpochTime
from piaudit.policies.vocab import ConsentSource, DataType


class _Strict(BaseModel):
    """Anything a user or another tool writes: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- flows


class Header(_Strict):
    """One header line, kept in order and with its original case."""

    name: str
    value: str


class Message(_Strict):
    """One WebSocket, TCP or UDP message, or one DNS question/answer rendered as text."""

    from_client: bool
    content: bytes = b""
    time: EpochTime
    type: Literal["text", "binary", "dns"] = "binary"


class FlowRecord(_Strict):
    """One flow as mitmproxy saw it, independent of mitmproxy's classes.

    ``kind`` is the mitmproxy flow type. Bodies are the raw bytes on the wire (still
    content-encoded); ``*_size`` and ``*_sha256`` describe those bytes.
    """

    flow_id: str
    kind: Literal["http", "websocket", "tcp", "udp", "dns"] = "http"
    method: str = ""
    url: str = ""
    host: str = ""
    port: int = 0
    scheme: str = ""
    http_version: str = ""
    status_code: int | None = None
    request_headers: list[Header] = []
    response_headers: list[Header] = []
    request_body: bytes = b""
    response_body: bytes = b""
    request_size: int = 0
    response_size: int = 0
    request_sha256: str = ""
    response_sha256: str = ""
    truncated: str | None = None  # a note when a body was not kept whole
    messages: list[Message] = []
    timestamp_start: EpochTime = 0.0  # 0: unknown
    timestamp_end: EpochTime | None = None
    timings: dict[str, float | None] = {}
    client_addr: str = ""
    server_addr: str = ""
    server_ip: str = ""
    sni: str = ""
    tls: bool = False
    error: str | None = None
    marked: str = ""
    comment: str = ""


class TlsFailure(_Strict):
    """A client TLS connection whose traffic was NOT inspected (often pinning).

    ``stage``: ``handshake`` when the client rejected the proxy's certificate during the
    handshake; ``after_handshake`` when the client completed the handshake and closed the
    connection without sending any request (OkHttp's ``CertificatePinner`` checks pins only
    after the handshake).
    """

    id: int | None = None  # row id in the store
    time: EpochTime
    stage: Literal["handshake", "after_handshake"] = "handshake"
    client_addr: str = ""
    server_addr: str = ""
    host: str = ""
    sni: str = ""
    error: str = ""


# ------------------------------------------------------------------------- detection


class Detection(_Strict):
    """One piece of personal data found in a flow.

    ``encoding`` is the chain of transformations from the wire to the value, outermost
    first (``gzip>json>base64>md5``; ``plain`` when there is none). ``where`` names the
    place (``query:imei``, ``header:X-Device``, ``cookie:uid``, ``body:$.device.ids[0]``,
    ``form:data>$.aid``, ``websocket:3``). ``excerpt`` marks the match as ``[[...]]``.
    """

    data_type: DataType
    source: Literal["value", "pattern"]
    value: str
    encoding: str = "plain"
    where: str
    excerpt: str = ""
    direction: Literal["request", "response", "message"] = "request"
    crypto_ops: list[int] = []  # the ``crypto:op`` rows whose input was scanned to find it (``cipher:`` steps)


# --------------------------------------------------------------------- timeline events


class ApiRef(_Strict):
    """The hooked API: ``class_name`` fully qualified, nested classes as ``Outer$Inner``."""

    class_name: str
    method: str
    overload: str = ""  # argument types, e.g. "int" or "android.content.ContentResolver,java.lang.String"


class HookEvent(_Strict):
    """One read of personal data inside the app, as a Frida hook saw it."""

    type: Literal["hook:call"] = "hook:call"
    id: int | None = None  # row id in the store; None until stored
    time: EpochTime  # when the call happened, on the host clock (device time + measured offset, never after receipt)
    device_time: EpochTime | None = None  # the device clock, epoch seconds
    data_type: DataType
    api: ApiRef
    args: dict[str, Any] = {}
    value: str | None = None  # the return value rendered as text, passed to the app untouched
    identifiers: dict[str, list[str]] = {}  # values of vocabulary types found in the return value
    stack: list[str] = []  # "class.method(file:line)", innermost first
    caller: str | None = None  # the first frame outside the framework and Java runtime
    party: str | None = None  # the SDK (catalog entry name) the caller belongs to; None: the app
    thread: str = ""
    pid: int | None = None
    process: str = ""
    foreground: bool | None = None
    phase: Literal["before_application_oncreate", "before_first_activity", "running"] | None = None
    canary: bool = False  # the app was given a canary value instead of the real one


class ConsentEvent(_Strict):
    """The user's answer to the privacy dialog (or an SDK told of it)."""

    type: Literal["consent:signal"] = "consent:signal"
    id: int | None = None
    time: EpochTime
    decision: Literal["granted", "refused", "withdrawn"]
    source: ConsentSource
    detail: str = ""  # the button text, the SDK call, the note given with `piaudit consent`
    party: str | None = None  # for an SDK consent call: which SDK was told
    stack: list[str] = []
    pid: int | None = None  # the process that sent it (several processes of one app share a timeline)
    process: str = ""  # its process name, e.g. "com.example.app" or "com.example.app:push"


class LifecycleEvent(_Strict):
    """The app's state changed: it came to the foreground, went to the background, or moved phase."""

    type: Literal["lifecycle:change"] = "lifecycle:change"
    id: int | None = None
    time: EpochTime
    state: Literal[
        "process_start",
        "application_oncreate",
        "activity_resumed",
        "activity_paused",
        "foreground",
        "background",
        "process_exit",
        "activity_finished",
    ]
    detail: str = ""  # e.g. the activity class
    pid: int | None = None  # the process that sent it (several processes of one app share a timeline)
    process: str = ""  # its process name, e.g. "com.example.app" or "com.example.app:push"


HookState = Literal["installed", "failed", "pending", "never_loaded"]


class HookStatus(_Strict):
    """Whether one hook is installed in one process: never skipped silently.

    ``state``: ``installed`` (in the class loader ``loader``), ``failed`` (the class is there
    but the method is not, or the hook could not be set; ``error`` says why), ``pending`` (the
    class is not loadable yet: the hook is installed when it appears in any class loader),
    ``never_loaded`` (still pending when the process ended: the app never loaded that class).
    A class loaded by several loaders gets one ``installed`` status per loader.
    """

    type: Literal["hook:status"] = "hook:status"
    id: int | None = None
    time: EpochTime
    api: ApiRef
    data_type: DataType | None = None
    installed: bool
    state: HookState | None = None  # None in sessions recorded before states existed: read ``installed``
    loader: str | None = None  # the class loader the hook was installed in ("boot" for the framework's)
    error: str = ""
    pid: int | None = None  # the process that sent it (several processes of one app share a timeline)
    process: str = ""  # its process name, e.g. "com.example.app" or "com.example.app:push"

    def effective_state(self) -> HookState:
        """The state, also for records that only carry ``installed``."""
        return self.state or ("installed" if self.installed else "failed")


class PermissionEvent(_Strict):
    """The app asked the user for a runtime permission."""

    type: Literal["permission:request"] = "permission:request"
    id: int | None = None
    time: EpochTime
    permissions: list[str]
    request_code: int | None = None  # the app's request code, which its answer carries back
    stack: list[str] = []
    caller: str | None = None
    party: str | None = None
    pid: int | None = None  # the process that sent it (several processes of one app share a timeline)
    process: str = ""  # its process name, e.g. "com.example.app" or "com.example.app:push"


CryptoOpKind = Literal["encrypt", "decrypt", "digest", "mac", "encode", "compress", "tls_write", "tls_read"]
JOINABLE_OPS: frozenset[str] = frozenset({"encrypt", "compress", "encode"})
"""Ops whose output may travel in a request and whose input is then scanned in its place."""
MAX_CAPTURE_BYTES = 16 << 20
"""The most bytes one ``input``/``output``/``key``/``iv`` may hold in an events file (a bound on outside input)."""
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _b64(value: str | None, field: str) -> str | None:
    if value is None or value == "":
        return value
    if len(value) > (MAX_CAPTURE_BYTES // 3 + 1) * 4:
        raise ValueError(f"{field}: more than {MAX_CAPTURE_BYTES} bytes")
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{field}: not standard base64") from None
    return value


class CryptoOp(_Strict):
    """One call of a crypto, encoding, compression or TLS primitive inside the app, as a hook saw it.

    ``input`` and ``output`` are base64 of the bytes, each capped when recorded (64 KiB by
    default, ``piaudit run --capture-bytes``); ``input_length``/``output_length`` and
    ``input_sha256``/``output_sha256`` describe the whole, uncapped bytes (None: the bytes given
    are whole). ``tls_write`` records the plaintext written to a TLS connection as ``input``,
    ``tls_read`` the plaintext read as ``output``; ``connection``, ``host`` and ``port`` name
    the connection. ``key`` and ``iv`` (base64) are evidence: kept in the session, removed by
    ``--redact``.

    >>> CryptoOp(time=1.0, op="encrypt", algorithm="AES/CBC/PKCS5Padding", input="aGk=", output="AAEC").output_bytes()
    b'\x00\x01\x02'
    """

    type: Literal["crypto:op"] = "crypto:op"
    id: int | None = None  # row id in the store; None until stored
    time: float  # on the host clock, like every event
    device_time: float | None = None
    op: CryptoOpKind
    algorithm: str = ""  # "AES/CBC/PKCS5Padding", "HmacSHA256", "SHA-256", "base64", "deflate", "TLS"
    input: str = ""
    output: str = ""
    input_length: int | None = Field(default=None, ge=0)
    output_length: int | None = Field(default=None, ge=0)
    input_sha256: str | None = None
    output_sha256: str | None = None
    key: str | None = None
    iv: str | None = None
    api: ApiRef | None = None
    connection: str | None = None  # tls ops: the connection within the process (an SSL* address, a socket id)
    host: str | None = None  # tls ops: the server name (SNI) or peer host
    port: int | None = None
    stack: list[str] = []
    caller: str | None = None
    party: str | None = None
    thread: str = ""
    pid: int | None = None
    process: str = ""

    @field_validator("input", "output", "key", "iv")
    @classmethod
    def _base64(cls, value: str | None, info: Any) -> str | None:
        return _b64(value, info.field_name)

    @field_validator("input_sha256", "output_sha256")
    @classmethod
    def _hex(cls, value: str | None, info: Any) -> str | None:
        if value is not None and not _SHA256.match(value):
            raise ValueError(f"{info.field_name}: 64 lower-case hex digits expected")
        return value

    @model_validator(mode="after")
    def _lengths(self) -> CryptoOp:
        """Lengths and SHA-256s describe the whole bytes: absent, the bytes given are whole."""
        for name in ("input", "output"):
            text = getattr(self, name)
            if not text:
                continue
            data = base64.b64decode(text)
            total = getattr(self, f"{name}_length")
            if total is None:
                setattr(self, f"{name}_length", len(data))
            elif total < len(data):
                raise ValueError(f"{name}_length: {total} is less than the {name} bytes given")
            if getattr(self, f"{name}_sha256") is None and (total is None or total == len(data)):
                setattr(self, f"{name}_sha256", hashlib.sha256(data).hexdigest())
        return self

    def input_bytes(self) -> bytes:
        """The captured input bytes (the first ``cap`` bytes when capped)."""
        return base64.b64decode(self.input)

    def output_bytes(self) -> bytes:
        """The captured output bytes (the first ``cap`` bytes when capped)."""
        return base64.b64decode(self.output)

    @property
    def capped(self) -> bool:
        """True when the input or output was cut at the capture cap."""
        return any(
            (total := getattr(self, f"{name}_length")) is not None and total > len(base64.b64decode(getattr(self, name)))
            for name in ("input", "output")
        )


class HttpRequest(_Strict):
    """A request handed to an HTTP stack inside the app (OkHttp, HttpURLConnection, Volley, Cronet, WebView).

    Joined to the captured flow with the same method and URL (:mod:`policies.join.senders`):
    its ``party`` (the code that sent it, from the stack) becomes the flow's ``sent_by``.
    """

    type: Literal["http:request"] = "http:request"
    id: int | None = None
    time: float
    device_time: float | None = None
    method: str = Field(min_length=1, max_length=32)
    url: str = Field(min_length=1, max_length=65536)
    api: ApiRef | None = None
    stack: list[str] = []
    caller: str | None = None
    party: str | None = None
    thread: str = ""
    pid: int | None = None
    process: str = ""


PermissionAnswer = Literal["granted", "denied"]


class PermissionResult(_Strict):
    """The user's answer to a runtime permission request, per permission.

    ``source`` is where the agent saw it: ``request_result`` (the framework delivering the
    answer to ``onRequestPermissionsResult``), ``activity_result`` (the map an AndroidX
    ``ActivityResultCallback`` receives), ``check_self_permission`` (the app checking a
    permission it had just asked for, after the dialog).
    """

    type: Literal["permission:result"] = "permission:result"
    id: int | None = None
    time: EpochTime
    results: dict[str, PermissionAnswer]
    source: Literal["request_result", "activity_result", "check_self_permission"] = "request_result"
    request_code: int | None = None
    stack: list[str] = []
    caller: str | None = None
    party: str | None = None
    pid: int | None = None
    process: str = ""

    def denied(self) -> list[str]:
        """The permissions the user refused, in the answer's order."""
        return [p for p, answer in self.results.items() if answer == "denied"]


class PermissionDialog(_Strict):
    """A permission dialog on screen: the system's, or the app's own explanation shown before it.

    ``system``: the time the system's permission dialog showed (on a device: the app's activity
    paused under the dialog after the request). ``explanation``: the app's own screen shown
    before the request, with its ``text`` where it could be read.
    """

    type: Literal["permission:dialog"] = "permission:dialog"
    id: int | None = None
    time: EpochTime
    dialog: Literal["system", "explanation"]
    permissions: list[str] = []
    request_code: int | None = None
    text: str = ""
    pid: int | None = None
    process: str = ""


StartCall = Literal[
    "start_activity",
    "start_service",
    "start_foreground_service",
    "bind_service",
    "send_broadcast",
    "register_receiver",
    "receive_broadcast",
    "set_alarm",
    "schedule_job",
    "enqueue_work",
    "request_sync",
]
"""What a ``component:start`` event records: a start, bind or broadcast, a receiver registered or
woken, or a wake-up scheduled (alarm, job, work, periodic account sync)."""


class ComponentEvent(_Strict):
    """The app started, bound, woke or broadcast to a component (its own or another app's), or scheduled a wake-up.

    ``target_package`` / ``target_component``: the explicit target of the intent (its component,
    or the package it was limited to); both None for an implicit intent the system resolves.
    ``source_package``: the package of the context that made the call (the app itself).
    ``actions``: the actions a receiver was registered for. ``wakeup``: an alarm of a
    ``*_WAKEUP`` type; ``repeat_seconds``: the interval of a repeating alarm, periodic job,
    work or sync; ``persisted``: a job kept across reboots.
    """

    type: Literal["component:start"] = "component:start"
    id: int | None = None
    time: EpochTime
    device_time: EpochTime | None = None
    call: StartCall
    api: ApiRef
    target_package: str | None = None
    target_component: str | None = None
    source_package: str | None = None
    action: str | None = None
    actions: list[str] = []
    wakeup: bool | None = None
    repeat_seconds: float | None = None
    persisted: bool | None = None
    args: dict[str, Any] = {}  # other details: the sync authority, the alarm type, the job id, the intent's data
    stack: list[str] = []
    caller: str | None = None
    party: str | None = None
    thread: str = ""
    pid: int | None = None
    process: str = ""
    foreground: bool | None = None
    phase: Literal["before_application_oncreate", "before_first_activity", "running"] | None = None

    def target(self) -> str:
        """The target as text: ``pkg/Class``, ``pkg``, the action, or ``(implicit)``."""
        if self.target_component:
            return f"{self.target_package or '?'}/{self.target_component}"
        return self.target_package or self.action or "(implicit)"


TimelineItem = (
    HookEvent
    | ConsentEvent
    | LifecycleEvent
    | HookStatus
    | PermissionEvent
    | PermissionResult
    | PermissionDialog
    | ComponentEvent
    | CryptoOp
    | HttpRequest
)
"""Any one timeline event (the models the agent, JSONL files and the store share)."""
TimelineEvent = Annotated[TimelineItem, Field(discriminator="type")]
timeline_event_adapter: TypeAdapter[Any] = TypeAdapter(TimelineEvent)


timeline_events_adapter: TypeAdapter[Any] = TypeAdapter(list[TimelineEvent])


def parse_events(data: list[dict[str, Any]]) -> list[TimelineItem]:
    """Parse a batch of timeline events in one call (as :func:`parse_event` each); raises on the first invalid one."""
    return timeline_events_adapter.validate_python(data)


def parse_event(
    data: dict[str, Any] | str | bytes, *, stored: bool = False
) -> TimelineItem:
    """Parse one timeline event from a dict or a JSON line, by its ``type`` tag.

    ``stored``: read back from a session (a bad time an older piaudit stored is kept, not refused).
    """
    context = STORED if stored else None
    if isinstance(data, (str, bytes)):
        return timeline_event_adapter.validate_json(data, context=context)
    return timeline_event_adapter.validate_python(data, context=context)


# --------------------------------------------------------------------------- timeline


class FlowSummary(_Strict):
    """A flow as the rules see it: where it went, when, and what personal data it carried."""

    flow_id: str
    kind: Literal["http", "websocket", "tcp", "udp", "dns"] = "http"
    time: EpochTime
    method: str = ""
    url: str = ""
    host: str = ""
    port: int = 0
    scheme: str = ""  # "http", "https", "" for raw TCP/UDP
    tls: bool = False
    server_ip: str = ""
    detections: list[Detection] = []
    sent_by: str | None = None  # the party of the code that sent it (a joined ``http:request``); None: the app or unknown
    sender: int | None = None  # the ``http_requests`` row joined to it
    process: str | None = None  # the app process that sent it: the joined ``http:request``'s (or the TLS writes')
    origin: Literal["proxy", "tls_hook"] = "proxy"  # tls_hook: plaintext of a connection the proxy did not inspect
    crypto_ops: list[int] = []  # origin tls_hook: the ``tls_write`` rows it was read from


class Timeline(_Strict):
    """Everything one session recorded, in time order: the input of the rules."""

    flows: list[FlowSummary] = []
    hook_events: list[HookEvent] = []
    consent_events: list[ConsentEvent] = []
    lifecycle_events: list[LifecycleEvent] = []
    permission_events: list[PermissionEvent] = []
    permission_results: list[PermissionResult] = []
    permission_dialogs: list[PermissionDialog] = []
    component_events: list[ComponentEvent] = []
    hook_status: list[HookStatus] = []
    tls_failures: list[TlsFailure] = []


# --------------------------------------------------------------------------- findings

RuleName = Literal[
    "PRE_CONSENT_ACCESS",
    "PRE_CONSENT_TRANSMISSION",
    "POST_REFUSAL_COLLECTION",
    "UNDECLARED_THIRD_PARTY",
    "UNDECLARED_DATA_TYPE",
    "OVER_FREQUENCY",
    "BACKGROUND_COLLECTION",
    "BEYOND_NECESSARY_SCOPE",
    "CLEARTEXT_TRANSMISSION",
    "CROSS_BORDER_TRANSFER",
    "INSTALLED_APP_LIST",
    "CLIPBOARD_READ",
    "LOCATION_ACCESS",
    "PERMISSION_ABUSE",
    "UNINSPECTED_TLS",
    "PRE_CONSENT_PERMISSION",
    "PERMISSION_BUNDLED",
    "PERMISSION_RE_REQUEST",
    "EXIT_AFTER_REFUSAL",
    "SELF_START",
    "ASSOCIATED_START",
    "APP_LIST_PROBING",
]


class Finding(_Strict):
    """One violation, citing the evidence rows it rests on.

    The field names are a contract (``piaudit report --format json``): keep them stable.
    ``flow`` is a flow id, ``event`` a hook-event row id; ``evidence_rows`` names every
    row the finding rests on as ``table:id``. ``party`` is the recipient (or the reader of a
    hook event); ``sent_by`` the party of the code that sent the flow, when an ``http:request``
    event was joined to it (None: the app's own code, or not known).
    """

    rule: RuleName
    data_type: DataType | None = None
    party: str | None = None
    sent_by: str | None = None
    host: str | None = None
    encoding: str | None = None
    where: str | None = None
    flow: str | None = None
    event: int | None = None
    time: EpochTime
    before_consent: bool
    evidence: str = ""
    severity: Literal["high", "medium", "low", "info"] = "medium"
    message: str = ""
    evidence_rows: list[str] = []
    process: str | None = None  # the app process whose read or request it is, when known


class JudgedParty(_Strict):
    """A third party the policy declared, as a findings run matched it to the catalog."""

    name: str  # as the policy declares it (the name findings carry for it)
    catalog_ids: list[str] = []  # the catalog entries it stands for (policies.partymatch)
    data_types: list[DataType] = []
    purpose: str = ""
    country: str | None = None


class Judgement(_Strict):
    """What one findings run was decided with, stored beside its findings in the ``judgements`` table.

    Reports read the consent signals counted here, never the policy file again (it may have
    moved or changed since): also the declared parties (to name each party once), the
    jurisdiction (the report's language and time zone) and, for a policy drafted from an APK,
    the comparison of the policy with that APK. ``run`` is the findings run (0: found live).
    """

    run: int
    time: float
    policy_path: str | None = None
    policy_sha256: str | None = None
    catalog_sha256: str | None = None
    consent_signals: list[ConsentSource]
    notes: list[str] = []  # the limits of this judgement (no consent event, no geo database, ...)
    jurisdiction: str | None = None  # the policy's, ISO 3166-1 alpha-2 (None: judged before it was stored)
    parties: list[JudgedParty] | None = None  # the policy's third parties (None: judged before they were stored)
    declared_vs_embedded: dict[str, Any] | None = None  # policies.draft.compare result for a policy drafted from an APK


# ---------------------------------------------------------------------- screens and checks


class ScreenTrigger(_Strict):
    """Why a screen was captured: the event it belongs to (``row`` = ``table:id`` once stored)."""

    kind: Literal["consent", "permission", "first_read", "launch", "on_demand"]
    time: float  # when the event happened
    row: str | None = None  # e.g. "consent_events:3", "hook_events:12"
    data_type: DataType | None = None  # first_read: which data type
    detail: str = ""  # e.g. "granted", the permissions asked for, the note given with `piaudit snap`


class Screen(_Strict):
    """One capture of the device's screen (PNG) and UI hierarchy (XML), stored in ``screens/`` of the session.

    ``time`` is when the capture was taken; ``triggers`` the events it documents (a capture
    taken just before a consent click documents the dialog the user answered). ``texts`` are
    the visible texts of the hierarchy, in document order; ``dialog`` what the hierarchy shows
    (``consent`` dialog, ``permission`` prompt), decided by :mod:`policies.screens`.
    """

    type: Literal["screen"] = "screen"
    id: int | None = None
    time: float
    source: str  # "adb emulator-5554", "display /path" (the stand-in's), ...
    triggers: list[ScreenTrigger] = []
    png: str | None = None  # file name under the session's screens/ folder
    png_sha256: str | None = None
    png_size: int = 0
    width: int | None = None
    height: int | None = None
    xml: str | None = None
    xml_sha256: str | None = None
    xml_size: int = 0
    texts: list[str] = []
    dialog: Literal["consent", "permission"] | None = None
    package: str | None = None  # the app in the foreground, from the hierarchy
    error: str = ""  # what could not be captured (the PNG or the hierarchy)


CheckVerdict = Literal["pass", "fail", "na"]


class CheckRecord(_Strict):
    """One answer to a checklist item (``policies/data/checklist.yaml``): the last answer per item counts."""

    type: Literal["check"] = "check"
    id: int | None = None
    time: float
    item: str
    verdict: CheckVerdict
    note: str = ""
    by: str = ""  # who judged (``--by``, default the login name)
    screens: list[int] = []  # screens (ids) the answer points to


# ---------------------------------------------------------------------------- session


class ErrorRecord(_Strict):
    """Something the audit itself failed on: an audit never fails silently."""

    time: EpochTime
    source: str  # "recorder", "detector", "hooks", "agent", "replay", ...
    message: str
    detail: str = ""
    flow: str | None = None


class TableHead(_Strict):
    """One evidence table at a moment: its row count (the last id) and the chain hash of that row."""

    rows: int
    head: str


class HeadsSignature(_Strict):
    """An Ed25519 signature over a session's closing heads (``piaudit run --sign KEY``)."""

    algorithm: Literal["ed25519"] = "ed25519"
    key_fingerprint: str  # sha256:<hex> of the raw public key
    signature: str  # base64, over policies.integrity.signed_bytes(meta)
    signed_at: EpochTime


class SessionMeta(_Strict):
    """``session.json``: what was audited, when, with which versions, policy and catalog."""

    format: int = 1
    app: str | None = None
    started: EpochTime
    stopped: EpochTime | None = None
    complete: bool = False  # false until the session ended cleanly (a crash leaves it false)
    incomplete_reason: str | None = None
    versions: dict[str, str] = {}
    policy_path: str | None = None
    policy_sha256: str | None = None
    catalog_sha256: str | None = None
    identifiers_sha256: str | None = None
    inputs: SessionInputs | None = None  # the privacy policy and APK the policy was drafted from (policies/provenance.py)
    mode: list[str] = []
    options: dict[str, Any] = {}  # options that change what is audited (unpin, canary, sinkhole), recorded
    source: Literal["live", "replay"] = "live"
    replay_input: str | None = None
    notes: list[str] = []
    heads: dict[str, TableHead] = {}  # every evidence table's rows and chain head when the session last closed
    heads_signature: HeadsSignature | None = None


MODELS: dict[str, type[BaseModel]] = {
    "flow": FlowRecord,
    "detection": Detection,
    "hook-event": HookEvent,
    "consent-event": ConsentEvent,
    "lifecycle-event": LifecycleEvent,
    "hook-status": HookStatus,
    "permission-event": PermissionEvent,
    "crypto-op": CryptoOp,
    "http-request": HttpRequest,
    "permission-result": PermissionResult,
    "permission-dialog": PermissionDialog,
    "component-event": ComponentEvent,
    "finding": Finding,
    "judgement": Judgement,
    "screen": Screen,
    "check": CheckRecord,
    "session": SessionMeta,
    "error": ErrorRecord,
    "tls-failure": TlsFailure,
    "flow-summary": FlowSummary,
    "timeline": Timeline,
}
