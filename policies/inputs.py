"""What an audit rests on, loaded once: the policy, the catalog, the classifier, the geo lookup,
the identifiers file, and how they are recorded in the session and beside each findings run.

The live auditor, `piaudit replay` and re-judging all load their inputs here and record them
with :meth:`AuditInputs.record`, so a session always says the same things about its inputs
whichever way it was made.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from piaudit.policies.catalog import Catalog, load_catalog
from piaudit.policies.classify import Classifier
from piaudit.policies.detect import Detector
from piaudit.policies.geo import GeoLookup
from piaudit.policies.identifiers import Identifiers, load_identifiers
from piaudit.policies.models import JudgedParty, Judgement, SessionMeta
from piaudit.policies.options import AuditOptions
from piaudit.policies.partymatch import named_entries
from piaudit.policies.policy import Policy, load_policy
from piaudit.policies.provenance import read_draft_provenance
from piaudit.policies.session import file_sha256


@dataclass
class AuditInputs:
    """The loaded inputs of one audit. A policy of None judges with an empty policy."""

    policy: Policy
    catalog: Catalog
    classifier: Classifier
    geo: GeoLookup
    policy_path: Path | None = None
    identifiers_path: Path | None = None

    @classmethod
    def load(cls, options: AuditOptions) -> AuditInputs:
        """Load the policy, the catalog (shipped + extra), the classifier and the geo lookup.

        A malformed file raises its own error (``PolicyError``, ``CatalogError``, ...) here,
        before anything is written.
        """
        policy_path = Path(options.policy) if options.policy else None
        policy = load_policy(policy_path) if policy_path else Policy.empty()
        catalog = load_catalog(extra=Path(options.catalog) if options.catalog else None)
        return cls(
            policy=policy,
            catalog=catalog,
            classifier=Classifier(policy.first_party_domains, policy.third_parties, catalog),
            geo=GeoLookup(mmdb=Path(options.geoip) if options.geoip else None, server_countries=policy.server_countries),
            policy_path=policy_path,
            identifiers_path=Path(options.identifiers) if options.identifiers else None,
        )

    def detector(self) -> Detector:
        """The traffic detector, with the identifiers file's values (if any) known."""
        identifiers = load_identifiers(self.identifiers_path) if self.identifiers_path else Identifiers()
        return Detector(identifiers)

    def record(self, meta: SessionMeta, *, identifiers: bool = True) -> None:
        """Write the inputs' paths and hashes into the session's metadata (the caller saves it); for a
        drafted policy also what it was drafted from (its provenance line).

        ``identifiers=False`` leaves the identifiers record alone (re-judging does not detect again).
        """
        meta.policy_path = str(self.policy_path.resolve()) if self.policy_path else None
        meta.policy_sha256 = file_sha256(self.policy_path) if self.policy_path else None
        meta.inputs = read_draft_provenance(self.policy_path)  # a drafted policy's privacy policy and APK
        meta.catalog_sha256 = self.catalog.sha256
        if identifiers:
            meta.identifiers_sha256 = file_sha256(self.identifiers_path) if self.identifiers_path else None

    def judgement(self, run: int, notes: list[str] | None = None) -> Judgement:
        """What findings run ``run`` is decided with, to store beside its findings.

        Besides the hashes and the consent signals counted: the jurisdiction, the declared third
        parties with the catalog entries each stands for, and, for a policy drafted from an APK,
        the comparison of the policy with that APK — so reports never read the policy file again.
        """
        return Judgement(
            run=run,
            time=time.time(),
            policy_path=str(self.policy_path.resolve()) if self.policy_path else None,
            policy_sha256=file_sha256(self.policy_path) if self.policy_path else None,
            catalog_sha256=self.catalog.sha256,
            consent_signals=list(self.policy.consent.signals),
            notes=list(notes or []),
            jurisdiction=self.policy.jurisdiction,
            parties=[
                JudgedParty(
                    name=party.name,
                    catalog_ids=named_entries(party, self.catalog),
                    data_types=list(party.data_types),
                    purpose=party.purpose,
                    country=party.country,
                )
                for party in self.policy.third_parties
            ],
            declared_vs_embedded=self._declared_vs_embedded(),
        )

    def _declared_vs_embedded(self) -> dict | None:
        """The policy against the APK it was drafted from (None when it was not drafted from one)."""
        from piaudit.policies.draft.compare import compare

        provenance = read_draft_provenance(self.policy_path)
        if provenance is None or provenance.apk is None:
            return None
        result = compare(self.policy, provenance.apk.model_dump(), self.catalog)
        return {**result.model_dump(mode="json"), "differences": result.differences}
