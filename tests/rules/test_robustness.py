"""Robustness of loading and evaluation (issue 9, "Robustness, found by fuzzing").

Seeded mutations (``tests/rules/_mutate.py``) of real synthesized templates: the TapStack-dev
assembly and a stack of common constructs with findings (a nested stack, functions with
staged Python assets, IAM, S3 notifications, a Kinesis source). Any crash is a bug: the engine
evaluates every mutant or refuses it at load time with a one-line ``InputError``, and no rule
raises; the CLI answers 0, 1 or 2 and never prints a traceback. Classes touched: every class
the base stacks draw, ``cfn-schema`` for malformed resources.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n

from tap.config import ENVIRONMENTS_KEY, load_props
from tap.rules.engine import Options, evaluate
from tap.rules.model import InputError, StackTemplate, load_path, load_template_dict
from tap.stack import TapStack
from tests.rules._mutate import MUTATIONS, deep, mutants

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261129
PER_BASE = 4 * len(MUTATIONS)  # every kind 4 times per base template: bounded, a few seconds

HANDLER = """import boto3

TABLE = boto3.resource("dynamodb").Table("t")


def handler(event, context):
    boto3.client("s3").put_object(Bucket="b", Key="k", Body=b"")
    return TABLE.get_item(Key={"pk": "a"})
"""


def _common_constructs(stack: cdk.Stack, code: Path) -> None:
    """Constructs the rules look at, with findings (named bucket, missing grants)."""
    bucket = s3.Bucket(stack, "Uploads", bucket_name="uploads-named")
    table = dynamodb.Table(
        stack,
        "Table",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
    )
    fn = lambda_.Function(
        stack,
        "Fn",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="app.handler",
        code=lambda_.Code.from_asset(str(code)),
    )
    table.grant_read_data(fn)
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(fn))
    stream = kinesis.Stream(stack, "Stream")
    fn.add_event_source(
        sources.KinesisEventSource(stream, starting_position=lambda_.StartingPosition.LATEST)
    )
    fn.add_to_role_policy(iam.PolicyStatement(actions=["sqs:*"], resources=["*"]))
    nested = cdk.NestedStack(stack, "Inner")
    s3.Bucket(nested, "InnerBucket", bucket_name="inner-named")


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cloud assembly: TapStack-dev (as `cdk synth` builds it) and a stack with findings."""
    tmp = tmp_path_factory.mktemp("robustness")
    code = tmp / "code"
    code.mkdir()
    (code / "app.py").write_text(HANDLER)
    cdk_json = json.loads((ROOT / "cdk.json").read_text())
    context = {k: v for k, v in cdk_json["context"].items() if k != ENVIRONMENTS_KEY}
    context.update({"aws:cdk:enable-path-metadata": True, "aws:cdk:enable-asset-metadata": True})
    outdir = tmp / "cdk.out"
    app = cdk.App(outdir=str(outdir), context=context)
    props = load_props("dev", cdk_json["context"][ENVIRONMENTS_KEY])
    TapStack(app, "TapStack-dev", props=props)
    common = cdk.Stack(app, "Common")
    common.template_options.metadata = {
        "TapEnvironment": {"name": "test", "suffix": "dev", "ephemeral": True}
    }
    _common_constructs(common, code)
    app.synth()
    return outdir


@pytest.fixture(scope="module")
def bases(assembly: Path) -> list[StackTemplate]:
    stacks = load_path(assembly)
    assert {"TapStack-dev", "Common", "Common/Inner"} <= {s.name for s in stacks}
    return stacks


def _mutant_stack(base: StackTemplate, template: dict[str, Any]) -> StackTemplate:
    return StackTemplate(
        name=base.name,
        template=template,
        template_path=base.template_path,
        assembly_dir=base.assembly_dir,
        acknowledgements=base.acknowledgements,
        construct_paths=base.construct_paths,
        creation_traces=base.creation_traces,
    )


def test_the_base_stacks_draw_findings(bases: list[StackTemplate]) -> None:
    # GIVEN the unmutated assembly WHEN evaluated THEN the common stack draws findings (so the
    # mutations below reach the rules' reporting paths), nested ones included, and no rule fails
    report = evaluate(bases, Options())

    assert not report.rule_errors
    stacks = {f.stack for f in report.findings}
    assert {"Common", "Common/Inner"} <= stacks


@pytest.mark.parametrize("base_name", ["TapStack-dev", "Common", "Common/Inner"])
def test_mutated_templates_never_crash_a_rule(bases: list[StackTemplate], base_name: str) -> None:
    base = next(s for s in bases if s.name == base_name)
    refused, evaluated = 0, 0
    for kind, template in mutants(base.template, SEED, PER_BASE):
        try:
            checked = load_template_dict(template, f"{kind} mutant", in_assembly=True)
        except InputError as exc:  # refused at load time: one line, said why
            assert "\n" not in str(exc) and str(exc)
            refused += 1
            continue
        report = evaluate([_mutant_stack(base, checked)], Options())
        assert not report.rule_errors, (kind, report.rule_errors[0])
        evaluated += 1
    assert evaluated > refused


def test_unreadable_shapes_are_findings_not_silent_passes(bases: list[StackTemplate]) -> None:
    # GIVEN resources that are not objects, lack a Type or carry a non-object Metadata
    base = next(s for s in bases if s.name == "Common")
    template = json.loads(json.dumps(base.template))
    resources = template["Resources"]
    bucket = next(k for k, v in resources.items() if v["Type"] == "AWS::S3::Bucket")
    resources[bucket]["Metadata"] = "a string"
    resources["NotAnObject"] = "AWS::S3::Bucket"
    resources["NoType"] = {"Properties": {}}
    resources["NumberType"] = {"Type": 5}
    template["Metadata"] = ["not", "an", "object"]
    # WHEN evaluated
    report = evaluate([_mutant_stack(base, load_template_dict(template, "t"))], Options())
    # THEN each is a cfn-schema error and no rule fails
    assert not report.rule_errors
    malformed = {
        (f.logical_id, f.property_path) for f in report.findings if f.rule_id == "TAP-CFN-2"
    }
    assert {
        (bucket, "Metadata"),
        ("NotAnObject", ""),
        ("NoType", "Type"),
        ("NumberType", "Type"),
    } <= malformed


def test_the_resolver_survives_nesting_and_cycles() -> None:
    template = {
        "Conditions": {"A": {"Condition": "B"}, "B": {"Fn::Not": [{"Condition": "A"}]}},
        "Mappings": {"M": {"k": {"v": {"Fn::FindInMap": ["M", "k", "v"]}}}},
        "Resources": {
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": deep(30, {"Fn::FindInMap": ["M", "k", "v"]}, kind="if"),
                    "Tags": [{"Key": "k", "Value": {"Fn::If": ["A", "x", "y"]}}],
                },
            }
        },
    }
    stack = StackTemplate("S", load_template_dict(template, "t"))
    deeper = stack.resolver.resolve(deep(5_000, "x", kind="select"))  # a direct caller

    report = evaluate([stack], Options())

    assert not report.rule_errors
    assert stack.resolver.condition("A") is None
    assert "nested too deeply" in str(deeper)


def test_json_strings_nested_beyond_the_parser_are_not_judged() -> None:
    """sfn-definition, eventbridge-pattern, cloudtrail-bucket-policy: a property that holds a
    JSON *string* (a state machine definition, an event pattern, a policy document) nested
    deeper than Python's JSON parser goes is left unjudged, never a rule failure."""
    deep_json = "[" * 50_000 + "]" * 50_000
    template = {
        "Resources": {
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "RoleArn": "arn:aws:iam::123456789012:role/machine",
                    "DefinitionString": '{"StartAt":"A","States":{"A":{"Type":"Pass",'
                    f'"End":true,"Result":{deep_json}}}}}}}',
                },
            },
            "Rule": {
                "Type": "AWS::Events::Rule",
                "Properties": {"EventPattern": f'{{"source":{deep_json}}}'},
            },
            "BucketPolicy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {"Bucket": "b", "PolicyDocument": f'{{"Statement":{deep_json}}}'},
            },
        }
    }
    stack = StackTemplate("S", load_template_dict(template, "t"))

    report = evaluate([stack], Options())

    assert not report.rule_errors, report.rule_errors[:1]


# -- the CLI, as a subprocess: exit 0, 1 or 2, never a traceback -------------------------------


def _cli(*paths: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "tap.rules", "check", *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=120,
    )


def test_cli_on_mutants_exits_0_1_or_2_without_a_traceback(
    bases: list[StackTemplate], tmp_path: Path
) -> None:
    base = next(s for s in bases if s.name == "Common")
    folder = tmp_path / "mutants"
    folder.mkdir()
    kinds = ["resource-metadata", "template-metadata", "resource-shape", "asset-escape"]
    for i, (kind, template) in enumerate(mutants(base.template, SEED, len(MUTATIONS))):
        if kind in kinds:
            (folder / f"m{i}-{kind}.template.json").write_text(json.dumps(template))
    deep_json = tmp_path / "deep.json"
    deep_json.write_text('{"Resources": ' + "[" * 100_000 + "]" * 100_000 + "}")
    long_name = tmp_path / ("x" * 300 + ".json")

    results = [_cli(path) for path in sorted(folder.iterdir())]
    results += [_cli(deep_json), _cli(long_name)]

    for result in results:
        assert result.returncode in (0, 1, 2), result.stderr
        assert "Traceback" not in result.stderr, result.stderr
        if result.returncode == 2:
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert results[-2].returncode == 2 and "nested more than" in results[-2].stderr
    assert results[-1].returncode == 2
