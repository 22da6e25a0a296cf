"""Defaults shared by the stages: removal policies, log groups, buckets, acknowledgements.

Kept apart from the stage builders (the Solutions Constructs ``*-defaults`` habit) so each
stage reads as "what" while the "how it is hardened" lives in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Acknowledgment, RemovalPolicy, Stack, Validations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3

if TYPE_CHECKING:
    from constructs import Construct, IConstruct

    from tap.props import TapStackProps

__all__ = [
    "NAG_NAMESPACE",
    "acknowledge_nag",
    "arn_ref",
    "data_removal_policy",
    "log_group",
    "secure_bucket",
]

#: cdk-nag v3 runs as a CDK validation plugin named "AwsSolutions"; CDK turns the plugin name
#: into the acknowledgement namespace ("<name with spaces as ->::<rule id>"). Verified against
#: cdk-nag 3.0.2 + aws-cdk-lib 2.275: an id without the namespace does not suppress a finding.
NAG_NAMESPACE = "AwsSolutions"

_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    2192: logs.RetentionDays.SIX_YEARS,
    2557: logs.RetentionDays.SEVEN_YEARS,
    2922: logs.RetentionDays.EIGHT_YEARS,
    3288: logs.RetentionDays.NINE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


def data_removal_policy(props: TapStackProps) -> RemovalPolicy:
    """DESTROY in ephemeral environments, RETAIN for data stores in persistent ones."""
    return RemovalPolicy.DESTROY if props.ephemeral else RemovalPolicy.RETAIN


def log_group(
    scope: Construct, construct_id: str, *, name: str, props: TapStackProps
) -> logs.LogGroup:
    """An explicit log group with the environment's retention.

    Logs are operational data, not a data store: they are destroyed with ephemeral stacks and
    retained in persistent ones, like the rest.
    """
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=name,
        retention=_RETENTION[props.log_retention_days],
        removal_policy=data_removal_policy(props),
    )


def secure_bucket(
    scope: Construct,
    construct_id: str,
    *,
    props: TapStackProps,
    access_logs: s3.IBucket | None,
    access_logs_prefix: str | None = None,
    lifecycle_rules: list[s3.LifecycleRule] | None = None,
) -> s3.Bucket:
    """A private, encrypted, TLS-only bucket named by CloudFormation (globally unique).

    Ephemeral environments empty and delete it with the stack; persistent ones retain it.
    Versioning is on where data is retained (prod), so an overwrite or delete can be undone.
    """
    return s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforce_ssl=True,
        minimum_tls_version=1.2,
        versioned=not props.ephemeral,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=access_logs_prefix,
        lifecycle_rules=lifecycle_rules,
        removal_policy=data_removal_policy(props),
        auto_delete_objects=props.ephemeral,
    )


def acknowledge_nag(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one cdk-nag AwsSolutions finding on ``scope`` (and its subtree).

    ``rule_id`` is the finding id as cdk-nag prints it, e.g. ``AwsSolutions-L1`` or
    ``AwsSolutions-IAM5[Resource::*]``; each wildcard finding is acknowledged on its own.
    """
    Validations.of(scope).acknowledge(
        Acknowledgment(id=f"{NAG_NAMESPACE}::{rule_id}", reason=reason)
    )


def arn_ref(resource: IConstruct) -> str:
    """How cdk-nag names ``resource``'s ARN in an IAM5 finding: ``<LogicalId.Arn>``."""
    cfn = resource.node.default_child
    return f"<{Stack.of(resource).get_logical_id(cfn)}.Arn>"  # type: ignore[arg-type]
