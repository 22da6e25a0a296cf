"""Class ``removal-policy``: ephemeral environments delete their stateful resources
(TAP-GEN-10) and empty their buckets first (TAP-GEN-11); persistent environments retain
their data stores (TAP-GEN-12) (seeds 004 #7, 001 #7)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3

from tests.rules.conftest import of_class

SLUG = "removal-policy"
PK = dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
DESTROY = cdk.RemovalPolicy.DESTROY
RETAIN = cdk.RemovalPolicy.RETAIN


def _ids(findings):
    """(rule id, construct id, property path) of each finding, sorted."""
    return sorted((f.rule_id, f.construct_path.split("/")[1], f.property_path) for f in findings)


def test_retained_table_in_dev_is_flagged(synth):
    # GIVEN seed 004 #7: RemovalPolicy.RETAIN in an ephemeral environment
    def build(stack):
        dynamodb.Table(stack, "Aggregates", partition_key=PK, removal_policy=RETAIN)

    findings = of_class(synth(build), SLUG)
    assert _ids(findings) == [("TAP-GEN-10", "Aggregates", "DeletionPolicy")]
    assert "DeletionPolicy Retain in the ephemeral environment 'test'" in findings[0].message


def test_l2_defaults_in_dev_are_flagged(synth):
    # CDK's L2 data stores default to RETAIN: buckets, log groups and keys are reported
    def build(stack):
        s3.Bucket(stack, "Data")
        logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.ONE_WEEK)
        kms.Key(stack, "Key")

    findings = of_class(synth(build), SLUG)
    assert _ids(findings) == [
        ("TAP-GEN-10", "Data", "DeletionPolicy"),
        ("TAP-GEN-10", "Key", "DeletionPolicy"),
        ("TAP-GEN-10", "Logs", "DeletionPolicy"),
    ]


def test_destroyed_bucket_without_auto_delete_is_flagged(synth):
    findings = of_class(synth(lambda stack: s3.Bucket(stack, "Data", removal_policy=DESTROY)), SLUG)
    assert _ids(findings) == [("TAP-GEN-11", "Data", "DeletionPolicy")]
    assert "no Custom::S3AutoDeleteObjects" in findings[0].message


def test_escape_hatch_retain_override_is_flagged(synth):
    # The L2 says DESTROY + auto-delete; a raw override puts Retain back in the template
    def build(stack):
        bucket = s3.Bucket(stack, "Data", removal_policy=DESTROY, auto_delete_objects=True)
        bucket.node.default_child.add_override("DeletionPolicy", "Retain")

    findings = of_class(synth(build), SLUG)
    assert _ids(findings) == [("TAP-GEN-10", "Data", "DeletionPolicy")]


def test_rds_instance_without_deletion_policy_is_flagged_in_dev(synth):
    # CloudFormation's default for a standalone DB instance is Snapshot, not Delete
    def build(stack):
        rds.CfnDBInstance(
            stack,
            "Db",
            engine="postgres",
            db_instance_class="db.t3.micro",
            allocated_storage="20",
            master_username="tap",
            manage_master_user_password=True,
        )

    findings = of_class(synth(build), SLUG)
    assert _ids(findings) == [("TAP-GEN-10", "Db", "DeletionPolicy")]
    assert "Snapshot (CloudFormation's default for this type)" in findings[0].message


def test_destroyable_dev_stack_passes(synth):
    def build(stack):
        s3.Bucket(stack, "Data", removal_policy=DESTROY, auto_delete_objects=True)
        dynamodb.Table(stack, "Aggregates", partition_key=PK, removal_policy=DESTROY)
        logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.ONE_WEEK, removal_policy=DESTROY)
        kms.Key(stack, "Key", removal_policy=DESTROY, pending_window=cdk.Duration.days(7))

    assert of_class(synth(build), SLUG) == []


def test_destroyed_data_stores_in_prod_are_flagged(synth):
    def build(stack):
        s3.Bucket(stack, "Data", removal_policy=DESTROY, auto_delete_objects=True)
        dynamodb.Table(stack, "Aggregates", partition_key=PK, removal_policy=DESTROY)

    findings = of_class(synth(build, suffix="prod", ephemeral=False), SLUG)
    assert _ids(findings) == [
        ("TAP-GEN-12", "Aggregates", "DeletionPolicy"),
        ("TAP-GEN-12", "Aggregates", "UpdateReplacePolicy"),
        ("TAP-GEN-12", "Data", "DeletionPolicy"),
        ("TAP-GEN-12", "Data", "UpdateReplacePolicy"),
    ]
    assert any("persistent environment 'test': its data is lost" in f.message for f in findings)


def test_destroyed_audit_log_group_in_prod_is_flagged(synth):
    # A CloudTrail's log group holds the audit trail; the function log group does not count
    def build(stack):
        audit = logs.LogGroup(
            stack, "TrailLogs", retention=logs.RetentionDays.ONE_YEAR, removal_policy=DESTROY
        )
        cloudtrail.Trail(stack, "Trail", send_to_cloud_watch_logs=True, cloud_watch_log_group=audit)
        logs.LogGroup(
            stack, "AppLogs", retention=logs.RetentionDays.ONE_WEEK, removal_policy=DESTROY
        )

    findings = of_class(synth(build, suffix="prod", ephemeral=False), SLUG)
    assert _ids(findings) == [
        ("TAP-GEN-12", "TrailLogs", "DeletionPolicy"),
        ("TAP-GEN-12", "TrailLogs", "UpdateReplacePolicy"),
    ]
    assert findings[0].message.startswith("audit log group has")


def test_retained_prod_stack_passes(synth):
    # L2 defaults retain: bucket, table, key and the trail's own bucket
    def build(stack):
        s3.Bucket(stack, "Data")
        dynamodb.Table(stack, "Aggregates", partition_key=PK)
        kms.Key(stack, "Key")
        cloudtrail.Trail(stack, "Trail")

    assert of_class(synth(build, suffix="prod", ephemeral=False), SLUG) == []


def test_unknown_environment_kind_skips_the_rules(synth):
    report = synth(lambda stack: s3.Bucket(stack, "Data"), ephemeral=None)
    assert of_class(report, SLUG) == []
    skipped = {s.rule_id for s in report.skipped}
    assert {"TAP-GEN-10", "TAP-GEN-11", "TAP-GEN-12"} <= skipped
