"""Hostile input: every reader of outside data fails only with its own error, never another exception, never a hang.

Property tests (hypothesis) over random bytes, random JSON/YAML shapes, and truncated or
bit-flipped copies of valid files. Each target counts the cases it ran and how they ended
(accepted / rejected with the reader's own error); the counts are printed at the end of the
module so a run can report them.
"""

from __future__ import annotations

import contextlib
import json
import random
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mitmproxy import io as mio
from mitmproxy.addons.savehar import SaveHar
from mitmproxy.test import tflow

from piaudit.addons.captures import CaptureError, read_capture
from piaudit.hooks.host import AgentMessages
from piaudit.policies.catalog import CATALOG_FILE, CatalogError, read_catalog_file
from piaudit.policies.eventlog import EventLogError, read_events
from piaudit.policies.identifiers import IdentifiersError, load_identifiers
from piaudit.policies.models import ErrorRecord
from piaudit.policies.policy import PolicyError, load_policy
from piaudit.policies.vocab import DATA_TYPES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_POLICY = ROOT / "policies" / "examples" / "demoapp.yaml"
EVENT_TAGS = ["hook:call", "consent:signal", "lifecycle:change", "permission:request", "hook:status"]
FAST = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

RAN: Counter[str] = Counter()
OUTCOMES: Counter[tuple[str, str]] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    lines = [
        f"fuzz {target}: {n} cases, " + ", ".join(f"{k} {v}" for (t, k), v in sorted(OUTCOMES.items()) if t == target)
        for target, n in sorted(RAN.items())
    ]
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
        print("\n" + "\n".join(lines))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@contextlib.contextmanager
def no_hang(seconds: float = 5.0) -> Iterator[None]:
    """Fail (with TimeoutError, which no reader may raise) if the block runs longer than ``seconds``."""

    def expired(*_: object) -> None:
        raise TimeoutError(f"no answer after {seconds} s: the reader hangs")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# Bugs these tests found were fixed where they were (policy and catalog readers, the agent
# message parser): the regression tests at the end keep them fixed. Any other exception fails.


def _run(target: str, allowed: type[Exception], read: Any) -> None:
    """Call ``read()`` (consuming what it yields); only ``allowed`` may come out: a crash is a failure."""
    RAN[target] += 1
    with no_hang():
        try:
            result = read()
            if isinstance(result, Iterator):
                list(result)
        except allowed:
            OUTCOMES[target, "rejected"] += 1
            return
    OUTCOMES[target, "accepted"] += 1


# ---------------------------------------------------------------------------- shared strategies

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=10
)


def _mutate_bytes(data: bytes, rnd: random.Random, how: str) -> bytes:
    """A truncated, bit-flipped, spliced or duplicated copy of ``data``."""
    if not data:
        return data
    if how == "truncate":
        return data[: rnd.randrange(len(data))]
    if how == "flip":
        out = bytearray(data)
        for _ in range(rnd.randint(1, 8)):
            i = rnd.randrange(len(out))
            out[i] ^= 1 << rnd.randrange(8)
        return bytes(out)
    if how == "splice":
        i = rnd.randrange(len(data))
        return data[:i] + rnd.randbytes(rnd.randint(1, 16)) + data[i:]
    if how == "overwrite":
        i = rnd.randrange(len(data))
        n = rnd.randint(1, 32)
        return data[:i] + rnd.randbytes(n) + data[i + n :]
    return data + data[: rnd.randrange(len(data))]  # "duplicate": a second, torn copy


mutations = st.sampled_from(["truncate", "flip", "splice", "overwrite", "duplicate"])


def _write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------- hook-events JSONL


VALID_EVENT_LINES = [
    json.dumps(
        {
            "type": "hook:call",
            "time": 1764340000.123,
            "data_type": "imei",
            "api": {"class_name": "android.telephony.TelephonyManager", "method": "getDeviceId"},
            "value": "359881030314356",
            "identifiers": {"imei": ["359881030314356"]},
            "stack": ["a.B.c(B.java:1)"],
            "party": "Umeng",
            "foreground": True,
            "phase": "running",
        }
    ),
    json.dumps({"type": "consent:signal", "time": 1764340005.0, "decision": "granted", "source": "ui_click", "detail": "同意"}),
    json.dumps({"type": "lifecycle:change", "time": 1764340009.5, "state": "background"}),
]

event_dicts = st.fixed_dictionaries(
    {"type": st.sampled_from(EVENT_TAGS) | st.text(max_size=12)},
    optional={
        "time": scalars,
        "data_type": st.sampled_from(DATA_TYPES) | scalars,
        "api": json_values,
        "value": json_values,
        "identifiers": st.dictionaries(st.sampled_from(DATA_TYPES) | st.text(max_size=6), json_values, max_size=3) | json_values,
        "stack": json_values,
        "decision": st.sampled_from(["granted", "refused", "withdrawn"]) | scalars,
        "source": scalars,
        "state": scalars,
        "installed": scalars,
        "extra_field": json_values,
    },
)
event_lines = st.one_of(
    st.binary(max_size=200),
    event_dicts.map(lambda d: json.dumps(d).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.tuples(st.sampled_from(VALID_EVENT_LINES), mutations, st.randoms(use_true_random=False)).map(
        lambda t: _mutate_bytes(t[0].encode(), t[2], t[1])
    ),
    st.sampled_from(["", "# a comment", "   "]).map(str.encode),
)


@FAST
@given(lines=st.lists(event_lines, max_size=8), separator=st.sampled_from([b"\n", b"\r\n", b"\r"]))
def test_event_log_reader_raises_only_event_log_error(workdir: Path, lines: list[bytes], separator: bytes) -> None:
    path = _write(workdir, "events.jsonl", separator.join(lines))
    _run("eventlog.read_events", EventLogError, lambda: read_events(path))


# ---------------------------------------------------------------------------- identifiers file


identifier_docs = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from([*DATA_TYPES, "location", "not_a_type"]), json_values, max_size=5).map(
        lambda d: json.dumps(d).encode()
    ),
    st.dictionaries(
        st.sampled_from(["imei", "mac", "android_id", "ad_id", "phone", "email", "ssid"]),
        st.text(alphabet="0123456789abcdefABCDEF:-@.+ ", max_size=24) | st.lists(st.text(max_size=24), max_size=3),
        max_size=4,
    ).map(lambda d: json.dumps(d).encode()),
    st.fixed_dictionaries({"location": st.fixed_dictionaries({"lat": scalars, "lon": scalars}) | json_values}).map(
        lambda d: json.dumps(d).encode()
    ),
)


@FAST
@given(data=identifier_docs)
def test_identifiers_loader_raises_only_identifiers_error(workdir: Path, data: bytes) -> None:
    path = _write(workdir, "ids.json", data)
    _run("identifiers.load_identifiers", IdentifiersError, lambda: load_identifiers(path))


# ---------------------------------------------------------------------------- policy YAML


def _mutate_structure(doc: Any, rnd: random.Random, replacement: Any) -> Any:
    """Replace, drop or add one value somewhere in a parsed document."""
    if isinstance(doc, dict) and doc:
        key = rnd.choice(list(doc))
        choice = rnd.random()
        doc = dict(doc)
        if choice < 0.3:
            del doc[key]
        elif choice < 0.5:
            doc[f"unknown_{rnd.randrange(9)}"] = replacement
        elif choice < 0.75:
            doc[key] = replacement
        else:
            doc[key] = _mutate_structure(doc[key], rnd, replacement)
        return doc
    if isinstance(doc, list) and doc:
        doc = list(doc)
        i = rnd.randrange(len(doc))
        doc[i] = _mutate_structure(doc[i], rnd, replacement) if rnd.random() < 0.5 else replacement
        return doc
    return replacement


def _yaml_variants(valid_text: str) -> st.SearchStrategy[bytes]:
    valid = yaml.safe_load(valid_text)
    return st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(str.encode),
        json_values.map(lambda v: yaml.safe_dump(v, allow_unicode=True).encode()),
        st.tuples(st.randoms(use_true_random=False), json_values, st.integers(1, 3)).map(
            lambda t: yaml.safe_dump(_repeat_mutation(valid, t[0], t[1], t[2]), allow_unicode=True).encode()
        ),
        st.tuples(mutations, st.randoms(use_true_random=False)).map(lambda t: _mutate_bytes(valid_text.encode(), t[1], t[0])),
    )


def _repeat_mutation(doc: Any, rnd: random.Random, replacement: Any, times: int) -> Any:
    for _ in range(times):
        doc = _mutate_structure(doc, rnd, replacement)
    return doc


@FAST
@given(data=_yaml_variants(EXAMPLE_POLICY.read_text(encoding="utf-8")))
def test_policy_loader_raises_only_policy_error(workdir: Path, data: bytes) -> None:
    path = _write(workdir, "policy.yaml", data)
    _run("policy.load_policy", PolicyError, lambda: load_policy(path))


# ---------------------------------------------------------------------------- catalog file


def _small_catalog() -> str:
    entries = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))["entries"][:4]
    return yaml.safe_dump({"entries": entries}, allow_unicode=True, sort_keys=False)


@FAST
@given(data=_yaml_variants(_small_catalog()))
def test_catalog_reader_raises_only_catalog_error(workdir: Path, data: bytes) -> None:
    path = _write(workdir, "catalog.yaml", data)
    _run("catalog.read_catalog_file", CatalogError, lambda: read_catalog_file(path))


# ---------------------------------------------------------------------------- .mitm and HAR captures


def _valid_flows() -> list[Any]:
    http = tflow.tflow(resp=True)
    http.request.content = b'{"imei": "359881030314356"}'
    failed = tflow.tflow(err=True)
    return [http, failed, tflow.twebsocketflow(), tflow.ttcpflow(), tflow.tdnsflow(resp=True)]


def _valid_mitm() -> bytes:
    import io

    buffer = io.BytesIO()
    writer = mio.FlowWriter(buffer)
    for f in _valid_flows():
        writer.add(f)
    return buffer.getvalue()


def _valid_har() -> bytes:
    flows = [f for f in _valid_flows() if f.type == "http" and f.response is not None]
    return json.dumps(SaveHar().make_har(flows)).encode()


VALID_MITM = _valid_mitm()
VALID_HAR = _valid_har()


def test_the_valid_captures_read_whole(workdir: Path) -> None:
    # the fuzz below starts from these: they must be valid for its mutations to mean anything
    assert len(list(read_capture(_write(workdir, "valid.mitm", VALID_MITM)))) == 5
    assert len(list(read_capture(_write(workdir, "valid.har", VALID_HAR)))) == 2  # the HTTP and the WebSocket flow


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from(["mitm", "har"]),
    how=mutations,
    rnd=st.randoms(use_true_random=False),
)
def test_capture_reader_raises_only_capture_error_on_damaged_captures(
    workdir: Path, base: str, how: str, rnd: random.Random
) -> None:
    data = _mutate_bytes(VALID_MITM if base == "mitm" else VALID_HAR, rnd, how)
    path = _write(workdir, f"damaged.{base}", data)
    _run(f"captures.read_capture ({base}, damaged)", CaptureError, lambda: read_capture(path))


har_documents = st.one_of(
    json_values,
    st.fixed_dictionaries({"log": json_values}),
    st.fixed_dictionaries({"log": st.fixed_dictionaries({"entries": st.lists(json_values, max_size=3)})}),
    st.fixed_dictionaries(
        {
            "log": st.fixed_dictionaries(
                {
                    "entries": st.lists(
                        st.fixed_dictionaries({"request": json_values, "response": json_values, "startedDateTime": scalars}),
                        min_size=1,
                        max_size=2,
                    )
                }
            )
        }
    ),
)


@FAST
@given(data=st.one_of(st.binary(max_size=300), har_documents.map(lambda d: json.dumps(d).encode())))
def test_capture_reader_raises_only_capture_error_on_random_input(workdir: Path, data: bytes) -> None:
    path = _write(workdir, "random.capture", data)
    _run("captures.read_capture (random)", CaptureError, lambda: read_capture(path))


# ---------------------------------------------------------------------------- Frida agent messages


agent_events = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"type": st.sampled_from(EVENT_TAGS) | scalars},
        optional={
            "device_time": scalars,
            "_device_time": scalars,
            "_stack": st.text(max_size=80) | scalars,
            "_stack_id": scalars | json_values,
            "_overloads": scalars | json_values,
            "_party_class": scalars | json_values,
            "api": st.fixed_dictionaries({"class_name": scalars, "method": scalars}) | json_values,
            "data_type": st.sampled_from(DATA_TYPES) | scalars,
            "value": scalars,
            "identifiers": st.dictionaries(st.sampled_from(DATA_TYPES), st.lists(st.text(max_size=20), max_size=2), max_size=2)
            | json_values,
            "stack": json_values,
            "decision": scalars,
            "state": scalars,
            "installed": scalars,
        },
    ),
)
agent_payloads = st.one_of(
    st.dictionaries(st.text(max_size=10), json_values, max_size=5),
    st.fixed_dictionaries(
        {"type": st.just("batch")},
        optional={"sent_at": scalars | json_values, "events": st.lists(agent_events, max_size=5) | json_values},
    ),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["agent:error", "process:exit"])},
        optional={"message": json_values, "detail": json_values, "status": json_values},
    ),
)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    payloads=st.lists(agent_payloads, min_size=1, max_size=6),
    script_errors=st.lists(st.dictionaries(st.text(max_size=12), json_values, max_size=4), max_size=2),
)
def test_agent_messages_never_raise_and_bad_messages_become_error_records(
    payloads: list[dict[str, Any]], script_errors: list[dict[str, Any]]
) -> None:
    RAN["hooks.host.AgentMessages"] += 1
    events: list[Any] = []
    errors: list[ErrorRecord] = []
    messages = AgentMessages(catalog=None, on_events=events.extend, on_error=errors.append, on_identifier=lambda *_: None)
    with no_hang():
        for n, payload in enumerate(payloads):
            events_before, errors_before = len(events), len(errors)
            messages.handle_payload(1000.0 + n, payload)  # never raises: a crash is a failure
            sent = payload.get("events") if payload.get("type") == "batch" else None
            if isinstance(sent, list):
                # every event the agent sent is accounted for: a timeline model or an error record
                assert len(events) - events_before + len(errors) - errors_before >= len(sent)
            elif payload.get("type") not in ("batch", "process:exit"):
                assert len(errors) > errors_before  # an unknown or error message is reported, not dropped
        for message in script_errors:
            messages.handle_script_error(2000.0, message)
    assert all(isinstance(e, ErrorRecord) for e in errors)
    OUTCOMES["hooks.host.AgentMessages", "error records"] += len(errors)
    OUTCOMES["hooks.host.AgentMessages", "events"] += len(events)


# ---------------------------------------------------------------------------- the bugs found, one example each


def test_policy_with_a_control_character_is_a_policy_error(workdir: Path) -> None:
    with pytest.raises(PolicyError):
        load_policy(_write(workdir, "nul.yaml", b"version: 1\x00\n"))


def test_catalog_that_is_not_utf8_is_a_catalog_error(workdir: Path) -> None:
    with pytest.raises(CatalogError):
        read_catalog_file(_write(workdir, "latin1.yaml", b"entries: [\x80]\n"))


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"type": "process:exit", "status": None}, id="exit-status-none"),
        pytest.param({"type": "process:exit", "status": "x"}, id="exit-status-text"),
        pytest.param({"type": "batch", "events": None}, id="events-none"),
        pytest.param(
            {"type": "batch", "sent_at": 1.0, "events": [{"type": "lifecycle:change", "state": "background", "device_time": ""}]},
            id="device-time-text",
        ),
        pytest.param(
            {
                "type": "batch",
                "events": [{"type": "lifecycle:change", "state": "background", "_stack": "[a.B.c(B.java:1)]", "_stack_id": []}],
            },
            id="stack-id-list",
        ),
        pytest.param({"type": "batch", "events": [{"type": "hook:call", "stack": [None]}]}, id="stack-frame-none"),
    ],
)
def test_agent_message_with_a_malformed_field_becomes_an_error_record(payload: dict[str, Any]) -> None:
    errors: list[ErrorRecord] = []
    messages = AgentMessages(catalog=None, on_events=lambda _: None, on_error=errors.append)
    messages.handle_payload(1000.0, payload)
    assert errors
