"""Trails writing to a bucket of the stack have CloudTrail's bucket policy, created first
(``cloudtrail-bucket-policy``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.cloudtrail._bucket_policy import (
    Renderer,
    any_verdict,
    has_acl_condition,
    statement_grants,
)
from tap.rules.resolve import Text, Token

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["TrailBucketPolicy"]

SERVICE = "cloudtrail.amazonaws.com"
ACL = "bucket-owner-full-control"


class TrailBucketPolicy(Rule):
    """CloudTrail trails writing to a bucket of the stack depend on a bucket policy that
    lets CloudTrail check the ACL and write its logs with bucket-owner-full-control."""

    id = "TAP-TRAIL-1"
    slug = "cloudtrail-bucket-policy"
    severity = "error"
    title = "Trails depend on a bucket policy that lets CloudTrail deliver logs"
    explanation = (
        "Why: CloudTrail checks the bucket policy when the trail is created and fails with "
        "InsufficientS3BucketPolicyException unless cloudtrail.amazonaws.com may "
        "s3:GetBucketAcl on the bucket and s3:PutObject on <bucket>/[prefix/]AWSLogs/<account>/* "
        "under the condition s3:x-amz-acl = bucket-owner-full-control, and unless the policy "
        "exists before the trail (seed 000 #4)."
    )
    fix = (
        "In CDK: cloudtrail.Trail(..., bucket=my_bucket) or let the Trail create its bucket: "
        "the L2 adds both statements and the dependency. With L1: an s3.CfnBucketPolicy with "
        "the AWSCloudTrailAclCheck and AWSCloudTrailWrite statements, and "
        "cfn_trail.node.add_dependency(policy)."
    )
    seeds = ("000 #4",)
    resource_types = ("AWS::CloudTrail::Trail",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        bucket = _bucket_in_stack(ctx, ctx.text(res.properties.get("S3BucketName")))
        if bucket is None:
            return  # writes to a bucket outside the stack: its policy is not ours to see
        candidates = ctx.stack.of_type("AWS::S3::BucketPolicy")
        policies = sorted(
            (p for p in candidates if _is_policy_of(ctx, p, bucket)), key=lambda p: p.logical_id
        )
        if not policies:
            yield self.violation(
                res,
                "Properties/S3BucketName",
                f"trail writes to bucket {bucket.logical_id}, which has no AWS::S3::BucketPolicy "
                f"granting {SERVICE} s3:GetBucketAcl and s3:PutObject",
            )
            return
        yield from self._check_policy(res, ctx, bucket, policies)
        if not any(ctx.graph.depends_on(res.logical_id, p.logical_id) for p in policies):
            yield self.violation(
                res,
                "DependsOn",
                f"trail does not depend on the bucket policy {policies[0].logical_id}: "
                "CloudFormation may create the trail first, and CloudTrail rejects it",
                fix="In CDK: cfn_trail.node.add_dependency(bucket_policy_resource) (the L2 "
                "cloudtrail.Trail does this itself).",
            )

    def _check_policy(
        self,
        trail: Resource,
        ctx: Context,
        bucket: Resource,
        policies: list[Resource],
    ) -> Iterator[Violation]:
        first = policies[0]
        renderer = Renderer(
            bucket.logical_id,
            ctx.text(bucket.properties.get("BucketName")),
            ctx.stack.account,
        )
        prefix = ctx.text(trail.properties.get("S3KeyPrefix"))
        rendered_prefix = renderer.render(prefix) if prefix is not None else ""
        statements: list[tuple[Resource, int, object]] = []
        for policy in policies:
            found = _statements(ctx, policy)
            if found is None:
                return  # a document known only at deploy time
            statements.extend((policy, i, s) for i, s in found)
        acl_grant = any_verdict(
            statement_grants(s, SERVICE, "s3:GetBucketAcl", renderer.arn, renderer)
            for _, _, s in statements
        )
        if acl_grant is False:
            yield self.violation(
                first,
                "Properties/PolicyDocument",
                f"bucket policy does not allow {SERVICE} s3:GetBucketAcl on bucket "
                f"{bucket.logical_id} (trail {trail.logical_id} needs it)",
            )
        if rendered_prefix is None:
            return  # the key prefix is decided at deploy time
        key = f"{rendered_prefix.strip('/')}/" if rendered_prefix.strip("/") else ""
        obj = f"{renderer.arn}/{key}AWSLogs/{renderer.account}/CloudTrail/region-1/x.json.gz"
        shown = f"${{{bucket.logical_id}.Arn}}/{key}AWSLogs/<account>/*"
        puts = [
            (p, i, s, statement_grants(s, SERVICE, "s3:PutObject", obj, renderer))
            for p, i, s in statements
        ]
        put_grant = any_verdict(v for *_, v in puts)
        if put_grant is False:
            yield self.violation(
                first,
                "Properties/PolicyDocument",
                f"bucket policy does not allow {SERVICE} s3:PutObject on {shown} "
                f"(trail {trail.logical_id} writes there)",
            )
            return
        granting = [(p, i, s) for p, i, s, v in puts if v is True and isinstance(s, dict)]
        if not granting:
            return
        if any_verdict(has_acl_condition(s, ACL) for _, _, s in granting) is False:
            policy, index, _ = granting[0]
            yield self.violation(
                policy,
                f"Properties/PolicyDocument/Statement/{index}",
                f"the s3:PutObject grant to {SERVICE} on {shown} lacks the condition "
                f"StringEquals s3:x-amz-acl = {ACL}: CloudTrail rejects the policy",
                fix='Add condition {"StringEquals": {"s3:x-amz-acl": '
                '"bucket-owner-full-control"}} to the statement (iam.PolicyStatement('
                "..., conditions=...)).",
            )


def _single_ref(text: Text | None) -> Token | None:
    if text is not None and len(text.parts) == 1 and isinstance(text.parts[0], Token):
        tok = text.parts[0]
        return tok if tok.kind == "Ref" else None
    return None


def _bucket_in_stack(ctx: Context, name: Text | None) -> Resource | None:
    if name is None:
        return None
    ref = _single_ref(name)
    if ref is not None:
        res = ctx.resource(ref.name)
        return res if res is not None and res.type == "AWS::S3::Bucket" else None
    if not name.is_literal:
        return None
    for res in ctx.stack.of_type("AWS::S3::Bucket"):
        if ctx.text(res.properties.get("BucketName")) == name:
            return res
    return None


def _is_policy_of(ctx: Context, policy: Resource, bucket: Resource) -> bool:
    target = ctx.text(policy.properties.get("Bucket"))
    return _bucket_in_stack(ctx, target) is bucket


def _statements(ctx: Context, policy: Resource) -> list[tuple[int, object]] | None:
    """The policy's statements with their indexes; ``None`` when not knowable."""
    doc = ctx.resolve(policy.properties.get("PolicyDocument"))
    if isinstance(doc, str):  # a JSON string document
        try:
            doc = json.loads(doc)
        except (ValueError, RecursionError):
            return None
    if not isinstance(doc, dict):
        return None
    statements = doc.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    return list(enumerate(statements)) if isinstance(statements, list) else None
