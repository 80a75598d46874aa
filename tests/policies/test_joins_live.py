"""The joins in a live audit: ops that reach the audit after their flow, the final rescan, row ids,
and the store's schema change (old sessions still verify)."""

from __future__ import annotations

import gzip
import json
import os
import sqlite3

import pytest

import piaudit.policies.store as store_module
from piaudit.policies import rows
from piaudit.policies.auditor import Auditor
from piaudit.policies.join.crypto import CLOCK_SLACK
from piaudit.policies.models import Detection, HttpRequest
from piaudit.policies.pipeline import Pipeline
from piaudit.policies.rules import LiveJudge
from piaudit.policies.session import Session
from piaudit.policies.store import Store
from tests.policies.join.helpers import aes_cbc, detector, flow, json_base64, op
from tests.policies.rules.build import classifier, policy

IMEI = "867530912345673"


def sealed() -> tuple[bytes, bytes, bytes]:
    plain = gzip.compress(json.dumps({"header": {"imei": IMEI}}).encode())
    ct = aes_cbc(os.urandom(16), os.urandom(16), plain)
    return plain, ct, json_base64(ct)[0]


def live_pipeline(store: Store) -> Pipeline:
    pol = policy()
    return Pipeline(store, detector=detector(imei=IMEI), judge=LiveJudge(pol, classifier(pol), keep=False), late_ops=True)


def test_an_op_arriving_after_its_flow_is_joined_at_the_next_flush():
    store = Store(":memory:")
    pipeline = live_pipeline(store)
    found = []
    pipeline.on_findings = found.extend
    plain, ct, body = sealed()
    outcome = pipeline.record_flow(flow(body, "application/json", time=100.0))
    assert outcome.detections == []  # the op is not known yet
    pipeline.record_event(op(None, plain, ct, time=99.9))  # made before the flow, arrived after it
    pipeline.flush()
    (row,) = store.rows("detections")
    assert (row["encoding"], json.loads(row["crypto_ops"])) == ("json>base64>cipher:AES/CBC/PKCS5Padding>gzip>json", [1])
    # first the contact with Umeng (nothing found yet), then the imei the late op revealed
    assert [(f.rule, f.data_type, f.evidence_rows[1:]) for f in found if f.rule == "PRE_CONSENT_TRANSMISSION"] == [
        ("PRE_CONSENT_TRANSMISSION", None, []),
        ("PRE_CONSENT_TRANSMISSION", "imei", ["crypto_ops:1"]),
    ]


def test_an_op_made_after_the_flow_is_not_joined_even_when_it_arrives_late():
    store = Store(":memory:")
    pipeline = live_pipeline(store)
    plain, ct, body = sealed()
    pipeline.record_flow(flow(body, "application/json", time=100.0))
    pipeline.record_event(op(None, plain, ct, time=100.0 + 0.01 + CLOCK_SLACK + 0.1))
    pipeline.flush()
    assert store.count("detections") == 0


def test_ops_and_requests_get_their_row_ids_when_they_arrive():
    store = Store(":memory:")
    store.insert_many("crypto_ops", [rows.event_row(op(None, b"a", b"b" * 16))[1]])  # a row from an earlier run
    pipeline = live_pipeline(store)
    a, b = op(None, b"x", os.urandom(16)), op(None, b"y", os.urandom(16))
    request = HttpRequest(time=1.0, method="GET", url="https://x.example/")
    for event in (a, request, b):
        pipeline.record_event(event)
    assert (a.id, b.id, request.id) == (2, 3, 1)
    pipeline.flush()
    assert [r["id"] for r in store.rows("crypto_ops")] == [1, 2, 3]
    with pytest.raises(ValueError, match="row id 9 given"):
        store.write_batch([("crypto_ops", rows.event_row(op(9, b"z", b"w" * 16))[1])])


def test_the_final_rescan_joins_ops_the_recent_flows_no_longer_hold(tmp_path):
    session = Session.create(tmp_path / "s")
    pipeline = Pipeline(session.store, detector=detector(imei=IMEI))  # no recent flows kept
    auditor = Auditor(session, pipeline, inputs=None)  # type: ignore[arg-type]  # rescan needs no inputs
    plain, ct, body = sealed()
    record = flow(body, "application/json", time=100.0)
    pipeline.record_flow(record)
    auditor.rescan_source = lambda: [record]
    assert auditor.rescan() == 0  # nothing new learnt yet
    pipeline.record_event(op(None, plain, ct, time=99.0))
    assert auditor.rescan() == 1
    assert any("crypto ops" in n for n in session.meta.notes)
    session.store.conn.close()


def test_sessions_made_before_the_joins_still_verify(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    names = [name for name, _ in store_module.MIGRATIONS]
    before = names.index(next(n for n in names if n.endswith("_crypto_ops_http_requests")))
    # the real migrations, cut where an older piaudit stopped: the only way to write a genuine pre-joins store here
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:before])
    old = Store(path)
    row = rows.detection_row("f1", Detection(data_type="imei", source="value", value=IMEI, where="body"))
    del row["crypto_ops"]  # the column did not exist yet
    old.insert_many("detections", [row])
    old.close()
    monkeypatch.undo()
    store = Store(path)  # migrates: the detections table gains crypto_ops
    assert set(store.verify().values()) == {None}
    joined = Detection(data_type="imei", source="value", value=IMEI, where="body", encoding="cipher:AES>json", crypto_ops=[4])
    store.insert_many("detections", [rows.detection_row("f2", joined)])
    assert set(store.verify().values()) == {None}
    assert [d.crypto_ops for d in rows.detections_by_flow(store)["f2"]] == [[4]]
    store.conn.execute("UPDATE detections SET crypto_ops = '[1]' WHERE id = 1")  # a join claimed after the fact
    assert store.verify()["detections"] == "row 1 was changed (its hash does not match)"
    store.close()
    conn = sqlite3.connect(path)
    assert {r[1] for r in conn.execute("PRAGMA table_info(crypto_ops)")} >= {"op", "algorithm", "party", "json", "chain"}
    conn.close()
