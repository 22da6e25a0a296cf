"""s3-public-access-block: public bucket policies and ACLs only where Block Public Access
lets them through.

Block Public Access is on for every new bucket (all four settings) unless the template turns
it off. S3 then rejects a bucket policy that grants public access (``BlockPublicPolicy``) and
a public canned ACL (``BlockPublicAcls``). A statement is public here when it allows ``*`` (or
``{"AWS": "*"}``) with no ``Condition``: any condition may make it non-public in S3's terms
(``aws:SourceArn``, ``aws:SourceVpc``...), so such statements stay silent, as do settings that
are tokens and buckets outside the stack. The account-level setting cannot be read from a
template: a bucket that turns its own setting off is not flagged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule
from tap.rules.resolve import as_list
from tap.rules.s3._buckets import PUBLIC_ACLS, blocks, canned_acl, stack_bucket

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["PublicGrantsAllowedByBlockPublicAccess"]


def _public(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in as_list(principal.get("AWS"))
    return False


class PublicGrantsAllowedByBlockPublicAccess(Rule):
    """Buckets grant public access only with Block Public Access turned off for it."""

    id = "TAP-S3-21"
    slug = "s3-public-access-block"
    severity = "error"
    title = "Public bucket policies and ACLs have Block Public Access turned off"
    explanation = (
        "Why: new buckets have all four Block Public Access settings on (Amazon S3 User Guide, "
        "'Blocking public access to your Amazon S3 storage'). With BlockPublicPolicy, S3 "
        "rejects a PutBucketPolicy that grants public access ('API: s3:PutBucketPolicy Access "
        "Denied'); with BlockPublicAcls it rejects a public canned ACL ('Bucket cannot have "
        "public ACLs set with BlockPublicAccess enabled'): the stack fails at deploy."
    )
    fix = (
        "In CDK: serve the content through CloudFront with an origin access control "
        "(origins.S3BucketOrigin.with_origin_access_control(bucket)) and keep the bucket "
        "private; if the bucket must be public, say so: s3.Bucket(..., block_public_access="
        "s3.BlockPublicAccess(block_public_policy=False, restrict_public_buckets=False, "
        "block_public_acls=True, ignore_public_acls=True), public_read_access=True)."
    )
    resource_types = ("AWS::S3::BucketPolicy", "AWS::S3::Bucket")

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        if res.type == "AWS::S3::Bucket":
            acl = canned_acl(ctx, res)
            if acl in PUBLIC_ACLS and blocks(ctx, res, "BlockPublicAcls"):
                yield self.violation(
                    res,
                    "Properties/AccessControl",
                    f"public canned ACL {acl} while the bucket's BlockPublicAcls is on (the "
                    "default when PublicAccessBlockConfiguration does not turn it off)",
                )
            return
        bucket = stack_bucket(ctx, res.properties.get("Bucket"))
        if bucket is None or not blocks(ctx, bucket, "BlockPublicPolicy"):
            return
        # Effect, Principal and Condition are literal in practice: read the raw statements
        # (no resolution of the whole document); a computed one is not "Allow" to everyone.
        doc = res.properties.get("PolicyDocument")
        statements = doc.get("Statement") if isinstance(doc, dict) else None
        for i, st in enumerate(as_list(statements)):
            if (
                isinstance(st, dict)
                and st.get("Effect") == "Allow"
                and not st.get("Condition")
                and _public(st.get("Principal"))
            ):
                actions = ", ".join(str(a) for a in as_list(st.get("Action")))
                yield self.violation(
                    res,
                    f"Properties/PolicyDocument/Statement/{i}",
                    f"statement allows everyone ({actions}) on {bucket.logical_id}, whose "
                    "BlockPublicPolicy is on (the default when PublicAccessBlockConfiguration "
                    "does not turn it off): S3 rejects the bucket policy",
                )
