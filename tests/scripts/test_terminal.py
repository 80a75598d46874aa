"""The terminal: the findings table fits the width, keeps every character of `where`, aligns CJK names."""

from __future__ import annotations

import io
import logging

from rich.cells import cell_len

from piaudit.policies.models import Finding
from piaudit.scripts.demo import findings_table
from piaudit.scripts.terminal import WarningSummary

T0 = 1_764_000_000.0
WHERE = "form:data>$.header.device_info.identifiers[3].android_id_sha256_upper"


def findings() -> list[Finding]:
    return [
        Finding(
            rule="PRE_CONSENT_TRANSMISSION", data_type="imei", party="友盟+ (Umeng)", time=T0, before_consent=True, where=WHERE
        ),
        Finding(
            rule="UNDECLARED_THIRD_PARTY",
            data_type="android_id",
            party="腾讯广告 优量汇",
            time=T0 + 1,
            before_consent=True,
            where="query:aid",
        ),
        Finding(
            rule="CLEARTEXT_TRANSMISSION",
            data_type="oaid",
            host="mobads.baidu.com",
            time=T0 + 2,
            before_consent=False,
            where="body",
        ),
    ]


def separators(line: str) -> list[int]:
    """The cell columns where the table's column separators are."""
    out, col = [], 0
    for ch in line:
        if ch in "│┃":
            out.append(col)
        col += cell_len(ch)
    return out


def test_the_table_fits_a_100_column_terminal() -> None:
    lines = findings_table(findings(), width=100).splitlines()
    assert lines and max(cell_len(line) for line in lines) <= 100, max(cell_len(line) for line in lines)


def test_where_is_never_cut() -> None:
    text = findings_table(findings(), width=100)
    joined = "".join(part.strip() for line in text.splitlines() for part in line.split("│")[-1:])
    assert WHERE in joined and "…" not in text


def test_cjk_party_names_keep_the_columns_aligned() -> None:
    lines = [line for line in findings_table(findings(), width=100).splitlines() if "│" in line]
    assert len({tuple(separators(line)) for line in lines}) == 1, lines


def test_warnings_are_summed_up_not_streamed() -> None:
    summary = WarningSummary()
    logger = logging.getLogger("piaudit.test-terminal")
    logger.addHandler(summary)
    logger.propagate = False
    try:
        for i in range(5):
            logger.warning("PRE_CONSENT_ACCESS imei Umeng read %d", i)
        logger.warning("something else happened")
    finally:
        logger.removeHandler(summary)
    out = io.StringIO()
    out.write("\n".join(summary.lines()))
    assert out.getvalue().splitlines()[0].startswith("6 warnings during the run")
    assert "    5  PRE_CONSENT_ACCESS imei Umeng read 0" in out.getvalue()


def test_summarised_warnings_hold_back_warnings_but_not_errors_or_info(capsys) -> None:
    from piaudit.scripts.terminal import summarised_warnings

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.INFO)
    try:
        with summarised_warnings(stream):
            logging.getLogger("x").warning("client TLS handshake failed: %s", "a")
            logging.getLogger("x").warning("client TLS handshake failed: %s", "b")
            logging.getLogger("x").info("listening at 127.0.0.1:8080")
            logging.getLogger("x").error("cannot write the evidence store")
        during = stream.getvalue()
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
    lines = during.splitlines()
    assert lines[:2] == ["listening at 127.0.0.1:8080", "cannot write the evidence store"]
    assert lines[2].startswith("2 warnings during the run") and "client TLS handshake" in lines[3]
