"""The audit policy: what an app declares it collects, and with whom it shares it.

A policy is YAML validated by :class:`Policy`. :func:`load_policy` reports a mistake as
one line naming the file, line and field::

    policy.yaml:12: third_parties[0].data_types[1]: 'imie' is not a data type (did you mean 'imei'?)
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from piaudit.policies.vocab import DATA_TYPES, DEFAULT_CONSENT_SIGNALS, ConsentSource, DataType
from piaudit.policies.wording import not_a_data_type, problems, suggest
from piaudit.policies.yamlfile import YamlError, field_lines, load_yaml, load_yaml_file, located, read_yaml_text

DATA_DIR = Path(__file__).parent / "data"
OTHER_CATEGORY = "other"
NO_POLICY_NOTE = "no policy: every third party counts as undeclared"
"""What the terminal and every report say when a session was judged without a policy (:meth:`Policy.empty`)."""


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
    data, _ = load_yaml_file(DATA_DIR / "necessary_scope.yaml")
    return {c["code"]: AppCategory(**c) for c in data["categories"]}


# ----------------------------------------------------------------- validated scalars


def _data_type(value: Any) -> Any:
    if isinstance(value, str) and value not in DATA_TYPES:
        raise _fail("data_type", not_a_data_type(value))
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
        hint = suggest(value, codes) or " (one of the codes in policies/data/necessary_scope.yaml, or 'other')"
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


class Thresholds(_PolicyModel):
    """Rule settings. Lab practice, not law: no official numeric threshold exists."""

    frequency: FrequencyThreshold = FrequencyThreshold()
    permission_retry_seconds: float = Field(48 * 3600.0, ge=0)


class Policy(_PolicyModel):
    """One app's audit policy."""

    version: Literal[1] = 1
    app: AppInfo
    first_party_domains: list[Domain] = []
    third_parties: list[ThirdParty] = []
    declared_data_types: list[DataTypeName] = []
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
    """A policy that cannot be used: ``issues`` holds every problem, ``str()`` is them all, one per line."""

    def __init__(self, issues: list[str]):
        super().__init__(issues[0])
        self.issues = issues

    def __str__(self) -> str:
        return "\n".join(self.issues)


def policy_sha256(path: Path | str) -> str:
    """The SHA-256 of the policy file's bytes, recorded in ``session.json``."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_policy(path: Path | str) -> Policy:
    """Read and validate a policy file; raises :class:`PolicyError` naming file, line and field."""
    try:
        text = read_yaml_text(path, what="policy")
    except YamlError as e:
        raise PolicyError([str(e)]) from None
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


def _issues(error: ValidationError, lines: dict[tuple[Any, ...], int], filename: str) -> list[str]:
    return located(problems(error, Policy), lines, filename)


def _compose(text: str, filename: str) -> tuple[Any, dict[tuple[Any, ...], int], list[str]]:
    """YAML to Python data plus the line of every mapping key and sequence item (the one YAML reader)."""
    try:
        data, node = load_yaml(text, filename)
    except YamlError as e:
        return None, {}, [f"{filename}:{e.line or 1}: {e.message}"]
    if node is None:
        return None, {}, [f"{filename}:1: the policy is empty (run `piaudit policy init --app PACKAGE` for a template)"]
    lines, issues = field_lines(node, filename)
    return data, lines, issues


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
consent:
  agree_words: []     # extend policies/data/consent_words.yaml
  refuse_words: []
  signals: [manual, ui_click]   # also: sdk_call, network
# Lab practice, not law: no official numeric threshold exists.
thresholds:
  frequency:
    window_seconds: 30
    max_reads: 3
  permission_retry_seconds: 172800
jurisdiction: CN
expected_server_countries: [CN]
# Server countries you know better than an IP database does, by host or domain:
server_countries: {{}}
"""
