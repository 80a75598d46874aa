"""Real ciphers and wrappings for the join tests: what SDKs do before they post."""

from __future__ import annotations

import base64
import gzip
import json
import os
from collections.abc import Callable

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from piaudit.policies.detect import Detector
from piaudit.policies.identifiers import Identifiers
from piaudit.policies.join.crypto import b64
from piaudit.policies.models import CryptoOp, FlowRecord, Header


def aes_cbc(key: bytes, iv: bytes, data: bytes) -> bytes:
    """AES/CBC/PKCS5Padding, as javax.crypto does it."""
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def aes_gcm(key: bytes, nonce: bytes, data: bytes) -> bytes:
    """AES/GCM/NoPadding: ciphertext followed by the 16-byte tag, as javax.crypto returns it."""
    return AESGCM(key).encrypt(nonce, data, None)


CIPHERS: dict[str, Callable[[bytes], bytes]] = {
    "AES/CBC/PKCS5Padding": lambda data: aes_cbc(os.urandom(16), os.urandom(16), data),
    "AES/GCM/NoPadding": lambda data: aes_gcm(os.urandom(16), os.urandom(12), data),
    "AES/ECB/PKCS5Padding": lambda data: aes_cbc(os.urandom(16), bytes(16), data)[:],  # one block chain, any key
}


def op(
    id: int | None,
    data_in: bytes,
    data_out: bytes,
    *,
    time: float = 100.0,
    kind: str = "encrypt",
    algorithm: str = "AES/CBC/PKCS5Padding",
    pid: int | None = 1234,
    cap: int | None = None,
) -> CryptoOp:
    """A crypto:op event (``cap`` cuts input and output as the agent's capture cap would)."""
    fields: dict = {}
    if cap is not None:
        fields = {"input_length": len(data_in), "output_length": len(data_out)}
        data_in, data_out = data_in[:cap], data_out[:cap]
    return CryptoOp(id=id, time=time, op=kind, algorithm=algorithm, input=b64(data_in), output=b64(data_out), pid=pid, **fields)


# ------------------------------------------------------------------ wrappings after the cipher: what goes on the wire


def raw_body(ct: bytes) -> tuple[bytes, str, str]:
    return ct, "application/octet-stream", ""


def json_base64(ct: bytes) -> tuple[bytes, str, str]:
    return json.dumps({"ver": 2, "envelope": base64.b64encode(ct).decode(), "ts": 1764340000}).encode(), "application/json", "json>base64>"


def base64_body(ct: bytes) -> tuple[bytes, str, str]:
    return base64.b64encode(ct), "text/plain", "base64>"


def form_hex(ct: bytes) -> tuple[bytes, str, str]:
    return b"appkey=5f1a&data=" + ct.hex().encode() + b"&v=1", "application/x-www-form-urlencoded", "form>hex>"


def gzip_json_base64(ct: bytes) -> tuple[bytes, str, str]:
    return gzip.compress(json_base64(ct)[0]), "application/json", "gzip>json>base64>"


def header_prefix(ct: bytes) -> tuple[bytes, str, str]:
    """A binary framing header before the ciphertext (ByteDance-like raw bytes)."""
    return b"\x02\x00\x00\x10" + len(ct).to_bytes(4, "big") + ct, "application/octet-stream", ""


WRAPPINGS = [raw_body, json_base64, base64_body, form_hex, gzip_json_base64, header_prefix]


def flow(body: bytes, ctype: str, *, time: float = 101.0, flow_id: str = "f1") -> FlowRecord:
    return FlowRecord(
        flow_id=flow_id,
        method="POST",
        url="https://alog.umeng.com/app_logs",
        host="alog.umeng.com",
        scheme="https",
        request_headers=[Header(name="Content-Type", value=ctype)],
        request_body=body,
        timestamp_start=time,
        timings={"request_end": time + 0.01},
    )


def detector(**values: str) -> Detector:
    ids = Identifiers()
    for k, v in values.items():
        assert ids.add(k, v)
    return Detector(ids)
