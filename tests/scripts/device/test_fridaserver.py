"""The frida-server file: its CPU, its version, the .xz release."""

from __future__ import annotations

import lzma
from pathlib import Path

import pytest

from piaudit.scripts.device import fridaserver
from tests.scripts.device.fake import (
    ELF_MACHINES,
    FRIDA_VERSION,
    make_frida_server,
)


@pytest.mark.parametrize("arch", ELF_MACHINES)
def test_elf_arch_from_header(arch: str, tmp_path: Path) -> None:
    server = make_frida_server(tmp_path / "frida-server", arch)
    assert fridaserver.elf_arch(server.read_bytes()[:64]) == arch


def test_elf_arch_of_non_elf_and_unknown_machine() -> None:
    assert fridaserver.elf_arch(b"\xfd7zXZ\x00" + bytes(60)) is None
    assert fridaserver.elf_arch(b"\x7fELF\x02\x01\x01" + bytes(11) + (243).to_bytes(2, "little")) == "e_machine 243"


@pytest.mark.parametrize(
    ("name", "arch", "version", "device_arch", "problem"),
    [
        (f"frida-server-{FRIDA_VERSION}-android-x86_64", "x86_64", FRIDA_VERSION, "x86_64", None),
        ("frida-server", "x86_64", FRIDA_VERSION, "x86_64", None),
        (
            f"frida-server-{FRIDA_VERSION}-android-x86_64",
            "x86_64",
            FRIDA_VERSION,
            "arm64",
            "built for x86_64, but the device needs arm64",
        ),
        (
            "frida-server-16.5.9-android-x86_64",
            "x86_64",
            "16.5.9",
            "x86_64",
            f"is frida-server 16.5.9, but the frida Python package is {FRIDA_VERSION}",
        ),
        ("frida-server", "x86_64", "16.5.9", "x86_64", f"without the version string {FRIDA_VERSION}"),
        # Named like the right version, but the binary says otherwise: the binary wins.
        (f"frida-server-{FRIDA_VERSION}-android-x86_64", "x86_64", "16.5.9", "x86_64", "without the version string"),
    ],
)
def test_frida_server_problem(name: str, arch: str, version: str, device_arch: str, problem: str | None, tmp_path: Path) -> None:
    server = fridaserver.inspect_frida_server(make_frida_server(tmp_path / name, arch, version), FRIDA_VERSION)
    found = fridaserver.frida_server_problem(server, FRIDA_VERSION, device_arch)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found.problem
        assert f"frida-server-{FRIDA_VERSION}-android-{device_arch}" in found.fix


def test_version_search_is_anchored(tmp_path: Path) -> None:
    """17.26.2 must not match inside 17.26.27 or 117.26.2."""
    path = make_frida_server(tmp_path / "frida-server", version=FRIDA_VERSION + "7")
    assert not fridaserver.inspect_frida_server(path, FRIDA_VERSION).contains_version
    path = make_frida_server(tmp_path / "frida-server", version="1" + FRIDA_VERSION)
    assert not fridaserver.inspect_frida_server(path, FRIDA_VERSION).contains_version


def test_not_an_elf_file(tmp_path: Path) -> None:
    page = tmp_path / "frida-server"
    page.write_text("<html>404</html>")
    found = fridaserver.frida_server_problem(fridaserver.inspect_frida_server(page, FRIDA_VERSION), FRIDA_VERSION, "x86_64")
    assert found is not None and "not an ELF executable" in found.problem
    assert "unxz" in found.fix


def test_unpacked_opens_xz_releases(frida_server: Path, tmp_path: Path) -> None:
    packed = tmp_path / (frida_server.name + ".xz")
    packed.write_bytes(lzma.compress(frida_server.read_bytes()))
    with fridaserver.unpacked(packed) as binary:
        assert binary.read_bytes() == frida_server.read_bytes()
        assert binary.name == frida_server.name
    assert not binary.exists()
    with fridaserver.unpacked(frida_server) as same:
        assert same == frida_server
