"""Resources name no AWS account by a literal id (``hardcoded-account-id``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.general._literals import Leaf, leaves

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Severity, Violation

__all__ = ["NoHardcodedAccountId"]

# Where a 12-digit number is an account id (the heuristic; see NoHardcodedAccountId):
# 1. the account field of an ARN, anywhere in a string (also inside JSON text);
_ARN_ACCOUNT = re.compile(r"arn:[^:\s\"']*:[^:\s\"']*:[^:\s\"']*:(\d{12})(?![0-9A-Za-z])")
# 2. a string that is exactly 12 digits (a principal, a condition value, an env var, a
#    tag value), or a quoted 12-digit string inside JSON text;
_BARE = re.compile(r"\s*(\d{12})\s*")
_QUOTED = re.compile(r"[\"'](\d{12})[\"']")
# 3. a JSON number of 12 digits only under a key that names an account.
_ACCOUNT_KEY = re.compile(r"(?i)account|owner|catalogid")
_TWELVE_DIGITS = re.compile(r"\d{12}")
# The ARN around an account field: ``arn:<partition>:<service>:<region>:<account>:<resource>``.
_ARN_PARTS = re.compile(r"arn:[^:\s\"']*:([^:\s\"']*):[^:\s\"']*:\d{12}:([^\s\"']*)")

# Example and placeholder ids of AWS's documentation and of tutorials: a template that names
# one of them cannot be right in any account.
DOC_EXAMPLES = frozenset({"111122223333", "444455556666", "777788889999", "123456789012"})


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
        "digits, and 12-digit numbers under account keys. Errors: a placeholder id "
        "(123456789012, 111111111111, 111122223333, ...), and the deploying account written "
        "as a literal where AWS::AccountId belongs (a role ARN handed to a service, which "
        "must be in the stack's own account). Not findings: the stack's own environment "
        "account (CDK renders it), a deliberate cross-account principal (a key, bus, queue "
        "or trust policy naming another account), a Lambda layer's publisher account, a "
        "Serverless Application Repository application. Other literal ids are warnings: the "
        "template cannot tell the deploying account from another one."
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
                for account, where, arn in _accounts(leaf):
                    if account == own or (leaf.path, account) in seen:
                        continue
                    seen.add((leaf.path, account))
                    verdict = _judge(account, leaf, arn, res.type, own)
                    if verdict is None:
                        continue
                    severity, case = verdict
                    yield self.violation(
                        res,
                        leaf.path,
                        f"{case}: account id {account} in {where}: {leaf.shown!r}",
                        severity=severity,
                    )


def is_placeholder(account: str) -> bool:
    """A documentation example or a made-up id: one digit repeated, a run of consecutive
    digits (123456789012, 012345678901, 987654321098), AWS's example ids."""
    if account in DOC_EXAMPLES or len(set(account)) == 1:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in zip(account, account[1:], strict=False)}
    return steps in ({1}, {9})


def _judge(
    account: str, leaf: Leaf, arn: tuple[str, str] | None, rtype: str, own: str | None
) -> tuple[Severity, str] | None:
    """``(severity, case)`` of a literal account id, or ``None`` when it is no finding."""
    if is_placeholder(account):
        return "error", "placeholder account id"
    service, resource = arn or ("", "")
    if service == "lambda" and resource.startswith("layer:"):
        return None  # a layer is shared from its publisher's account: its ARN names it
    if service == "serverlessrepo":
        return None  # a SAR application lives in its publisher's account
    if "Principal" in leaf.keys or rtype == "AWS::Events::EventBusPolicy":
        return None  # a principal naming another account is a deliberate grant
    if (
        service == "iam"
        and resource.startswith("role/")
        and "Statement" not in leaf.keys
        and rtype != "AWS::CodePipeline::Pipeline"  # cross-account actions assume roles
    ):
        where = f"the stack's account {own}" if own else "the deploying account"
        return "error", f"a role handed to a service must be in {where}: deploying account literal"
    return "warning", (
        "literal account id (if it is the deploying account, use AWS::AccountId; if another "
        "account, pass it in as configuration)"
    )


def _accounts(leaf: Leaf) -> Iterator[tuple[str, str, tuple[str, str] | None]]:
    """``(account id, what holds it, (ARN service, ARN resource) or None)`` for each account
    id literal in ``leaf``."""
    text = leaf.rendered
    if leaf.is_number:
        if (
            len(text) == 12
            and text.isdigit()
            and _ACCOUNT_KEY.search(leaf.keys[-1] if leaf.keys else "")
        ):
            yield text, _context(leaf), None
        return
    if not _TWELVE_DIGITS.search(text):
        return  # each pattern below needs 12 digits in a row: most values have none
    for m in _ARN_ACCOUNT.finditer(text):
        parts = _ARN_PARTS.match(text, m.start())
        arn = (parts.group(1), parts.group(2)) if parts else None
        yield m.group(1), "an ARN", arn
    bare = _BARE.fullmatch(text)
    if bare:
        yield bare.group(1), _context(leaf), None
        return
    for m in _QUOTED.finditer(text):
        yield m.group(1), "a quoted 12-digit string", None


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
