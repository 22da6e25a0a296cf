"""ARNs and service endpoints name the stack's region through ``${AWS::Region}``
(``hardcoded-region``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.common.regions import region_names, region_pattern
from tap.rules.general._literals import Leaf, leaves

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation

__all__ = ["NoHardcodedRegion"]

# The heuristic: a region name botocore knows, found
# 1. in the region field of an ARN (arn:<partition>:<service>:<region>:...);
_ARN_REGION = re.compile(r"arn:[^:\s\"']*:[^:\s\"']*:([a-z0-9-]+):")
# 2. as a label of an AWS host name: a service principal (logs.us-east-1.amazonaws.com),
#    an endpoint URL (https://sqs.eu-west-1.amazonaws.com/...), a VPC endpoint service
#    (com.amazonaws.us-east-1.s3). A bare region string ("us-east-1" as a value) is not
#    flagged: properties that take a region on purpose (global table replicas) hold that.
_AWS_HOST = re.compile(r"amazonaws|\.aws\b")
# CDK's cross-region references (Stack(cross_region_references=True)): its export writer
# and reader keep the values in SSM parameters under /cdk/exports/ of the *other* stack's
# region, so their role names that region on purpose; the user writes none of it.
_CDK_EXPORTS = re.compile(r":ssm:[a-z0-9-]+:[^:]*:parameter/cdk/exports/")
_CDK_EXPORT_PROVIDERS = (
    "Custom::CrossRegionExportWriterCustomResourceProvider",
    "Custom::CrossRegionExportReaderCustomResourceProvider",
)


class NoHardcodedRegion(Rule):
    """ARNs, service principals and endpoints use ``${AWS::Region}``, not a region literal."""

    id = "TAP-GEN-2"
    slug = "hardcoded-region"
    severity = "warning"
    title = "ARNs, service principals and endpoints use AWS::Region, not a region literal"
    explanation = (
        "Why: a region literal in an ARN or service principal only works in that region; "
        "deployed anywhere else the policy names resources that do not exist or a "
        "principal that never calls (seed 001 #8: the fix itself hard-codes "
        "'logs.us-east-1.amazonaws.com' and 'arn:aws:logs:us-east-1:...' in a key policy). "
        "A literal equal to the stack's own concrete region (env=Environment(region=...)) "
        "is fine; a cross-region reference made on purpose deserves an acknowledgement. CDK's "
        "own cross-region references (their /cdk/exports/ SSM parameters) are not findings."
    )
    fix = (
        'In CDK: f"logs.{Aws.REGION}.amazonaws.com" or iam.ServicePrincipal("logs.amazonaws.com") '
        "(CDK adds the region where the service needs it), stack.format_arn(...) or "
        'f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:*".'
    )
    seeds = ("001 #8",)

    def check_stack(self, ctx: Context) -> Iterator[Violation]:
        own = ctx.stack.region
        for res in ctx.stack.resources.values():
            path = ctx.stack.construct_path(res.logical_id) or ""
            if "CrossRegionExport" in path and any(
                f"/{p}/" in f"{path}/" for p in _CDK_EXPORT_PROVIDERS
            ):
                continue
            seen: set[tuple[str, str]] = set()
            for leaf in leaves(res, ctx):
                text = leaf.rendered
                # Most values hold neither an ARN nor an AWS host name: _regions finds nothing
                # in them, and the substring tests are cheaper than its patterns.
                if leaf.is_number or not ("arn:" in text or "amazonaws" in text or ".aws" in text):
                    continue
                if _CDK_EXPORTS.search(text):
                    continue
                for region, where in _regions(leaf):
                    if region == own or (leaf.path, region) in seen:
                        continue
                    seen.add((leaf.path, region))
                    yield self.violation(
                        res, leaf.path, f"region {region} hard-coded in {where}: {leaf.shown!r}"
                    )


def _regions(leaf: Leaf) -> Iterator[tuple[str, str]]:
    text = leaf.rendered
    known = region_names()
    arn_spans = []
    for m in _ARN_REGION.finditer(text):
        if m.group(1) in known:
            arn_spans.append(m.span(1))
            yield m.group(1), "an ARN"
    if not _AWS_HOST.search(text):
        return
    for m in region_pattern().finditer(text):
        if m.span() in arn_spans:
            continue
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if "." in (before, after):
            kind = "a service principal" if "Principal" in leaf.keys else "an endpoint"
            yield m.group(0), kind
