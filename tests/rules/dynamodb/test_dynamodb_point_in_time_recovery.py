"""Class ``dynamodb-pitr``: DynamoDB tables and global-table replicas have point-in-time
recovery (TAP-DDB-1, seed 004 #4), and the deprecated CDK API of the seed fails synth."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb

from tests.rules.conftest import of_class

SLUG = "dynamodb-pitr"
PK = dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
PITR = dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True)


def test_table_without_pitr_is_flagged(synth):
    findings = of_class(
        synth(lambda stack: dynamodb.Table(stack, "Aggregates", partition_key=PK)), SLUG
    )
    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-DDB-1", "Properties/PointInTimeRecoverySpecification")
    ]
    assert findings[0].logical_id.startswith("Aggregates")
    assert "has no point-in-time recovery" in findings[0].message


def test_table_with_pitr_disabled_is_flagged(synth):
    def build(stack):
        dynamodb.Table(
            stack,
            "Aggregates",
            partition_key=PK,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=False
            ),
        )

    findings = of_class(synth(build), SLUG)
    assert [f.property_path for f in findings] == [
        "Properties/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled"
    ]
    assert "disabled" in findings[0].message


def test_global_table_replica_without_pitr_is_flagged(synth):
    findings = of_class(
        synth(lambda stack: dynamodb.TableV2(stack, "Global", partition_key=PK)), SLUG
    )
    assert [f.property_path for f in findings] == [
        "Properties/Replicas/0/PointInTimeRecoverySpecification"
    ]
    assert findings[0].resource_type == "AWS::DynamoDB::GlobalTable"


def test_tables_with_pitr_specification_pass(synth):
    # The seed's fix, with the non-deprecated API, for Table and TableV2 alike
    def build(stack):
        dynamodb.Table(
            stack, "Aggregates", partition_key=PK, point_in_time_recovery_specification=PITR
        )
        dynamodb.TableV2(
            stack, "Global", partition_key=PK, point_in_time_recovery_specification=PITR
        )

    assert of_class(synth(build), SLUG) == []


def test_pitr_decided_at_deploy_time_is_not_reported(synth):
    def build(stack):
        param = cdk.CfnParameter(stack, "Pitr", allowed_values=["on", "off"])
        cond = cdk.CfnCondition(
            stack, "PitrOn", expression=cdk.Fn.condition_equals(param.value_as_string, "on")
        )
        table = dynamodb.Table(stack, "Aggregates", partition_key=PK)
        table.node.default_child.add_property_override(
            "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled",
            cdk.Fn.condition_if(cond.logical_id, True, False),
        )

    assert of_class(synth(build), SLUG) == []


_DEPRECATED_PITR = textwrap.dedent(
    """
    import aws_cdk as cdk
    from aws_cdk import aws_dynamodb as dynamodb

    app = cdk.App()
    stack = cdk.Stack(app, "S")
    dynamodb.Table(
        stack,
        "T",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        point_in_time_recovery=True,
    )
    app.synth()
    print("SYNTHESIZED")
    """
)


def _run_deprecated(jsii_deprecated: str) -> subprocess.CompletedProcess[str]:
    # JSII_DEPRECATED is read when the jsii kernel starts: a fresh interpreter per setting.
    env = {
        **os.environ,
        "JSII_DEPRECATED": jsii_deprecated,
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    }
    return subprocess.run(
        [sys.executable, "-c", _DEPRECATED_PITR],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_deprecated_point_in_time_recovery_fails_synth_with_jsii_deprecated_fail():
    # GIVEN the seed's deprecated `point_in_time_recovery=True` under the project setting
    result = _run_deprecated("fail")
    # THEN construction fails, naming the deprecated API and its replacement
    assert result.returncode != 0
    assert "SYNTHESIZED" not in result.stdout
    assert "TableOptions#pointInTimeRecovery is deprecated" in result.stderr
    assert "pointInTimeRecoverySpecification" in result.stderr


def test_deprecated_api_only_warns_without_the_setting():
    # The control: the same code synthesizes when deprecations merely warn, so the
    # failure above comes from JSII_DEPRECATED=fail, not from the code being broken.
    result = _run_deprecated("warn")
    assert result.returncode == 0, result.stderr
    assert "SYNTHESIZED" in result.stdout
