"""Who and what a privacy policy names: third-party mentions, the app's own data, its domains.

Input is a :class:`~piaudit.policies.draft.source.Document`; output is plain data with the
place each item came from. Three shapes of SDK list are read — a table with a header row,
list-form records (``SDK名称：…`` / ``使用目的：…`` lines), and prose ("我们接入了…SDK",
"we share … with …") — and a negated clause ("我们不会与…共享", "we do not share … with …")
never yields a third party: it is kept as a negative mention so the draft can say why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from piaudit.policies.draft.source import Document, Line, Table
from piaudit.policies.draft.terms import Terms, normalize
from piaudit.policies.psl import default_public_suffix_list, registrable_domain

QUOTE_MAX = 160
_NAME_SPLIT = re.compile(r"\s*(?:、|/|／|；|;|，|,|\n|\band\b|以及|和|及|与)\s*")
_PARENS = re.compile(r"[（(][^（）()]*[）)]")
_RECORD_LINE = re.compile(r"^\s*(?:[-•·*●▪]\s*|\d+[.、)）]\s*|[（(]\d+[)）]\s*)?([^:：]{1,16}?)\s*[:：]\s*(.*)$")
_ITEM_PREFIX = re.compile(r"^\s*(?:[-•·*●▪]\s*|\d+(?:\.\d+)*[.、)）]?\s*|[（(]\d+[)）]\s*)")
_SENTENCE = re.compile(r"(?<=[。！？!?])|(?<=\.)\s+(?=[A-Z“\"])|\n")
_CLAUSE = re.compile(r"[，；;]|,(?!\s*(?:Inc|Ltd|LLC|Co\.|Limited|GmbH)\b)")
_SDK_NAME = re.compile(r"([A-Za-z0-9\u4e00-\u9fff+·.\-]{2,24}?)\s?SDK", re.IGNORECASE)
_EN_SDK_NAME = re.compile(r"\b((?:[A-Z][\w+.\-]*\s){0,2}[A-Z][\w+.\-]*)\s+SDK\b")
_ZH_COMPANY = re.compile(r"[\u4e00-\u9fff（）()]{2,30}?(?:股份有限公司|有限责任公司|有限公司|研究院)")
_EN_COMPANY = re.compile(r"\b((?:[A-Z][\w&.\-]*\s){0,4}[A-Z][\w&.\-]*),?\s(?:Inc\.|Ltd\.|LLC|GmbH|Limited|Corporation|Co\., Ltd\.)")
_DOMAIN = re.compile(r"(?<![\w@.-])(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?![\w-])", re.IGNORECASE)
_EMAIL_DOMAIN = re.compile(r"[\w.+-]+@((?:[a-z0-9-]+\.)+[a-z]{2,24})", re.IGNORECASE)
# words a captured SDK name must not be (or start with): they point at an SDK, they do not name one
_NOT_A_NAME = re.compile(r"^(?:本|该|此|上述|相关|这些|各|其他|第三方|部分|所有|以下|下列|前述|任何|任一|合作|the|this|these|those|such|any|all|other|third[- ]party|our|some)\b|^(?:本|该|此|上述|相关|这些|各|其他|第三方|部分|所有|以下|下列|前述|任何|合作方?)", re.IGNORECASE)
_LEADING_VERB = re.compile(r"^.*(?:接入了|集成了|嵌入了|引入了|使用了|接入|集成|嵌入|引入|使用|通过|包括|包含|如|例如|即|了|的|是|为)")


@dataclass
class Mention:
    """One third party as the text names it, and where."""

    name: str  # as written; "" when only the company is named
    where: str  # "table 1 row 3 (line 42)", "line 57 (record)", "line 80 (sentence)"
    line: int
    kind: str  # table, record, list, prose
    quote: str
    company: str = ""
    purpose: str = ""
    data_text: str = ""
    link: str = ""
    negated: bool = False
    split_from: str = ""  # the cell that named several SDKs


@dataclass
class OwnData:
    """A data phrase the app declares for itself (or says it does not collect)."""

    text: str
    where: str
    line: int
    negated: bool = False


@dataclass
class Extraction:
    """Everything read from one privacy policy."""

    mentions: list[Mention] = field(default_factory=list)
    own_data: list[OwnData] = field(default_factory=list)
    operator_names: list[str] = field(default_factory=list)
    domains: dict[str, list[str]] = field(default_factory=dict)  # domain -> where it appears
    third_party_domains: set[str] = field(default_factory=set)  # domains in third-party rows and sentences
    skipped_tables: list[str] = field(default_factory=list)
    app_name: str = ""


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + "…"


def split_names(cell: str) -> list[str]:
    """The SDK names in one name cell ("友盟统计SDK、友盟推送SDK" → two); parentheses stay with their name."""
    protected: list[str] = []

    def keep(m: re.Match[str]) -> str:
        protected.append(m.group(0))
        return f"\x00{len(protected) - 1}\x00"

    masked = _PARENS.sub(keep, cell)
    parts = [p for p in _NAME_SPLIT.split(masked) if p and p.strip()]
    restore = [re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], p).strip() for p in parts]
    return [p for p in restore if len(normalize(p)) >= 2] or ([cell.strip()] if cell.strip() else [])


def extract(doc: Document, terms: Terms, known_names: list[str]) -> Extraction:
    """Read ``doc``; ``known_names`` are catalog names and aliases to look for in prose."""
    out = Extraction()
    name_re = _known_names_pattern(known_names)
    for table in doc.tables:
        _table(table, terms, out)
    rest = _records(doc.lines, terms, out)
    for line in rest:
        _prose(line, terms, name_re, out)
    _domains(doc, terms, out)
    if m := re.search(r"《([^》]{1,40}?)(?:APP|App|app|客户端)?(?:隐私政策|隐私保护政策|隐私权政策|用户隐私政策)》", doc.full_text()):
        out.app_name = m.group(1).strip()
    return out


# ----------------------------------------------------------------------------- tables


def _table(table: Table, terms: Terms, out: Extraction) -> None:
    header = table.rows[0].cells
    roles = [terms.column_role(c) for c in header]
    if len({r for r in roles if r}) < 2 or "name" not in roles and "company" not in roles:
        if all(len(r.cells) == 2 for r in table.rows):  # a key/value table: one record
            lines = [Line(f"{r.cells[0]}：{r.cells[1]}", r.line) for r in table.rows]
            if not _records(lines, terms, out, where_prefix=f"table {table.number} "):
                return
        out.skipped_tables.append(f"table {table.number} (line {table.rows[0].line}): no header naming an SDK or company column")
        return
    column: dict[str, list[int]] = {}
    for index, role in enumerate(roles):
        if role:
            column.setdefault(role, []).append(index)

    def cell(row: list[str], role: str) -> str:
        return " ".join(row[i] for i in column.get(role, []) if i < len(row) and row[i]).strip()

    for number, row in enumerate(table.rows[1:], start=1):
        if [normalize(c) for c in row.cells] == [normalize(c) for c in header]:
            continue
        name_cell, company = cell(row.cells, "name"), cell(row.cells, "company")
        if not name_cell and not company:
            continue
        data = " ".join(x for x in (cell(row.cells, "data"), cell(row.cells, "permissions")) if x)
        base = dict(
            where=f"table {table.number} row {number} (line {row.line})",
            line=row.line,
            kind="table",
            quote=_quote(" | ".join(row.cells)),
            company=company,
            purpose=cell(row.cells, "purpose"),
            data_text=data,
            link=cell(row.cells, "link"),
        )
        names = split_names(name_cell) if name_cell else [""]
        for name in names:
            out.mentions.append(Mention(name=name, split_from=name_cell if len(names) > 1 else "", **base))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- records


def _records(lines: list[Line], terms: Terms, out: Extraction, where_prefix: str = "") -> list[Line]:
    """Take list-form SDK records out of ``lines``; return the lines that are not part of one."""
    rest: list[Line] = []
    current: Mention | None = None
    previous: Line | None = None
    for line in lines:
        m = _RECORD_LINE.match(line.text)
        role = terms.record_key(m.group(1)) if m else None
        if m and role:
            value = m.group(2).strip()
            if role == "name" or current is None:
                name = value if role == "name" else (_ITEM_PREFIX.sub("", previous.text).strip() if previous else "")
                if role != "name" and previous is not None and rest and rest[-1] is previous:
                    rest.pop()  # the item heading above the record is its name
                heading = previous.text.strip() if role != "name" and previous is not None else ""
                current = Mention(
                    name=name,
                    where=f"{where_prefix}line {line.line if role == 'name' or previous is None else previous.line} (record)",
                    line=line.line,
                    kind="record",
                    quote=heading,
                )
                out.mentions.append(current)
            if role == "name":
                current.name = value
            elif role == "company":
                current.company = value
            elif role == "purpose":
                current.purpose = value
            elif role in ("data", "permissions"):
                current.data_text = (current.data_text + " " + value).strip()
            elif role == "link":
                current.link = value
            current.quote = _quote((current.quote + " " + line.text).strip())
        else:
            current = None
            rest.append(line)
        previous = line
    split: list[Mention] = []
    for mention in out.mentions:  # "支付宝SDK、银联SDK" in one record: one mention each
        names = split_names(mention.name) if mention.kind == "record" and mention.name and not mention.split_from else []
        if len(names) > 1:
            split += [replace(mention, name=n, split_from=mention.name) for n in names]
        else:
            split.append(mention)
    out.mentions = split
    return rest


# ------------------------------------------------------------------------------ prose


def _known_names_pattern(names: list[str]) -> re.Pattern[str]:
    usable = sorted({normalize(n) for n in names if len(normalize(n)) >= 2}, key=len, reverse=True)
    parts = []
    for n in usable:
        escaped = re.escape(n)
        if n[0].isascii() and n[0].isalnum():
            escaped = r"(?<![a-z0-9])" + escaped
        if n[-1].isascii() and n[-1].isalnum():
            escaped += r"(?![a-z0-9])"
        parts.append(escaped)
    return re.compile("|".join(parts) if parts else r"(?!x)x")


def _prose(line: Line, terms: Terms, name_re: re.Pattern[str], out: Extraction) -> None:
    units = [line.text] if line.list_item else _SENTENCE.split(line.text)
    for sentence in (s for s in units if s and s.strip()):
        kind = "list" if line.list_item else "prose"
        where = f"line {line.line} ({'list item' if line.list_item else 'sentence'})"
        norm_sentence = normalize(sentence)
        if terms.operator_re.search(norm_sentence):
            out.operator_names += [m.group(0) for m in _ZH_COMPANY.finditer(sentence)]
            out.operator_names += [m.group(0) for m in _EN_COMPANY.finditer(sentence)]
            continue
        clauses = [c for c in _CLAUSE.split(sentence) if c.strip()]
        found_any = False
        positive_data: list[str] = []
        sentence_mentions: list[Mention] = []
        for clause in clauses:
            norm = normalize(clause)
            negated = bool(terms.negation_re.search(norm))
            names = _names_in(clause, norm, terms, name_re)
            if names and (negated or line.list_item or terms.share_re.search(norm_sentence)):
                found_any = True
                for name, company in names:
                    mention = Mention(
                        name=name,
                        company=company,
                        where=where,
                        line=line.line,
                        kind=kind,
                        quote=_quote(sentence),
                        negated=negated,
                        purpose=_purpose(sentence, line.list_item),
                    )
                    out.mentions.append(mention)
                    if not negated:
                        sentence_mentions.append(mention)
            if not negated:
                positive_data.append(clause)
            elif not names:
                out.own_data.append(OwnData(clause.strip(), where, line.line, negated=True))
        if sentence_mentions:
            data = " ".join(positive_data)
            for mention in sentence_mentions:
                mention.data_text = data
        elif not found_any and terms.first_party_re.search(norm_sentence):
            out.own_data.append(OwnData(" ".join(positive_data), where, line.line))


def _names_in(clause: str, norm: str, terms: Terms, name_re: re.Pattern[str]) -> list[tuple[str, str]]:
    """(name, company) pairs a clause names: known SDK names, vendor legal names, "X SDK", "X有限公司"."""
    found: list[tuple[str, str]] = []
    spans: list[tuple[int, int]] = []
    for m in terms.company_re.finditer(norm):
        found.append(("", m.group(0)))
        spans.append(m.span())
    for m in name_re.finditer(norm):
        if not any(a <= m.start() < b for a, b in spans):
            found.append((m.group(0), ""))
            spans.append(m.span())
    candidates = [m.group(1) for m in _EN_SDK_NAME.finditer(clause)]
    candidates += [m.group(1) for m in _SDK_NAME.finditer(clause) if re.search(r"[\u4e00-\u9fff]", m.group(1))]
    for raw in candidates:
        name = _LEADING_VERB.sub("", raw).strip(" ·.-") if re.search(r"[\u4e00-\u9fff]", raw) else raw
        if len(normalize(name)) < 2 or _NOT_A_NAME.search(name):
            continue
        if not any(normalize(name) in normalize(n) or normalize(n) in normalize(name) for n, _ in found if n):
            found.append((name + "SDK" if re.search(r"[\u4e00-\u9fff]$", name) else name + " SDK", ""))
    for regex in (_ZH_COMPANY, _EN_COMPANY):
        for m in regex.finditer(clause):
            company = m.group(0)
            if any(normalize(company).endswith(c) or c in normalize(company) for _, c in found if c):
                continue
            named = [i for i, (n, c) in enumerate(found) if n and not c]
            if named:  # "Firebase Analytics (Google LLC)": the company of the SDK named before it
                i = named[0]
                found[i] = (found[i][0], company)
            else:
                found.append(("", company))
    return found


def _purpose(text: str, list_item: bool) -> str:
    """A stated purpose: "用于…", "为您提供…", "to …", or the text after "Name:" in a list item."""
    if m := re.search(r"(?:用于|为您提供|以便|目的是)([^，。；,;]{2,40})", text):
        return m.group(1).strip()
    if list_item and (m := re.match(r"^[^:：]{2,60}[:：]\s*([^.。;；]{2,60})", text)):
        return m.group(1).strip()
    if m := re.search(r"\b(?:to|for)\s+((?:deliver|provide|run|analy[sz]e|measure|show|serve|send|process|detect|monitor|prevent)[^,.;]{0,50})", text):
        return m.group(1).strip()
    return ""


# ---------------------------------------------------------------------------- domains


def _real_suffix(host: str) -> bool:
    psl = default_public_suffix_list()
    suffix = host.rsplit(".", 1)[-1]
    return suffix in ("example", "test") or host.split(".", 1)[-1] in psl.rules or suffix in psl.rules


def _domains(doc: Document, terms: Terms, out: Extraction) -> None:
    for mention in out.mentions:
        for text in (mention.link, mention.quote):
            for m in _DOMAIN.finditer(text):
                out.third_party_domains.add(registrable_domain(m.group(1).lower()))
    places: list[tuple[str, str]] = [(ln.text, f"line {ln.line}") for ln in doc.lines]
    for table in doc.tables:
        places += [(" ".join(r.cells), f"table {table.number} (line {r.line})") for r in table.rows]
    for text, where in places:
        hosts = [m.group(1).lower() for m in _EMAIL_DOMAIN.finditer(text)]
        hosts += [m.group(1).lower() for m in _DOMAIN.finditer(_EMAIL_DOMAIN.sub(" ", text))]
        for host in hosts:
            if not _real_suffix(host) or re.fullmatch(r"[\d.]+", host):
                continue
            domain = registrable_domain(host)
            if any(domain == d or domain.endswith("." + d) for d in terms.not_first_party_domains):
                continue
            out.domains.setdefault(domain, [])
            if where not in out.domains[domain]:
                out.domains[domain].append(where)
