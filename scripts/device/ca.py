"""The mitmproxy CA: its file here and its ``subject_hash_old`` name; putting it into apps' CA store on
the device, and checking it is there.

Android 7-13 read system CAs from /system, which ``adb remount`` makes writable. Android 14+
read them from the Conscrypt APEX, so a shell script run as root bind-mounts a copy of the
store, with the CA added, over the APEX path in zygote and in every running app."""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from piaudit.scripts.device.adb import Adb
from piaudit.scripts.device.checklist import StepFailed
from piaudit.scripts.device.devices import CONSCRYPT_CA_STORE, SYSTEM_CA_STORE, DeviceInfo

DEFAULT_CONFDIR = Path("~/.mitmproxy")
CA_CERT_FILE = "mitmproxy-ca-cert.pem"


def _der_element(data: bytes, offset: int) -> tuple[int, int]:
    """Return (start of content, end) of the DER element at ``offset``."""
    length = data[offset + 1]
    start = offset + 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    return start, start + length


def raw_subject(certificate: x509.Certificate) -> bytes:
    """The subject Name exactly as encoded in the certificate (OpenSSL hashes these bytes)."""
    tbs = certificate.tbs_certificate_bytes
    position, _ = _der_element(tbs, 0)  # inside TBSCertificate
    if tbs[position] == 0xA0:  # optional [0] version
        position = _der_element(tbs, position)[1]
    for _ in range(4):  # serialNumber, signature, issuer, validity
        position = _der_element(tbs, position)[1]
    return tbs[position : _der_element(tbs, position)[1]]


def subject_hash_old(certificate: x509.Certificate) -> str:
    """OpenSSL's ``x509 -subject_hash_old``: the name Android gives a CA file, without ``.0``.

    MD5 of the DER subject, first four bytes read little-endian, as 8 hex digits.
    Every mitmproxy CA has the subject CN=mitmproxy, O=mitmproxy, so this is ``c8750f0d``.
    """
    digest = hashlib.md5(raw_subject(certificate), usedforsecurity=False).digest()
    return f"{int.from_bytes(digest[:4], 'little'):08x}"


@dataclass(frozen=True)
class CaFile:
    """The mitmproxy CA certificate on this computer."""

    path: Path
    certificate: x509.Certificate

    @property
    def device_name(self) -> str:
        """File name in Android's CA stores: ``<subject_hash_old>.0``."""
        return f"{subject_hash_old(self.certificate)}.0"


def load_ca(confdir: Path) -> CaFile:
    """Load ``mitmproxy-ca-cert.pem`` from mitmproxy's conf dir."""
    path = confdir.expanduser() / CA_CERT_FILE
    if not path.is_file():
        raise StepFailed(
            f"no mitmproxy CA at {path}",
            "Run `mitmdump` once (it creates its CA in ~/.mitmproxy), or pass --confdir DIR with the "
            f"folder that holds {CA_CERT_FILE}.",
        )
    try:
        certificate = x509.load_pem_x509_certificate(path.read_bytes())
    except ValueError as error:
        raise StepFailed(
            f"{path} is not a PEM certificate ({error})",
            f"Delete the mitmproxy-ca* files in {path.parent} and run `mitmdump` once to create a new CA.",
        ) from error
    return CaFile(path, certificate)


def same_certificate(pem_text: str, certificate: x509.Certificate) -> bool:
    """Whether the first PEM certificate in ``pem_text`` is ``certificate``."""
    block = re.search(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", pem_text, flags=re.DOTALL)
    if block is None:
        return False
    try:
        return x509.load_pem_x509_certificate(block.group().encode()) == certificate
    except ValueError:
        return False


DEVICE_WORK_DIR = "/data/local/tmp/piaudit"
ANDROID14_SCRIPT_NAME = "install-ca-android14.sh"


# Runs on the device as root (sh install-ca-android14.sh DEVICE_CERT_PATH). It is
# written for Android's mksh/toybox but keeps to POSIX sh, so tests run it under dash.
ANDROID14_CA_SCRIPT = r"""# piaudit: make apps on Android 14+ trust the mitmproxy CA, until the next reboot.
#
# Android 14 reads system CAs from the Conscrypt APEX, which is read-only and
# mounted into each process's own mount namespace, so a writable /system no longer
# helps. Instead: copy the store plus our CA into a tmpfs over the old store path,
# then bind-mount that over the APEX path inside zygote's mount namespace (apps
# started from now on) and inside every running app's namespace. This is the
# approach HTTP Toolkit published for Android 14.
#
# usage: sh install-ca-android14.sh /data/local/tmp/piaudit/<subject_hash_old>.0
# PIAUDIT_APEX_STORE and PIAUDIT_STORE exist only so tests can run this off-device.
set -u
cert="$1"
name="${cert##*/}"
apex_store="${PIAUDIT_APEX_STORE:-/apex/com.android.conscrypt/cacerts}"
store="${PIAUDIT_STORE:-/system/etc/security/cacerts}"

fail() {
    echo "piaudit: $*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || fail "must run as root: run 'adb root' first"
[ -f "$cert" ] || fail "$cert not found: push the CA first"
[ -d "$apex_store" ] || fail "$apex_store not found: this device is not Android 14 or later"

# 1. A writable copy of the store with our CA in it (the tmpfs lasts until reboot).
if ! grep -q " $store tmpfs " /proc/mounts; then
    staging="${cert%/*}/cacerts-staging"
    rm -rf "$staging"
    mkdir -p "$staging" || fail "cannot create $staging"
    cp "$apex_store"/* "$staging"/ || fail "cannot copy $apex_store"
    mount -t tmpfs tmpfs "$store" || fail "cannot mount a tmpfs on $store"
    cp "$staging"/* "$store"/ || fail "cannot fill $store"
    rm -rf "$staging"
fi
cp "$cert" "$store/$name" || fail "cannot copy $cert into $store"
chown root:root "$store"/*
chmod 644 "$store"/*
# Same SELinux label as the originals, or apps are not allowed to read our file.
chcon u:object_r:system_file:s0 "$store"/*

# 2. Show the store at the APEX path in each zygote and each running app.
bind_in() {
    # Skip namespaces that already see our CA, so running this twice stacks nothing.
    nsenter --mount="/proc/$1/ns/mnt" -- ls "$apex_store/$name" >/dev/null 2>&1 && return 0
    nsenter --mount="/proc/$1/ns/mnt" -- mount --bind "$store" "$apex_store"
}
zygotes="$(pidof zygote zygote64)"
[ -n "$zygotes" ] || fail "no zygote process found: is Android still booting?"
for pid in $zygotes; do
    bind_in "$pid" || fail "cannot bind-mount $store in zygote (pid $pid)"
done
apps=0
for zygote in $zygotes; do
    for pid in $(ps -o PID -P "$zygote" | grep -v PID); do
        bind_in "$pid" 2>/dev/null && apps=$((apps + 1))
    done
done

# 3. Check from zygote's side, which is what new apps inherit.
for pid in $zygotes; do
    nsenter --mount="/proc/$pid/ns/mnt" -- ls "$apex_store/$name" >/dev/null 2>&1 ||
        fail "$name is still not visible in zygote (pid $pid)"
done
echo "piaudit: $name is in the CA store of zygote and $apps running apps"
"""


def zygote_namespace(command: str) -> str:
    """``command`` run in zygote's mount namespace, where apps' view of /apex comes from."""
    return f"nsenter --mount=/proc/$(pidof zygote64 || pidof zygote)/ns/mnt -- {command}"


def read_device_ca(adb: Adb, info: DeviceInfo, name: str) -> str | None:
    """The CA file ``name`` as apps see it in their store, or None if it is not there.

    On Android 14+ this looks through zygote's mount namespace and needs root.
    """
    path = f"{info.ca_store}/{name}"
    command = f"cat {path}"
    result = adb.shell(zygote_namespace(command) if info.uses_conscrypt_apex else command, check=False)
    return result.stdout if result.ok else None


def verify_device_ca(adb: Adb, info: DeviceInfo, ca: CaFile) -> str:
    """Check that apps' CA store holds this CA; :class:`StepFailed` otherwise."""
    path = f"{info.ca_store}/{ca.device_name}"
    text = read_device_ca(adb, info, ca.device_name)
    fix = "Run `piaudit device setup`"
    if info.uses_conscrypt_apex:
        fix += " (on Android 14+ the CA lasts until the next reboot, so after every boot)"
    if text is None:
        raise StepFailed(f"{path} is missing: apps will reject mitmproxy's certificates", fix + ".")
    if not same_certificate(text, ca.certificate):
        raise StepFailed(
            f"{path} is a different CA than {ca.path} (mitmproxy's CA was regenerated?)", fix + " to install the current one."
        )
    return f"{path} matches {ca.path}"


def check_device_ca(adb: Adb, info: DeviceInfo, ca: CaFile, root_now: bool) -> str:
    """Doctor: :func:`verify_device_ca`, where it can look without changing anything."""
    if info.uses_conscrypt_apex and not root_now:
        raise StepFailed(
            f"cannot look into apps' CA store ({CONSCRYPT_CA_STORE}) without root",
            "Run `adb root` and doctor again, or just `piaudit device setup`.",
        )
    return verify_device_ca(adb, info, ca)


def install_ca_system_store(adb: Adb, ca: CaFile) -> None:
    """Android 7-13: remount /system writable and copy the CA into its store."""
    result = adb.run("remount", check=False, timeout=120)
    text = result.output
    # Android 10-11 print "Now reboot your device..." and still "remount succeeded" (exit 0);
    # later versions exit non-zero. Either way the first remount only takes effect after a reboot.
    if "reboot" in text.lower():
        raise StepFailed(
            "`adb remount` has just made /system writable, which takes effect after a reboot",
            "Run `adb reboot`, wait for the emulator to boot (keep -writable-system), then run `piaudit device setup` again.",
        )
    if not result.ok or "remount failed" in text.lower():
        raise StepFailed(
            f"`adb remount` failed: {text or 'no output'}",
            "Start the emulator with a writable system: `emulator -avd NAME -writable-system` (cold boot), "
            "then run `piaudit device setup` again.",
        )
    target = f"{SYSTEM_CA_STORE}/{ca.device_name}"
    adb.run("push", str(ca.path), target, timeout=60)
    adb.shell(f"chmod 644 {target}")


def install_ca_conscrypt_apex(adb: Adb, ca: CaFile) -> None:
    """Android 14+: push the CA and the bind-mount script, and run the script as root."""
    device_cert = f"{DEVICE_WORK_DIR}/{ca.device_name}"
    device_script = f"{DEVICE_WORK_DIR}/{ANDROID14_SCRIPT_NAME}"
    adb.run("push", str(ca.path), device_cert, timeout=60)
    with tempfile.TemporaryDirectory(prefix="piaudit-") as folder:
        script = Path(folder) / ANDROID14_SCRIPT_NAME
        script.write_text(ANDROID14_CA_SCRIPT, encoding="utf-8", newline="\n")
        adb.run("push", str(script), device_script, timeout=60)
    result = adb.shell(f"sh {device_script} {device_cert}", check=False, timeout=120)
    if not result.ok:
        raise StepFailed(
            f"the Android 14 CA script failed: {result.output or 'no output'}",
            "Check that `adb root` works and the device has finished booting, then run `piaudit device setup` again.",
        )


def install_ca(adb: Adb, info: DeviceInfo, ca: CaFile) -> str:
    """Put the CA where this Android version's apps read system CAs, and check it is there."""
    if info.uses_conscrypt_apex:
        install_ca_conscrypt_apex(adb, ca)
    else:
        install_ca_system_store(adb, ca)
    verify_device_ca(adb, info, ca)
    suffix = " (until the next reboot)" if info.uses_conscrypt_apex else ""
    return f"{ca.device_name} in {info.ca_store}{suffix}"
