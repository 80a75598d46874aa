"""The data model: every flow, event, detection, finding and session record, defined once.

Times are UNIX epoch seconds (float) on the host clock unless a field says otherwise.
Events that travel between the Frida agent, JSONL files and the store carry a ``type``
tag (``noun:verb``) that is the discriminator of :data:`TimelineEvent`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

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
    stack: list[str] = []
    caller: str | None = None
    party: str | None = None
    pid: int | None = None  # the process that sent it (several processes of one app share a timeline)
    process: str = ""  # its process name, e.g. "com.example.app" or "com.example.app:push"


TimelineItem = HookEvent | ConsentEvent | LifecycleEvent | HookStatus | PermissionEvent
"""Any one timeline event (the models the agent, JSONL files and the store share)."""
TimelineEvent = Annotated[TimelineItem, Field(discriminator="type")]
timeline_event_adapter: TypeAdapter[Any] = TypeAdapter(TimelineEvent)


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


class Timeline(_Strict):
    """Everything one session recorded, in time order: the input of the rules."""

    flows: list[FlowSummary] = []
    hook_events: list[HookEvent] = []
    consent_events: list[ConsentEvent] = []
    lifecycle_events: list[LifecycleEvent] = []
    permission_events: list[PermissionEvent] = []
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
]


class Finding(_Strict):
    """One violation, citing the evidence rows it rests on.

    The field names are a contract (``piaudit report --format json``): keep them stable.
    ``flow`` is a flow id, ``event`` a hook-event row id; ``evidence_rows`` names every
    row the finding rests on as ``table:id``.
    """

    rule: RuleName
    data_type: DataType | None = None
    party: str | None = None
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
