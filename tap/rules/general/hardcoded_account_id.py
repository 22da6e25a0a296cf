"""Resources name no AWS account by a literal id (``hardcoded-account-id``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.general._literals import Leaf, leaves

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation

__all__ = ["NoHardcodedAccountId"]

# AWS-owned accounts that publish Lambda layers under their own account id, allowed in a
# layer ARN (``arn:<partition>:lambda:<region>:<account>:layer:<name>``) and nowhere else:
# account → the layer name prefix it publishes and where that is documented.
PUBLISHER_ACCOUNTS: dict[str, tuple[str, str]] = {
    # Powertools for AWS Lambda (Python), commercial regions: docs "Install > Lambda
    # Layer", arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-...
    "017000801446": ("AWSLambdaPowertools", "Powertools for AWS Lambda (Python) layer"),
    # CloudWatch Lambda Insights extension in most commercial regions: CloudWatch User
    # Guide "Available versions of the Lambda Insights extension", and aws-cdk-lib 2.275
    # region-info facts (CLOUDWATCH_LAMBDA_INSIGHTS_ARN), what
    # lambda.LambdaInsightsVersion renders once the stack's region is concrete.
    "580247275435": ("LambdaInsightsExtension", "CloudWatch Lambda Insights extension"),
    # AWS Distro for OpenTelemetry layers: aws-cdk-lib 2.275 region-info facts (ADOT
    # layers, lambda.AdotLayerVersion), arn:aws:lambda:{region}:901920570463:layer:aws-otel-*.
    "901920570463": ("aws-otel-", "AWS Distro for OpenTelemetry layer"),
}

# Where a 12-digit number is an account id (the heuristic; see NoHardcodedAccountId):
# 1. the account field of an ARN, anywhere in a string (also inside JSON text);
_ARN_ACCOUNT = re.compile(r"arn:[^:\s\"']*:[^:\s\"']*:[^:\s\"']*:(\d{12})(?![0-9A-Za-z])")
# 2. a string that is exactly 12 digits (a principal, a condition value, an env var, a
#    tag value), or a quoted 12-digit string inside JSON text;
_BARE = re.compile(r"\s*(\d{12})\s*")
_QUOTED = re.compile(r"[\"'](\d{12})[\"']")
# 3. a JSON number of 12 digits only under a key that names an account.
_ACCOUNT_KEY = re.compile(r"(?i)account|owner|catalogid")
_LAYER = re.compile(r":layer:([A-Za-z0-9_-]+)")


class NoHardcodedAccountId(Rule):
    """Resources refer to AWS accounts through ``${AWS::AccountId}``, not literal ids."""

    id = "TAP-GEN-1"
    slug = "hardcoded-account-id"
    severity = "error"
    title = "Resources refer to accounts through AWS::AccountId, not literal ids"
    explanation = (
        "Why: a literal account id (a placeholder like 123456789012, or the author's own "
        "account) ties the template to one account: principals and ARNs point at an "
        "account the stack does not run in, so deployment fails or, worse, grants access "
        "to a stranger (seed 001 #1: 'arn:aws:iam::123456789012:root' in a key policy, a "
        "hard-coded Lambda role ARN). Found in ARN account fields, strings of exactly 12 "
        "digits, and 12-digit numbers under account keys; AWS-owned layer publisher "
        "accounts (Powertools, Lambda Insights, ADOT) are allowed in layer ARNs."
    )
    fix = (
        "In CDK: build ARNs from Aws.ACCOUNT_ID or Stack.of(self).account "
        '(f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:root", iam.AccountRootPrincipal(), '
        "stack.format_arn(...)); pass another account's id in as configuration, or "
        "reference the resource you created (role.role_arn) instead of its ARN."
    )
    seeds = ("001 #1",)

    def check_stack(self, ctx: Context) -> Iterator[Violation]:
        own = ctx.stack.account
        for res in ctx.stack.resources.values():
            seen: set[tuple[str, str]] = set()
            for leaf in leaves(res, ctx):
                for account, where in _accounts(leaf):
                    if account == own or (leaf.path, account) in seen:
                        continue
                    seen.add((leaf.path, account))
                    yield self.violation(
                        res,
                        leaf.path,
                        f"hard-coded account id {account} in {where}: {leaf.shown!r}",
                    )


def _accounts(leaf: Leaf) -> Iterator[tuple[str, str]]:
    """``(account id, what holds it)`` for each account id literal in ``leaf``."""
    text = leaf.rendered
    if leaf.is_number:
        if (
            len(text) == 12
            and text.isdigit()
            and _ACCOUNT_KEY.search(leaf.keys[-1] if leaf.keys else "")
        ):
            yield text, _context(leaf)
        return
    for m in _ARN_ACCOUNT.finditer(text):
        if not _published_layer(m.group(1), text[m.end() :]):
            yield m.group(1), "an ARN"
    bare = _BARE.fullmatch(text)
    if bare:
        yield bare.group(1), _context(leaf)
        return
    for m in _QUOTED.finditer(text):
        yield m.group(1), "a quoted 12-digit string"


def _published_layer(account: str, rest: str) -> bool:
    publisher = PUBLISHER_ACCOUNTS.get(account)
    layer = _LAYER.match(rest)
    return publisher is not None and layer is not None and layer.group(1).startswith(publisher[0])


def _context(leaf: Leaf) -> str:
    keys = leaf.keys
    if "Principal" in keys:
        return "an IAM principal"
    if "Condition" in keys:
        return f"the policy condition {keys[-1]}"
    if len(keys) >= 3 and keys[-3:-1] == ("Environment", "Variables"):
        return f"the environment variable {keys[-1]}"
    if "Tags" in keys:
        return "a tag"
    return keys[-1] if keys else "a property"
