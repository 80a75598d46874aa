"""The audit policy: what an app declares it collects, and with whom it shares it.

A policy is YAML validated by :class:`Policy`. :func:`load_policy` reports a mistake as
one line naming the file, line and field::

    policy.yaml:12: third_parties[0].data_types[1]: 'imie' is not a data type (did you mean 'imei'?)
"""

from __future__ import annotations

import difflib
import hashlib
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from piaudit.policies.vocab import DATA_TYPES, DEFAULT_CONSENT_SIGNALS, ConsentSource, DataType

DATA_DIR = Path(__file__).parent / "data"
OTHER_CATEGORY = "other"


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (``imie`` → ``imei`` is 1)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb)))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _suggest(value: str, choices: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    if len(value) >= 3 and (starts := [c for c in choices if c.startswith(value.lower())]):
        return f" (did you mean {starts[0]!r}?)"
    best = min(choices, key=lambda c: (_distance(value.lower(), c), -difflib.SequenceMatcher(None, value, c).ratio()))
    close = _distance(value.lower(), best) <= max(1, len(best) // 3) or difflib.SequenceMatcher(None, value, best).ratio() >= 0.75
    return f" (did you mean {best!r}?)" if close else ""


def _fail(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, "{message}", {"message": message})


class AppCategory(BaseModel):
    """One app type of the 2021 necessary-information rule (``data/necessary_scope.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    name_zh: str
    name_en: str
    basic_service: str
    necessary: list[str]
    data_types: list[DataType]
    notes: str = ""


@cache
def app_categories() -> dict[str, AppCategory]:
    """The 39 app categories by code, in the rule's order."""
    data = yaml.safe_load((DATA_DIR / "necessary_scope.yaml").read_text(encoding="utf-8"))
    return {c["code"]: AppCategory(**c) for c in data["categories"]}


# ----------------------------------------------------------------- validated scalars


def _data_type(value: Any) -> Any:
    if isinstance(value, str) and value not in DATA_TYPES:
        raise _fail("data_type", f"{value!r} is not a data type{_suggest(value, DATA_TYPES) or ' (see policies/vocab.py)'}")
    return value


def _country(value: Any) -> Any:
    if isinstance(value, bool):
        raise _fail("country", "got a boolean: quote the country code (YAML reads an unquoted NO as false)")
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}", value):
        raise _fail("country", f"{value!r} is not an ISO 3166-1 alpha-2 country code (two capital letters, e.g. 'CN')")
    return value


def _domain(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    domain = value.strip().lower().removeprefix("*.").removeprefix(".").rstrip(".")
    if not re.fullmatch(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*", domain):
        raise _fail("domain", f"{value!r} is not a domain name (write 'api.example.com': no scheme, port or path)")
    return domain


def _package(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", value):
        raise _fail("package", f"{value!r} is not a Java package name (e.g. 'com.tencent.bugly')")
    return value


def _category(value: Any) -> Any:
    codes = [*app_categories(), OTHER_CATEGORY]
    if isinstance(value, str) and value not in codes:
        hint = _suggest(value, codes) or " (one of the codes in policies/data/necessary_scope.yaml, or 'other')"
        raise _fail("category", f"{value!r} is not an app category{hint}")
    return value


DataTypeName = Annotated[DataType, BeforeValidator(_data_type)]
CountryCode = Annotated[str, BeforeValidator(_country), Field(pattern=r"^[A-Z]{2}$")]
Domain = Annotated[str, BeforeValidator(_domain)]
JavaPackage = Annotated[str, BeforeValidator(_package)]

# ---------------------------------------------------------------------------- models


class _PolicyModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppInfo(_PolicyModel):
    """The audited app."""

    package: JavaPackage
    name: str = ""
    category: Annotated[str, BeforeValidator(_category), Field(json_schema_extra={"enum": [*app_categories(), OTHER_CATEGORY]})]


class ThirdParty(_PolicyModel):
    """A third party the app's privacy policy names (PIPL Art. 23: recipient, purpose, data)."""

    name: str = Field(min_length=1)
    catalog_id: str | None = None
    sdk_prefixes: list[JavaPackage] = []
    domains: list[Domain] = []
    data_types: list[DataTypeName] = []
    purpose: str = Field(min_length=1)
    country: CountryCode | None = None

    @model_validator(mode="after")
    def _attributable(self) -> ThirdParty:
        if not (self.catalog_id or self.sdk_prefixes or self.domains):
            raise ValueError(
                f"third party {self.name!r} needs a catalog_id, sdk_prefixes or domains: nothing could be attributed to it"
            )
        return self


class ConsentSettings(_PolicyModel):
    """Which consent signals count, and extra button words."""

    agree_words: list[str] = []
    refuse_words: list[str] = []
    signals: list[ConsentSource] = list(DEFAULT_CONSENT_SIGNALS)


class FrequencyThreshold(_PolicyModel):
    """More than ``max_reads`` reads of one data type by one party within ``window_seconds``."""

    window_seconds: float = Field(30.0, gt=0)
    max_reads: int = Field(3, ge=1)


class PermissionBundleThreshold(_PolicyModel):
    """PERMISSION_BUNDLED: more than ``max_groups`` permission groups asked within ``window_seconds``."""

    max_groups: int = Field(2, ge=1)
    window_seconds: float = Field(10.0, ge=0)


class WindowThreshold(_PolicyModel):
    """How long after a cause its effect still counts as caused by it."""

    window_seconds: float = Field(10.0, ge=0)


class AppListProbingThreshold(_PolicyModel):
    """APP_LIST_PROBING: one party probing more than ``max_packages`` distinct other packages."""

    max_packages: int = Field(5, ge=1)


class Thresholds(_PolicyModel):
    """Rule settings. Lab practice, not law: no official numeric threshold exists."""

    frequency: FrequencyThreshold = FrequencyThreshold()
    permission_retry_seconds: float = Field(48 * 3600.0, ge=0)
    permission_bundle: PermissionBundleThreshold = PermissionBundleThreshold()
    exit_after_refusal: WindowThreshold = WindowThreshold()
    self_start: WindowThreshold = WindowThreshold()
    app_list_probing: AppListProbingThreshold = AppListProbingThreshold()


class OtherApp(_PolicyModel):
    """Another app the privacy policy says this app starts, calls or checks for (e.g. WeChat for sharing)."""

    package: JavaPackage
    purpose: str = Field(min_length=1)


class Policy(_PolicyModel):
    """One app's audit policy."""

    version: Literal[1] = 1
    app: AppInfo
    first_party_domains: list[Domain] = []
    third_parties: list[ThirdParty] = []
    declared_data_types: list[DataTypeName] = []
    other_apps: list[OtherApp] = []
    consent: ConsentSettings = ConsentSettings()
    thresholds: Thresholds = Thresholds()
    jurisdiction: CountryCode = "CN"
    expected_server_countries: list[CountryCode] = []
    server_countries: dict[Domain, CountryCode] = {}

    @field_validator("third_parties")
    @classmethod
    def _unique_names(cls, parties: list[ThirdParty]) -> list[ThirdParty]:
        names = [p.name.casefold() for p in parties]
        if dupes := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"third party names must be unique: {', '.join(dupes)} appears more than once")
        return parties

    @classmethod
    def empty(cls, package: str = "app.unknown") -> Policy:
        """A policy that declares nothing (auditing without one): every party and type is undeclared."""
        return cls(app=AppInfo(package=package, name="(no policy)", category=OTHER_CATEGORY))

    @property
    def allowed_server_countries(self) -> frozenset[str]:
        """Countries personal data may go to: ``expected_server_countries``, else the jurisdiction."""
        return frozenset(self.expected_server_countries or [self.jurisdiction])


# ---------------------------------------------------------------------------- loading


class PolicyError(ValueError):
    """A policy that cannot be used. ``str()`` is the first problem as one line; ``issues`` holds all."""

    def __init__(self, issues: list[str]):
        super().__init__(issues[0])
        self.issues = issues

    def __str__(self) -> str:
        more = len(self.issues) - 1
        return self.issues[0] + (f" (and {more} more problem{'s' * (more > 1)})" if more else "")


def policy_sha256(path: Path | str) -> str:
    """The SHA-256 of the policy file's bytes, recorded in ``session.json``."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_policy(path: Path | str) -> Policy:
    """Read and validate a policy file; raises :class:`PolicyError` naming file, line and field."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise PolicyError([f"{path}: cannot read the policy: {e}"]) from e
    return parse_policy(text, str(path))


def parse_policy(text: str, filename: str = "<policy>") -> Policy:
    """Validate policy YAML text; errors name ``filename``."""
    data, lines, issues = _compose(text, filename)
    if issues:
        raise PolicyError(issues)
    try:
        return Policy.model_validate(data)
    except ValidationError as e:
        raise PolicyError(_issues(e, lines, filename)) from None


def _compose(text: str, filename: str) -> tuple[Any, dict[tuple[Any, ...], int], list[str]]:
    """YAML to Python data plus the line of every mapping key and sequence item."""
    try:
        loader = yaml.SafeLoader(text)  # rejects control characters already (ReaderError)
    except yaml.YAMLError as e:
        return None, {}, [f"{filename}:1: YAML error: {e}"]
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        return None, {}, [f"{filename}:{line}: YAML syntax error: {e.problem or e.context}"]
    except yaml.YAMLError as e:
        return None, {}, [f"{filename}:1: YAML error: {e}"]
    finally:
        loader.dispose()
    if node is None:
        return None, {}, [f"{filename}:1: the policy is empty (run `piaudit policy init --app PACKAGE` for a template)"]
    lines: dict[tuple[Any, ...], int] = {(): node.start_mark.line + 1}
    issues: list[str] = []
    stack: list[tuple[tuple[Any, ...], yaml.Node]] = [((), node)]
    while stack:
        path, current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, value_node in current.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
                line = key_node.start_mark.line + 1
                if key in seen:
                    issues.append(f"{filename}:{line}: {_field((*path, key))}: duplicate key (the earlier value would be lost)")
                seen.add(key)
                lines[(*path, key)] = line
                stack.append(((*path, key), value_node))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                lines[(*path, index)] = item.start_mark.line + 1
                stack.append(((*path, index), item))
    return data, lines, sorted(issues, key=_line_of)


def _line_of(issue: str) -> int:
    match = re.match(r".*?:(\d+):", issue)
    return int(match.group(1)) if match else 0


def _field(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_]\w*", str(part)):
            out += f".{part}" if out else str(part)
        else:
            out += f"[{str(part)!r}]"
    return out or "(top level)"


_EXPECTED = {
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}


def _got(value: Any) -> str:
    kinds = {
        type(None): "nothing",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return kinds.get(type(value), type(value).__name__) + ("" if value is None else f" {shown}")


def _sibling_fields(loc: tuple[Any, ...]) -> list[str]:
    """The field names allowed next to ``loc``'s last element (for "did you mean")."""
    model: Any = Policy
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return []
        model = _inner_model(field.annotation)
    return list(model.model_fields) if model else []


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        if found := _inner_model(arg):
            return found
    return None


def _message(err: Any) -> str:
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        allowed = _sibling_fields(err["loc"])
        hint = _suggest(str(err["loc"][-1]), allowed) or (f" (allowed: {', '.join(allowed)})" if allowed else "")
        return f"unknown field {err['loc'][-1]!r}{hint}"
    if "message" in ctx:
        return str(ctx["message"])
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {_got(value)}"
    if kind in ("literal_error", "enum"):
        return f"expected {ctx.get('expected', 'one of the allowed values')}, got {_got(value)}"
    message = str(err["msg"]).removeprefix("Value error, ")
    return message[:1].lower() + message[1:] + ("" if kind == "value_error" else f", got {_got(value)}")


def _issues(error: ValidationError, lines: dict[tuple[Any, ...], int], filename: str) -> list[str]:
    issues = []
    for err in error.errors():
        loc = tuple(p for p in err["loc"] if p != "[key]")
        prefix = next(loc[:n] for n in range(len(loc), -1, -1) if loc[:n] in lines or n == 0)
        line = lines.get(prefix, 1)
        issues.append((line, f"{filename}:{line}: {_field(loc)}: {_message(err)}"))
    return [text for _, text in sorted(issues, key=lambda i: i[0])]


# --------------------------------------------------------------------------- template


def policy_init_yaml(package: str) -> str:
    """A commented starter policy for ``package`` that passes validation."""
    codes = [*app_categories(), OTHER_CATEGORY]
    rows = [", ".join(codes[i : i + 6]) for i in range(0, len(codes), 6)]
    code_lines = "\n".join(f"  #   {row}" for row in rows)
    types = [", ".join(DATA_TYPES[i : i + 10]) for i in range(0, len(DATA_TYPES), 10)]
    type_lines = "\n".join(f"#   {row}" for row in types)
    return f"""\
# piaudit policy for {package}: what the app's privacy policy says it collects and shares.
# Reference: docs/policy.md. Validate with `piaudit policy check FILE`.
version: 1
app:
  package: {package}
  name: ""
  # The app type of the 2021 necessary-information rule (BEYOND_NECESSARY_SCOPE),
  # or `other` to skip that rule. Codes:
{code_lines}
  category: other
# Domains the app operator runs (subdomains included).
first_party_domains: []
# Third parties named in the privacy policy (PIPL Art. 23). One entry per party, e.g.:
#   - name: Bugly
#     catalog_id: tencent-bugly  # id in the SDK catalog (optional)
#     sdk_prefixes: [com.tencent.bugly]
#     domains: [bugly.qq.com]
#     data_types: [android_id]
#     purpose: crash reporting
#     country: CN
third_parties: []
# Data types the app itself collects, from the vocabulary:
{type_lines}
declared_data_types: []
# Other apps the privacy policy says the app starts or checks for (ASSOCIATED_START, APP_LIST_PROBING), e.g.:
#   - package: com.tencent.mm
#     purpose: share to WeChat
other_apps: []
consent:
  agree_words: []     # extend policies/data/consent_words.yaml
  refuse_words: []
  signals: [manual, ui_click]   # also: sdk_call, network
# Lab practice, not law: no official numeric threshold exists.
thresholds:
  frequency:
    window_seconds: 30
    max_reads: 3
  permission_retry_seconds: 172800   # PERMISSION_ABUSE, PERMISSION_RE_REQUEST
  permission_bundle: {{max_groups: 2, window_seconds: 10}}
  exit_after_refusal: {{window_seconds: 10}}
  self_start: {{window_seconds: 10}}
  app_list_probing: {{max_packages: 5}}
jurisdiction: CN
expected_server_countries: [CN]
# Server countries you know better than an IP database does, by host or domain:
server_countries: {{}}
"""
