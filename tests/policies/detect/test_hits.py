"""Hit.copy copies every slot (it names them one by one, for speed)."""

from __future__ import annotations

from piaudit.policies.detect.hits import Hit
from piaudit.policies.vocab import DataType


def test_copy_copies_every_slot_and_is_independent():
    hit = Hit(DataType.imei, "value", "359881030314356", ("base64",), b"imei=MzU5", 5, 9)
    hit.where, hit.outer, hit.at = (("body", "place"),), b"outer", 7
    other = hit.copy()
    assert all(getattr(other, name) == getattr(hit, name) for name in Hit.__slots__)
    other.where = ()
    assert hit.where == (("body", "place"),)
