"""The crypto, HTTP and TLS hooks with real Frida on a real JVM: real javax.crypto, java.util.zip,
java.util.Base64, HttpsURLConnection and Debian's OkHttp 3 (a probe program in tests/hooks/java).

Values pass through untouched (the probe's results are the same hooked and unhooked), each op is
recorded with its exact bytes, keys and IV, the cap keeps 64 KiB and hashes the whole, JSSE's own
record encryption is not recorded, requests carry the stack of the code that sent them, and the
TLS write path records the plaintext.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from piaudit.hooks.host import HookHost
from piaudit.policies.catalog import load_catalog
from piaudit.policies.models import CryptoOp, HttpRequest
from piaudit.scripts.demo import load_standin
from tests.hooks import frida_tmpdir
from tests.support.upstream import Upstream

JAVA_DIR = Path(__file__).with_name("java")
OKHTTP = [Path("/usr/share/java/okhttp.jar"), Path("/usr/share/java/okio.jar")]
KEY = b"0123456789abcdef"
IV = b"fedcba9876543210"
RECORD = b'{"header":{"imei":"867530912345673","appkey":"5f1a"},"event":"launch"}'
MAIN = "com.umeng.probe.CryptoProbe"


@pytest.fixture(scope="module", autouse=True)
def _frida_tmpdir():
    with frida_tmpdir() as directory:
        yield directory


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The probe compiled (with OkHttp on the class path): the -cp value."""
    out = tmp_path_factory.mktemp("probe")
    javac = shutil.which("javac")
    assert javac, "javac (JDK 17) is needed"
    sources = sorted(str(p) for p in JAVA_DIR.rglob("*.java"))
    classpath = ":".join(str(p) for p in OKHTTP)
    subprocess.run([javac, "--release", "17", "-cp", classpath, "-d", str(out), *sources], check=True, timeout=120)
    return f"{out}:{classpath}"


def java() -> str:
    return load_standin().java_executable()


def results(stdout: str) -> dict[str, bytes]:
    return {parts[1]: bytes.fromhex(parts[2]) for line in stdout.splitlines() if (parts := line.split()) and parts[0] == "RESULT"}


def hooked(argv: list[str], timeout: float = 60) -> tuple[list, str]:
    """Run argv under the agent until it exits; its events and stdout. The process is always killed."""
    events: list = []
    output: list[bytes] = []
    errors: list = []
    lock = threading.Lock()

    def on_events(batch: list) -> None:
        with lock:
            events.extend(batch)

    host = HookHost(
        target=argv,
        catalog=load_catalog(),
        on_events=on_events,
        on_error=errors.append,
        on_output=lambda fd, data: output.append(data) if fd == 1 else None,
    )
    host.start()
    try:
        host.wait(timeout)
    finally:
        host.stop()
    stdout = b"".join(output).decode()
    assert "DONE" in stdout, (stdout, errors)
    # (the probe runs without the stand-in's fake dalvik classes: the class-loader hook says so, and only that)
    assert not [e for e in errors if e.source == "agent" and "BaseDexClassLoader" not in e.message], errors
    return events, stdout


@pytest.fixture(scope="module")
def hooked_run(probe: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """ONE hooked JVM for every test here: the probe's ops, then its uploads to a real HTTPS upstream."""
    certs = tmp_path_factory.mktemp("certs")
    with Upstream(certs) as upstream:
        store = load_standin().make_truststore(upstream.ca, certs / "trust.p12")
        trust = [f"-Djavax.net.ssl.trustStore={store}", "-Djavax.net.ssl.trustStorePassword=changeit"]
        events, stdout = hooked([java(), *trust, "-cp", probe, MAIN, "ops+http", upstream.url])
    return {"events": events, "stdout": stdout, "base": upstream.url}


@pytest.fixture(scope="module")
def ops_run(probe: str, hooked_run: dict) -> dict:
    plain = subprocess.run([java(), "-cp", probe, MAIN, "ops"], capture_output=True, text=True, check=True, timeout=60).stdout
    events = hooked_run["events"]
    return {"plain": results(plain), "hooked": results(hooked_run["stdout"]), "ops": [e for e in events if isinstance(e, CryptoOp)], "events": events}


@pytest.fixture(scope="module")
def http_run(hooked_run: dict) -> dict:
    return hooked_run


def probe_ops(run: dict) -> list[CryptoOp]:
    """The ops the probe's own code made in ops() (its stack names it; not the uploads' that follow)."""
    return [
        o
        for o in run["ops"]
        if o.caller and o.caller.startswith("com.umeng.probe.") and not any("CryptoProbe.http(" in f or "OkHttpUploads" in f for f in o.stack)
    ]


def test_every_value_passes_through_untouched(ops_run):
    assert ops_run["hooked"] == ops_run["plain"]
    assert len(ops_run["plain"]) == 12


def test_an_encryption_is_recorded_with_its_bytes_key_and_iv(ops_run):
    r = ops_run["hooked"]
    (op,) = [o for o in probe_ops(ops_run) if o.op == "encrypt" and o.output_bytes() == r["cbc"]]
    assert (op.algorithm, op.input_bytes(), op.party) == ("AES/CBC/PKCS5Padding", r["gzip"], "Umeng")
    assert (base64.b64decode(op.key), base64.b64decode(op.iv)) == (KEY, IV)
    assert (op.api.class_name, op.api.method, op.api.overload) == ("javax.crypto.Cipher", "doFinal", "byte[]")
    assert op.input_sha256 == hashlib.sha256(r["gzip"]).hexdigest() and op.output_length == len(r["cbc"])


def test_update_then_do_final_is_one_op(ops_run):
    r = ops_run["hooked"]
    (op,) = [o for o in probe_ops(ops_run) if o.output_bytes() == r["cbc_update"] and o.api.overload == "byte[],int,int"]
    assert op.input_bytes() == RECORD and op.op == "encrypt"  # update(plain, 0, 20) + doFinal(plain, 20, 50)


def test_in_place_and_byte_buffer_overloads(ops_run):
    r = ops_run["hooked"]
    (inplace,) = [o for o in probe_ops(ops_run) if o.output_bytes() == r["cbc_inplace"]]
    assert inplace.input_bytes() == RECORD[:32]  # read before doFinal wrote over it
    (buffers,) = [o for o in probe_ops(ops_run) if o.output_bytes() == r["cbc_buffers"] and "ByteBuffer" in o.api.overload]
    assert buffers.input_bytes() == RECORD and buffers.api.overload == "java.nio.ByteBuffer,java.nio.ByteBuffer"


def test_gcm_decrypt_mac_digest_encode_compress(ops_run):
    r = ops_run["hooked"]
    mine = probe_ops(ops_run)
    (gcm,) = [o for o in mine if o.algorithm == "AES/GCM/NoPadding"]
    assert (gcm.input_bytes(), gcm.output_bytes(), base64.b64decode(gcm.iv)) == (RECORD, r["gcm"], b"nonce-12byte")
    (dec,) = [o for o in mine if o.op == "decrypt"]
    assert (dec.input_bytes(), dec.output_bytes()) == (r["cbc"], r["gzip"])
    (mac,) = [o for o in mine if o.op == "mac"]
    assert (mac.algorithm, mac.input_bytes(), mac.output_bytes(), base64.b64decode(mac.key)) == ("HmacSHA256", RECORD, r["mac"], KEY)
    digests = [o for o in mine if o.op == "digest" and o.input_bytes() == RECORD]
    assert [d.output_bytes() for d in digests] == [r["digest"], r["digest_update"]]
    (encode,) = [o for o in mine if o.op == "encode"]
    assert (encode.input_bytes(), encode.output_bytes(), encode.algorithm) == (r["cbc"], r["base64"], "base64")
    (deflate,) = [o for o in mine if o.op == "compress"]
    assert deflate.input_bytes() == RECORD and deflate.output_bytes() in r["gzip"]  # the deflate stream inside gzip
    assert gzip.decompress(r["gzip"]) == RECORD


def test_a_large_input_is_capped_and_hashed_whole(ops_run):
    big = bytes((i * 31) & 0xFF for i in range(200_000))
    (op,) = [o for o in probe_ops(ops_run) if o.input_length == 200_000]
    assert op.capped and len(op.input_bytes()) == 65536 and op.input_bytes() == big[:65536]
    assert op.input_sha256 == hashlib.sha256(big).hexdigest()
    assert op.output_length == 200_016 and hashlib.sha256(op.output_bytes()).hexdigest() != op.output_sha256
    assert hashlib.sha256(ops_run["hooked"]["big_sha256"]).digest() != b""  # the probe's own check ran


def test_hooks_installed_and_nothing_from_the_jvm_itself(ops_run):
    from piaudit.policies.models import HookStatus

    status = {(s.api.class_name, s.api.method): s for s in ops_run["events"] if isinstance(s, HookStatus)}
    for api in (("javax.crypto.Cipher", "doFinal"), ("javax.crypto.Mac", "doFinal"), ("java.security.MessageDigest", "digest"), ("java.util.zip.Deflater", "deflate"), ("java.util.Base64$Encoder", "encodeToString")):
        assert status[api].installed, status[api]
    # JSSE's own record encryption is not recorded (only the plaintext written to TLS, as tls_write/tls_read)
    assert not [o for o in ops_run["ops"] if o.op not in ("tls_write", "tls_read") and any("sun.security.ssl" in f for f in o.stack)]


def test_http_requests_name_their_url_method_and_sender(http_run):
    requests = [e for e in http_run["events"] if isinstance(e, HttpRequest)]
    base = http_run["base"]
    got = sorted((r.method, r.url, r.party, r.api.class_name) for r in requests)
    assert got == sorted(
        [
            ("POST", f"{base}/urlconnection?x=1", "Umeng", "sun.net.www.protocol.http.HttpURLConnection"),
            ("POST", f"{base}/okhttp/execute?sign=abc123", "Umeng", "okhttp3.internal.http.CallServerInterceptor"),
            ("GET", f"{base}/okhttp/enqueue?q=1&sign=abc123", "Umeng", "okhttp3.internal.http.CallServerInterceptor"),
        ]
    ), http_run["stdout"]
    enqueued = next(r for r in requests if "enqueue" in r.url)
    assert enqueued.caller.startswith("com.umeng.probe.OkHttpUploads.run")  # the stack where enqueue() was called


def test_the_tls_write_path_records_the_plaintext(http_run):
    writes = [e for e in http_run["events"] if isinstance(e, CryptoOp) and e.op == "tls_write"]
    text = b"".join(w.input_bytes() for w in writes)
    assert b"POST /urlconnection?x=1 HTTP/1.1" in text and b"POST /okhttp/execute?sign=abc123 HTTP/1.1" in text
    assert {w.host for w in writes} == {"127.0.0.1"} and all(w.connection for w in writes)
    reads = [e for e in http_run["events"] if isinstance(e, CryptoOp) and e.op == "tls_read"]
    assert any(b"HTTP/1.1 200" in r.output_bytes() for r in reads)
    posted = [w for w in writes if b"POST /urlconnection" in w.input_bytes()]
    assert posted and posted[0].party == "Umeng"
    assert not [e for e in http_run["events"] if isinstance(e, CryptoOp) and e.op in ("encrypt", "decrypt") and e.algorithm.startswith("AES/GCM") and not e.caller]
