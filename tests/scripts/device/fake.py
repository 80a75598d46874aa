"""The simulated emulator the device tests drive: ``fake_adb/adb`` on PATH, its state, and helpers.

The tests assert on outcomes: what the simulated device holds afterwards (root, files and their
modes, the proxy setting, reverse tunnels, frida-server running: :func:`device_state`), what
piaudit printed, and that doctor or a stopped setup left the device as it was; never on the
exact adb calls, which are piaudit's business."""

from __future__ import annotations

import argparse
import ast
import datetime
import io
import json
import os
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from piaudit.scripts import device
from piaudit.scripts.device import fridaserver

FAKE_ADB = Path(__file__).parent / "fake_adb" / "adb"


FAKE_ADB_DATA = Path(__file__).parent / "fake_adb" / "outputs"


SERIAL = "emulator-5554"


FRIDA_VERSION = fridaserver.installed_frida_version()


assert FRIDA_VERSION is not None, "the frida package is a piaudit dependency"


CA_NAME = "c8750f0d.0"  # subject_hash_old of every mitmproxy CA (CN=mitmproxy, O=mitmproxy)


ELF_MACHINES = {"x86_64": 62, "arm64": 183, "x86": 3, "arm": 40}


def make_frida_server(path: Path, arch: str = "x86_64", version: str = FRIDA_VERSION) -> Path:
    """A small file shaped like frida-server: an ELF header for ``arch`` and the version string inside."""
    elf_class = b"\x02" if arch in ("x86_64", "arm64") else b"\x01"
    header = b"\x7fELF" + elf_class + b"\x01\x01" + bytes(9) + (3).to_bytes(2, "little")
    header += ELF_MACHINES[arch].to_bytes(2, "little") + bytes(44)
    path.write_bytes(header + bytes(200) + b"frida-server\x00" + version.encode() + b"\x00" + bytes(64))
    return path


def make_certificate(subject: x509.Name) -> x509.Certificate:
    """A self-signed certificate with this subject."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


class FakeAdb:
    """The fake adb on PATH, its state file and its call log."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch, scenario: str) -> None:
        self.folder = folder
        bin_dir = folder / "bin"
        bin_dir.mkdir(parents=True)
        shutil.copy(FAKE_ADB, bin_dir / "adb")
        (bin_dir / "adb").chmod(0o755)
        # The fake's shebang is `/usr/bin/env python3`: make that this Python, started without site
        # (-I -S), which the fake does not need; it starts once per adb call.
        python = bin_dir / "python3"
        python.write_text(f'#!/bin/sh\nexec {shlex.quote(os.path.realpath(sys.executable))} -I -S "$@"\n')
        python.chmod(0o755)
        self.state_file = folder / "device" / "state.txt"
        self.state_file.parent.mkdir()
        self.log = folder / "adb-calls.txt"
        self.log.touch()
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        monkeypatch.setenv("FAKE_ADB_STATE", str(self.state_file))
        monkeypatch.setenv("FAKE_ADB_LOG", str(self.log))
        monkeypatch.setenv("FAKE_ADB_DATA", str(FAKE_ADB_DATA))
        messages = folder / "messages.txt"
        messages.write_text(repr(json.loads((FAKE_ADB_DATA / "messages.json").read_text())))
        monkeypatch.setenv("FAKE_ADB_MESSAGES", str(messages))
        self.save(
            {
                "scenario": scenario,
                "devices": [[SERIAL, "device"]],
                "failures": [],
                "props": {},
                "root": False,
                "remounted": False,
                "files": {},
                "settings": {},
                "reverse": [],
                "frida_pid": None,
            }
        )

    def load(self) -> dict:
        return ast.literal_eval(self.state_file.read_text())

    def save(self, state: dict) -> None:
        self.state_file.write_text(repr(state))

    def set(self, **changes: object) -> None:
        """Change the simulated device, e.g. ``set(failures=["no_root"])``."""
        self.save(self.load() | changes)

    def set_prop(self, **props: str) -> None:
        state = self.load()
        state["props"].update({key.replace("_", "."): value for key, value in props.items()})
        self.save(state)

    def calls(self) -> list[list[str]]:
        """Every adb call so far, arguments only (only to check which device they address)."""
        return [ast.literal_eval(line) for line in self.log.read_text().splitlines()]

    def device_file(self, path: str) -> bytes:
        entry = self.load()["files"][path]
        return (self.state_file.parent / "device-files" / entry["copy"]).read_bytes()

    def replace_device_file(self, path: str, source: Path) -> None:
        """Put ``source``'s bytes at ``path`` on the device, keeping its mode."""
        entry = self.load()["files"][path]
        shutil.copyfile(source, self.state_file.parent / "device-files" / entry["copy"])


def cli(*argv: str) -> tuple[int, str]:
    """Parse ``piaudit device ARGV`` with the real parser and run its handler in-process."""
    parser = argparse.ArgumentParser(prog="piaudit")
    device.add_device_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["device", *argv])
    out = io.StringIO()
    code = args.handler(args, out=out)
    return code, out.getvalue()


def setup_argv(confdir: Path, frida_server: Path | None = None, *extra: str) -> list[str]:
    argv = ["setup", "--confdir", str(confdir), *extra]
    if frida_server is not None:
        argv += ["--frida-server", str(frida_server)]
    return argv


DEVICE_STATE = ("root", "remounted", "files", "settings", "reverse", "frida_pid", "frida_starts", "conscrypt_bound")


def device_state(fake: FakeAdb) -> dict:
    """What the simulated device holds: root, files and modes, settings, tunnels, frida-server, the bound CA store."""
    state = fake.load()
    return {key: state.get(key) for key in DEVICE_STATE}


@dataclass
class SetupRun:
    """One `piaudit device setup` run on a fake emulator."""

    fake: FakeAdb
    frida_server: Path
    code: int
    output: str
