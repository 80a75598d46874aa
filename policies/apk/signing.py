"""The APK's signing certificates and their SHA-256 digests (v1 JAR signing, v2 and v3 schemes).

The digest is the SHA-256 of the certificate's DER bytes — what ``apksigner verify
--print-certs`` prints as "certificate SHA-256 digest" and what app stores show. The
signatures are *not* verified: the digest identifies who signed the APK an auditor was
given, which is what an audit report needs; verifying is ``apksigner``'s job.

v2/v3 live in the APK Signing Block just before the ZIP central directory
(https://source.android.com/docs/security/features/apksigning/v2); v1 in
``META-INF/*.RSA|DSA|EC`` (PKCS#7).
"""

from __future__ import annotations

import hashlib
import struct

from pydantic import BaseModel, ConfigDict

from piaudit.policies.apk.zipread import ApkError, ZipArchive

BLOCK_MAGIC = b"APK Sig Block 42"
SCHEMES = {0x7109871A: "v2", 0xF05368C0: "v3", 0x1B93AD61: "v3.1"}
MAX_CERTS = 64


class Certificate(BaseModel):
    """One signing certificate."""

    model_config = ConfigDict(extra="forbid")
    scheme: str  # v1, v2, v3, v3.1
    sha256: str
    subject: str = ""


def _subject(der: bytes) -> str:
    try:
        from cryptography import x509

        return x509.load_der_x509_certificate(der).subject.rfc4514_string()
    except Exception:  # a certificate we cannot parse still has a digest
        return ""


def _prefixed(buf: bytes, pos: int, end: int) -> tuple[bytes, int]:
    if pos + 4 > end:
        raise ValueError("length prefix past the end")
    (n,) = struct.unpack_from("<I", buf, pos)
    if pos + 4 + n > end:
        raise ValueError("length-prefixed value past the end")
    return buf[pos + 4 : pos + 4 + n], pos + 4 + n


def _sequence(buf: bytes) -> list[bytes]:
    items, pos = [], 0
    while pos < len(buf):
        item, pos = _prefixed(buf, pos, len(buf))
        items.append(item)
        if len(items) > MAX_CERTS:
            raise ValueError("too many items")
    return items


def signing_block_certificates(archive: ZipArchive) -> list[Certificate]:
    """Certificates of the v2/v3 signers in the APK Signing Block (empty when there is none)."""
    data, cd = archive.data, archive.cd_offset
    if cd < 32 or bytes(data[cd - 16 : cd]) != BLOCK_MAGIC:
        return []
    (size,) = struct.unpack_from("<Q", data, cd - 24)
    start = cd - size - 8
    if size < 24 or start < 0:
        raise ApkError(f"{archive.label}: damaged APK Signing Block (size {size})")
    block = bytes(data[start + 8 : cd - 24])
    found: list[Certificate] = []
    pos = 0
    try:
        while pos + 12 <= len(block):
            (length,) = struct.unpack_from("<Q", block, pos)
            if length < 4 or pos + 8 + length > len(block):
                raise ValueError("pair past the end of the block")
            (block_id,) = struct.unpack_from("<I", block, pos + 8)
            value = block[pos + 12 : pos + 8 + length]
            pos += 8 + length
            scheme = SCHEMES.get(block_id)
            if scheme is None:
                continue
            signers, _ = _prefixed(value, 0, len(value))
            for signer in _sequence(signers):
                signed_data, _ = _prefixed(signer, 0, len(signer))
                digests, p = _prefixed(signed_data, 0, len(signed_data))
                certs, _ = _prefixed(signed_data, p, len(signed_data))
                for der in _sequence(certs):
                    found.append(Certificate(scheme=scheme, sha256=hashlib.sha256(der).hexdigest(), subject=_subject(der)))
    except ValueError as e:
        raise ApkError(f"{archive.label}: damaged APK Signing Block ({e})") from None
    return found


def v1_certificates(archive: ZipArchive) -> list[Certificate]:
    """Certificates in the JAR signature files (``META-INF/*.RSA``, ``.DSA``, ``.EC``)."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    found: list[Certificate] = []
    for entry in archive.entries:
        name = entry.name.upper()
        if not (name.startswith("META-INF/") and name.count("/") == 1 and name.endswith((".RSA", ".DSA", ".EC"))):
            continue
        blob = archive.read(entry, limit=1 << 20)
        try:
            certs = pkcs7.load_der_pkcs7_certificates(blob)
        except Exception as e:
            raise ApkError(f"{archive.label}!{entry.name}: not a PKCS#7 signature ({e})") from None
        for cert in certs[:MAX_CERTS]:
            der = cert.public_bytes(Encoding.DER)
            found.append(Certificate(scheme="v1", sha256=hashlib.sha256(der).hexdigest(), subject=cert.subject.rfc4514_string()))
    return found


def certificates(archive: ZipArchive) -> list[Certificate]:
    """Every signer's certificate, v3/v2 first (what Android trusts on modern versions), then v1."""
    return signing_block_certificates(archive) + v1_certificates(archive)
