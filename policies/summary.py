"""Counting a session's findings: the one tally every command's summary prints."""

from __future__ import annotations

from collections.abc import Iterable

from piaudit.policies.models import Finding


def findings_per_rule(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings each rule has, sorted by rule name.

    >>> findings_per_rule([])
    {}
    """
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
    return dict(sorted(counts.items()))


def rule_lines(findings: Iterable[Finding]) -> list[str]:
    """One line per rule, ``"    3  PRE_CONSENT_ACCESS"``, as `run`, `replay` and `info` print them."""
    return [f"  {count:5d}  {rule}" for rule, count in findings_per_rule(findings).items()]
