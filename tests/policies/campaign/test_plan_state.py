"""The batch plan (validation, bounds, errors naming file:line:field), the campaign state's rules and the verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from piaudit.policies.campaign.plan import load_plan, resolve
from piaudit.policies.campaign.state import CampaignState
from piaudit.policies.campaign.verdict import RunTrace, verdict
from piaudit.policies.yamlinput import InputError

POLICY = Path(__file__).resolve().parents[3] / "policies" / "examples" / "demoapp.yaml"


def _plan(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


class TestPlan:
    def test_shorthand_devices_defaults_and_relative_paths(self, tmp_path: Path) -> None:
        (tmp_path / "p.yaml").write_text(POLICY.read_text())
        plan = load_plan(
            _plan(
                tmp_path,
                "defaults: {duration: 30, retries: 1}\n"
                "devices: [local, local, emulator-5554, '10.0.0.5:27042', {serial: '10.0.0.9:5555', host: lab2, proxy_port: 9000}]\n"
                "apps:\n  - {package: com.example.a, policy: p.yaml}\n  - {package: com.example.a, id: a-v2, duration: 5, retries: 0}\n",
            )
        )
        assert [d.kind for d in plan.devices] == ["local", "local", "serial", "frida", "serial"]
        assert plan.device_names() == ["local-1", "local-2", "emulator-5554", "10.0.0.5:27042", "10.0.0.9:5555"]
        assert plan.device_ports() == {"local-1": 18080, "local-2": 18081, "emulator-5554": 18082, "10.0.0.5:27042": 18083, "10.0.0.9:5555": 9000}
        first, second = resolve(plan, tmp_path)
        assert (first.key, first.duration, first.retries, first.policy) == ("com.example.a", 30, 1, str(tmp_path / "p.yaml"))
        assert (second.key, second.duration, second.retries, second.policy) == ("a-v2", 5, 0, None)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("devices: [local]\napps:\n  - package: com.x\n    retries: two\n", "plan.yaml:4: apps[0].retries: expected an integer, got a string 'two'"),
            ("devices: [local]\napps:\n  - package: com.x\n    polcy: p.yaml\n", "plan.yaml:4: apps[0].polcy: unknown field 'polcy' (did you mean 'policy'?)"),
            ("devices:\n  - local\n  - {local: true, serial: x}\napps: [{package: com.x}]\n", "plan.yaml:3: devices[1]: give exactly one of local, serial, frida"),
            ("devices: [local]\napps:\n  - package: com.x\n    policy: missing.yaml\n", "plan.yaml:4: apps[0].policy: no such file 'missing.yaml'"),
            ("devices: [local]\napps:\n  - package: com.x\n  - package: com.x\n", "apps: com.x appears more than once"),
            ("devices: [local]\napps:\n  - package: 'not a package'\n", "plan.yaml:3: apps[0].package: 'not a package' is not a Java package name"),
            ("devices: []\napps: [{package: com.x}]\n", "plan.yaml:1: devices: "),
            ("devices: [local]\napps: [{package: com.x}]\ndevices: [local]\n", "plan.yaml:3: devices: duplicate key"),
            ("devices: [local\n", "plan.yaml:2: YAML syntax error"),
            ("", "plan.yaml:1: the plan is empty"),
        ],
    )
    def test_a_mistake_names_file_line_and_field(self, tmp_path: Path, text: str, expected: str) -> None:
        with pytest.raises(InputError) as caught:
            load_plan(_plan(tmp_path, text))
        assert expected.replace("plan.yaml", str(tmp_path / "plan.yaml")) in str(caught.value)

    def test_aliases_cannot_expand_without_bound(self, tmp_path: Path) -> None:
        lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"] + [
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(7)
        ]
        with pytest.raises(InputError, match="aliases expand to more than 500000 values"):
            load_plan(_plan(tmp_path, "\n".join(lines) + "\n"))
        # the one YAML reader bounds what aliases expand to, not how many there are: 300 aliases of
        # one scalar are 301 values, read as the plan they are (and refused here for its own fields)
        many = "x: &x 1\ny: [" + ", ".join(["*x"] * 300) + "]\n"
        with pytest.raises(InputError) as refused:
            load_plan(_plan(tmp_path, many))
        assert "aliases expand" not in str(refused.value) and "devices: required field is missing" in str(refused.value)

    def test_an_oversized_plan_is_refused_before_it_is_parsed(self, tmp_path: Path) -> None:
        path = _plan(tmp_path, "# " + "x" * (5 << 20) + "\n")
        with pytest.raises(InputError, match="bytes, more than the 4194304 bytes a YAML file may have"):
            load_plan(path)


def _state(apps: list[str], devices: list[str]) -> CampaignState:
    state = CampaignState()
    state.begin(apps, devices)
    return state


class TestState:
    def test_a_failed_app_is_retried_on_another_device(self) -> None:
        state = _state(["a", "b"], ["d1", "d2"])
        assert state.next_job("d1", ["a", "b"]) == "a"
        state.start("a", "d1", "attempts/a/1-d1")
        state.finish("a", "failed", reason="device lost", retries=2, device_failures=2)
        assert state.apps["a"].status == "pending"
        assert state.devices["d1"].failures == 1 and state.devices["d1"].status == "idle"
        assert state.next_job("d1", ["a", "b"]) == "b"  # not the app that failed here
        assert state.next_job("d2", ["a", "b"]) == "a"

    def test_an_app_comes_back_to_the_same_device_only_when_every_live_device_failed_it(self) -> None:
        state = _state(["a"], ["d1", "d2"])
        state.start("a", "d1", "x")
        state.finish("a", "failed", retries=3, device_failures=5)
        assert state.next_job("d1", ["a"]) is None
        state.start("a", "d2", "y")
        state.finish("a", "failed", retries=3, device_failures=5)
        assert state.next_job("d1", ["a"]) == "a"

    def test_retries_run_out(self) -> None:
        state = _state(["a"], ["d1", "d2"])
        for device in ("d1", "d2"):
            state.start("a", device, device)
            state.finish("a", "failed", retries=1, device_failures=5)
        assert state.apps["a"].status == "failed"

    def test_a_device_leaves_the_pool_after_failures_in_a_row_or_a_failed_probe(self) -> None:
        state = _state(["a", "b", "c"], ["d1", "d2"])
        state.start("a", "d1", "x")
        state.finish("a", "failed", retries=5, device_failures=2)
        state.start("b", "d1", "y")
        state.finish("b", "failed", retries=5, device_failures=2)
        assert state.devices["d1"].status == "out" and "2 failed attempts in a row" in state.devices["d1"].reason
        state.start("c", "d2", "z")
        state.finish("c", "failed", reason="adb: offline", retries=5, device_failures=2, device_ok=False)
        assert state.devices["d2"].status == "out" and state.live_devices() == []

    def test_interruption_is_not_a_failure_and_a_new_run_closes_attempts_left_running(self) -> None:
        state = _state(["a", "b"], ["d1"])
        state.start("a", "d1", "x")
        state.finish("a", "interrupted", retries=0, device_failures=1)
        assert state.apps["a"].status == "pending" and state.devices["d1"].failures == 0
        state.start("a", "d1", "x2")  # the batch itself died here
        unfinished = state.begin(["a", "b"], ["d1"])
        assert unfinished == ["x2"] and state.apps["a"].status == "pending"
        assert [t.outcome for t in state.apps["a"].attempts] == ["interrupted", "interrupted"]

    def test_time_left_follows_the_median_attempt(self) -> None:
        state = _state(["a", "b", "c"], ["d1"])
        attempt = state.start("a", "d1", "x")
        state.finish("a", "done", session="sessions/a", retries=0, device_failures=1)
        attempt.started, attempt.ended = 100.0, 160.0
        assert state.time_left(["a", "b", "c"], now=200.0) == pytest.approx(120.0)


@pytest.mark.parametrize(
    ("trace", "outcome", "words"),
    [
        (RunTrace(exit_code=0, app_exits=["exit(0)"]), "done", ""),
        (RunTrace(exit_code=0, app_exits=["exited"]), "failed", "vanished"),
        (RunTrace(exit_code=0, app_exits=["crash: SIGSEGV"]), "failed", "crash"),
        (RunTrace(exit_code=0, app_exits=["exit(1)"]), "failed", "exit(1)"),
        (RunTrace(exit_code=0, app_exits=[]), "failed", "never reported its exit"),
        (RunTrace(exit_code=0, app_exits=[], exit_expected=False), "done", ""),
        (RunTrace(exit_code=0, app_exits=["killed at the end of the audit"], exit_expected=False), "done", ""),
        (RunTrace(exit_code=1, last_log="no Frida device"), "failed", "no Frida device"),
        (RunTrace(exit_code=0, complete=False, incomplete_reason="disk full"), "failed", "disk full"),
        (RunTrace(exit_code=None, has_session=False), "failed", "no session"),
        (RunTrace(exit_code=0, interrupted=True), "interrupted", "Ctrl-C"),
        (RunTrace(exit_code=0, exit_expected=False, hook_errors=["the hook session ended (device-lost); hooks no longer record"]), "failed", "device-lost"),
    ],
)
def test_verdict(trace: RunTrace, outcome: str, words: str) -> None:
    got, reason = verdict(trace)
    assert got == outcome and words in reason
