"""The CA file and its subject_hash_old name (checked against the real openssl); the Android 14 script under the real sh."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from piaudit.scripts.device import ca
from piaudit.scripts.device.checklist import StepFailed
from tests.scripts.device.fake import (
    CA_NAME,
    make_certificate,
)

SUBJECTS = {
    "mitmproxy CA": x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "mitmproxy"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mitmproxy")]
    ),
    "one CN": x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Example Root CA")]),
    "full DN": x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Berlin"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "Berlin"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Audit e.V."),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Lab"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Audit Lab CA"),
        ]
    ),
    "non-ASCII UTF8String": x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Prüfstelle Datenschutz – Zertifizierungsstelle")]
    ),
    "email (IA5String)": x509.Name(
        [x509.NameAttribute(NameOID.EMAIL_ADDRESS, "ca@example.org"), x509.NameAttribute(NameOID.COMMON_NAME, "Mail CA")]
    ),
    "multi-valued RDN": x509.Name(
        [
            x509.RelativeDistinguishedName(
                [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Org"), x509.NameAttribute(NameOID.COMMON_NAME, "Two in one RDN")]
            )
        ]
    ),
}


@pytest.mark.parametrize("subject", SUBJECTS.values(), ids=SUBJECTS.keys())
def test_subject_hash_old_matches_openssl(subject: x509.Name, tmp_path: Path) -> None:
    certificate = make_certificate(subject)
    pem = tmp_path / "cert.pem"
    pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    openssl = subprocess.run(
        ["openssl", "x509", "-subject_hash_old", "-noout", "-in", str(pem)], capture_output=True, text=True, check=True
    )
    assert ca.subject_hash_old(certificate) == openssl.stdout.strip()


def test_mitmproxy_ca_is_named_like_mitmproxy_documents(confdir: Path) -> None:
    mitmproxy_ca = ca.load_ca(confdir)
    assert mitmproxy_ca.device_name == CA_NAME
    assert ca.raw_subject(mitmproxy_ca.certificate) == mitmproxy_ca.certificate.subject.public_bytes()


def test_load_ca_missing_says_to_run_mitmdump(tmp_path: Path) -> None:
    with pytest.raises(StepFailed) as failure:
        ca.load_ca(tmp_path)
    assert "no mitmproxy CA" in failure.value.problem
    assert "mitmdump" in failure.value.fix


STUBS = {
    "id": 'echo "${STUB_UID:-0}"',
    "pidof": 'echo "100 200"',
    "ps": 'case "$4" in 100) printf "  PID\\n  301\\n  302\\n";; 200) printf "  PID\\n  401\\n";; esac',
    "chcon": 'echo "chcon $*" >> "$STUB_LOG"',
    "chown": 'echo "chown $*" >> "$STUB_LOG"',
    "mount": 'echo "mount $*" >> "$STUB_LOG"',
    # Each pid has its own mount namespace: `ls` of the APEX store inside one finds our CA
    # only after a bind mount inside that same one.
    "nsenter": (
        'echo "nsenter $1" >> "$STUB_LOG"; ns="${1#--mount=/proc/}"; ns="${ns%/ns/mnt}"; shift 2\n'
        'if [ "$1" = ls ]; then [ -e "$STUB_LOG.bound.$ns" ]; exit; fi\n'
        'if [ "$1 $2" = "mount --bind" ]; then touch "$STUB_LOG.bound.$ns"; fi\n'
        'exec "$@"'
    ),
}


def test_android14_script_binds_the_store_in_zygotes_and_apps(tmp_path: Path, confdir: Path) -> None:
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, body in STUBS.items():
        (stubs / name).write_text(f"#!/bin/sh\n{body}\n")
        (stubs / name).chmod(0o755)
    apex, store, work = tmp_path / "apex", tmp_path / "store", tmp_path / "work"
    for folder in (apex, store, work):
        folder.mkdir()
    (apex / "00673b5b.0").write_text("system CA 1")
    (apex / "02756ea4.0").write_text("system CA 2")
    cert = work / CA_NAME
    shutil.copy(confdir / ca.CA_CERT_FILE, cert)
    script = tmp_path / ca.ANDROID14_SCRIPT_NAME
    script.write_text(ca.ANDROID14_CA_SCRIPT)
    log = tmp_path / "calls.log"
    env = os.environ | {
        "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}",
        "PIAUDIT_APEX_STORE": str(apex),
        "PIAUDIT_STORE": str(store),
        "STUB_LOG": str(log),
    }

    result = subprocess.run(["sh", str(script), str(cert)], env=env, capture_output=True, text=True, timeout=10)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"piaudit: {CA_NAME} is in the CA store of zygote and 3 running apps\n"
    assert sorted(p.name for p in store.iterdir()) == ["00673b5b.0", "02756ea4.0", CA_NAME]
    calls = log.read_text().splitlines()
    assert f"mount -t tmpfs tmpfs {store}" in calls
    binds = [calls[i - 1] for i, call in enumerate(calls) if call == f"mount --bind {store} {apex}"]
    assert binds == [f"nsenter --mount=/proc/{pid}/ns/mnt" for pid in (100, 200, 301, 302, 401)]
    assert f"chcon u:object_r:system_file:s0 {store}/00673b5b.0 {store}/02756ea4.0 {store}/{CA_NAME}" in calls
    assert not (work / "cacerts-staging").exists()

    # A second run (setup again on the same boot) binds nowhere new.
    log.write_text("")
    again = subprocess.run(["sh", str(script), str(cert)], env=env, capture_output=True, text=True, timeout=10)
    assert again.returncode == 0, again.stderr
    assert not [call for call in log.read_text().splitlines() if call.startswith("mount --bind")]

    refused = subprocess.run(["sh", str(script), str(cert)], env=env | {"STUB_UID": "2000"}, capture_output=True, text=True)
    assert refused.returncode == 1
    assert refused.stderr == "piaudit: must run as root: run 'adb root' first\n"
