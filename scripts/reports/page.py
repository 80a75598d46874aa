"""The HTML report's page builder: every captured value reaches the page through :meth:`Page.t`."""

from __future__ import annotations

import html
import re

from piaudit.policies.redaction import Redactor


class Page:
    """Builds the report text; every captured value goes through :meth:`t`."""

    def __init__(self, redactor: Redactor):
        self.redactor = redactor

    def t(self, value: object) -> str:
        """A value as safe text: redacted, then escaped (``None`` → empty)."""
        return html.escape(self.redactor.text("" if value is None else str(value)), quote=True)

    def excerpt(self, text: str) -> str:
        """An excerpt with its ``[[match]]`` parts highlighted as ``<mark>``."""
        parts = re.split(r"\[\[(.*?)\]\]", text or "", flags=re.S)
        return "".join(f"<mark>{self.t(p)}</mark>" if i % 2 else self.t(p) for i, p in enumerate(parts))

    def table(self, headers: list[str], rows: list[list[object]], numeric: set[int] = frozenset()) -> str:  # type: ignore[assignment]
        """A table of escaped cells."""
        head = "".join(f"<th>{self.t(h)}</th>" for h in headers)
        body = "".join(
            "<tr>"
            + "".join(f'<td class="num">{self.t(c)}</td>' if i in numeric else f"<td>{self.t(c)}</td>" for i, c in enumerate(r))
            + "</tr>"
            for r in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def more(self, shown: int, total: int, what: str) -> str:
        """A note when a list was capped."""
        return (
            f'<p class="note">showing {shown} of {total} {self.t(what)}; the JSON report has the counts</p>'
            if total > shown
            else ""
        )
