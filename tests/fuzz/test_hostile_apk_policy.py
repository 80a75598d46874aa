"""Hostile APKs and privacy policies: the readers fail only with their own one-line error, never hang.

Damaged copies (truncated, bit-flipped, spliced, overwritten) of the real fixture APK, its
manifest and DEX, and of the privacy-policy fixtures, plus random bytes.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piaudit.policies.apk.axml import parse_axml
from piaudit.policies.apk.dex import defined_classes
from piaudit.policies.apk.inventory import read_apk
from piaudit.policies.apk.zipread import ApkError
from piaudit.policies.catalog import default_catalog
from piaudit.policies.draft.pipeline import draft_policy
from piaudit.policies.draft.source import PolicyTextError
from tests.fuzz.test_hostile_input import _mutate_bytes, _run, mutations
from tests.support.apks import BuiltApk

FIXTURES = Path(__file__).resolve().parents[1] / "policies" / "draft" / "fixtures"
SOME = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def parts(fixture_apk: BuiltApk) -> dict[str, bytes]:
    with zipfile.ZipFile(fixture_apk.signed) as z:
        return {"apk": fixture_apk.signed.read_bytes(), "manifest": z.read("AndroidManifest.xml"), "dex": z.read("classes.dex")}


@SOME
@given(seed=st.integers(0, 2**32), how=mutations)
def test_damaged_apk_raises_only_apk_error(parts: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory, seed: int, how: str) -> None:
    path = tmp_path_factory.mktemp("apk") / "damaged.apk"
    path.write_bytes(_mutate_bytes(parts["apk"], random.Random(seed), how))
    _run("apk", ApkError, lambda: read_apk(path, default_catalog()))


@SOME
@given(seed=st.integers(0, 2**32), how=mutations)
def test_damaged_manifest_and_dex(parts: dict[str, bytes], seed: int, how: str) -> None:
    rnd = random.Random(seed)
    manifest = _mutate_bytes(parts["manifest"], rnd, how)
    _run("axml", ApkError, lambda: parse_axml(manifest, "AndroidManifest.xml"))
    dex = _mutate_bytes(parts["dex"], rnd, how)
    _run("dex", ApkError, lambda: defined_classes(dex, "classes.dex"))


@SOME
@given(data=st.binary(max_size=2048))
def test_random_bytes_as_apk_manifest_dex(data: bytes) -> None:
    _run("axml", ApkError, lambda: parse_axml(data, "x"))
    _run("dex", ApkError, lambda: defined_classes(b"dex\n035\0" + data, "x"))


@SOME
@given(seed=st.integers(0, 2**32), how=mutations, name=st.sampled_from(sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".html", ".txt"))))
def test_damaged_privacy_policy_drafts_or_raises_policy_text_error(tmp_path_factory: pytest.TempPathFactory, seed: int, how: str, name: str) -> None:
    path = tmp_path_factory.mktemp("pp") / name
    path.write_bytes(_mutate_bytes((FIXTURES / name).read_bytes(), random.Random(seed), how))
    # draft_policy validates its own output with parse_policy: a draft that fails `check` raises PolicyError here
    _run("privacy policy", PolicyTextError, lambda: draft_policy("com.example.app", privacy_policy=path))
