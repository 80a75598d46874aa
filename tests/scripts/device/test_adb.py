"""The adb runner: adb missing, slow or failing says so; the fake adb on its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from piaudit.scripts.device.adb import Adb, AdbError
from piaudit.scripts.usage import EXIT_FAIL
from tests.scripts.device.fake import (
    SERIAL,
    FakeAdb,
    cli,
)


def test_adb_missing_from_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, confdir: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(AdbError, match="adb is not on PATH"):
        Adb.locate()
    code, output = cli("doctor", "--confdir", str(confdir))
    assert code == EXIT_FAIL
    assert output.startswith("✗ adb: adb is not on PATH\n    fix: Install the Android SDK platform-tools")


def test_adb_timeout_is_reported(tmp_path: Path) -> None:
    slow = tmp_path / "adb"
    slow.write_text("#!/bin/sh\nexec sleep 5\n")
    slow.chmod(0o755)
    with pytest.raises(AdbError) as failure:
        Adb(str(slow), SERIAL, timeout=0.1).shell("getprop")
    assert failure.value.problem == f"`adb -s {SERIAL} shell getprop` did not finish within 0.1 s"
    assert "adb kill-server" in failure.value.fix


def test_adb_failure_shows_the_command_and_adbs_words(android11: FakeAdb) -> None:
    adb = Adb.locate().for_device("emulator-9999")
    with pytest.raises(AdbError) as failure:
        adb.shell("id")
    assert failure.value.problem == "`adb -s emulator-9999 shell id` failed (exit 1): adb: device 'emulator-9999' not found"
    assert adb.shell("id", check=False).returncode == 1


def test_fake_adb_on_its_own_reads_messages_json(android14: FakeAdb, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake as a developer would run it by hand: its words straight from outputs/messages.json."""
    monkeypatch.delenv("FAKE_ADB_MESSAGES")
    adb = Adb.locate(serial=SERIAL)
    assert adb.run("root").stdout == "restarting adbd as root\n"
    assert adb.shell("getprop ro.build.version.sdk").stdout == "34\n"
    assert android14.load()["root"] is True
