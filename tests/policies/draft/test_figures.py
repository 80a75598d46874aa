"""The figures quoted in docs/policy.md: `policy draft` scored on the fixtures' ground truth."""

from tests.policies.draft.evaluate import evaluate


def test_fixture_scores() -> None:
    scores, total = evaluate()
    by_name = {s.name: s for s in scores}
    assert len(by_name) == 6
    assert (total.found, total.listed) == (39, 39)
    assert total.false_parties == []
    assert (total.types_correct, total.types_listed) == (69, 69)
    # the only over-mapping: "device identifiers" (generic) for Crashlytics, drafted with lowered confidence
    assert total.types_extra == 3 and by_name["en_policy.html"].types_extra == 3
    assert (total.own_correct, total.own_listed, total.own_extra) == (11, 11, 0)
    assert (total.domains_correct, total.domains_listed, total.domains_extra) == (6, 6, 0)
