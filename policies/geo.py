"""Server country of a flow: the policy's declarations first, then an IP database the auditor supplies.

piaudit never downloads a database. Give it any MaxMind-format (MMDB) country database
you are licensed to use: GeoLite2-Country, DB-IP Lite, IPinfo Lite and similar layouts
are read. CDNs and anycast addresses make any IP database mislead: where you know
better, declare the country in the policy's ``server_countries``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

GeoSource = Literal["policy", "ip_database"]


class GeoAnswer(BaseModel):
    """Where a server is, and who says so (``policy``: ``server_countries``; ``ip_database``: the MMDB)."""

    country: str
    source: GeoSource
    detail: str = ""  # the matching server_countries key, or the database type


def declared_country(host: str, server_countries: Mapping[str, str]) -> tuple[str, str] | None:
    """The country the policy declares for ``host`` as ``(country, key)``; the longest matching key wins.

    >>> declared_country("a.cdn.example.com", {"example.com": "CN", "cdn.example.com": "SG"})
    ('SG', 'cdn.example.com')
    """
    host = host.strip().lower().rstrip(".")
    best: tuple[str, str] | None = None
    for key, country in server_countries.items():
        key = key.lower()
        if (host == key or host.endswith("." + key)) and (best is None or len(key) > len(best[1])):
            best = (country, key)
    return best


def _is_public(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_global
    except ValueError:
        return False


def _country_of(record: Any) -> str | None:
    """The ISO code in a record of any common country-database layout."""
    if not isinstance(record, dict):
        return None
    for key in ("country", "registered_country"):  # GeoLite2 / DB-IP layout
        if isinstance(record.get(key), dict) and record[key].get("iso_code"):
            return str(record[key]["iso_code"]).upper()
    for key in ("country_code", "country_iso_code"):  # IPinfo and flat layouts
        if isinstance(record.get(key), str) and record[key]:
            return record[key].upper()
    return None


class GeoLookup:
    """Country of a flow's server from ``server_countries`` (by host) or an MMDB file (by IP).

    Lookups are cached per host and per IP: the live judge calls this for every flow that
    carries personal data.
    """

    def __init__(self, mmdb: Path | str | None = None, server_countries: Mapping[str, str] | None = None):
        self.server_countries = dict(server_countries or {})
        self.mmdb_path = Path(mmdb) if mmdb else None
        self._reader: Any = None
        self._ip_cache: dict[str, str | None] = {}
        self._host_cache: dict[str, tuple[str, str] | None] = {}
        self.database_type = ""
        if self.mmdb_path is not None:
            import maxminddb

            try:
                self._reader = maxminddb.open_database(str(self.mmdb_path))
            except (OSError, ValueError, maxminddb.InvalidDatabaseError) as e:
                raise ValueError(f"{self.mmdb_path}: cannot open the IP-country database: {e}") from e
            self.database_type = str(self._reader.metadata().database_type)

    @property
    def has_database(self) -> bool:
        """Whether an IP database was given (without one only policy declarations answer)."""
        return self._reader is not None

    def lookup_ip(self, ip: str) -> str | None:
        """The country of a public IP address in the database, or None."""
        if self._reader is None or not ip:
            return None
        if ip not in self._ip_cache:
            record = self._reader.get(ip) if _is_public(ip) else None
            self._ip_cache[ip] = _country_of(record)
        return self._ip_cache[ip]

    def country(self, host: str, ip: str = "") -> GeoAnswer | None:
        """Where the server of ``host`` / ``ip`` is: the policy declaration wins over the database."""
        if host and host not in self._host_cache:
            self._host_cache[host] = declared_country(host, self.server_countries)
        if host and (found := self._host_cache[host]):
            return GeoAnswer(country=found[0], source="policy", detail=found[1])
        if code := self.lookup_ip(ip):
            return GeoAnswer(country=code, source="ip_database", detail=self.database_type)
        return None

    def close(self) -> None:
        """Close the database file."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
