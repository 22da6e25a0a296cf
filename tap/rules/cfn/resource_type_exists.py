"""Resource types exist in the CloudFormation registry of the stack's region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.cfn._schema import DEFAULT_REGION, has_schema
from tap.rules.cfn.properties_match_schema import skipped_type, transforms_allow_check

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation


class ResourceTypeExists(Rule):
    """Every resource type exists in the CloudFormation registry of the stack's region."""

    id = "TAP-CFN-2"
    slug = "cfn-schema"
    severity = "error"
    title = "Resource types exist in the CloudFormation registry"
    explanation = (
        "Why: a resource of a type CloudFormation does not know (a hallucinated "
        "AWS::S3::BucketLockfile, a misspelt AWS::Kinesis::Streams, a type not offered in "
        "the stack's region) fails the whole deployment with 'Unrecognized resource types'. "
        "Checked against cfn-lint's registry schemas (its E3006); custom resources "
        "(Custom::*) and SAM types are not registry types and are not judged."
    )
    fix = (
        "Use a type from the CloudFormation resource reference; in CDK use the construct of "
        "aws_cdk.aws_<service> (L2 or Cfn* L1) rather than a hand-written CfnResource type."
    )
    seeds = ("000 #1", "002 #2", "003 #1")

    def check_stack(self, ctx: Context) -> Iterator[Violation]:
        stack = ctx.stack
        if not transforms_allow_check(stack.template):
            return
        region = stack.region or DEFAULT_REGION
        yield from self._malformed(ctx)
        for res in stack.resources.values():
            if not res.type or skipped_type(res.type) or has_schema(region, res.type):
                continue
            where = f"region {region}" if stack.region else "the CloudFormation registry"
            yield self.violation(
                res,
                "Type",
                f"resource type {res.type!r} does not exist in {where} (cfn-lint E3006)",
            )

    def _malformed(self, ctx: Context) -> Iterator[Violation]:
        # Resources CloudFormation rejects before reading their type (issue 9): not an
        # object, no Type or not a string, Metadata (or, for types without a schema that
        # TAP-CFN-1 checks, Properties) not an object. Found by the model at load time.
        for lid, path, message in ctx.stack.malformed_resources:
            res = ctx.stack.resources[lid]
            if path == "Properties" and not skipped_type(res.type):
                continue  # TAP-CFN-1 reports it against the type's schema
            yield self.violation(
                res,
                path,
                f"resource {lid!r} {message}",
                fix="A resource is an object with a string Type; Metadata and Properties are "
                "objects. In CDK, check the escape hatches: add_override('Metadata', ...), "
                "add_override('Type', ...), or the template given to CfnInclude.",
            )
