"""The mitmproxy CA on this computer: loading it, and the ``subject_hash_old`` name Android files it under."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from piaudit.scripts.device.errors import StepFailed

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
