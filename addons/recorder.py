"""Record every flow mitmproxy sees into a piaudit session, detecting and judging off the event loop.

The hooks only queue completed flows for the audit process (:mod:`addons.auditproc`, through
:class:`addons.auditclient.AuditClient`); it stores, scans and judges them, and sends
detections and findings back, which appear in mitmweb as a flow marker and comment. Any exception in the audit is written to the
session's ``errors`` table and the flow goes on untouched.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
import weakref
from typing import Any

from mitmproxy import connection, ctx, exceptions, flow, http, tcp, tls, udp, websocket
from mitmproxy import dns as mdns
from mitmproxy import hooks as mitmproxy_hooks

from piaudit.addons.auditclient import AuditClient
from piaudit.addons.auditmessages import Annotate
from piaudit.addons.flowmodel import format_addr
from piaudit.addons.handshakes import HandshakeWatch
from piaudit.policies.models import Message, TlsFailure
from piaudit.policies.options import AuditOptions, AuditorConfig, add_proxy_options

log = logging.getLogger(__name__)

MARK = ":warning:"


class Recorder:
    """mitmproxy addon: the capture side of a piaudit session."""

    def __init__(self) -> None:
        self.auditor: AuditClient | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._flows: weakref.WeakValueDictionary[str, flow.Flow] = weakref.WeakValueDictionary()
        self.hook_errors = 0
        self._handshakes = HandshakeWatch()
        self._sweeper: asyncio.Task | None = None

    # ------------------------------------------------------------------ options
    def load(self, loader: Any) -> None:
        add_proxy_options(loader, "session")  # declared once, in policies.options

    def configure(self, updated: set[str]) -> None:
        if "piaudit_session" not in updated and self.auditor is not None:
            return
        if not ctx.options.piaudit_session or self.auditor is not None:
            return
        try:
            # flow markers and comments are for an interactive view (mitmweb, mitmproxy):
            # mitmdump has none, so the audit process need not send them back
            config = AuditorConfig(
                options=AuditOptions.from_proxy(ctx.options),
                recorded=self._recorded_options(),
                mode=list(ctx.options.mode),
                annotate=ctx.master.addons.get("view") is not None,
            )
            self.auditor = AuditClient(config, on_annotate=self._on_annotate)
            if self.loop is not None:  # configured while already running (mitmweb's options editor)
                self.auditor.attach(self.loop)
        except Exception as e:
            raise exceptions.OptionsError(f"piaudit: cannot start the session: {e}") from e
        log.info("piaudit: recording into %s", ctx.options.piaudit_session)

    @staticmethod
    def _recorded_options() -> dict[str, Any]:
        """Options that change what is audited; the session records them."""
        recorded: dict[str, Any] = {}
        for name in ("piaudit_sinkhole", "piaudit_sinkhole_status", "server_replay", "connection_strategy", "ssl_insecure"):
            if name in ctx.options:
                recorded[name] = getattr(ctx.options, name)
        return recorded

    def running(self) -> None:
        self.loop = asyncio.get_running_loop()
        if self.auditor is not None:
            self.auditor.attach(self.loop)
            self._sweeper = self.loop.create_task(self._sweep_handshakes())

    async def _sweep_handshakes(self) -> None:
        """Every half second: TLS connections whose client left after the handshake, with no request.

        mitmproxy may keep such a connection open when the client closed without close_notify
        (OkHttp after a failed pin check: mitmproxy logs "TLS Error: Unexpected EOF" and
        ``client_disconnected`` only fires at shutdown), so the client's half-close is checked here.
        """
        while True:
            await asyncio.sleep(0.5)
            self._report_swept()

    def _report_swept(self) -> None:
        if self.auditor is None:
            return
        try:
            for failure in self._handshakes.sweep():
                self.auditor.submit_tls_failure(failure)
        except Exception as e:
            self._hook_failed("handshake sweep", e)

    def done(self) -> None:
        if self.auditor is None:
            return
        if self._sweeper is not None:
            self._sweeper.cancel()
        self._report_swept()
        auditor, self.auditor = self.auditor, None
        summary = auditor.stop()
        log.info("piaudit: session %s closed: %s", auditor.session_dir, summary or auditor.dead or "")

    # ------------------------------------------------------------------ plumbing
    def _submit(self, f: flow.Flow) -> None:
        if self.auditor is None:
            return
        try:
            if self.auditor.config.annotate:
                self._flows[f.id] = f
            self.auditor.submit_flow(f)
        except Exception as e:  # never let the audit break the flow
            self._hook_failed("submit", e)

    def _on_annotate(self, annotation: Annotate) -> None:
        """Show what the audit found in mitmweb (marker + comment). Traffic is untouched."""
        f = self._flows.get(annotation.flow_id)
        if f is None:
            return
        try:
            parts, rules = annotation.parts, annotation.rules
            if not parts and not rules:
                return
            f.marked = MARK if rules else ":mag:"
            comment = "piaudit: " + "; ".join(parts[:8] + ([f"+{len(parts) - 8} more"] if len(parts) > 8 else []))
            if rules:
                comment += " | " + ", ".join(rules)
            f.comment = (f.comment + "\n" if f.comment else "") + comment
            ctx.master.addons.trigger(mitmproxy_hooks.UpdateHook([f]))
        except Exception as e:
            self._hook_failed("annotate", e)

    def _hook_failed(self, where: str, e: BaseException) -> None:
        self.hook_errors += 1
        if self.auditor is not None:
            self.auditor.report_error("recorder", f"{where}: {e!r}", traceback.format_exc())
        log.error("piaudit: %s failed: %r (the flow is not affected)", where, e)

    # ------------------------------------------------------------------ hooks
    def requestheaders(self, f: http.HTTPFlow) -> None:
        self._handshakes.used(f.client_conn.id)

    def response(self, f: http.HTTPFlow) -> None:
        if f.websocket is None:  # a WebSocket is recorded when it ends, with all its messages
            self._submit(f)

    def error(self, f: http.HTTPFlow) -> None:
        self._submit(f)

    def websocket_message(self, f: http.HTTPFlow) -> None:
        self._message(f, f.websocket.messages[-1] if f.websocket and f.websocket.messages else None, text=True)

    def websocket_end(self, f: http.HTTPFlow) -> None:
        self._submit(f)

    def tcp_start(self, f: tcp.TCPFlow) -> None:
        self._handshakes.used(f.client_conn.id)

    def udp_start(self, f: udp.UDPFlow) -> None:
        self._handshakes.used(f.client_conn.id)

    def tcp_message(self, f: tcp.TCPFlow) -> None:
        self._message(f, f.messages[-1] if f.messages else None)

    def tcp_end(self, f: tcp.TCPFlow) -> None:
        self._submit(f)

    def tcp_error(self, f: tcp.TCPFlow) -> None:
        self._submit(f)

    def udp_message(self, f: udp.UDPFlow) -> None:
        self._message(f, f.messages[-1] if f.messages else None)

    def udp_end(self, f: udp.UDPFlow) -> None:
        self._submit(f)

    def udp_error(self, f: udp.UDPFlow) -> None:
        self._submit(f)

    def dns_response(self, f: mdns.DNSFlow) -> None:
        self._submit(f)

    def dns_error(self, f: mdns.DNSFlow) -> None:
        self._submit(f)

    def _message(self, f: flow.Flow, m: websocket.WebSocketMessage | tcp.TCPMessage | udp.UDPMessage | None, text: bool = False) -> None:
        if self.auditor is None or m is None:
            return
        try:
            kind = ("text" if m.is_text else "binary") if text else "binary"
            message = Message(from_client=m.from_client, content=m.content, time=m.timestamp, type=kind)
            self.auditor.submit_message(f.id, message)
        except Exception as e:
            self._hook_failed("message", e)

    def tls_failed_client(self, data: tls.TlsData) -> None:
        """A client rejected our certificate (often pinning): that host's traffic was not inspected."""
        if self.auditor is None:
            return
        try:
            client, server = data.context.client, data.context.server
            failure = TlsFailure(
                time=time.time(),
                client_addr=format_addr(client.peername),
                server_addr=format_addr(server.address),
                host=(server.address[0] if server.address else "") or "",
                sni=client.sni or "",
                error=str(data.conn.error or "handshake failed"),
            )
            self.auditor.submit_tls_failure(failure)
        except Exception as e:
            self._hook_failed("tls_failed_client", e)

    def tls_established_client(self, data: tls.TlsData) -> None:
        """The client finished a TLS handshake with us: watch whether any request follows."""
        if self.auditor is None:
            return
        try:
            client, server = data.context.client, data.context.server
            self._handshakes.established(
                client.id,
                time=time.time(),
                client_addr=format_addr(client.peername),
                server_addr=format_addr(server.address),
                host=(server.address[0] if server.address else "") or "",
                sni=client.sni or "",
                closed=lambda: not client.state & connection.ConnectionState.CAN_READ,
            )
        except Exception as e:
            self._hook_failed("tls_established_client", e)

    def client_disconnected(self, client: Any) -> None:
        """A client closed: after a handshake with no request, its traffic was not inspected (pinning)."""
        if self.auditor is None:
            return
        try:
            failure = self._handshakes.closed(client.id)
            if failure is not None:
                self.auditor.submit_tls_failure(failure)
        except Exception as e:
            self._hook_failed("client_disconnected", e)
