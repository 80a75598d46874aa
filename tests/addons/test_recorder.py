"""The Recorder addon driven by mitmproxy's own test harness (taddons/tflow)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mitmproxy import io
from mitmproxy.addons import proxyserver
from mitmproxy.test import taddons, tflow

from piaudit.addons.recorder import Recorder
from piaudit.addons.sinkhole import Sinkhole
from piaudit.policies.session import Session


def _flows(session_dir: Path) -> list:
    with open(session_dir / "flows.mitm", "rb") as fh:
        return list(io.FlowReader(fh).stream())


async def test_records_http_flow_with_detection(tmp_path: Path) -> None:
    rec = Recorder()
    ids = tmp_path / "ids.json"
    ids.write_text('{"imei": "359881030314356"}')
    with taddons.context(rec) as tctx:
        tctx.configure(rec, piaudit_session=str(tmp_path / "s"), piaudit_identifiers=str(ids))
        rec.running()
        f = tflow.tflow(resp=True)
        f.request.query["imei"] = "359881030314356"
        rec.response(f)
        assert rec.auditor.wait_idle()
        rec.done()
    session = Session.open(tmp_path / "s")
    (row,) = list(session.store.rows("flows"))
    assert row["flow_id"] == f.id and row["method"] == "GET"
    detections = list(session.store.rows("detections"))
    assert [(d["data_type"], d["where"], d["source"]) for d in detections] == [("imei", "query:imei", "value")]
    assert [x.id for x in _flows(tmp_path / "s")] == [f.id]
    assert session.meta.complete


async def test_exception_inside_audit_leaves_flow_alone(tmp_path: Path) -> None:
    # Another addon left something in the flow's metadata that cannot be serialised: the
    # audit fails on this flow (the raw flow can't reach the audit process), says so in the
    # errors table, and the flow itself is untouched.
    rec = Recorder()
    with taddons.context(rec) as tctx:
        tctx.configure(rec, piaudit_session=str(tmp_path / "s"))
        rec.running()
        f = tflow.tflow(resp=True)
        f.metadata["other_addon"] = lambda: None
        before = f.get_state()
        rec.response(f)
        good = tflow.tflow(resp=True)
        rec.response(good)
        assert rec.auditor.wait_idle()
        assert f.get_state() == before  # the flow is untouched
        assert f.response is not None and f.error is None
        rec.done()
    session = Session.open(tmp_path / "s")
    errors = list(session.store.rows("errors"))
    assert any(f.id in e["message"] and "could not be handed to the audit" in e["message"] for e in errors), errors
    # the audit went on with the next flow
    assert [r["flow_id"] for r in session.store.rows("flows")] == [good.id]


async def test_websocket_tcp_udp_dns_are_recorded(tmp_path: Path) -> None:
    rec = Recorder()
    with taddons.context(rec) as tctx:
        tctx.configure(rec, piaudit_session=str(tmp_path / "s"))
        rec.running()
        ws = tflow.twebsocketflow()
        for _ in ws.websocket.messages:
            pass
        rec.websocket_end(ws)
        tcpf = tflow.ttcpflow()
        rec.tcp_end(tcpf)
        udpf = tflow.tudpflow()
        rec.udp_end(udpf)
        dnsf = tflow.tdnsflow(resp=True)
        rec.dns_response(dnsf)
        errf = tflow.tflow(err=True)
        rec.error(errf)
        assert rec.auditor.wait_idle()
        rec.done()
    store = Session.open(tmp_path / "s").store
    kinds = sorted(r["kind"] for r in store.rows("flows"))
    assert kinds == ["dns", "http", "tcp", "udp", "websocket"]
    assert store.count("messages") == len(ws.websocket.messages) + len(tcpf.messages) + len(udpf.messages) + 2
    (err,) = [r for r in store.rows("flows") if r["error"]]
    assert err["flow_id"] == errf.id


async def test_sinkhole_answers_and_is_recorded(tmp_path: Path) -> None:
    sink, rec = Sinkhole(), Recorder()
    with taddons.context(proxyserver.Proxyserver(), sink, rec) as tctx:
        tctx.configure(sink, piaudit_sinkhole=True, piaudit_sinkhole_status=204, piaudit_sinkhole_body="")
        tctx.configure(rec, piaudit_session=str(tmp_path / "s"))
        f = tflow.tflow()
        sink.request(f)
        assert f.response is not None and f.response.status_code == 204
        assert tctx.options.connection_strategy == "lazy"
        rec.done()
    meta = Session.open(tmp_path / "s").meta
    assert meta.options["piaudit_sinkhole"] is True


async def test_bad_option_values_are_errors(tmp_path: Path) -> None:
    sink = Sinkhole()
    with taddons.context(sink) as tctx, pytest.raises(Exception, match="HTTP status"):
        tctx.configure(sink, piaudit_sinkhole_status=42)
    rec = Recorder()
    with taddons.context(rec) as tctx:
        bad = tmp_path / "bad.json"
        bad.write_text("{not json")
        with pytest.raises(Exception, match="cannot start the session"):
            tctx.configure(rec, piaudit_session=str(tmp_path / "s"), piaudit_identifiers=str(bad))
