"""Start and stop a real proxy (`mitmdump -s` or `piaudit run`) on 127.0.0.1, and real clients for it.

Processes are ended by the pid this module started, never by name.
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ENTRY = ROOT / "addons" / "piaudit.py"


def wait_port(port: int, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    """Wait until something listens on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            raise RuntimeError(f"proxy exited with {proc.returncode}: {out[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class Proxy:
    """A proxy process on 127.0.0.1:``port`` with its own confdir (so its own CA)."""

    def __init__(self, argv: list[str], port: int, confdir: Path, env: dict[str, str] | None = None):
        self.argv, self.port, self.confdir = argv, port, confdir
        self.env = env
        self.proc: subprocess.Popen | None = None

    @classmethod
    def mitmdump(cls, port: int, confdir: Path, session: Path | None, *extra: str) -> Proxy:
        """`mitmdump -s addons/piaudit.py` (bare mitmdump when ``session`` is None and no -s wanted)."""
        argv = [str(BIN / "mitmdump"), "-q", "--listen-host", "127.0.0.1", "--listen-port", str(port), "--set", f"confdir={confdir}"]
        if session is not None:
            argv += ["-s", str(ENTRY), "--set", f"piaudit_session={session}"]
        return cls(argv + list(extra), port, confdir)

    @classmethod
    def piaudit_run(cls, port: int, confdir: Path, session: Path, *extra: str) -> Proxy:
        """`piaudit run` (the in-process proxy)."""
        argv = [str(BIN / "piaudit"), "run", "-q", "--session", str(session), "--listen-port", str(port), "--confdir", str(confdir)]
        return cls(argv + list(extra), port, confdir)

    def start(self) -> Proxy:
        """Start and wait until it listens."""
        env = dict(os.environ) | (self.env or {})
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        wait_port(self.port, proc=self.proc)
        return self

    @property
    def ca(self) -> Path:
        """The proxy's CA certificate (what a client must trust)."""
        return self.confdir / "mitmproxy-ca-cert.pem"

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> str:
        """Signal our process, wait for it, and return its output."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return out.decode(errors="replace") if out else ""

    def kill9(self) -> None:
        """kill -9 our process (durability tests)."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def __enter__(self) -> Proxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.stop()


def curl(proxy: Proxy, url: str, *args: str, trust: bool = True, timeout: float = 20) -> subprocess.CompletedProcess:
    """A real client: curl through the proxy, trusting its CA (or not)."""
    argv = ["curl", "-sS", "--max-time", "15", "--noproxy", "", "--proxy", f"http://127.0.0.1:{proxy.port}", *args]
    if trust:
        argv += ["--cacert", str(proxy.ca)]
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return subprocess.run([*argv, url], capture_output=True, timeout=timeout, env=env)


def websocket_exchange(proxy: Proxy, host: str, port: int, messages: list[str]) -> list[str]:
    """A real WebSocket client: CONNECT through the proxy, TLS trusting its CA, RFC 6455 frames."""
    raw = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    raw.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
    reply = b""
    while b"\r\n\r\n" not in reply:
        reply += raw.recv(4096)
    assert b" 200 " in reply.split(b"\r\n")[0], reply
    context = ssl.create_default_context(cafile=str(proxy.ca))
    sock = context.wrap_socket(raw, server_hostname=host)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert b" 101 " in head.split(b"\r\n")[0], head
    rfile = sock.makefile("rb")
    from tests.support.upstream import _read_frame

    answers = []
    for text in messages:
        payload = text.encode()
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        n = len(payload)
        length = bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big")
        sock.sendall(bytes([0x81]) + length + mask + masked)
        frame = _read_frame(rfile)
        assert frame is not None
        answers.append(frame[1].decode())
    mask = os.urandom(4)
    close_payload = (1000).to_bytes(2, "big")
    sock.sendall(bytes([0x88, 0x80 | 2]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(close_payload)))
    _read_frame(rfile)
    sock.close()
    return answers
