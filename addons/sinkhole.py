"""Answer every request at the proxy, so an app under audit cannot deliver personal data anywhere.

Off by default. When on, the session records it (the Recorder writes it into session.json):
the app then talks to the proxy only, and the audit still sees every request it makes.
"""

from __future__ import annotations

from typing import Any

from mitmproxy import ctx, exceptions, http

from piaudit.policies.options import AuditOptions, add_proxy_options


class Sinkhole:
    """mitmproxy addon: ``--set piaudit_sinkhole=true`` answers each request with a fixed response."""

    def __init__(self) -> None:
        defaults = AuditOptions()
        self.enabled = defaults.sinkhole
        self.status = defaults.sinkhole_status
        self.body = defaults.sinkhole_body.encode()
        self.content_type = defaults.sinkhole_content_type

    def load(self, loader: Any) -> None:
        add_proxy_options(loader, "sinkhole")  # declared once, in policies.options

    def configure(self, updated: set[str]) -> None:
        if "piaudit_sinkhole_status" in updated:
            status = ctx.options.piaudit_sinkhole_status
            if not 100 <= status <= 599:
                raise exceptions.OptionsError(f"piaudit_sinkhole_status must be an HTTP status (100-599), not {status}")
            self.status = status
        if "piaudit_sinkhole_body" in updated:
            self.body = ctx.options.piaudit_sinkhole_body.encode()
        if "piaudit_sinkhole_content_type" in updated:
            self.content_type = ctx.options.piaudit_sinkhole_content_type
        if "piaudit_sinkhole" in updated:
            self.enabled = ctx.options.piaudit_sinkhole
        if "piaudit_sinkhole" in updated and self.enabled and "connection_strategy" in ctx.options:
            # never dial the real server before the request hook had its say
            ctx.options.update(connection_strategy="lazy")

    def request(self, flow: http.HTTPFlow) -> None:
        if not self.enabled or flow.response is not None:
            return
        flow.response = http.Response.make(
            self.status, self.body, {"Content-Type": self.content_type, "X-Piaudit": "sinkhole"}
        )
