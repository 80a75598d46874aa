"""The benchmarks' local network: an HTTPS upstream and a `mitmdump` process, all on 127.0.0.1.

Benchmarks are development code outside the installed package and do not borrow the
tests' fixtures: the upstream's certificate is minted by mitmproxy's own certificate store,
and the upstream answers every request with a small JSON body, which is all a load test needs.
"""

from __future__ import annotations

import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from mitmproxy import certs

BIN = Path(sys.executable).parent
ENTRY = Path(__file__).resolve().parents[2] / "addons" / "piaudit.py"


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = b'{"ok":true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


class Upstream:
    """A threaded HTTPS server on a free 127.0.0.1 port; ``ca`` is the PEM the proxy must trust."""

    def __init__(self, certdir: Path):
        certdir.mkdir(parents=True, exist_ok=True)
        store = certs.CertStore.from_store(str(certdir), "bench-upstream", 2048)
        entry = store.get_cert("127.0.0.1", ["127.0.0.1"])
        leaf = certdir / "leaf.pem"
        key = entry.privatekey.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        leaf.write_bytes(entry.cert.to_pem() + key)
        self.ca = certdir / "bench-upstream-ca-cert.pem"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
        self.server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(leaf)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Upstream:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mitmdump:
    """`mitmdump` on 127.0.0.1:``port``, bare or with piaudit's addons; ended by its own pid."""

    def __init__(self, port: int, confdir: Path, session: Path | None, *extra: str):
        self.port = port
        self.argv = [str(BIN / "mitmdump"), "-q", "--listen-host", "127.0.0.1", "--listen-port", str(port), "--set", f"confdir={confdir}"]
        if session is not None:
            self.argv += ["-s", str(ENTRY), "--set", f"piaudit_session={session}"]
        self.argv += list(extra)
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Mitmdump:
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mitmdump exited with {self.proc.returncode}: {self.proc.stderr.read().decode(errors='replace')[-2000:]}")  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"mitmdump did not listen on 127.0.0.1:{self.port}")

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
