"""Bad input at the command line: alias bombs, deep nesting, impossible times, broken extra catalogs.

Each must end with one line naming the file (exit 2), quickly and in bounded memory; never a
traceback. The commands run as a user runs them, in a subprocess whose address space is capped
at 2 GiB, so a bomb that is not defused fails the test instead of taking the shared machine.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from piaudit.policies import rows
from piaudit.policies.models import ConsentEvent
from piaudit.policies.session import Session
from tests.support.sessions import build_session

PIAUDIT = Path(sys.executable).parent / "piaudit"
ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "examples" / "demoapp.yaml"

LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
DEEP = 100_000


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def piaudit(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(PIAUDIT), *args], capture_output=True, text=True, timeout=timeout, preexec_fn=_cap_memory)


def one_line_error(r: subprocess.CompletedProcess, *needles: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr[-1500:])
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr[-1500:]
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_session(tmp_path_factory.mktemp("bad-input") / "s").dir


class TestYamlBombs:
    def test_policy_check_refuses_an_alias_bomb(self, tmp_path: Path) -> None:
        bomb = tmp_path / "laughs.yaml"
        bomb.write_text("app: {package: com.example.app, category: other}\n" + LAUGHS)
        assert bomb.stat().st_size < 600
        one_line_error(piaudit("policy", "check", str(bomb)), str(bomb), "alias")

    def test_replay_refuses_an_alias_bomb_policy(self, session: Path, tmp_path: Path) -> None:
        bomb = tmp_path / "laughs.yaml"
        bomb.write_text(LAUGHS)
        one_line_error(piaudit("replay", str(session), "--policy", str(bomb), "--out", str(tmp_path / "o")), str(bomb))
        assert not (tmp_path / "o").exists()

    def test_an_extra_catalog_alias_bomb(self, tmp_path: Path) -> None:
        bomb = tmp_path / "cat.yaml"
        bomb.write_text(LAUGHS.replace("a:", "entries:", 1))
        one_line_error(piaudit("catalog", "show", "--extra", str(bomb)), str(bomb), "alias")

    def test_a_huge_policy_is_refused_by_its_size(self, tmp_path: Path) -> None:
        huge = tmp_path / "huge.yaml"
        with open(huge, "w") as fh:
            fh.write("app: {package: com.example.app, category: other}\nfirst_party_domains:\n")
            fh.write("  - a.example.com\n" * 1_500_000)
        one_line_error(piaudit("policy", "check", str(huge)), str(huge), "bytes")


class TestDeepNesting:
    def test_policy(self, tmp_path: Path) -> None:
        deep = tmp_path / "deep.yaml"
        deep.write_text("app: " + "[" * DEEP + "]" * DEEP + "\n")
        one_line_error(piaudit("policy", "check", str(deep)), str(deep), "nest")

    def test_identifiers_file(self, session: Path, tmp_path: Path) -> None:
        deep = tmp_path / "ids.json"
        deep.write_text('{"imei": ' + "[" * DEEP + "]" * DEEP + "}")
        one_line_error(
            piaudit("replay", str(session), "--identifiers", str(deep), "--out", str(tmp_path / "o")), str(deep), "nest"
        )

    def test_hooks_line(self, session: Path, tmp_path: Path) -> None:
        deep = tmp_path / "hooks.jsonl"
        deep.write_text('{"type": "consent:signal", "x": ' + "[" * DEEP + "]" * DEEP + "}\n")
        one_line_error(piaudit("replay", str(session), "--hooks", str(deep), "--out", str(tmp_path / "o")), f"{deep}:1", "nest")

    def test_catalog_show_with_a_bad_extra_catalog(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.yaml"
        bad.write_text("entries:\n  - id: x\n    name: X\n    nonsense: 1\n")
        one_line_error(piaudit("catalog", "show", "--extra", str(bad)), str(bad))


class TestImpossibleTimes:
    @pytest.mark.parametrize("at", ["99999999999999", "1e20", "inf", "nan", "-5"])
    def test_consent_at(self, tmp_path: Path, at: str) -> None:
        Session.create(tmp_path / "s").close()
        one_line_error(piaudit("consent", "--session", str(tmp_path / "s"), "--at", at), "--at", "1970")
        assert Session.open(tmp_path / "s").store.count("consent_events") == 0

    def test_hooks_file(self, session: Path, tmp_path: Path) -> None:
        hooks = tmp_path / "h.jsonl"
        hooks.write_text(json.dumps({"type": "consent:signal", "time": 1e20, "decision": "granted", "source": "manual"}) + "\n")
        one_line_error(piaudit("replay", str(session), "--hooks", str(hooks), "--out", str(tmp_path / "o")), f"{hooks}:1", "time")

    def test_har_entry(self, tmp_path: Path) -> None:
        har = {
            "log": {"version": "1.2", "creator": {"name": "x", "version": "1"}, "entries": [_har_entry("9999-12-31T23:59:59Z")]}
        }
        (tmp_path / "far.har").write_text(json.dumps(har))
        strict = piaudit("replay", str(tmp_path / "far.har"), "--strict", "--out", str(tmp_path / "o"))
        one_line_error(strict, "log.entries[0]", "not a plausible time")
        lenient = piaudit("replay", str(tmp_path / "far.har"), "--out", str(tmp_path / "o"))  # a damaged entry: skipped, said
        assert lenient.returncode == 0 and "log.entries[0]" in lenient.stderr and "skipped 1 damaged entry" in lenient.stderr

    def test_a_stored_bad_time_does_not_break_readers(self, tmp_path: Path) -> None:
        """A row an older piaudit chained with an impossible time: every reader still works."""
        built = build_session(tmp_path / "s")
        s = Session.open(built.dir)
        for t in (1e20, float("inf")):
            event = ConsentEvent.model_construct(
                type="consent:signal", time=t, decision="refused", source="manual", detail="", party=None, stack=[]
            )
            table, row = rows.event_row(event)
            s.store.insert_many(table, [row])
        s.store.conn.close()
        for fmt in ("html", "json", "csv", "xlsx", "har"):
            r = piaudit("report", str(built.dir), "--format", fmt, "-o", str(tmp_path / f"r.{fmt}"))
            assert r.returncode == 0 and "Traceback" not in r.stderr, (fmt, r.stderr[-1500:])
        assert "invalid time" in (tmp_path / "r.html").read_text()
        r = piaudit("bundle", str(built.dir), "-o", str(tmp_path / "case.zip"))
        assert r.returncode == 0, r.stderr[-1500:]
        assert piaudit("verify", str(tmp_path / "case.zip")).returncode == 0
        info = piaudit("info", str(built.dir))
        assert info.returncode == 0 and "Traceback" not in info.stderr
        assert piaudit("replay", str(built.dir), "--out", str(tmp_path / "again")).returncode == 0


def _har_entry(started: str) -> dict:
    return {
        "startedDateTime": started,
        "time": 10,
        "request": {
            "method": "GET",
            "url": "https://a.example/x",
            "httpVersion": "HTTP/1.1",
            "headers": [],
            "cookies": [],
            "queryString": [],
        },
        "response": {
            "status": 200,
            "httpVersion": "HTTP/1.1",
            "headers": [],
            "content": {"size": 0, "mimeType": ""},
            "cookies": [],
        },
        "cache": {},
        "timings": {"send": 1, "wait": 1, "receive": 1},
    }
