"""The native TLS hooks (SSL_write/SSL_read and their _ex forms), tested against BoringSSL's specification.

No Android device runs here, so Android's libssl.so, Conscrypt's libjavacrypto.so and Cronet cannot be
hooked for real. Instead a library named libssl.so is built from tests/hooks/native/fake_libssl.c with
BoringSSL's signatures and documented return values (bytes written/read, <= 0 on error, _ex forms with
an out-parameter, SSL_get_servername for the SNI); a C driver loads it after start-up, as apps load TLS
libraries late, and makes full, partial and failing writes and reads. Real Frida, the real agent.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from piaudit.hooks.host import HookHost
from piaudit.policies.join.tlsplain import plaintext_flows
from piaudit.policies.models import CryptoOp, HookStatus
from tests.hooks import frida_tmpdir

NATIVE = Path(__file__).with_name("native")
REQUEST = (
    b"POST /rqd/async HTTP/1.1\r\nHost: pin.example-sdk.com\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n"
    b'{"imei":"867530912345673"}'
)
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


@pytest.fixture(scope="module", autouse=True)
def _frida_tmpdir():
    with frida_tmpdir() as directory:
        yield directory


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    gcc = shutil.which("gcc")
    assert gcc, "gcc is needed (scripts/setup.sh installs it)"
    out = tmp_path_factory.mktemp("native")
    lib, driver = out / "libssl.so", out / "ssl_driver"
    subprocess.run([gcc, "-shared", "-fPIC", "-O1", "-o", str(lib), str(NATIVE / "fake_libssl.c")], check=True, timeout=60)
    subprocess.run([gcc, "-O1", "-o", str(driver), str(NATIVE / "ssl_driver.c"), "-ldl"], check=True, timeout=60)
    return lib, driver


@pytest.fixture(scope="module")
def run(built) -> dict:
    lib, driver = built
    plain = subprocess.run([str(driver), str(lib)], capture_output=True, text=True, check=True, timeout=30).stdout
    events: list = []
    output: list[bytes] = []
    errors: list = []
    lock = threading.Lock()

    def on_events(batch: list) -> None:
        with lock:
            events.extend(batch)

    host = HookHost(target=[str(driver), str(lib)], on_events=on_events, on_error=errors.append, on_output=lambda fd, d: output.append(d) if fd == 1 else None)
    host.start()
    try:
        host.wait(60)
    finally:
        host.stop()
    return {"plain": plain, "hooked": b"".join(output).decode(), "events": events, "errors": errors}


def ops(run: dict, op: str) -> list[CryptoOp]:
    return [e for e in run["events"] if isinstance(e, CryptoOp) and e.op == op]


def test_the_app_sees_exactly_what_it_would_without_hooks(run):
    assert run["hooked"] == run["plain"]
    assert "UNCHANGED 1" in run["hooked"] and "SENT 1" in run["hooked"] and "READ ok" in run["hooked"]
    assert not [e for e in run["errors"] if e.source == "agent"]


def test_writes_record_exactly_the_bytes_taken(run):
    writes = ops(run, "tls_write")
    # 40 bytes, then a partial write that took 10 of 73, then SSL_write_ex with the rest; the failed write: nothing
    assert [len(w.input_bytes()) for w in writes] == [40, 10, len(REQUEST) - 50]
    assert b"".join(w.input_bytes() for w in writes) == REQUEST
    assert [w.api.method for w in writes] == ["SSL_write", "SSL_write", "SSL_write_ex"]  # _ex counted once, not again inside
    assert {(w.host, w.api.class_name, w.algorithm) for w in writes} == {("pin.example-sdk.com", "libssl.so", "TLS")}
    assert len({w.connection for w in writes}) == 1 and writes[0].connection.startswith("ssl:0x")
    assert all(w.stack and w.stack[0].startswith(("ssl_driver!", "0x")) for w in writes)  # native frames: no Java here


def test_reads_record_what_was_read_and_nothing_at_the_end(run):
    reads = ops(run, "tls_read")
    assert [r.api.method for r in reads] == ["SSL_read", "SSL_read_ex"]
    assert b"".join(r.output_bytes() for r in reads) == RESPONSE and all(r.input == "" for r in reads)


def test_a_library_loaded_late_is_hooked_when_it_loads(run):
    status = [(s.api.class_name, s.api.method, s.installed) for s in run["events"] if isinstance(s, HookStatus) and s.api.method.startswith("SSL_")]
    for symbol in ("SSL_write", "SSL_read", "SSL_write_ex", "SSL_read_ex"):
        assert status.index(("libssl.so", symbol, False)) < status.index(("libssl.so", symbol, True))
    assert ("libjavacrypto.so", "SSL_write", False) in status  # not loaded in this process: said, not hidden


def test_the_plaintext_reads_back_as_the_request(run):
    writes = ops(run, "tls_write")
    for n, w in enumerate(writes, start=1):
        w.id = n
    (flow,) = plaintext_flows(writes, set())
    assert (flow.record.method, flow.record.url, flow.ops) == ("POST", "https://pin.example-sdk.com/rqd/async", [1, 2, 3])
    assert flow.record.request_body == b'{"imei":"867530912345673"}'
