"""Fault injection for end-to-end tests: a misbehaving HTTPS upstream, hostile raw clients, a proxy with a full disk.

Everything listens on or connects to 127.0.0.1 only. The upstream is a raw TCP+TLS server
(no HTTP library) so it can misbehave at the byte level: reset the connection, answer late,
answer garbage. Its certificate comes from :func:`tests.support.upstream.make_ca_and_leaf`.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import socket
import ssl
import struct
import subprocess
import threading
import time
from pathlib import Path

from tests.support.proxy import Proxy, wait_port
from tests.support.upstream import make_ca_and_leaf

SLOW_SECONDS = 2.0


def _read_head(sock: ssl.SSLSocket) -> tuple[bytes, bytes]:
    """Read up to the end of the request head; returns (head, the body bytes read with it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("client closed before the request head ended")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _answer(sock: ssl.SSLSocket, status: int, body: dict) -> None:
    payload = json.dumps(body).encode()
    sock.sendall(
        f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
        + payload
    )


class FaultyUpstream:
    """An HTTPS server on 127.0.0.1 whose behaviour is chosen by the request path.

    - ``/reset``: read the request, then close with SO_LINGER 0 (the peer sees a TCP RST)
    - ``/hangup``: read the request, then close cleanly without an answer
    - ``/garbage``: answer bytes that are not HTTP
    - ``/slow``: answer after :data:`SLOW_SECONDS`
    - ``/upload`` (POST): stream the body, answer its length and SHA-256
    - anything else: answer 200 at once

    One request per connection (``Connection: close``); a thread per connection.
    """

    def __init__(self, certdir: Path):
        self.ca, leaf, key = make_ca_and_leaf(certdir)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(leaf, key)
        self.context.set_alpn_protocols(["http/1.1"])
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests: list[str] = []  # request lines received, in order
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the upstream."""
        return f"https://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultyUpstream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self.listener.close()
        self._thread.join(5)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        raw.settimeout(60)
        try:
            sock = self.context.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        try:
            head, rest = _read_head(sock)
            request_line = head.split(b"\r\n", 1)[0].decode(errors="replace")
            self.requests.append(request_line)
            method, path = (request_line.split(" ") + ["", ""])[:2]
            if path.startswith("/reset"):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()  # no close_notify: the fd closes with unread data and linger 0 -> RST
                return
            if path.startswith("/hangup"):
                sock.close()
                return
            if path.startswith("/garbage"):
                sock.sendall(b"\x00\x01 this is not HTTP at all \xff\xfe\r\n\r\n")
                sock.close()
                return
            if path.startswith("/slow"):
                time.sleep(SLOW_SECONDS)
                _answer(sock, 200, {"path": path, "slow": SLOW_SECONDS})
                return
            if method == "POST" and path.startswith("/upload"):
                length = _content_length(head)
                digest, received = hashlib.sha256(rest), len(rest)
                while received < length:
                    chunk = sock.recv(min(1 << 20, length - received))
                    if not chunk:
                        break
                    digest.update(chunk)
                    received += len(chunk)
                _answer(sock, 200, {"received": received, "sha256": digest.hexdigest()})
                return
            _answer(sock, 200, {"path": path})
        except (OSError, ssl.SSLError, ConnectionError):
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


# ---------------------------------------------------------------------------- hostile clients


def raw_exchange(proxy: Proxy, data: bytes, timeout: float = 5.0) -> bytes:
    """Send ``data`` as-is to the proxy's port and return everything it answers until it closes (or the timeout)."""
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=timeout) as sock:
        sock.sendall(data)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


def tunnel(proxy: Proxy, host: str, port: int, alpn: list[str] | None = None) -> ssl.SSLSocket:
    """CONNECT through the proxy and start TLS to ``host`` (trusting the proxy's CA); returns the TLS socket."""
    raw = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    raw.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
    reply = b""
    while b"\r\n\r\n" not in reply:
        chunk = raw.recv(4096)
        if not chunk:
            raise ConnectionError(f"the proxy closed the CONNECT: {reply!r}")
        reply += chunk
    if b" 200 " not in reply.split(b"\r\n")[0]:
        raise ConnectionError(f"CONNECT refused: {reply!r}")
    context = ssl.create_default_context(cafile=str(proxy.ca))
    if alpn:
        context.set_alpn_protocols(alpn)
    return context.wrap_socket(raw, server_hostname=host)


def abandon_body(proxy: Proxy, host: str, port: int, path: str, declared: int = 100_000, sent: int = 10) -> None:
    """POST declaring ``declared`` body bytes, send only ``sent``, then disconnect."""
    sock = tunnel(proxy, host, port)
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/octet-stream\r\n"
        f"Content-Length: {declared}\r\n\r\n".encode()
        + b"x" * sent
    )
    time.sleep(0.2)  # let the proxy see the head and the first bytes
    sock.close()


def h2_reset_then_request(proxy: Proxy, host: str, port: int, reset_path: str, next_path: str) -> tuple[str, int, bytes]:
    """Over one HTTP/2 connection through the proxy: open a POST stream, RST_STREAM it mid-body, then GET on a new stream.

    Returns (the ALPN protocol negotiated, the second stream's status, its body).
    """
    import h2.config
    import h2.connection
    import h2.errors
    import h2.events

    sock = tunnel(proxy, host, port, alpn=["h2"])
    protocol = sock.selected_alpn_protocol() or ""
    if protocol != "h2":
        sock.close()
        return protocol, 0, b""
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    authority = f"{host}:{port}"
    conn.send_headers(
        1,
        [
            (":method", "POST"),
            (":path", reset_path),
            (":scheme", "https"),
            (":authority", authority),
            ("content-length", "100000"),
        ],
    )
    conn.send_data(1, b"x" * 10)
    sock.sendall(conn.data_to_send())
    time.sleep(0.3)  # the proxy has the stream open, its body incomplete
    conn.reset_stream(1, h2.errors.ErrorCodes.CANCEL)
    conn.send_headers(
        3, [(":method", "GET"), (":path", next_path), (":scheme", "https"), (":authority", authority)], end_stream=True
    )
    sock.sendall(conn.data_to_send())
    status, body, done = 0, b"", False
    deadline = time.monotonic() + 10
    while not done and time.monotonic() < deadline:
        data = sock.recv(65536)
        if not data:
            break
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived) and event.stream_id == 3:
                status = int(dict(event.headers)[":status"])
            elif isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                if event.stream_id == 3:
                    body += event.data
            elif isinstance(event, h2.events.StreamEnded) and event.stream_id == 3:
                done = True
        sock.sendall(conn.data_to_send())
    conn.close_connection()
    try:
        sock.sendall(conn.data_to_send())
    finally:
        sock.close()
    return protocol, status, body


# ---------------------------------------------------------------------------- a proxy with a full disk


def _limit_file_size(max_bytes: int) -> None:
    # runs in the child between fork and exec: no file the proxy (or its audit process,
    # which inherits the limit) writes may grow past max_bytes; SIGXFSZ ignored, so the
    # write fails with EFBIG ("File too large") as on a full disk, instead of killing it
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))


class DrainedProxy(Proxy):
    """A :class:`Proxy` whose output is read as it comes (a loud proxy must not block on a full pipe).

    With ``max_file_bytes`` its process tree cannot write any file beyond that size (RLIMIT_FSIZE):
    a full disk, as the store and ``flows.mitm`` see it.
    """

    max_file_bytes: int | None = None

    def start(self) -> DrainedProxy:
        """Start (with the file-size limit, if any) and wait until it listens."""
        env = dict(os.environ) | (self.env or {})
        limit = self.max_file_bytes
        self.proc = subprocess.Popen(
            self.argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=Path(__file__).resolve().parents[2],
            preexec_fn=(lambda: _limit_file_size(limit)) if limit is not None else None,  # noqa: PLW1509
        )
        self._output: list[bytes] = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        wait_port(self.port, proc=self.proc)
        return self

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self._output.append(line)

    @property
    def output(self) -> str:
        """Everything the proxy (and its audit process) printed so far."""
        return b"".join(self._output).decode(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> str:
        """Signal our process (by its pid), wait for it, and return all its output."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(10)
        return self.output
