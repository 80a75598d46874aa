"""Ed25519 keys for signing evidence: a session's chain heads when it closes, a bundle's manifest.

``piaudit keygen -o lab`` writes ``lab.key`` (PEM, mode 0600) and ``lab.pub``; whoever checks a
signature needs only the ``.pub`` file. A key is named by its fingerprint, ``sha256:<hex>`` of the
raw 32-byte public key.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class KeyFileError(Exception):
    """A key file that cannot be written or used, with what to do about it."""


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """``sha256:<hex>`` of the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def keygen(name: Path | str) -> tuple[Path, Path]:
    """Write a new Ed25519 key pair: ``NAME.key`` (PEM, mode 0600) and ``NAME.pub``; never overwrite."""
    key_path, pub_path = Path(f"{name}.key"), Path(f"{name}.pub")
    for path in (key_path, pub_path):
        if path.exists():
            raise KeyFileError(f"{path} exists; choose another name (keys are never overwritten)")
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private)
    pub_path.write_bytes(public)
    return key_path, pub_path


def load_private_key(path: Path | str) -> Ed25519PrivateKey:
    """An Ed25519 private key from a PEM file written by :func:`keygen`."""
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except OSError as e:
        raise KeyFileError(f"{path}: cannot read the key: {e.strerror}") from e
    except (ValueError, TypeError) as e:
        raise KeyFileError(f"{path}: not an unencrypted PEM private key ({e}); make one with `piaudit keygen -o NAME`") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 key; make one with `piaudit keygen -o NAME`")
    return key


def load_public_key(path: Path | str) -> Ed25519PublicKey:
    """An Ed25519 public key from ``NAME.pub`` (a private key file is accepted too)."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise KeyFileError(f"{path}: cannot read the key: {e.strerror}") from e
    try:
        key: Any = serialization.load_pem_public_key(data)
    except ValueError:
        key = load_private_key(path).public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path}: not an Ed25519 public key; use the NAME.pub written by `piaudit keygen`")
    return key


def sign(data: bytes, key: Ed25519PrivateKey) -> str:
    """The base64 Ed25519 signature of ``data``."""
    return base64.b64encode(key.sign(data)).decode()


def signature_valid(data: bytes, signature: str, key: Ed25519PublicKey) -> bool:
    """Whether ``signature`` (base64) is ``key``'s signature of ``data``."""
    try:
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError):
        return False
    return True
