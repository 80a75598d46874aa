"""The evidence a flow finding cites: one detection per data type, and pattern hits a value hit explains."""

from __future__ import annotations

import pytest

from piaudit.policies.models import Detection, FlowSummary
from piaudit.policies.rules import evaluate
from piaudit.policies.rules.common import flow_detections, strongest
from piaudit.policies.rules.context import RuleContext
from tests.policies.rules.build import classifier, consent, only, policy, timeline

ANDROID_ID = "9774d56d682e549c"  # a real android_id value that also matches the OAID pattern


def det(
    data_type: str,
    where: str,
    source: str = "value",
    direction: str = "request",
    encoding: str = "plain",
    value: str = "v",
) -> Detection:
    """A detection whose excerpt names its type and place, so a test sees which one was cited."""
    return Detection(
        data_type=data_type,
        source=source,
        value=value,
        encoding=encoding,
        where=where,
        excerpt=f"[[{data_type}@{where}/{direction}]]",
        direction=direction,
    )


def upload(*detections: Detection, time: float = 1.0, host: str = "alog.umeng.com", scheme: str = "https") -> FlowSummary:
    """One upload carrying ``detections`` in the given (detector) order."""
    return FlowSummary(
        flow_id="f1",
        time=time,
        method="POST",
        url=f"{scheme}://{host}/upload",
        host=host,
        scheme=scheme,
        tls=scheme == "https",
        detections=list(detections),
    )


def places(detections):
    return [(d.data_type, d.source, d.where, d.direction) for d in detections]


# ------------------------------------------------------------------- flow_detections


@pytest.mark.parametrize(
    ("detections", "kept"),
    [
        pytest.param(  # the android_id value misread as an OAID: dropped
            [det("android_id", "body:$.header.android_id"), det("oaid", "body:$.header.android_id", "pattern")],
            [0],
            id="pattern-of-other-type-at-value-place",
        ),
        pytest.param(  # the order of the two does not matter
            [det("oaid", "body:$.header.android_id", "pattern"), det("android_id", "body:$.header.android_id")],
            [1],
            id="pattern-listed-first",
        ),
        pytest.param(  # a real OAID elsewhere in the same flow stays
            [det("android_id", "body:$.header.android_id"), det("oaid", "body:$.header.oaid", "pattern")],
            [0, 1],
            id="pattern-at-other-place",
        ),
        pytest.param(  # same where string, but in the response: a different place
            [det("android_id", "body:$.id", direction="response"), det("oaid", "body:$.id", "pattern")],
            [0, 1],
            id="same-where-other-direction",
        ),
        pytest.param(  # a pattern of the value's own type is not a misreading of another type
            [det("imei", "query:imei"), det("imei", "query:imei", "pattern", encoding="base64")],
            [0, 1],
            id="pattern-of-same-type",
        ),
        pytest.param(  # two known values at one place are both facts: only patterns are dropped
            [det("android_id", "header:X-Id"), det("oaid", "header:X-Id")],
            [0, 1],
            id="two-values-same-place",
        ),
        pytest.param(  # pattern-only places are untouched
            [det("oaid", "body:$.a", "pattern"), det("ad_id", "body:$.a", "pattern")],
            [0, 1],
            id="patterns-only",
        ),
    ],
)
def test_flow_detections_drops_patterns_a_value_explains(detections, kept):
    assert places(flow_detections(upload(*detections))) == places([detections[i] for i in kept])


# ------------------------------------------------------------------------- strongest


@pytest.mark.parametrize(
    ("detections", "chosen"),
    [
        pytest.param([det("oaid", "body:$.a", "pattern"), det("oaid", "body:$.b")], 1, id="value-beats-earlier-pattern"),
        pytest.param([det("oaid", "body:$.a", "pattern"), det("oaid", "body:$.b", direction="response")], 1, id="value-first"),
        pytest.param([det("oaid", "body:$.a", direction="response"), det("oaid", "body:$.b")], 1, id="request-beats-response"),
        pytest.param([det("oaid", "ws:1", direction="message"), det("oaid", "body:$.a")], 0, id="client-message-is-sent"),
        pytest.param([det("oaid", "body:$.z"), det("oaid", "body:$.a")], 0, id="then-the-first-not-alphabetical"),
        pytest.param([det("oaid", "body:$.z", "pattern"), det("oaid", "body:$.a", "pattern")], 0, id="first-of-equal-patterns"),
    ],
)
def test_strongest_prefers_value_then_request_then_first(detections, chosen):
    assert strongest(detections)["oaid"] is detections[chosen]


def test_strongest_keeps_one_per_type_in_vocabulary_order():
    found = strongest([det("oaid", "a"), det("imei", "b"), det("android_id", "c")])
    assert list(found) == ["android_id", "imei", "oaid"]
    assert [d.where for d in found.values()] == ["c", "b", "a"]


def test_view_sends_only_request_side_strongest():
    pol = policy()
    view = RuleContext.build(pol, classifier(pol)).view(
        upload(det("imei", "body:$.imei", direction="response"), det("oaid", "body:$.x", "pattern"), det("oaid", "body:$.y"))
    )
    assert list(view.sent) == ["oaid"] and view.sent["oaid"].where == "body:$.y"


# ------------------------------------------------------- findings cite their own type


def umeng_upload(*extra: Detection, scheme: str = "http") -> FlowSummary:
    """The real run's Umeng upload: imei, android_id (whose value looks like an OAID), more as given."""
    return upload(
        det("imei", "body:$.header.imei", encoding="gzip>json"),
        det("android_id", "body:$.header.android_id", encoding="gzip>json", value=ANDROID_ID),
        det("oaid", "body:$.header.android_id", "pattern", encoding="gzip>json", value=ANDROID_ID),
        *extra,
        scheme=scheme,
    )


def flow_findings(*items):
    pol = policy()
    return [f for f in evaluate(timeline(*items), pol, classifier(pol)) if f.data_type is not None]


def test_misread_android_id_gives_no_oaid_finding():
    findings = flow_findings(umeng_upload())
    assert {f.data_type for f in findings} == {"imei", "android_id"}
    # pre-consent, cleartext, undeclared party, beyond scope: every rule cites the type's own detection
    assert {f.rule for f in findings} >= {"PRE_CONSENT_TRANSMISSION", "CLEARTEXT_TRANSMISSION", "UNDECLARED_THIRD_PARTY"}
    for f in findings:
        assert (f.where, f.encoding) == (f"body:$.header.{f.data_type}", "gzip>json"), f
        assert f.evidence == f"[[{f.data_type}@body:$.header.{f.data_type}/request]]", f
        if f.rule in ("PRE_CONSENT_TRANSMISSION", "CLEARTEXT_TRANSMISSION"):  # the message names the place too
            assert f"in body:$.header.{f.data_type}, gzip>json" in f.message, f


def test_real_oaid_is_cited_from_its_own_place():
    oaid = det("oaid", "body:$.header.oaid", "pattern", encoding="gzip>json>base64")
    (f,) = [f for f in only(flow_findings(umeng_upload(oaid)), "PRE_CONSENT_TRANSMISSION") if f.data_type == "oaid"]
    assert (f.where, f.encoding, f.evidence) == ("body:$.header.oaid", "gzip>json>base64", oaid.excerpt)
    assert f.severity == "medium"  # pattern only: one step lower


def test_several_hits_of_one_type_cite_the_strongest():
    pattern = det("oaid", "body:$.a_first_alphabetically", "pattern")
    value = det("oaid", "body:$.z.oaid", encoding="json>md5")
    (f,) = only(flow_findings(upload(pattern, value)), "PRE_CONSENT_TRANSMISSION")
    assert (f.where, f.encoding, f.severity) == ("body:$.z.oaid", "json>md5", "high")


def test_equal_hits_of_one_type_cite_the_first():
    first, second = det("oaid", "body:$.z"), det("oaid", "body:$.a")
    (f,) = only(flow_findings(upload(first, second)), "PRE_CONSENT_TRANSMISSION")
    assert f.where == "body:$.z"


def test_response_hit_is_never_cited_for_a_sent_type():
    findings = only(
        flow_findings(upload(det("oaid", "body:$.r", direction="response"), det("oaid", "body:$.q", "pattern"))),
        "PRE_CONSENT_TRANSMISSION",
    )
    assert [(f.where, f.severity) for f in findings] == [("body:$.q", "medium")]


def test_after_consent_the_same_upload_still_cites_its_own_types():
    findings = flow_findings(consent(0), umeng_upload(scheme="https"))
    assert {(f.rule, f.data_type, f.where) for f in findings} == {
        ("UNDECLARED_THIRD_PARTY", "imei", "body:$.header.imei"),
        ("UNDECLARED_THIRD_PARTY", "android_id", "body:$.header.android_id"),
        ("BEYOND_NECESSARY_SCOPE", "imei", "body:$.header.imei"),
        ("BEYOND_NECESSARY_SCOPE", "android_id", "body:$.header.android_id"),
    }
