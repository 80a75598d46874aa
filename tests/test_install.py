"""A non-editable install (`pip install .`) into a fresh virtualenv, as a user gets it.

Offline: the fresh venv sees the project's .venv site-packages (for piaudit's dependencies and
setuptools) through a plain path line, so no registry is asked; the editable install's own
``.pth`` hook is not processed there, so ``piaudit`` can only come from the new install.
The source is copied first: an in-tree build would write ``build/`` and ``*.egg-info`` into
the checkout other tests are reading.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns("node_modules", "build", "__pycache__", "*.egg-info", ".venv", "*.class")


def _run(argv: list[str], cwd: Path, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, **kw)
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A fresh venv with `pip install --no-deps --no-build-isolation` of a copy of the checkout."""
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "source"
    source.mkdir()
    shutil.copy2(ROOT / "pyproject.toml", source)
    shutil.copy2(ROOT / "README.md", source)
    for folder in ("policies", "addons", "hooks", "scripts"):
        shutil.copytree(ROOT / folder, source / folder, ignore=SKIP)
    venv = tmp / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp).stdout.strip())
    # the project's dependencies (and setuptools, pip) without the editable piaudit: a path line only
    (site / "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    before = set(os.listdir(site))
    pip = _run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index", str(source)], tmp, 600)
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    return {"tmp": tmp, "python": python, "site": site, "new": set(os.listdir(site)) - before, "bin": venv / "bin"}


def test_one_top_level_package(installed: dict) -> None:
    new = sorted(n for n in installed["new"] if n != "__pycache__")
    assert len(new) == 2 and new[0] == "piaudit" and new[1].startswith("piaudit-") and new[1].endswith(".dist-info"), new
    record = (installed["site"] / new[1] / "RECORD").read_text().splitlines()
    tops = {line.split(",")[0].split("/")[0] for line in record}
    assert tops - {".."} == {"piaudit", new[1]}, tops  # ".." is the console script in bin/
    files = [line.split(",")[0] for line in record]
    assert not [f for f in files if "/standin/" in f or "/bench/" in f], "development code in the wheel"
    assert "piaudit/hooks/agent/_build/agent.js" in files and "piaudit/policies/data/catalog.yaml" in files


def test_generic_names_are_not_importable(installed: dict) -> None:
    for name in ("scripts", "hooks", "policies", "addons"):
        proc = _run([str(installed["python"]), "-c", f"import {name}"], installed["tmp"])
        assert proc.returncode != 0 and "ModuleNotFoundError" in proc.stderr, (name, proc.stderr)
    where = _run([str(installed["python"]), "-c", "import piaudit.policies.models as m; print(m.__file__)"], installed["tmp"])
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(str(installed["site"])), where.stdout


def test_piaudit_command_from_the_install(installed: dict) -> None:
    proc = _run([str(installed["bin"] / "piaudit"), "--help"], installed["tmp"])
    assert proc.returncode == 0, proc.stderr
    assert "run" in proc.stdout and "replay" in proc.stdout
    proc = _run([str(installed["bin"] / "piaudit"), "run", "--help"], installed["tmp"])
    assert proc.returncode == 0 and "--policy" in proc.stdout, proc.stderr


def test_mitmdump_loads_the_entry_script_from_the_install(installed: dict) -> None:
    """`mitmdump -s addons/piaudit.py` finds the installed package (no sys.path edits) and records a session."""
    tmp = installed["tmp"]
    probe = tmp / "probe.py"
    probe.write_text(
        "import sys\n"
        "print('PIAUDIT_FROM', sys.modules['piaudit.addons.recorder'].__file__, flush=True)\n"
        "addons = []\n"
    )
    empty = tmp / "empty.mitm"
    empty.write_bytes(b"")
    session = tmp / "session"
    confdir = tmp / "conf"
    code = "import sys; from mitmproxy.tools.main import mitmdump; sys.argv[0] = 'mitmdump'; mitmdump()"
    argv = [str(installed["python"]), "-c", code, "-n", "-q", "-r", str(empty), "-s", str(ROOT / "addons" / "piaudit.py"), "-s", str(probe)]
    argv += ["--set", f"confdir={confdir}", "--set", f"piaudit_session={session}"]
    proc = _run(argv, tmp, 180)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("PIAUDIT_FROM"))
    assert line.split(" ", 1)[1].startswith(str(installed["site"])), line
    meta = json.loads((session / "session.json").read_text())
    assert meta["complete"] is True
