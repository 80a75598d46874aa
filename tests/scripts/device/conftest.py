"""Fixtures of the device tests: a mitmproxy CA, fake emulators, and setup run once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from piaudit.scripts.device import ca, fridaserver
from tests.scripts.device.fake import (
    FRIDA_VERSION,
    FakeAdb,
    SetupRun,
    cli,
    make_frida_server,
    setup_argv,
)


@pytest.fixture(scope="session")
def confdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mitmproxy conf dir with a CA made by mitmproxy itself."""
    from mitmproxy import certs

    folder = tmp_path_factory.mktemp("mitmproxy")
    certs.CertStore.from_store(folder, "mitmproxy", 2048)
    assert (folder / ca.CA_CERT_FILE).is_file()
    return folder


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """frida-server start/stop polls without sleeping (the fake adb answers at once; a real device needs the waits)."""
    monkeypatch.setattr(fridaserver, "WAITS", fridaserver.Waits(attempts=3, interval=0))


@pytest.fixture
def android11(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeAdb:
    return FakeAdb(tmp_path, monkeypatch, "android11")


@pytest.fixture
def android14(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeAdb:
    return FakeAdb(tmp_path, monkeypatch, "android14")


@pytest.fixture(params=["android11", "android14"])
def emulator(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeAdb:
    return FakeAdb(tmp_path, monkeypatch, request.param)


@pytest.fixture
def frida_server(tmp_path: Path) -> Path:
    return make_frida_server(tmp_path / f"frida-server-{FRIDA_VERSION}-android-x86_64")


@pytest.fixture(scope="session")
def setup_runs(tmp_path_factory: pytest.TempPathFactory, confdir: Path) -> dict[str, SetupRun]:
    """Setup with a frida-server on a fresh Android 11 and Android 14 emulator, run once per session.

    The setup tests read these runs; the ``ready`` fixture copies the emulators they left.
    """
    runs = {}
    for scenario in ("android11", "android14"):
        folder = tmp_path_factory.mktemp(f"setup-{scenario}")
        with pytest.MonkeyPatch.context() as monkeypatch:
            monkeypatch.setattr(fridaserver, "WAITS", fridaserver.Waits(attempts=3, interval=0))  # the fake answers at once
            fake = FakeAdb(folder, monkeypatch, scenario)
            frida_file = make_frida_server(folder / f"frida-server-{FRIDA_VERSION}-android-x86_64")
            code, output = cli(*setup_argv(confdir, frida_file))
        runs[scenario] = SetupRun(fake, frida_file, code, output)
    return runs


@pytest.fixture
def ready(emulator: FakeAdb, setup_runs: dict[str, SetupRun]) -> FakeAdb:
    """An emulator after a successful setup (a copy of the session's), with an empty call log."""
    template = setup_runs[emulator.load()["scenario"]].fake.state_file.parent
    shutil.copytree(template, emulator.state_file.parent, dirs_exist_ok=True)
    return emulator
