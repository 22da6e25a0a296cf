"""Aspects: the guardrails that act on the construct tree before synthesis.

They fix what the tree lets them fix and stop synthesis, with a message naming the
construct, where it does not:

- :class:`RemovalPolicyGuardrail` (``removal-policy``): in an ephemeral environment every
  stateful resource gets ``RemovalPolicy.DESTROY`` and every ``s3.Bucket`` must empty
  itself on delete; in a persistent one data stores not already retained get ``RETAIN``
  (``SNAPSHOT`` for databases) and no bucket may auto-delete its objects.
- :class:`LogRetentionGuardrail` (``log-retention``): every log group without a retention
  gets the environment's default; a Lambda function without a log group of its own is an
  error (the group Lambda creates on first invocation never expires).

What the Aspects cannot fix is an *error* (``Validations.of(node).add_error``): with the
feature flag ``@aws-cdk/core:annotationsInValidationReport`` (on in cdk.json) it is part of
the validation report and fails ``cdk synth``; without the flag the CDK CLI still fails
on error annotations. ``aws-cdk-lib`` has no public setter for a bucket's auto-delete
(it is a construction-time prop), so the Aspect names the bucket instead.

Aspects see the construct tree only: a raw ``add_override("DeletionPolicy", "Retain")``
or ``add_property_override`` written into the template stays invisible to them (their
changes land on the same L1 attributes and the override wins). The validation plugin
(:mod:`tap.rules.plugin`) checks the final template and catches those.

The type lists are the rule pack's own (``tap.rules.general.removal_policy``): one list of
"stateful" for the Aspect and the rules.

Example
-------
.. code-block:: python

    apply_guardrail_aspects(app, ephemeral=props.ephemeral,
                            log_retention_days=props.log_retention_days)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3

from tap.rules.general.removal_policy import (
    PERSISTENT_DATA_STORES,
    SNAPSHOT_TYPES,
    STATEFUL_TYPES,
)
from tap.rules.resolve import Resolver

if TYPE_CHECKING:
    from constructs import IConstruct

__all__ = [
    "LOG_RETENTION_DAYS",
    "LogRetentionGuardrail",
    "RemovalPolicyGuardrail",
    "apply_guardrail_aspects",
]

# The values CloudWatch Logs accepts for RetentionInDays (AWS::Logs::LogGroup schema).
LOG_RETENTION_DAYS = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192}
    | {2557, 2922, 3288, 3653}
)

# Validations ids of the errors the Aspects raise (shown in the synth report).
AUTO_DELETE_MISSING = "TapGuardrailAutoDeleteObjects"
AUTO_DELETE_PERSISTENT = "TapGuardrailPersistentAutoDelete"
FUNCTION_LOG_GROUP = "TapGuardrailFunctionLogGroup"


@jsii.implements(cdk.IAspect)
class RemovalPolicyGuardrail:
    """Removal policies by environment (``removal-policy``).

    Parameters
    ----------
    ephemeral:
        ``True``: every stateful resource is destroyed with its stack and every bucket
        emptied; ``False``: data stores are retained and never emptied.
    """

    def __init__(self, *, ephemeral: bool) -> None:
        self._ephemeral = ephemeral

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, cdk.CfnResource):
            self._apply_policy(node)
        elif isinstance(node, s3.Bucket):
            self._check_auto_delete(node)

    def _apply_policy(self, res: cdk.CfnResource) -> None:
        kind = res.cfn_resource_type
        if self._ephemeral and kind in STATEFUL_TYPES:
            res.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
        elif not self._ephemeral and kind in PERSISTENT_DATA_STORES and not _auto_deleted(res):
            # (an auto-deleting bucket is reported by _check_auto_delete; retaining it here
            # would only trade that message for CDK's terser "AutoDeleteObjects" error)
            if res.cfn_options.deletion_policy in _KEEPS_DATA:
                return  # already retained (or snapshotted): never weaken a stronger choice
            policy = (
                cdk.RemovalPolicy.SNAPSHOT if kind in SNAPSHOT_TYPES else cdk.RemovalPolicy.RETAIN
            )
            res.apply_removal_policy(policy)

    def _check_auto_delete(self, bucket: s3.Bucket) -> None:
        auto = _AUTO_DELETE_CHILD in (c.node.id for c in bucket.node.children)
        if self._ephemeral and not auto:
            cdk.Validations.of(bucket).add_error(
                AUTO_DELETE_MISSING,
                f"bucket {bucket.node.path} is not emptied on delete in this ephemeral "
                "environment: `cdk destroy` fails once it holds objects. Construct it with "
                "removal_policy=RemovalPolicy.DESTROY, auto_delete_objects=True "
                "(chosen from the environment's config).",
            )
        elif not self._ephemeral and auto:
            cdk.Validations.of(bucket).add_error(
                AUTO_DELETE_PERSISTENT,
                f"bucket {bucket.node.path} has auto_delete_objects=True in a persistent "
                "environment: deleting the stack empties it even though the bucket is "
                "retained. Set auto_delete_objects only for ephemeral environments.",
            )


_KEEPS_DATA = (
    cdk.CfnDeletionPolicy.RETAIN,
    cdk.CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE,
    cdk.CfnDeletionPolicy.SNAPSHOT,
)

# s3.Bucket(auto_delete_objects=True) adds this child; there is no public setter.
_AUTO_DELETE_CHILD = "AutoDeleteObjectsCustomResource"


def _auto_deleted(res: cdk.CfnResource) -> bool:
    """``res`` is the L1 bucket of an ``s3.Bucket`` that empties itself on delete."""
    parent = res.node.scope
    return (
        res.cfn_resource_type == "AWS::S3::Bucket"
        and parent is not None
        and parent.node.try_find_child(_AUTO_DELETE_CHILD) is not None
    )


@jsii.implements(cdk.IAspect)
class LogRetentionGuardrail:
    """Log retention (``log-retention``).

    Parameters
    ----------
    retention_days:
        The environment's default retention, one of :data:`LOG_RETENTION_DAYS`; given to
        every log group that has none.

    Raises
    ------
    ValueError
        When ``retention_days`` is not a value CloudWatch Logs accepts.
    """

    def __init__(self, *, retention_days: int) -> None:
        if retention_days not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"log_retention_days={retention_days!r} is not a CloudWatch Logs retention; "
                f"use one of {sorted(LOG_RETENTION_DAYS)}"
            )
        self._days = retention_days

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, logs.CfnLogGroup):
            if node.retention_in_days is None:
                node.retention_in_days = self._days
        elif isinstance(node, lambda_.Function) and not _has_own_log_group(node):
            cdk.Validations.of(node).add_error(
                FUNCTION_LOG_GROUP,
                f"function {node.node.path} has no log group of its own: Lambda creates "
                "/aws/lambda/<name> on first invocation, which never expires and outlives "
                "the stack. Pass log_group=logs.LogGroup(..., retention=...) to the function.",
            )


def _has_own_log_group(fn: lambda_.Function) -> bool:
    """``LoggingConfig.LogGroup`` is set, or a log group of the stack is named
    ``/aws/lambda/<function name>``."""
    stack = cdk.Stack.of(fn)
    cfn = fn.node.default_child
    if not isinstance(cfn, lambda_.CfnFunction):
        return True  # not a function we can judge: stay silent
    config = stack.resolve(cfn.logging_config)
    if isinstance(config, dict) and config.get("logGroup"):
        return True
    logical_id = stack.resolve(cfn.logical_id)
    name = stack.resolve(cfn.function_name)
    wanted = {f"/aws/lambda/${{{logical_id}}}"}
    if isinstance(name, str):
        wanted.add(f"/aws/lambda/{name}")
    resolver = Resolver({"Resources": {logical_id: {}}})
    for child in stack.node.find_all():
        if isinstance(child, logs.CfnLogGroup) and child.log_group_name is not None:
            text = resolver.text(stack.resolve(child.log_group_name))
            if text is not None and str(text) in wanted:
                return True
    return False


def apply_guardrail_aspects(
    scope: IConstruct, *, ephemeral: bool, log_retention_days: int
) -> tuple[RemovalPolicyGuardrail, LogRetentionGuardrail]:
    """Add the guardrail Aspects to ``scope`` (an app, stage or stack) and return them.

    Parameters
    ----------
    scope:
        Every construct below it is visited at synthesis.
    ephemeral:
        Whether the environment is ephemeral (``cdk.json`` ``tap:environments``).
    log_retention_days:
        Retention given to log groups that have none.

    Example
    -------
    >>> apply_guardrail_aspects(app, ephemeral=True, log_retention_days=7)  # doctest: +SKIP
    """
    removal = RemovalPolicyGuardrail(ephemeral=ephemeral)
    retention = LogRetentionGuardrail(retention_days=log_retention_days)
    cdk.Aspects.of(scope).add(removal)
    cdk.Aspects.of(scope).add(retention)
    return removal, retention
