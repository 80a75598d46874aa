"""`piaudit report --format pdf`: headless Chromium's print-to-PDF, read back with poppler's pdftotext."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from piaudit.scripts.reports import write_report
from tests.support.sessions import ANDROID_ID, IMEI, LOCATION, OAID, build_session

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"  # scripts/setup.sh installs poppler-utils
WIRE_FORMS = [IMEI, ANDROID_ID, OAID, LOCATION, base64.b64encode(IMEI.encode()).decode(), hashlib.md5(OAID.encode()).hexdigest()]


def pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True).stdout
    return text.split("\f")[:-1]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    return build_session(tmp_path_factory.mktemp("pdf") / "app1")


@pytest.mark.parametrize("lang, page_label, header", [("en", "page {n} of {total}", "piaudit · com.example.shop · session app1"), ("zh", "第 {n} 页，共 {total} 页", "piaudit · com.example.shop · 会话 app1")])
def test_every_page_has_its_number_and_the_session_and_app(built, tmp_path: Path, lang: str, page_label: str, header: str) -> None:
    pdf = write_report(built.dir, "pdf", tmp_path / f"r-{lang}.pdf", lang=lang)
    assert pdf.read_bytes().startswith(b"%PDF-")
    texts = pages(pdf)
    assert len(texts) >= 2
    for n, text in enumerate(texts, start=1):
        squeezed = re.sub(r"\s+", " ", text)
        assert page_label.format(n=n, total=len(texts)) in squeezed, (n, squeezed[-200:])
        assert header in squeezed, n
    assert "PRE_CONSENT_TRANSMISSION" in "".join(texts) and IMEI in "".join(texts)


def test_a_redacted_pdf_holds_no_identifier_in_any_encoding(built, tmp_path: Path) -> None:
    text = "".join(pages(write_report(built.dir, "pdf", tmp_path / "redacted.pdf", redact=True, lang="en")))
    for value in WIRE_FORMS:
        assert value not in text and value.upper() not in text, value
    assert "‹imei:sha256:" in text


def test_hostile_session_prints(tmp_path: Path) -> None:
    evil = build_session(tmp_path / "evil", hostile=True)
    pdf = write_report(evil.dir, "pdf", tmp_path / "evil.pdf", lang="zh")
    assert len(pages(pdf)) >= 2 and "<script>" in "".join(pages(pdf))  # the payloads are printed as text
