"""The rule registry: discovery, metadata and coverage of the RULES-SPEC failure classes."""

from __future__ import annotations

from collections import Counter

import pytest

from tap.rules.base import FAILURE_CLASSES
from tap.rules.registry import RULE_ID, all_rules, select_rules


def test_rule_ids_are_unique_and_well_formed() -> None:
    ids = [r.id for r in all_rules()]
    assert ids, "no rule discovered"
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert [i for i in ids if not RULE_ID.match(i)] == []


def test_every_rule_has_the_level_of_its_class() -> None:
    wrong = [
        (r.id, r.slug, r.severity) for r in all_rules() if r.severity != FAILURE_CLASSES[r.slug]
    ]
    assert wrong == []


def test_every_rule_states_its_compliant_state_title_explanation_and_fix() -> None:
    for rule in all_rules():
        assert (rule.__doc__ or "").strip(), rule.id
        assert rule.title.strip() and rule.explanation.strip() and rule.fix.strip(), rule.id


def test_the_spec_has_21_seed_classes_and_16_reported_ones() -> None:
    assert len(FAILURE_CLASSES) == 21 + 16


def test_every_failure_class_of_the_spec_has_a_rule() -> None:
    covered = {r.slug for r in all_rules()}
    assert sorted(set(FAILURE_CLASSES) - covered) == []


def test_selection_by_id_and_by_class_slug() -> None:
    by_slug = select_rules(("removal-policy",))
    assert by_slug and {r.slug for r in by_slug} == {"removal-policy"}
    first = all_rules()[0]
    assert select_rules((first.id,)) == (first,)
    with pytest.raises(KeyError, match="TAP-NOPE-1"):
        select_rules(("TAP-NOPE-1",))
