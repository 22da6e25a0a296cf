"""RULES.md is generated from the rule metadata and committed current."""

from __future__ import annotations

from pathlib import Path

from tap.rules.cli import main
from tap.rules.docs import default_path, render_rules_md
from tap.rules.registry import all_rules


def test_rules_md_is_current() -> None:
    # Fails until `make rules-doc` is run after a rule's metadata changes.
    assert default_path().exists(), "RULES.md missing: run `make rules-doc`"
    assert default_path().read_text(encoding="utf-8") == render_rules_md(), (
        "RULES.md is out of date: run `make rules-doc`"
    )


def test_every_rule_has_a_row_and_an_anchored_section() -> None:
    text = render_rules_md()
    for rule in all_rules():
        anchor = rule.help_anchor()
        assert f"| [{rule.id}](#{anchor}) | `{rule.slug}` | {rule.severity} |" in text
        assert f'<a id="{anchor}"></a>' in text
        assert f"### {rule.id}: {rule.title}" in text
    assert "tap-rules::" in text


def test_docs_check_exits_1_on_a_stale_file(tmp_path: Path) -> None:
    target = tmp_path / "RULES.md"
    assert main(["docs", "--output", str(target)]) == 0
    assert main(["docs", "--output", str(target), "--check"]) == 0

    target.write_text(target.read_text() + "\nhand edit\n")

    assert main(["docs", "--output", str(target), "--check"]) == 1
