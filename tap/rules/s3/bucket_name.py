"""Explicit S3 bucket names are unique to the account and valid (``s3-bucket-name``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.common.names import NAME_SPECS, NameValue, name_problems

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource
    from tap.rules.resolve import Text

__all__ = ["BucketNameHasAccount", "BucketNameValid"]

_SPEC = NAME_SPECS["AWS::S3::Bucket"][0]
# Tokens that cannot hold an account id: a name made of these and literals is fully
# known. Any other token (a parameter, an attribute, an import, the stack name) might.
_NOT_ACCOUNT = frozenset({"AWS::Region", "AWS::Partition", "AWS::URLSuffix"})
_TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")
_FIX = (
    "In CDK: omit bucket_name and let CloudFormation generate a unique name, or include "
    'the account (and region): bucket_name=f"tap-logs-{Aws.ACCOUNT_ID}-{Aws.REGION}-{suffix}".'
)


def _bucket_name(res: Resource, ctx: Context) -> Text | None:
    raw = res.properties.get("BucketName")
    return None if raw is None else ctx.text(raw)


class BucketNameHasAccount(Rule):
    """Explicit S3 bucket names include the deploying account's id."""

    id = "TAP-S3-1"
    slug = "s3-bucket-name"
    severity = "error"
    title = "Explicit bucket names include the account id"
    explanation = (
        "Why: S3 bucket names are unique across every account of the partition; a fixed "
        "name such as 'vpc-flow-logs-dev' is likely taken by someone else, and is taken by "
        "the same stack in another account, so the deployment fails with "
        "BucketAlreadyExists (seed 001 #2). ${AWS::AccountId} in the name makes it the "
        "account's own; a literal 12-digit id only works in that one account."
    )
    fix = _FIX
    seeds = ("001 #2",)
    resource_types = ("AWS::S3::Bucket",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        name = _bucket_name(res, ctx)
        if name is None or name.has_token("AWS::AccountId"):
            return
        literal = "".join(name.literal_parts)
        own = ctx.stack.account
        if own and own in literal:  # a concrete env: CDK renders the account literally
            return
        if any(t.kind not in _NOT_ACCOUNT for t in name.tokens):
            return  # a parameter or attribute may hold the account: unknown
        hardcoded = _TWELVE_DIGITS.search(literal)
        if hardcoded:
            message = (
                f"BucketName {str(name)!r} has the hard-coded account id "
                f"{hardcoded.group(0)}, not the deploying account's ${{AWS::AccountId}}"
            )
        else:
            message = (
                f"BucketName {str(name)!r} has no account id: bucket names are global, "
                "another account (or this stack in another account) can hold it"
            )
        yield self.violation(res, "Properties/BucketName", message)


class BucketNameValid(Rule):
    """Explicit S3 bucket names follow S3's naming rules once resolved."""

    id = "TAP-S3-2"
    slug = "s3-bucket-name"
    severity = "error"
    title = "Explicit bucket names follow S3's naming rules"
    explanation = (
        "Why: S3 rejects a bucket name that is not 3-63 lowercase letters, digits, '.' and "
        "'-', starting and ending with a letter or digit, without '..', not an IP address, "
        "without the reserved prefixes (xn--, sthree-, amzn-s3-demo-) and suffixes "
        "(-s3alias, --ol-s3, .mrap, --x-s3, --table-s3) (seed 001 #2; S3 User Guide, "
        "bucket naming rules). The length is computed with a 12-digit account id and the "
        "longest region name; with other tokens (a parameter, the stack name) only the "
        "literal characters are checked."
    )
    fix = (
        "In CDK: lowercase the name and use '-' instead of '_' or capitals "
        '(f"tap-logs-{Aws.ACCOUNT_ID}-{Aws.REGION}-{suffix.lower()}"); shorten its fixed '
        "parts to fit 63 characters, or omit bucket_name."
    )
    seeds = ("001 #2",)
    resource_types = ("AWS::S3::Bucket",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        name = _bucket_name(res, ctx)
        if name is None:
            return
        problems = name_problems(_SPEC, NameValue.of(name))
        if problems:
            yield self.violation(
                res, "Properties/BucketName", f"BucketName {str(name)!r} " + "; ".join(problems)
            )
