"""`--cluster` for real: a local Ray head on 127.0.0.1 (one node standing for a lab host), real actors and tasks.

The batch places one actor per device by the custom resource of its host: a device on a host
no node offers is taken out of the pool with the reason, and its app runs on the device whose
host is there. `corpus rejudge --cluster` gives what the local processes give.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hooks import frida_tmpdir
from tests.scripts.test_batch import free_ports
from tests.scripts.test_corpus import EXTRA_CATALOG, made, piaudit, report_findings  # noqa: F401 (made is a fixture)
from tests.support.rayhead import ray_head

pytestmark = pytest.mark.slow
PIAUDIT = str(Path(sys.executable).parent / "piaudit")


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    with ray_head({"piaudit_host_lab1": 1}) as address:
        yield address


def test_batch_runs_devices_as_ray_actors_placed_by_host(cluster: str, tmp_path: Path) -> None:
    lab1, lab2 = free_ports(2)
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "defaults: {duration: 120, retries: 1}\n"
        f"devices:\n  - {{local: true, name: bench-a, host: lab1, proxy_port: {lab1}}}\n"
        f"  - {{local: true, name: bench-b, host: lab2, proxy_port: {lab2}}}\n"
        "apps:\n  - {package: com.example.one, id: one}\n"  # one app: placement is what is tested here
    )
    campaign = tmp_path / "campaign"
    with frida_tmpdir() as tmpdir:
        proc = subprocess.run(
            [PIAUDIT, "batch", str(plan), "--out", str(campaign), "--cluster", cluster, "--cluster-timeout", "10"],
            capture_output=True,
            text=True,
            timeout=400,
            env=dict(os.environ, TMPDIR=tmpdir),
        )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    state = json.loads((campaign / "campaign.json").read_text())
    assert state["devices"]["bench-b"]["status"] == "out" and "piaudit_host_lab2" in state["devices"]["bench-b"]["reason"]
    for key in ("one",):
        assert state["apps"][key]["status"] == "done"
        assert [a["device"] for a in state["apps"][key]["attempts"]] == ["bench-a"]
        assert json.loads((campaign / "sessions" / key / "session.json").read_text())["complete"]
    assert "device bench-b is out of the pool: no Ray node offers the resource piaudit_host_lab2" in output
    assert not list(campaign.glob(".visible-*"))


def test_rejudge_on_the_cluster_equals_local_processes(cluster: str, made: dict, tmp_path: Path) -> None:  # noqa: F811
    (tmp_path / "extra.yaml").write_text(EXTRA_CATALOG)
    for tree in ("ray", "local"):
        shutil.copytree(made["dir"] / "runs", tmp_path / tree)
        piaudit("corpus", "build", str(tmp_path / tree), "--out", str(tmp_path / f"corpus-{tree}"))
    ray_done = subprocess.run(
        [PIAUDIT, "corpus", "rejudge", str(tmp_path / "corpus-ray"), "--catalog", str(tmp_path / "extra.yaml"), "--cluster", cluster],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ray_done.returncode == 0, ray_done.stdout + ray_done.stderr
    assert "re-judged 3 of 3 sessions" in ray_done.stdout
    piaudit("corpus", "rejudge", str(tmp_path / "corpus-local"), "--catalog", str(tmp_path / "extra.yaml"), "--workers", "1")
    for app in made["sessions"]:
        assert report_findings(tmp_path / "ray" / app) == report_findings(tmp_path / "local" / app)
