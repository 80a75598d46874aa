"""TLS plaintext of uninspected connections: put back together per connection, read as HTTP/1 requests."""

from __future__ import annotations

from piaudit.policies.join.crypto import b64
from piaudit.policies.join.tlsplain import inspected_hosts, plaintext_flows
from piaudit.policies.models import CryptoOp


def write(id: int, data: bytes, *, host: str | None = "pin.example.com", conn: str = "c1", time: float | None = None, **kw) -> CryptoOp:
    return CryptoOp(id=id, time=time if time is not None else 100.0 + id, op="tls_write", input=b64(data), host=host, connection=conn, pid=7, party="Bugly", **kw)


REQUEST = b"POST /v1/up?a=1 HTTP/1.1\r\nHost: pin.example.com\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n"


def test_a_request_split_over_writes_is_one_flow_citing_every_write():
    ops = [write(1, REQUEST[:20]), write(2, REQUEST[20:] + b'{"imei":"86753'), write(3, b'0"}')]
    (f,) = plaintext_flows(ops, set())
    assert (f.record.method, f.record.url, f.record.request_body, f.ops) == ("POST", "https://pin.example.com/v1/up?a=1", b'{"imei":"867530"}'[:16], [1, 2, 3])
    assert (f.record.flow_id, f.party, f.pid, f.record.tls) == ("tls:1", "Bugly", 7, True)
    assert {h.name: h.value for h in f.record.request_headers}["Content-Type"] == "application/json"


def test_keep_alive_requests_and_chunked_bodies():
    chunked = b"POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    get = b"GET /c?imei=1 HTTP/1.1\r\nHost: x\r\n\r\n"
    flows = plaintext_flows([write(1, chunked + get)], set())
    assert [(f.record.method, f.record.url, f.record.request_body) for f in flows] == [
        ("POST", "https://pin.example.com/b", b"hello world"),
        ("GET", "https://pin.example.com/c?imei=1", b""),
    ]
    assert [f.record.flow_id for f in flows] == ["tls:1", "tls:1.1"]


def test_connections_are_kept_apart_and_ordered_by_time():
    ops = [write(2, b"GET /second HTTP/1.1\r\n\r\n", conn="b", time=5.0), write(1, b"GET /first HTTP/1.1\r\n\r\n", conn="a", time=9.0)]
    assert [f.record.url for f in plaintext_flows(ops, set())] == ["https://pin.example.com/second", "https://pin.example.com/first"]


def test_inspected_hosts_and_hostless_writes_are_left_out():
    ops = [write(1, REQUEST, host="PIN.example.com."), write(2, REQUEST, host=None)]
    assert plaintext_flows(ops, inspected_hosts(["pin.example.com", None, ""])) == []
    assert [f.ops for f in plaintext_flows(ops, set())] == [[1]]


def test_a_stream_that_is_not_http1_is_one_client_message():
    preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04"
    (f,) = plaintext_flows([write(1, preface), write(2, b"imei=867530912345673")], set())
    assert (f.record.kind, f.record.messages[0].content, f.ops) == ("tcp", preface + b"imei=867530912345673", [1, 2])


def test_a_capped_write_is_noted():
    (f,) = plaintext_flows([write(1, REQUEST, input_length=100_000)], set())
    assert "captured" in (f.record.truncated or "")


def test_a_non_default_port_is_in_the_url():
    (f,) = plaintext_flows([write(1, b"GET / HTTP/1.1\r\n\r\n", port=8443)], set())
    assert f.record.url == "https://pin.example.com:8443/"
