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


# -- loading what real apps and users give (issue 9) ---------------------------------------


def _nested_app(outdir: Path, *, cli_metadata: bool) -> Path:
    """Parent → Inner (a named bucket acknowledged, one not) → Deeper (a named bucket); an
    empty stack and one with outputs only. ``cli_metadata``: path and asset metadata on
    resources, as the CDK CLI writes them."""
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3

    context = (
        {"aws:cdk:enable-path-metadata": True, "aws:cdk:enable-asset-metadata": True}
        if cli_metadata
        else {}
    )
    app = cdk.App(outdir=str(outdir), context=context)
    parent = cdk.Stack(app, "Parent")
    inner = cdk.NestedStack(parent, "Inner")
    acked = s3.Bucket(inner, "Acked", bucket_name="acked")
    cdk.Validations.of(acked).acknowledge(
        cdk.Acknowledgment(id="tap-rules::TAP-TEST-1", reason="kept by name, ADR-9")
    )
    s3.Bucket(inner, "Named", bucket_name="named")
    deeper = cdk.NestedStack(inner, "Deeper")
    s3.Bucket(deeper, "Deepest", bucket_name="deepest")
    cdk.Stack(app, "Empty")
    outputs = cdk.Stack(app, "OutputsOnly")
    cdk.CfnOutput(outputs, "Out", value="1")
    app.synth()
    return outdir


@pytest.mark.parametrize("cli_metadata", [False, True], ids=["plain-app", "cli-metadata"])
def test_nested_stacks_are_checked_and_named_after_their_parent(
    tmp_path: Path, cli_metadata: bool
) -> None:
    # GIVEN a real cdk.NestedStack, nested twice, with named buckets
    stacks = load_path(_nested_app(tmp_path / "cdk.out", cli_metadata=cli_metadata))
    # WHEN evaluated
    report = evaluate(stacks)
    # THEN every template is checked, each finding names its nested stack, and the
    # acknowledgement recorded in the metadata still applies inside the nested stack
    assert [s.name for s in stacks] == [
        "Parent",
        "Parent/Inner",
        "Parent/Inner/Deeper",
        "Empty",
        "OutputsOnly",
    ]
    named = {
        (f.stack, f.construct_path, f.acknowledged, f.reason)
        for f in report.findings
        if f.rule_id == "TAP-TEST-1"
    }
    assert named == {
        ("Parent/Inner", "Parent/Inner/Acked/Resource", True, "kept by name, ADR-9"),
        ("Parent/Inner", "Parent/Inner/Named/Resource", False, None),
        ("Parent/Inner/Deeper", "Parent/Inner/Deeper/Deepest/Resource", False, None),
    }


def test_a_stack_without_resources_is_checked_and_passes(tmp_path: Path) -> None:
    # GIVEN an empty Stack and one with outputs only: CDK writes no Resources key
    stacks = load_path(_nested_app(tmp_path / "cdk.out", cli_metadata=False))
    empty = [s for s in stacks if s.name in ("Empty", "OutputsOnly")]
    assert all("Resources" not in s.template for s in empty)
    # WHEN evaluated THEN they are counted and draw nothing
    report = evaluate(empty)
    assert report.stacks == ["Empty", "OutputsOnly"]
    assert [f for f in report.findings if f.rule_id != "TAP-TEST-2"] == []


YAML_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Mappings:
  Accounts:
    123456789012: {name: prod}
    true: {name: yes}
Conditions:
  IsProd: !Equals [!Ref "AWS::AccountId", "123456789012"]
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "logs-${AWS::AccountId}"
  Copy:
    Type: AWS::S3::Bucket
    Properties:
      Tags:
        - Key: source
          Value: !GetAtt Logs.Arn
        - Key: when
          Value: !If [IsProd, !Ref Logs, !Join ["-", [a, b]]]
"""


def test_a_folder_of_yaml_and_json_templates_checks_every_template(tmp_path: Path) -> None:
    # GIVEN a folder with a YAML template (short-form tags) and JSON templates
    (tmp_path / "storage.yaml").write_text(YAML_TEMPLATE)
    (tmp_path / "other.yml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    (tmp_path / "plain.json").write_text(
        json.dumps(
            {"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}}}}
        )
    )
    # WHEN loaded and evaluated
    stacks = load_path(tmp_path)
    report = evaluate(stacks)
    # THEN every template is a stack, and tags became intrinsics the rules read
    assert [s.name for s in stacks] == ["other", "plain", "storage"]
    storage = stacks[2]
    assert list(storage.template["Mappings"]["Accounts"]) == ["123456789012", "true"]
    assert storage.template["Resources"]["Logs"]["Properties"]["BucketName"] == {
        "Fn::Sub": "logs-${AWS::AccountId}"
    }
    assert str(storage.resolver.text({"Fn::Sub": "logs-${AWS::AccountId}"})) == (
        "logs-${AWS::AccountId}"
    )
    assert {(f.stack, f.logical_id) for f in report.findings if f.rule_id == "TAP-TEST-1"} == {
        ("plain", "B"),
        ("storage", "Logs"),
    }


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.template.json", "", "empty, not a template"),
        ("x.json", " \n", "empty, not a template"),
        ("x.yaml", "", "empty, not a template"),
        ("x.yaml", "Resources: [\n", "not a valid YAML template"),
        ("x.json", '{"Resources": {"A": ', "not valid JSON"),
        ("x.json", '{"Outputs": {}}', "no 'Resources' object"),
    ],
)
def test_a_folder_with_an_empty_or_malformed_file_is_refused(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    # GIVEN a good template beside a bad one: the folder never passes on what was skipped
    (tmp_path / "good.json").write_text(json.dumps({"Resources": {}}))
    (tmp_path / name).write_text(content)
    with pytest.raises(InputError, match=message) as exc:
        load_path(tmp_path)
    assert "\n" not in str(exc.value)


def test_input_too_deep_or_named_too_long_is_refused_in_one_line(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"Resources": {"A": ' + "[" * 50_000 + "]" * 50_000 + "}}")
    shallow_but_over = tmp_path / "over.json"
    value: object = "x"
    for _ in range(120):
        value = [value]
    shallow_but_over.write_text(
        json.dumps({"Resources": {"A": {"Type": "T", "Properties": value}}})
    )

    with pytest.raises(InputError, match="nested more than 100 levels"):
        load_path(deep)
    with pytest.raises(InputError, match="nested more than 100 levels"):
        load_path(shallow_but_over)
    with pytest.raises(InputError, match="cannot be read"):
        load_path(tmp_path / ("x" * 400 + ".json"))


def _asset_stack(root: Path, asset_path: object) -> StackTemplate:
    template = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Metadata": {"aws:asset:path": asset_path},
                "Properties": {"Runtime": "python3.12", "Handler": "app.handler"},
            }
        }
    }
    return StackTemplate("S", template, root / "S.template.json", assembly_dir=root)


def test_asset_paths_are_confined_to_the_assembly(tmp_path: Path) -> None:
    # GIVEN an assembly with one staged asset, and a secret beside the assembly
    root = tmp_path / "cdk.out"
    staged = root / "asset.abc"
    staged.mkdir(parents=True)
    (staged / "app.py").write_text("def handler(e, c):\n    return 1\n")
    (tmp_path / "secret").mkdir()
    (root / "asset.link").symlink_to(tmp_path / "secret")
    (staged / "escape").symlink_to(tmp_path / "secret")
    inside = root / "asset.ok"
    inside.mkdir()
    (inside / "shared").symlink_to(staged / "app.py")

    def asset(path: object) -> Path | None:
        stack = _asset_stack(root, path)
        return stack.asset_dir(stack.resources["Fn"])

    # THEN only staged assets inside the assembly are read
    assert asset("asset.ok") == inside.resolve()  # a symlink that stays inside is fine
    for path in ("/", "/proc", str(staged), "..", "../secret", "asset.abc/../..", ".", "", 5):
        assert asset(path) is None, path
    assert asset("asset.link") is None  # a symlink out of the assembly
    assert asset("asset.abc") is None  # a tree holding a symlink out of it
    assert asset("secret") is None  # not a staged asset.* entry


def test_an_asset_path_of_the_root_does_not_walk_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the real rules and a function whose asset path is "/" (an untrusted template)
    monkeypatch.undo()
    stack = _asset_stack(tmp_path, "/")
    # WHEN evaluated THEN the asset rules read nothing and none fails
    report = evaluate([stack], Options(rules=("iam-code-permissions", "lambda-handler")))
    assert report.rule_errors == []
    assert stack.asset_dir(stack.resources["Fn"]) is None
