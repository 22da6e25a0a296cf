"""Stateful resources are destroyable in ephemeral environments and retained in persistent
ones (``removal-policy``).

Three rules, one use case each: ephemeral stacks delete their stateful resources
(TAP-GEN-10) and can empty their buckets on delete (TAP-GEN-11); persistent stacks retain
their data stores (TAP-GEN-12). Which environments are ephemeral is configuration
(``cdk.json`` ``tap:environments``, or ``--ephemeral``/``--persistent``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.common.auto_delete import emptied_by

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = [
    "PERSISTENT_DATA_STORES",
    "SNAPSHOT_TYPES",
    "STATEFUL_TYPES",
    "EphemeralBucketAutoDelete",
    "EphemeralStatefulDestroyed",
    "PersistentDataRetained",
]

# Resource types that hold data (or, for KMS keys, decide whether data stays readable) and
# so survive a stack deletion unless DeletionPolicy is Delete: the one list of "stateful"
# for the rule pack. SNS topics, Firehose streams and functions hold no data at rest and
# are not here; a Lambda Version's Retain (CDK's default) dies with its function anyway.
STATEFUL_TYPES: tuple[str, ...] = (
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::Kinesis::Stream",
    "AWS::Logs::LogGroup",
    "AWS::KMS::Key",
    "AWS::SQS::Queue",
    "AWS::Cognito::UserPool",
    "AWS::SecretsManager::Secret",
    "AWS::ECR::Repository",
    "AWS::EFS::FileSystem",
    "AWS::Backup::BackupVault",
    "AWS::OpenSearchService::Domain",
    "AWS::Timestream::Database",
    "AWS::Timestream::Table",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Neptune::DBCluster",
    "AWS::DocDB::DBCluster",
    "AWS::Redshift::Cluster",
)

# The data stores a persistent environment must keep through deletion and replacement:
# buckets and tables (the pipeline's data), databases and file systems, user pools (user
# accounts cannot be recreated), KMS keys (retained data encrypted under a deleted key is
# lost). Log groups only when they hold an audit trail (a CloudTrail's log group, see
# ``_audit_log_groups``); Kinesis streams and queues are buffers with bounded retention.
PERSISTENT_DATA_STORES: tuple[str, ...] = (
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::Cognito::UserPool",
    "AWS::KMS::Key",
    "AWS::EFS::FileSystem",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Neptune::DBCluster",
    "AWS::DocDB::DBCluster",
    "AWS::Redshift::Cluster",
)

# Types for which a final snapshot keeps the data (Snapshot is as good as Retain in prod).
SNAPSHOT_TYPES = frozenset(
    {
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::Neptune::DBCluster",
        "AWS::DocDB::DBCluster",
        "AWS::Redshift::Cluster",
    }
)


def _default_deletion_policy(res: Resource) -> str:
    """CloudFormation's DeletionPolicy when the attribute is absent: Delete, except
    Snapshot for RDS clusters and for RDS instances outside a cluster."""
    if res.type == "AWS::RDS::DBCluster":
        return "Snapshot"
    if res.type == "AWS::RDS::DBInstance" and "DBClusterIdentifier" not in res.properties:
        return "Snapshot"
    return "Delete"


def _policy(ctx: Context, res: Resource, attribute: str) -> tuple[str | None, bool]:
    """(effective policy, explicit?) of ``DeletionPolicy``/``UpdateReplacePolicy``;
    the policy is ``None`` when decided at deploy time."""
    raw = res.raw.get(attribute)
    if raw is None:
        default = _default_deletion_policy(res) if attribute == "DeletionPolicy" else "Delete"
        return default, False
    value = ctx.resolve(raw)
    return (value if isinstance(value, str) else None), True


def _env(ctx: Context) -> str:
    """``the ephemeral environment 'dev'`` / ``a persistent environment``."""
    name = ctx.environment.name
    if ctx.environment.ephemeral:
        return f"the ephemeral environment {name!r}" if name else "an ephemeral environment"
    return f"the persistent environment {name!r}" if name else "a persistent environment"


class EphemeralStatefulDestroyed(Rule):
    """In an ephemeral environment every stateful resource is deleted with its stack."""

    id = "TAP-GEN-10"
    slug = "removal-policy"
    severity = "error"
    title = "Ephemeral environments delete their stateful resources with the stack"
    explanation = (
        "Why: a retained (or snapshotted) resource outlives `cdk destroy`: test environments "
        "accumulate orphaned buckets, tables and keys that cost money, and explicit names "
        "collide on the next deploy (seed 004 #7; seed 001 #7 for the same cleanup lesson). "
        "CDK's L2 data stores default to RETAIN: say DESTROY in ephemeral environments."
    )
    fix = (
        "In CDK: removal_policy=RemovalPolicy.DESTROY for ephemeral environments (buckets "
        "also auto_delete_objects=True), chosen from the environment's config; remove any "
        'add_override("DeletionPolicy", ...) escape hatch.'
    )
    seeds = ("004 #7", "001 #7")
    resource_types = STATEFUL_TYPES
    requires = ("ephemeral",)

    def check_stack(self, ctx: Context) -> Iterable[Violation]:
        if not ctx.environment.ephemeral:
            return
        for res in ctx.stack.of_type(*self.resource_types):
            policy, explicit = _policy(ctx, res, "DeletionPolicy")
            if policy is None or policy == "Delete":
                continue
            how = "" if explicit else " (CloudFormation's default for this type)"
            yield self.violation(
                res,
                "DeletionPolicy",
                f"{res.type} has DeletionPolicy {policy}{how} in {_env(ctx)}: it "
                "outlives the stack",
            )


class EphemeralBucketAutoDelete(Rule):
    """In an ephemeral environment every deleted bucket is emptied first (auto-delete)."""

    id = "TAP-GEN-11"
    slug = "removal-policy"
    severity = "error"
    title = "Ephemeral buckets are emptied on delete"
    explanation = (
        "Why: CloudFormation cannot delete a bucket that still holds objects: the stack "
        "deletion fails with 'The bucket you tried to delete is not empty' and leaves the "
        "bucket behind (seed 004 #7, 001 #7). CDK's auto-delete custom resource "
        "(Custom::S3AutoDeleteObjects) empties it first."
    )
    fix = "In CDK: s3.Bucket(..., removal_policy=RemovalPolicy.DESTROY, auto_delete_objects=True)."
    seeds = ("004 #7", "001 #7")
    resource_types = ("AWS::S3::Bucket",)
    requires = ("ephemeral",)

    def check_stack(self, ctx: Context) -> Iterable[Violation]:
        if not ctx.environment.ephemeral:
            return
        emptied = emptied_by(ctx, "Custom::S3AutoDeleteObjects", "BucketName")
        for res in ctx.stack.of_type(*self.resource_types):
            policy, _ = _policy(ctx, res, "DeletionPolicy")
            if policy != "Delete":
                continue  # retained buckets are TAP-GEN-10's finding
            name = ctx.text(res.properties.get("BucketName"))
            if res.logical_id in emptied or (name is not None and str(name) in emptied):
                continue
            yield self.violation(
                res,
                "DeletionPolicy",
                f"bucket is deleted with the stack in {_env(ctx)} but nothing empties "
                "it first (no Custom::S3AutoDeleteObjects for it): deletion fails once it "
                "holds objects",
            )


class PersistentDataRetained(Rule):
    """In a persistent environment data stores are retained on deletion and replacement."""

    id = "TAP-GEN-12"
    slug = "removal-policy"
    severity = "error"
    title = "Persistent environments retain their data stores"
    explanation = (
        "Why: in production a stack deletion, or an update that replaces the resource, must "
        "not delete the data: DeletionPolicy and UpdateReplacePolicy Retain (Snapshot for "
        "databases) keep it. The ephemeral habit of DESTROY (seed 004 #7) must not reach "
        "a persistent environment."
    )
    fix = (
        "In CDK: removal_policy=RemovalPolicy.RETAIN (or RETAIN_ON_UPDATE_OR_DELETE; "
        "SNAPSHOT for databases) for persistent environments, and no auto_delete_objects."
    )
    seeds = ("004 #7",)
    resource_types = PERSISTENT_DATA_STORES
    requires = ("ephemeral",)

    def check_stack(self, ctx: Context) -> Iterable[Violation]:
        if ctx.environment.ephemeral is not False:
            return
        audit = _audit_log_groups(ctx)
        stores = list(ctx.stack.of_type(*self.resource_types))
        stores += [r for r in ctx.stack.of_type("AWS::Logs::LogGroup") if r.logical_id in audit]
        for res in stores:
            snapshot = {"Snapshot"} if res.type in SNAPSHOT_TYPES else set()
            wanted = {
                "DeletionPolicy": {"Retain", "RetainExceptOnCreate"} | snapshot,
                "UpdateReplacePolicy": {"Retain"} | snapshot,
            }
            kind = "audit log group" if res.logical_id in audit else res.type
            for attribute, allowed in wanted.items():
                policy, explicit = _policy(ctx, res, attribute)
                if policy is None or policy in allowed:
                    continue
                shown = policy if explicit else f"{policy} (absent: CloudFormation's default)"
                when = "the stack is deleted" if attribute == "DeletionPolicy" else "replaced"
                yield self.violation(
                    res,
                    attribute,
                    f"{kind} has {attribute} {shown} in {_env(ctx)}: its data is lost when {when}",
                )


def _audit_log_groups(ctx: Context) -> set[str]:
    """Log groups a CloudTrail trail delivers to (``CloudWatchLogsLogGroupArn``)."""
    out: set[str] = set()
    for trail in ctx.stack.of_type("AWS::CloudTrail::Trail"):
        arn = ctx.text(trail.properties.get("CloudWatchLogsLogGroupArn"))
        for tok in arn.tokens if arn is not None else ():
            res = ctx.resource(tok.name) if tok.kind in ("Ref", "GetAtt") else None
            if res is not None and res.type == "AWS::Logs::LogGroup":
                out.add(res.logical_id)
    return out
