"""The one evaluation (tap/rules/engine.py) and the assembly model it reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tap.rules import engine
from tap.rules.base import Context, Rule
from tap.rules.engine import Options, evaluate
from tap.rules.finding import Violation
from tap.rules.model import Acknowledgements, InputError, Resource, StackTemplate, load_path


class _NamedBucket(Rule):
    """Buckets have no explicit name (test rule)."""

    id = "TAP-TEST-1"
    slug = "s3-bucket-name"
    severity = "error"
    title = "Buckets have no explicit name"
    explanation = "test"
    fix = "omit it"
    resource_types = ("AWS::S3::Bucket",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        if "BucketName" in res.properties:
            yield self.violation(res, "Properties/BucketName", "named")


class _Suffix(Rule):
    """Stacks know their suffix (test rule)."""

    id = "TAP-TEST-2"
    slug = "environment-suffix"
    severity = "warning"
    title = "suffix"
    explanation = "test"
    fix = "test"
    requires = ("suffix",)

    def check_stack(self, ctx: Context) -> Iterator[Violation]:
        yield self.violation(None, "", f"suffix is {ctx.environment.suffix}")


class _Broken(Rule):
    """Never raises (test rule)."""

    id = "TAP-TEST-3"
    slug = "cfn-schema"
    severity = "error"
    title = "broken"
    explanation = "test"
    fix = "test"

    def check_stack(self, ctx: Context) -> Iterator[Violation]:
        raise ZeroDivisionError("rule bug")


@pytest.fixture(autouse=True)
def _test_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "select_rules", lambda sel=None: (_NamedBucket, _Suffix, _Broken))


def _stack(
    env: dict[str, object] | None = None, acks: Acknowledgements | None = None
) -> StackTemplate:
    template: dict[str, object] = {
        "Resources": {
            "Named": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"BucketName": "x"},
                "Metadata": {"aws:cdk:path": "S/Named/Resource"},
            },
            "Plain": {"Type": "AWS::S3::Bucket"},
        }
    }
    if env is not None:
        template["Metadata"] = {"TapEnvironment": env}
    return StackTemplate(name="S", template=template, acknowledgements=acks or Acknowledgements())


def test_a_rule_bug_is_reported_and_the_other_rules_still_run() -> None:
    report = evaluate([_stack()])

    assert [f.rule_id for f in report.findings] == ["TAP-TEST-1"]
    (error,) = report.rule_errors
    assert error.startswith("TAP-TEST-3 on S:") and "ZeroDivisionError: rule bug" in error


def test_rules_needing_an_unknown_environment_are_skipped() -> None:
    report = evaluate([_stack()])

    (skipped,) = report.skipped
    assert skipped.rule_id == "TAP-TEST-2" and "environment suffix" in skipped.reason


def test_environment_from_template_metadata_and_options_override() -> None:
    from_template = evaluate([_stack({"suffix": "dev", "ephemeral": True})])
    overridden = evaluate([_stack({"suffix": "dev"})], Options(environment_suffix="stg"))

    assert [f.message for f in from_template.findings if f.rule_id == "TAP-TEST-2"] == [
        "suffix is dev"
    ]
    assert [f.message for f in overridden.findings if f.rule_id == "TAP-TEST-2"] == [
        "suffix is stg"
    ]


def test_acknowledgement_covers_the_subtree_and_sets_the_reason() -> None:
    acks = Acknowledgements({"S/Named": {"tap-rules::TAP-TEST-1": "legacy"}})

    report = evaluate([_stack(acks=acks)])

    (finding,) = [f for f in report.findings if f.rule_id == "TAP-TEST-1"]
    assert finding.acknowledged and finding.reason == "legacy"
    assert finding.construct_path == "S/Named/Resource"
    assert report.errors == []


def test_errors_sort_before_warnings_and_summary_counts() -> None:
    report = evaluate([_stack({"suffix": "dev"})])

    assert [f.severity for f in report.findings] == ["error", "warning"]
    summary = report.summary()
    assert (summary["errors"], summary["warnings"], summary["acknowledged"]) == (1, 1, 0)
    assert summary["resources"] == 2 and summary["stacks"] == 1


def test_load_path_rejects_what_is_not_a_template(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text("[]")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="a template is a JSON object"):
        load_path(tmp_path / "list.json")
    with pytest.raises(InputError, match="neither a cloud assembly"):
        load_path(tmp_path / "empty")
    ok = tmp_path / "Good.template.json"
    ok.write_text(json.dumps({"Resources": {}}))
    assert [s.name for s in load_path(ok)] == ["Good"]
