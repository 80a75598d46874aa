"""`piaudit replay`: the same findings from a .mitm, a HAR or a session; deterministic; clean failures.

The CLI-level checks run the real `piaudit` console script in subprocesses (started together,
so the module stays fast); the reader and the worker split are checked in-process.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mitmproxy import io as mio
from mitmproxy.test import tflow

import piaudit.scripts.replay as replay_module
from piaudit.addons.captures import CaptureError, mitm_spans, read_har, read_mitm, read_span
from piaudit.policies import rows
from piaudit.policies.options import AuditOptions
from piaudit.policies.policy import policy_init_yaml
from piaudit.policies.store import Store
from piaudit.scripts.cli import main as cli_main

PIAUDIT = str(Path(sys.executable).parent / "piaudit")
T0 = 1_764_000_000.0
CONSENT_AT = T0 + 2.5
IMEI = "359881030314356"
ANDROID_ID = "9774d56d682e549c"
OAID = "b5a7f3c2-1d4e-4f6a-9b8c-7e6d5c4b3a21"
SAME = ("rule", "data_type", "party", "host", "encoding", "where", "before_consent")  # what survives any capture format


@dataclass(frozen=True)
class Req:
    """One HTTP exchange of the test traffic, from which both the .mitm flow and the HAR entry are made."""

    url: str
    t: float
    method: str = "GET"
    body: bytes = b""
    content_type: str = ""
    server_ip: str = "203.0.113.10"


TRAFFIC = [
    Req("https://api.example-shop.com/v1/config?lang=zh", T0 + 1),
    Req(
        "https://ulogs.umeng.com/unify_logs",
        T0 + 2,
        "POST",
        json.dumps({"imei": IMEI, "android_id": ANDROID_ID}).encode(),
        "application/json",
        "106.11.3.4",
    ),
    Req(
        f"http://mobads.baidu.com/cpro/ui/mads.php?oaid={hashlib.md5(OAID.encode()).hexdigest()}", T0 + 3, server_ip="180.101.2.3"
    ),
    Req(
        "https://android.bugly.qq.com/rqd/async",
        T0 + 4,
        "POST",
        b"\x00\x01\xff" + base64.b64encode(IMEI.encode()) + b"\xfe\x00" * 20,
        "application/octet-stream",
        "183.3.4.5",
    ),
    Req(
        "https://xmpush.xiaomi.com/v2/register",
        T0 + 20,
        "POST",
        f"imei={IMEI}&pkg=com.example.shop".encode(),
        "application/x-www-form-urlencoded",
        "111.13.1.2",
    ),
]


def _flow(req: Req):
    f = tflow.tflow(resp=True)
    f.request.method, f.request.url = req.method, req.url
    if req.content_type:
        f.request.headers["content-type"] = req.content_type
    f.request.content = req.body
    f.response.headers["content-type"] = "application/json"
    f.response.content = b'{"ok": true}'
    tls = req.url.startswith("https://")
    f.server_conn.address = (f.request.host, f.request.port)
    f.server_conn.peername = (req.server_ip, f.request.port)
    f.server_conn.timestamp_tls_setup = req.t - 0.1 if tls else None
    f.client_conn.timestamp_tls_setup = req.t - 0.1 if tls else None
    f.request.timestamp_start, f.request.timestamp_end = req.t, req.t + 0.02
    f.response.timestamp_start, f.response.timestamp_end = req.t + 0.08, req.t + 0.1
    return f


def write_capture(path: Path, traffic: list[Req]) -> list[int]:
    """Write the traffic as a .mitm file; return each entry's byte offset."""
    offsets = []
    with open(path, "wb") as fh:
        writer = mio.FlowWriter(fh)
        for req in traffic:
            offsets.append(fh.tell())
            writer.add(_flow(req))
    return offsets


def corrupt(data: bytes, offset: int) -> bytes:
    """``data`` with the entry at ``offset`` damaged inside, its size unchanged: a nested length becomes ``x``."""
    nested = data.index(b":", data.index(b":", offset) + 1)  # the colon after the first nested length
    return data[: nested - 1] + b"x" + data[nested:]


def foreign_har(traffic: list[Req]) -> dict:
    """The traffic as a browser-style HAR 1.2 written by hand: no piaudit fields, so no flow ids."""
    entries = []
    for req in traffic:
        request = {
            "method": req.method,
            "url": req.url,
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "content-type", "value": req.content_type}] if req.content_type else [],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": len(req.body),
        }
        if req.body:
            try:
                post = {"text": req.body.decode("ascii")}
            except UnicodeDecodeError:
                post = {"text": base64.b64encode(req.body).decode(), "encoding": "base64"}
            request["postData"] = {"mimeType": req.content_type} | post
        response = {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "content-type", "value": "application/json"}],
            "cookies": [],
            "content": {"size": 12, "mimeType": "application/json", "text": '{"ok": true}'},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": 12,
        }
        entries.append(
            {
                "startedDateTime": datetime.fromtimestamp(req.t, UTC).isoformat(),
                "time": 100.0,
                "request": request,
                "response": response,
                "cache": {},
                "timings": {"send": 20.0, "wait": 60.0, "receive": 20.0},
                "serverIPAddress": req.server_ip,
            }
        )
    return {"log": {"version": "1.2", "creator": {"name": "by hand", "version": "1"}, "entries": entries}}


def run_all(commands: dict[str, list[str]], cwd: Path) -> dict[str, subprocess.CompletedProcess]:
    """Run several `piaudit` commands at once (each one a real process); their results by name."""
    procs = {
        name: subprocess.Popen([PIAUDIT, *argv], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, argv in commands.items()
    }
    done = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


def findings(session_dir: Path) -> list[dict]:
    """The latest findings of a session, as JSON, in a stable order."""
    store = Store(session_dir / "evidence.db")
    try:
        found = [f.model_dump(mode="json") for f in rows.latest_findings(store)]
    finally:
        store.conn.close()
    return sorted(found, key=lambda f: json.dumps(f, sort_keys=True))


def projected(found: list[dict], keys: tuple[str, ...] = SAME) -> list[tuple]:
    return sorted(tuple(str(f[k]) for k in keys) for f in found)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Inputs and the replays the CLI tests read, made once (independent commands run together)."""
    d = tmp_path_factory.mktemp("replay")
    write_capture(d / "capture.mitm", TRAFFIC)
    (d / "foreign.har").write_text(json.dumps(foreign_har(TRAFFIC)))
    (d / "ids.json").write_text(json.dumps({"imei": IMEI, "android_id": ANDROID_ID, "oaid": OAID}))
    policy = policy_init_yaml("com.example.shop").replace("first_party_domains: []", "first_party_domains: [example-shop.com]")
    (d / "policy.yaml").write_text(policy)
    declared = (
        "third_parties:\n  - name: Umeng\n    domains: [umeng.com]\n    data_types: [imei, android_id]\n    purpose: analytics\n"
    )
    (d / "policy-v2.yaml").write_text(policy.replace("third_parties: []\n", declared))
    consent = {"type": "consent:signal", "time": CONSENT_AT, "decision": "granted", "source": "ui_click", "detail": "Agree"}
    (d / "hooks.jsonl").write_text("# the user tapped Agree\n" + json.dumps(consent) + "\n")
    common = ["--policy", "policy.yaml", "--identifiers", "ids.json"]
    done = run_all(
        {
            "mitm": ["replay", "capture.mitm", *common, "--out", "from-mitm"],
            "again": ["replay", "capture.mitm", *common, "--out", "from-mitm-again"],
            "foreign": ["replay", "foreign.har", *common, "--out", "from-foreign-har"],
            "hooks": ["replay", "capture.mitm", *common, "--hooks", "hooks.jsonl", "--out", "with-consent"],
        },
        d,
    )
    for name, proc in done.items():
        assert proc.returncode == 0, (name, proc.stderr)
    assert cli_main(["report", str(d / "from-mitm"), "--format", "har", "-o", str(d / "exported.har")]) == 0
    shutil.copytree(d / "from-mitm", d / "rejudged")
    done = run_all(
        {
            "exported": ["replay", "exported.har", *common, "--out", "from-exported-har"],
            "session": ["replay", "with-consent", *common, "--out", "from-session"],
            "rejudge": ["replay", "rejudged", "--policy", "policy-v2.yaml"],
        },
        d,
    )
    for name, proc in done.items():
        assert proc.returncode == 0, (name, proc.stderr)
    return d


class TestReplayCommand:
    def test_a_mitm_capture_is_audited(self, work: Path) -> None:
        found = findings(work / "from-mitm")
        assert {(f["rule"], f["host"]) for f in found} >= {
            ("UNDECLARED_THIRD_PARTY", "ulogs.umeng.com"),
            ("PRE_CONSENT_TRANSMISSION", "android.bugly.qq.com"),
            ("CLEARTEXT_TRANSMISSION", "mobads.baidu.com"),
        }
        meta = json.loads((work / "from-mitm" / "session.json").read_text())
        assert meta["complete"] and meta["source"] == "replay"
        assert (work / "from-mitm" / "flows.mitm").read_bytes() == (work / "capture.mitm").read_bytes()

    def test_a_foreign_har_gives_the_findings_of_the_mitm(self, work: Path) -> None:
        mitm, har = findings(work / "from-mitm"), findings(work / "from-foreign-har")
        assert projected(har) == projected(mitm)
        assert {f["flow"] for f in har}.isdisjoint({f["flow"] for f in mitm})  # a foreign HAR has no flow ids

    def test_a_har_exported_by_piaudit_keeps_the_flow_ids(self, work: Path) -> None:
        mitm, har = findings(work / "from-mitm"), findings(work / "from-exported-har")
        assert projected(har, (*SAME, "flow")) == projected(mitm, (*SAME, "flow"))

    def test_replaying_twice_gives_identical_findings(self, work: Path) -> None:
        first, second = findings(work / "from-mitm"), findings(work / "from-mitm-again")
        assert first == second and first
        heads = []
        for d in ("from-mitm", "from-mitm-again"):
            store = Store(work / d / "evidence.db")
            heads.append(store.heads())
            store.conn.close()
            del heads[-1]["errors"]  # what the audit itself failed on carries the wall-clock time it failed
            del heads[-1]["judgements"]  # and so does each judgement
        assert heads[0] == heads[1]  # the same rows, ids and hash chains in every evidence table

    def test_rejudging_with_a_changed_policy_changes_the_findings_in_place(self, work: Path) -> None:
        before, after = findings(work / "from-mitm"), findings(work / "rejudged")
        undeclared = {(f["party"], f["data_type"]) for f in before if f["rule"] == "UNDECLARED_THIRD_PARTY"}
        assert ("Umeng", "imei") in undeclared
        assert ("Umeng", "imei") not in {(f["party"], f["data_type"]) for f in after if f["rule"] == "UNDECLARED_THIRD_PARTY"}
        assert projected([f for f in after if f["party"] != "Umeng"]) == projected([f for f in before if f["party"] != "Umeng"])
        meta = json.loads((work / "rejudged" / "session.json").read_text())
        assert meta["policy_sha256"] == hashlib.sha256((work / "policy-v2.yaml").read_bytes()).hexdigest()
        assert meta["policy_path"] == str((work / "policy-v2.yaml").resolve())
        store = Store(work / "rejudged" / "evidence.db")
        assert store.conn.execute("SELECT max(run) FROM findings").fetchone()[0] == 2  # a new run; the old one kept
        store.conn.close()

    def test_consent_events_move_findings_after_consent(self, work: Path) -> None:
        without, with_consent = findings(work / "from-mitm"), findings(work / "with-consent")
        assert all(f["before_consent"] for f in without)  # no consent ever given
        assert {f["before_consent"] for f in with_consent} == {True, False}
        for f in with_consent:
            assert f["before_consent"] == (f["time"] < CONSENT_AT), f
        pre_consent = {f["host"] for f in with_consent if f["rule"] == "PRE_CONSENT_TRANSMISSION"}
        assert pre_consent == {"ulogs.umeng.com"}  # the only upload before the user agreed

    def test_a_session_replays_with_its_events(self, work: Path) -> None:
        assert findings(work / "from-session") == findings(work / "with-consent")
        store = Store(work / "from-session" / "evidence.db")
        assert store.count("consent_events") == 1
        store.conn.close()


class TestAttributionInReplay:
    """A timeline from another tool has stacks but no party: replay attributes it as the live host would."""

    STACK = [
        "android.provider.Settings$Secure.getString(Native Method)",
        "com.umeng.commonsdk.statistics.idtracking.AndroidIdTracker.a(AndroidIdTracker.java:31)",
        "com.example.shop.App.onCreate(App.java:12)",
    ]

    def _replay(self, work: Path, tmp_path: Path, policy: str) -> tuple[list[dict], dict]:
        read = {
            "type": "hook:call",
            "time": CONSENT_AT + 1,
            "data_type": "android_id",
            "api": {"class_name": "android.provider.Settings$Secure", "method": "getString"},
            "value": ANDROID_ID,
            "stack": self.STACK,
        }
        (tmp_path / "other-tool.jsonl").write_text((work / "hooks.jsonl").read_text() + json.dumps(read) + "\n")
        options = AuditOptions(policy=str(work / policy), identifiers=str(work / "ids.json"))
        out = tmp_path / policy
        replay_module.replay(work / "capture.mitm", out, options, hooks=tmp_path / "other-tool.jsonl", workers=1)
        store = Store(out / "evidence.db")
        try:
            (event,) = rows.events(store, "hook_events")
        finally:
            store.conn.close()
        citing = [f for f in findings(out) if f"hook_events:{event.id}" in f["evidence_rows"]]  # grouped findings cite it too
        return citing, event.model_dump()

    def test_a_declared_sdk_read_after_consent_is_no_finding(self, work: Path, tmp_path: Path) -> None:
        found, event = self._replay(work, tmp_path, "policy-v2.yaml")  # declares Umeng for android_id
        assert (event["party"], event["caller"]) == ("Umeng", self.STACK[1])
        assert found == []  # not UNDECLARED_DATA_TYPE as if the app itself had read it

    def test_an_undeclared_sdk_read_names_the_sdk(self, work: Path, tmp_path: Path) -> None:
        found, _ = self._replay(work, tmp_path, "policy.yaml")  # declares no third party
        assert {(f["rule"], f["party"]) for f in found} == {("UNDECLARED_THIRD_PARTY", "Umeng")}


# ---------------------------------------------------------------------- malformed inputs


def _damage(work: Path) -> dict[str, tuple[list[str], str]]:
    """Broken inputs: name → (replay arguments, what the one-line error must say)."""
    d = work / "damaged"
    d.mkdir()
    offsets = write_capture(d / "ok.mitm", TRAFFIC)
    data = (d / "ok.mitm").read_bytes()
    (d / "truncated.mitm").write_bytes(data[:-40])
    (d / "garbage-between.mitm").write_bytes(data[: offsets[2]] + b"\x00garbage!\xff" + data[offsets[2] :])
    middle = (offsets[1] + offsets[2]) // 2
    (d / "garbage-inside.mitm").write_bytes(data[:middle] + b"#!garbage" + data[middle:])
    (d / "corrupt-entry.mitm").write_bytes(corrupt(data, offsets[3]))
    (d / "bad-json.har").write_text('{"log": {"entries": [\n  {"request": }\n]}}')
    har = foreign_har(TRAFFIC)
    del har["log"]["entries"][1]["request"]
    (d / "no-request.har").write_text(json.dumps(har))
    policy = (work / "policy.yaml").read_text()
    (d / "policy.yaml").write_text(policy.replace("category: other", "category: spaceship"))
    line = policy.splitlines().index("  category: other") + 1
    consent = '{"type": "consent:signal", "time": 1.0, "decision": "granted", "source": "manual"}'
    (d / "bad-json.jsonl").write_text(consent + "\n{not json\n")
    hook = {"type": "hook:call", "time": 1.0, "data_type": "shoe_size", "api": {"class_name": "a.B", "method": "m"}}
    (d / "bad-type.jsonl").write_text(json.dumps(hook) + "\n")
    ok = ["--identifiers", "../ids.json"]
    return {
        "policy": (["ok.mitm", "--policy", "policy.yaml", *ok], f"policy.yaml:{line}: app.category"),
        "har-json": (["bad-json.har", *ok], "bad-json.har: line 2, column 15: not a HAR file"),
        "har-no-request": (["no-request.har", "--strict", *ok], "no-request.har: log.entries[1]: missing field 'request'"),
        "mitm-truncated": (["truncated.mitm", *ok], f"truncated.mitm: entry 5 (byte {offsets[4]}): cut short"),
        "mitm-garbage-between": (
            ["garbage-between.mitm", *ok],
            f"garbage-between.mitm: entry 3 (byte {offsets[2]}): not a mitmproxy flow",
        ),
        "mitm-garbage-inside": (["garbage-inside.mitm", *ok], f"garbage-inside.mitm: entry 2 (byte {offsets[1]}): "),
        "mitm-corrupt-entry": (
            ["corrupt-entry.mitm", *ok],
            f"corrupt-entry.mitm: entry 4 (byte {offsets[3]}): not a mitmproxy flow",
        ),
        "jsonl-json": (["ok.mitm", "--hooks", "bad-json.jsonl", *ok], "bad-json.jsonl:2: not JSON"),
        "jsonl-data-type": (["ok.mitm", "--hooks", "bad-type.jsonl", *ok], "bad-type.jsonl:1: data_type: 'shoe_size' is not a data type"),
    }


@pytest.fixture(scope="module")
def failures(work: Path) -> dict[str, tuple[subprocess.CompletedProcess, str]]:
    cases = _damage(work)
    assert sorted(cases) == sorted(CASES)
    done = run_all({name: ["replay", *args, "--out", f"out/{name}"] for name, (args, _) in cases.items()}, work / "damaged")
    return {name: (done[name], expected) for name, (_, expected) in cases.items()}


CASES = [
    "policy",
    "har-json",
    "har-no-request",
    "mitm-truncated",
    "mitm-garbage-between",
    "mitm-garbage-inside",
    "mitm-corrupt-entry",
    "jsonl-json",
    "jsonl-data-type",
]


@pytest.mark.parametrize("case", CASES)
def test_malformed_input_is_one_line_naming_the_place_and_leaves_nothing(case: str, failures, work: Path) -> None:
    proc, expected = failures[case]
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("piaudit replay: "), proc.stderr
    assert expected in proc.stderr, proc.stderr
    out = work / "damaged" / "out"
    assert not (out / case).exists()
    assert not out.exists() or not [p.name for p in out.iterdir() if case in p.name]  # no .partial left behind


# ---------------------------------------------------------------------- in-process: reader and workers


class TestMitmReader:
    def test_spans_cover_the_file_and_read_like_flowreader(self, tmp_path: Path) -> None:
        traffic = [Req(f"https://h{i}.example/p?i={i}", T0 + i, body=b"x" * i) for i in range(7)]
        write_capture(tmp_path / "c.mitm", traffic)
        spans = list(mitm_spans(tmp_path / "c.mitm", 3))
        assert [len(s.sizes) for s in spans] == [3, 3, 1] and [s.first for s in spans] == [0, 3, 6]
        assert spans[-1].offset + spans[-1].size == (tmp_path / "c.mitm").stat().st_size
        assert [len(s.sizes) for s in mitm_spans(tmp_path / "c.mitm", 3, bytes_per_span=1)] == [
            1
        ] * 7  # large bodies: small spans
        with open(tmp_path / "c.mitm", "rb") as fh:
            expected = [f.get_state() for f in mio.FlowReader(fh).stream()]
        assert [f.get_state() for f in read_mitm(tmp_path / "c.mitm")] == expected
        assert [f.get_state() for s in spans for f in read_span(tmp_path / "c.mitm", s)] == expected

    def test_the_flows_before_a_damaged_entry_are_still_read(self, tmp_path: Path) -> None:
        offsets = write_capture(tmp_path / "c.mitm", TRAFFIC)
        data = (tmp_path / "c.mitm").read_bytes()
        (tmp_path / "c.mitm").write_bytes(data[: offsets[3]] + b"junk" + data[offsets[3] :])
        got = []
        with pytest.raises(CaptureError, match=rf"entry 4 \(byte {offsets[3]}\)"):
            got.extend(read_mitm(tmp_path / "c.mitm"))
        assert len(got) == 3

    def test_an_empty_capture_has_no_flows(self, tmp_path: Path) -> None:
        (tmp_path / "empty.mitm").write_bytes(b"")
        assert list(read_mitm(tmp_path / "empty.mitm")) == []

    def test_a_foreign_har_replays_identically(self, work: Path, tmp_path: Path) -> None:
        assert [f.id for f in read_har(work / "foreign.har")] == [f.id for f in read_har(work / "foreign.har")]
        options = AuditOptions(policy=str(work / "policy.yaml"), identifiers=str(work / "ids.json"))
        again = replay_module.replay(work / "foreign.har", tmp_path / "again", options)
        assert findings(tmp_path / "again") == findings(work / "from-foreign-har") and again.flows == len(TRAFFIC)


def _table(session_dir: Path, table: str) -> list[dict]:
    store = Store(session_dir / "evidence.db")
    try:
        return list(store.rows(table))
    finally:
        store.conn.close()


class TestWorkers:
    @pytest.fixture
    def many(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, work: Path) -> Path:
        monkeypatch.setattr(replay_module, "SPAN_ENTRIES", 2)  # many spans, so every worker gets some
        traffic = [Req(r.url, r.t + 30 * k, r.method, r.body, r.content_type, r.server_ip) for k in range(4) for r in TRAFFIC]
        write_capture(tmp_path / "many.mitm", traffic)
        return tmp_path

    def test_the_number_of_workers_does_not_change_the_store(self, many: Path, work: Path) -> None:
        options = AuditOptions(policy=str(work / "policy.yaml"), identifiers=str(work / "ids.json"))
        one = replay_module.replay(many / "many.mitm", many / "one", options, hooks=work / "hooks.jsonl", workers=1)
        three = replay_module.replay(many / "many.mitm", many / "three", options, hooks=work / "hooks.jsonl", workers=3)
        assert one.flows == three.flows == 4 * len(TRAFFIC)
        assert [f.model_dump() for f in one.findings] == [f.model_dump() for f in three.findings]
        for table in ("flows", "messages", "detections", "consent_events", "findings"):
            assert _table(many / "one", table) == _table(many / "three", table), table

    def test_the_first_damaged_entry_is_named_whatever_the_workers(self, many: Path, work: Path) -> None:
        data = (many / "many.mitm").read_bytes()
        offsets = [s.offset for s in mitm_spans(many / "many.mitm", 1)]
        for entry in (4, 10):  # damage a worker finds: the length scan sees whole entries
            data = corrupt(data, offsets[entry - 1])
        data = data[: offsets[15]] + b"junk" + data[offsets[15] :]  # and damage the length scan finds, later
        (many / "damaged.mitm").write_bytes(data)
        for workers in (1, 2, 3):
            with pytest.raises(CaptureError, match=rf"damaged\.mitm: entry 4 \(byte {offsets[3]}\): not a mitmproxy flow"):
                options = AuditOptions(policy=str(work / "policy.yaml"))
                replay_module.replay(many / "damaged.mitm", many / f"out{workers}", options, workers=workers)
            assert sorted(p.name for p in many.iterdir()) == ["damaged.mitm", "many.mitm"]  # nothing half-written
