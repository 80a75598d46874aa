"""The data the reports speak with: rule texts and checklist in zh and en, the report catalogues, one name per party."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from piaudit.policies.catalog import load_catalog
from piaudit.policies.checklist import ChecklistError, checklist_items, current, item, record
from piaudit.policies.models import CheckRecord, JudgedParty, RuleName
from piaudit.policies.parties import PartyDirectory
from piaudit.policies.ruletexts import rule_text, rule_texts
from piaudit.policies.store import Store
from piaudit.scripts.reports.i18n import Words, catalogue

TEMPLATES = Path(__file__).resolve().parents[2] / "scripts" / "reports"


class TestRuleTexts:
    @pytest.mark.parametrize("rule", get_args(RuleName))
    def test_every_rule_has_title_explanation_and_legal_basis_in_both_languages(self, rule: str) -> None:
        text = rule_texts()[rule]  # a rule without an entry fails here: add it to policies/data/rules.yaml
        for part in (text.title, text.explanation, *text.legal_basis):
            assert part.zh.strip() and part.en.strip(), rule
        assert text.legal_basis
        assert re.search(r"[\u4e00-\u9fff]", text.title.zh), "the zh title is Chinese"

    def test_an_unknown_rule_still_renders(self) -> None:
        assert rule_text("A_RULE_FROM_ANOTHER_BRANCH").title("zh") == "A_RULE_FROM_ANOTHER_BRANCH"


class TestCatalogues:
    def test_zh_and_en_have_the_same_keys(self) -> None:
        assert set(catalogue("zh")) == set(catalogue("en"))

    def test_every_key_the_templates_and_code_use_exists(self) -> None:
        used = set()
        for path in [*TEMPLATES.glob("templates/*.j2"), *TEMPLATES.glob("*.py"), TEMPLATES.parent / "diff.py"]:
            used |= set(re.findall(r"\bw(?:ords)?\(\s*['\"]([a-z_]+\.[a-z_.]+)['\"]", path.read_text(encoding="utf-8")))
        assert len(used) > 100
        missing = sorted(k for k in used if k not in catalogue("en") and not k.endswith("_"))  # 'diff.status_' ~ status: prefixes
        assert missing == []

    def test_placeholders_match_between_languages(self) -> None:
        zh, en = catalogue("zh"), catalogue("en")
        for key, text in en.items():
            assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", zh[key])), key

    def test_a_new_findings_field_gets_a_label_without_catalogue_surgery(self) -> None:
        assert Words("en").field("sent_by") == "sent by" and Words("en").field("some_new_field") == "some new field"


class TestChecklist:
    def test_items_have_clauses_and_both_languages(self) -> None:
        items = checklist_items()
        assert len(items) >= 12 and len({i.id for i in items}) == len(items)
        for i in items:
            assert i.clauses and i.zh and i.en and re.search(r"[\u4e00-\u9fff]", i.zh)
        assert {"policy_at_first_launch", "refuse_available", "consent_withdrawable", "account_deletion", "purpose_with_permission"} <= {
            i.id for i in items
        }

    def test_unknown_item_names_the_closest(self) -> None:
        with pytest.raises(ChecklistError, match="did you mean policy_exists"):
            item("polcy_exists")

    def test_answers_are_chained_rows_and_the_last_counts(self) -> None:
        store = Store(":memory:")
        record(store, CheckRecord(time=1.0, item="account_deletion", verdict="fail", note="none"))
        record(store, CheckRecord(time=2.0, item="account_deletion", verdict="pass", note="found in Settings"))
        from piaudit.policies import rows

        answers = list(rows.checks(store))
        assert [a.verdict for a in answers] == ["fail", "pass"]  # both kept: append-only
        assert current(answers)["account_deletion"].note == "found in Settings"
        assert store.verify()["checks"] is None
        with pytest.raises(ChecklistError, match="no screen 7"):
            record(store, CheckRecord(time=3.0, item="account_deletion", verdict="pass", screens=[7]))
        with pytest.raises(ChecklistError, match="characters"):
            record(store, CheckRecord(time=3.0, item="account_deletion", verdict="pass", note="x" * 5000))


class TestOneNamePerParty:
    def test_declared_name_alias_and_catalog_name_are_one_party(self) -> None:
        names = PartyDirectory(load_catalog(), [JudgedParty(name="Bugly", catalog_ids=["tencent-bugly"])])
        assert {names.display(n) for n in ("Bugly", "Tencent Bugly", "腾讯Bugly")} == {"Tencent Bugly"}
        assert names.resolve("Bugly").declared is True and names.resolve("Umeng").declared is False
        assert names.resolve("Bugly").key == names.resolve("Tencent Bugly").key == "catalog:tencent-bugly"

    def test_an_sdk_and_its_product_family_host(self) -> None:
        """AMap Location read the location; the upload went to an amap.com host the catalog calls AMap (Gaode Maps)."""
        names = PartyDirectory(load_catalog(), None)
        assert names.display("AMap (Gaode Maps)") == "AMap (Gaode Maps)"
        assert names.link_family(["AMap Location", "Umeng"], ["AMap (Gaode Maps)", "Umeng"]) == {"amap": "amap-location"}
        assert names.display("AMap (Gaode Maps)") == "AMap Location"
        assert names.resolve("Umeng").declared is None  # the judgement did not record the policy's parties

    def test_no_link_between_different_companies_or_without_a_reader(self) -> None:
        names = PartyDirectory(load_catalog(), None)
        assert names.link_family([], ["AMap (Gaode Maps)"]) == {}
        assert names.link_family(["Tencent Bugly"], ["Tencent GDT (Youlianghui ads)"]) == {}  # same company, not nested

    def test_unknown_and_ambiguous_names(self) -> None:
        names = PartyDirectory(load_catalog(), [])
        assert names.resolve("evil.example").key == "name:evil.example" and names.resolve(None) is None
        both = names.resolve("Bugly / Umeng")
        assert both.name == "Tencent Bugly / Umeng" and set(both.catalog_ids) == {"tencent-bugly", "umeng"}
