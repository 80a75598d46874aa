"""The typed boundary between the proxy and its audit process: every message, through a real child process."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import get_args

from mitmproxy.test import tflow

from piaudit.addons.auditclient import AuditClient
from piaudit.addons.auditmessages import Annotate, ToAudit
from piaudit.addons.auditproc import HANDLERS, AuditProcess
from piaudit.policies.models import ConsentEvent, Message, TlsFailure
from piaudit.policies.options import AuditOptions, AuditorConfig
from piaudit.policies.session import Session


def test_every_message_has_one_handler() -> None:
    assert set(HANDLERS) == set(get_args(ToAudit))
    assert all(callable(getattr(AuditProcess, name, None)) for name in HANDLERS.values())


def test_every_message_reaches_the_session(tmp_path: Path) -> None:
    ids = tmp_path / "ids.json"
    ids.write_text('{"imei": "359881030314356"}')
    options = AuditOptions(session=str(tmp_path / "s"), identifiers=str(ids))
    annotations: list[Annotate] = []
    client = AuditClient(AuditorConfig(options=options, annotate=True), on_annotate=annotations.append)
    f = tflow.tflow(resp=True)
    f.request.query["imei"] = "359881030314356"
    unpicklable = tflow.tflow(resp=True)
    unpicklable.metadata["other_addon"] = lambda: None  # neither it nor its state pickles: an error, never silence
    client.submit_message("ws-1", Message(from_client=True, content=b"hello", time=time.time(), type="text"))
    client.submit_flow(f)
    client.submit_flow(unpicklable)
    client.submit_events([ConsentEvent(time=time.time(), decision="granted", source="manual")])
    client.submit_tls_failure(TlsFailure(time=time.time(), host="pinned.example", error="unknown ca"))
    client.record_options({"unpin": True})
    client.report_error("recorder", "a test error", "detail")
    assert client.wait_idle(60)  # Sync -> Synced
    assert [a.flow_id for a in annotations] == [f.id] and annotations[0].parts
    assert "1 flow," in client.stop(120)  # Stop -> Stopped with the summary line (counted as `info` counts)
    session = Session.open(tmp_path / "s")
    store = session.store
    assert {r["flow_id"] for r in store.rows("flows")} >= {f.id}
    assert [r["flow_id"] for r in store.rows("messages")] == ["ws-1"]
    assert store.count("consent_events") == 1 and store.count("tls_failures") == 1
    errors = [r["message"] for r in store.rows("errors") if r["source"] == "recorder"]
    assert errors[0].startswith(f"flow {unpicklable.id} could not be handed to the audit") and errors[1:] == ["a test error"]
    assert json.loads((tmp_path / "s" / "session.json").read_text())["options"]["unpin"] is True
    assert session.meta.complete
