"""A privacy policy file (HTML or plain text, zh or en) as tables and lines, with where each came from.

Real policies come as web pages (``<table>`` SDK lists, ``<li>`` items, ``<p>`` prose) or as
text dumps of PDFs, where a table is columns of text separated by runs of spaces, split
across pages by page footers and repeated headers, with long cells wrapped onto the next
line. This module turns either into :class:`Document`: ``tables`` (rows of cells, each row
with its source line) and ``lines`` (text lines outside tables). Reading is bounded: the
file size, the number of HTML tags and of table cells.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

MAX_POLICY_BYTES = 8 * 1024 * 1024
MAX_TAGS = 400_000
MAX_CELLS = 200_000


class PolicyTextError(ValueError):
    """A privacy-policy file that cannot be read: one line naming the file and the problem."""


@dataclass
class Row:
    """One table row: its cells' text and the source line it starts on."""

    cells: list[str]
    line: int


@dataclass
class Table:
    """A table: its rows (the header first when there is one) and its number in the document (1-based)."""

    number: int
    rows: list[Row] = field(default_factory=list)


@dataclass
class Line:
    """A line (or an HTML paragraph / list item) outside tables."""

    text: str
    line: int
    list_item: bool = False


@dataclass
class Document:
    """The structured text of one privacy policy."""

    path: str
    kind: str  # "html" or "text"
    tables: list[Table] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    def full_text(self) -> str:
        """Every line and cell, for searches over the whole text (domains)."""
        parts = [ln.text for ln in self.lines]
        for t in self.tables:
            parts += [" | ".join(r.cells) for r in t.rows]
        return "\n".join(parts)


def _decode(raw: bytes, label: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PolicyTextError(f"{label}: not text in UTF-8, UTF-16 or GB18030")


def read_policy_text(path: Path | str) -> Document:
    """Read and structure a privacy-policy file; raises :class:`PolicyTextError`."""
    path = Path(path)
    label = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_POLICY_BYTES:
            raise PolicyTextError(f"{label}: {size} bytes, larger than the {MAX_POLICY_BYTES >> 20} MiB limit for a privacy policy")
        raw = path.read_bytes()
    except OSError as e:
        raise PolicyTextError(f"{label}: cannot read: {e.strerror or e}") from None
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PolicyTextError(f"{label}: a binary file, not a privacy policy in HTML or text (convert a PDF with pdftotext -layout)")
    text = _decode(raw, label)
    if not text.strip():
        raise PolicyTextError(f"{label}: the file is empty")
    head = text[:4096].lower()
    if path.suffix.lower() in (".html", ".htm", ".xhtml") or re.search(r"<(html|body|table|p|div|li)\b", head):
        return parse_html(text, label)
    return parse_text(text, label)


# --------------------------------------------------------------------------------- HTML

_BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "section", "article", "dd", "dt", "blockquote", "pre", "tr", "ul", "ol", "header", "footer"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "svg"}


MAX_SPAN = 64


def _span(value: str | None) -> int:
    try:
        return max(1, min(MAX_SPAN, int(value or 1)))
    except ValueError:
        return 1


@dataclass
class _OpenTable:
    """A table being read: the current row's cells (text, rowspan, colspan) and cells carried down by rowspan."""

    table: Table
    line: int
    row: list[tuple[str, int, int]] | None = None
    cell: list[str] | None = None
    spans: tuple[int, int] = (1, 1)
    carry: dict[int, list] = field(default_factory=dict)  # column -> [text, rows still to fill]

    def lay_out(self) -> list[str]:
        """The row's cells by column: rowspan cells from rows above fill their columns, colspan repeats a cell."""
        out: list[str] = []
        cells = list(self.row or [])
        column = 0
        while cells or any(c >= column for c in self.carry):
            if column in self.carry:
                text, left = self.carry[column]
                out.append(text)
                if left <= 1:
                    del self.carry[column]
                else:
                    self.carry[column][1] = left - 1
            elif cells:
                text, rowspan, colspan = cells.pop(0)
                for i in range(colspan):
                    out.append(text if i == 0 else "")
                    if rowspan > 1:
                        self.carry[column + i] = [text, rowspan - 1]
                column += colspan - 1
            else:
                out.append("")
            column += 1
            if column > 4 * MAX_SPAN:
                break
        return out


class _HtmlReader(HTMLParser):
    def __init__(self, label: str) -> None:
        super().__init__(convert_charrefs=True)
        self.label = label
        self.doc = Document(label, "html")
        self.tags = 0
        self.cells = 0
        self.skip = 0
        self.buf: list[str] = []
        self.buf_line = 1
        self.in_li = False
        self.tables: list[_OpenTable] = []

    # text goes to the open cell, else to the paragraph buffer
    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.tables and self.tables[-1].cell is not None:
            self.tables[-1].cell.append(data)
            return
        if not self.buf:
            self.buf_line = self.getpos()[0]
        self.buf.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self.buf).split())
        if text:
            self.doc.lines.append(Line(text, self.buf_line, self.in_li))
        self.buf = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        if self.tags > MAX_TAGS:
            raise PolicyTextError(f"{self.label}: more than {MAX_TAGS} HTML tags (limit)")
        if tag in _SKIP_TAGS:
            self.skip += 1
            return
        if self.skip:
            return
        attributes = dict(attrs)
        href = attributes.get("href") if tag == "a" else None
        if tag == "table":
            self._flush()
            if len(self.tables) >= 16:
                raise PolicyTextError(f"{self.label}:{self.getpos()[0]}: tables nested more than 16 deep (limit)")
            self.tables.append(_OpenTable(Table(0), self.getpos()[0]))
        elif self.tables and tag == "tr":
            self._end_row()
            self.tables[-1].row, self.tables[-1].line = [], self.getpos()[0]
        elif self.tables and tag in ("td", "th"):
            self._end_cell()
            open_table = self.tables[-1]
            if open_table.row is None:
                open_table.row, open_table.line = [], self.getpos()[0]
            open_table.cell = []
            open_table.spans = (_span(attributes.get("rowspan")), _span(attributes.get("colspan")))
        elif tag in _BLOCK_TAGS:
            if self.tables and self.tables[-1].cell is not None:
                self.tables[-1].cell.append(" ")
            else:
                self._flush()
                self.in_li = tag == "li"
        if href and href.startswith(("http://", "https://")):
            self.handle_data(f" {href} ")

    def _end_cell(self) -> None:
        open_table = self.tables[-1]
        if open_table.cell is not None and open_table.row is not None:
            open_table.row.append((" ".join("".join(open_table.cell).split()), *open_table.spans))
            self.cells += 1
            if self.cells > MAX_CELLS:
                raise PolicyTextError(f"{self.label}: more than {MAX_CELLS} table cells (limit)")
        open_table.cell = None

    def _end_row(self) -> None:
        self._end_cell()
        open_table = self.tables[-1]
        if open_table.row is not None:
            cells = open_table.lay_out()
            if any(cells):
                open_table.table.rows.append(Row(cells, open_table.line))
        open_table.row = None

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if self.tables and tag in ("td", "th"):
            self._end_cell()
        elif self.tables and tag == "tr":
            self._end_row()
        elif self.tables and tag == "table":
            self._end_row()
            table = self.tables.pop().table
            if table.rows:
                table.number = len(self.doc.tables) + 1
                self.doc.tables.append(table)
        elif tag in _BLOCK_TAGS and not self.tables:
            self._flush()
            self.in_li = False

    def close(self) -> None:
        super().close()
        while self.tables:
            self.handle_endtag("table")
        self._flush()


def parse_html(text: str, label: str = "<html>") -> Document:
    """Tables and text lines of an HTML privacy policy."""
    reader = _HtmlReader(label)
    reader.feed(text)
    reader.close()
    return reader.doc


# ------------------------------------------------------------------------- plain text

_PAGE_MARK = re.compile(
    r"^\s*(?:第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|[-—–]?\s*\d{1,4}\s*[-—–]?|page\s+\d+(?:\s+of\s+\d+)?|\d+\s*/\s*\d+)\s*$",
    re.IGNORECASE,
)
_CELL_SPLIT = re.compile(r"\t+|\s*\|\s*|[ \u3000]{2,}")


def _cells(line: str) -> list[tuple[int, str]]:
    """Cells of a table-like line with their start columns."""
    stripped = line.rstrip()
    if "\t" in stripped and "|" not in stripped:
        return [(i, c.strip()) for i, c in enumerate(stripped.split("\t"))]
    if "|" in stripped:
        body = stripped.strip()
        body = body[1:] if body.startswith("|") else body
        body = body[:-1] if body.endswith("|") else body
        if re.fullmatch(r"[\s|:\-—]+", body):
            return []  # a markdown separator row
        return [(i, c.strip()) for i, c in enumerate(body.split("|"))]
    out: list[tuple[int, str]] = []
    pos = 0
    for piece in _CELL_SPLIT.split(stripped):
        start = stripped.find(piece, pos) if piece else pos
        if piece.strip():
            out.append((start, piece.strip()))
        pos = start + len(piece)
    return out


def _is_header(cells: list[str], column_role: Callable[[str], str | None]) -> bool:
    return len({role for c in cells if (role := column_role(c))}) >= 2


def parse_text(text: str, label: str = "<text>", column_role: Callable[[str], str | None] | None = None) -> Document:
    """Tables and lines of a plain-text policy (PDF-to-text dumps included).

    A table starts at a header row (two or more cells that are known column names) and goes
    on while lines split into cells; page marks, blank lines and a repeated header inside it
    are skipped, so a table split across pages stays one table. A line that starts inside the
    first column's space (indented) continues the cells of the row above it.
    """
    if column_role is None:
        from piaudit.policies.draft.terms import load_terms

        column_role = load_terms().column_role
    doc = Document(label, "text")
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    table: Table | None = None
    starts: list[int] = []
    header: list[str] = []
    pipes = False
    gap = 0
    for number, raw in enumerate(raw_lines, start=1):
        line = raw.replace("\f", "")
        if _PAGE_MARK.match(line) and line.strip():
            continue
        if not line.strip():
            gap += 1
            if table is not None and gap > 6:
                table = None
            continue
        if table is not None and pipes and re.fullmatch(r"[\s|:\-—]+", line):
            continue  # a markdown separator row
        cells = _cells(line)
        texts = [c for _, c in cells]
        if table is not None and texts != header and len(cells) >= 2 and _is_header(texts, column_role):
            table = None  # another table's header
        if table is None:
            if len(cells) >= 2 and _is_header(texts, column_role):
                table = Table(len(doc.tables) + 1, [Row(texts, number)])
                doc.tables.append(table)
                starts = [s for s, _ in cells]
                header = texts
                pipes = "|" in line or "\t" in line  # cells by index, not by column position
                gap = 0
                continue
            doc.lines.append(Line(line.strip(), number, bool(re.match(r"\s*(?:[-•·*●▪]|\d+[.、)）]|[（(]\d+[)）])\s*", line))))
            continue
        if texts == header:  # the header repeated on the next page
            gap = 0
            continue
        indented = line[:1].isspace() and not pipes
        if (len(cells) < 2 and not indented) or (gap > 1 and len(cells) < 2):
            table = None  # the table ended: this line is text again
            doc.lines.append(Line(line.strip(), number))
            continue
        gap = 0
        row = [""] * len(header)
        for start, cell in cells:
            column = len(header) - 1 if pipes and start >= len(header) else (start if pipes else _column(starts, start))
            row[column] = (row[column] + " " + cell).strip()
        if not row[0] and len(table.rows) > 1:
            previous = table.rows[-1]
            for i, cell in enumerate(row):
                if cell:
                    previous.cells[i] = (previous.cells[i] + cell) if _cjk_join(previous.cells[i], cell) else (previous.cells[i] + " " + cell).strip()
            continue
        table.rows.append(Row(row, number))
    return doc


def _column(starts: list[int], start: int) -> int:
    """The column whose header starts nearest to ``start`` (text dumps shift a little)."""
    return min(range(len(starts)), key=lambda i: abs(starts[i] - start))


def _cjk_join(left: str, right: str) -> bool:
    """Wrapped CJK text continues without a space."""
    return bool(left) and bool(right) and ord(left[-1]) > 0x2E80 and ord(right[0]) > 0x2E80
