"""s3-acl-ownership: writers that need ACLs only target buckets whose ACLs are enabled.

Since April 2023 a new bucket's Object Ownership is ``BucketOwnerEnforced``: ACLs are off.
Three writers still need them: a canned ``AccessControl`` other than ``Private`` /
``BucketOwnerFullControl``, S3 server access logging that relies on the log-delivery ACL (no
bucket policy for ``logging.s3.amazonaws.com`` on the target), and CloudFront standard
logging, which writes with an ACL. The template decides only for buckets of the stack: an
imported bucket, or an ownership setting that is a token, stays silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.s3._buckets import (
    ENFORCED,
    OWNER_ONLY_ACLS,
    canned_acl,
    object_ownership,
    policy_allows_service,
    stack_bucket,
)

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["AclWritersHaveAclsEnabled"]


class AclWritersHaveAclsEnabled(Rule):
    """Buckets written with ACLs (canned ACLs, access logs, CloudFront logs) have ACLs enabled."""

    id = "TAP-S3-20"
    slug = "s3-acl-ownership"
    severity = "error"
    title = "Buckets written with ACLs have ACLs enabled (Object Ownership not enforced)"
    explanation = (
        "Why: a bucket's Object Ownership defaults to BucketOwnerEnforced, which disables ACLs "
        "(Amazon S3 User Guide, 'Controlling ownership of objects and disabling ACLs for your "
        "bucket'). S3 then refuses a canned bucket ACL with InvalidBucketAclWithObjectOwnership "
        "('Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting'); "
        "CloudFront refuses standard logging to it with 'The S3 bucket that you specified for "
        "CloudFront logs does not enable ACL access'; server access logs that rely on the "
        "log-delivery group's ACL are never delivered ('Troubleshooting' of S3 Object "
        "Ownership: AccessControlListNotSupported, 'The bucket does not allow ACLs')."
    )
    fix = (
        "In CDK: s3.Bucket(..., object_ownership=s3.ObjectOwnership.OBJECT_WRITER) (or "
        "BUCKET_OWNER_PREFERRED) on the bucket that receives ACL writes; for server access logs "
        "pass it as server_access_logs_bucket= so CDK adds the logging.s3.amazonaws.com bucket "
        "policy (with the feature flag @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy, which "
        "`cdk init` sets for new apps; without it CDK falls back to the ACL)."
    )
    resource_types = ("AWS::S3::Bucket", "AWS::CloudFront::Distribution")

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        if res.type == "AWS::CloudFront::Distribution":
            yield from self._cloudfront(res, ctx)
            return
        acl = canned_acl(ctx, res)
        if (
            acl is not None
            and acl not in OWNER_ONLY_ACLS
            and object_ownership(ctx, res) == ENFORCED
        ):
            yield self.violation(
                res,
                "Properties/AccessControl",
                f"canned ACL {acl} on a bucket whose Object Ownership is {ENFORCED} (the "
                "default when OwnershipControls is not set): S3 refuses the ACL",
            )
        logging = ctx.resolve(res.properties.get("LoggingConfiguration"))
        target = (
            stack_bucket(ctx, logging.get("DestinationBucketName"))
            if isinstance(logging, dict)
            else None
        )
        if target is None or object_ownership(ctx, target) != ENFORCED:
            return
        if policy_allows_service(ctx, target.logical_id, "logging.s3") is False:
            yield self.violation(
                res,
                "Properties/LoggingConfiguration/DestinationBucketName",
                f"server access logs go to {target.logical_id}, whose ACLs are disabled "
                f"({ENFORCED}) and whose bucket policy does not allow logging.s3.amazonaws.com: "
                "no log is delivered",
            )

    def _cloudfront(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        config = ctx.resolve(res.properties.get("DistributionConfig"))
        logging = config.get("Logging") if isinstance(config, dict) else None
        target = stack_bucket(ctx, logging.get("Bucket")) if isinstance(logging, dict) else None
        if target is not None and object_ownership(ctx, target) == ENFORCED:
            yield self.violation(
                res,
                "Properties/DistributionConfig/Logging/Bucket",
                f"standard logging to {target.logical_id}, whose ACLs are disabled ({ENFORCED}, "
                "the default): CloudFront refuses a log bucket without ACL access",
            )
