"""Fixtures shared across the test folders: the real APK built once per test session."""

import pytest

from tests.support.apks import BuiltApk, build_fixture_apk


@pytest.fixture(scope="session")
def fixture_apk(tmp_path_factory: pytest.TempPathFactory) -> BuiltApk:
    """The signed fixture APK (apktool + apksigner), built from tests/policies/apk/apks."""
    return build_fixture_apk(tmp_path_factory.mktemp("apk"))
