"""Lambda functions log to a log group the stack manages (``log-retention``).

A function with neither ``LoggingConfig.LogGroup`` nor a stack log group named
``/aws/lambda/<function name>`` writes to the group Lambda creates on first invocation,
which never expires and which the stack never deletes.

Decision: custom-resource handlers (functions a ``Custom::*`` or
``AWS::CloudFormation::CustomResource`` names as its ``ServiceToken``) are not flagged.
CDK creates most of them itself (``Custom::S3AutoDeleteObjects``,
``Custom::S3BucketNotifications``, ``AwsCustomResource``, ``Provider``) as raw resources that
take no log group, so the user has no practical fix; they run only during deployments and
log a few lines each time. The provider framework's handlers (``custom_resources.Provider``,
used by aws-cdk-lib's alpha modules for their internal resources) count too: the
framework's function names them in its environment (``USER_ON_EVENT_FUNCTION_ARN``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.resolve import Text, Token

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation

__all__ = ["FunctionLogGroup"]

_PREFIX = "/aws/lambda/"


class FunctionLogGroup(Rule):
    """Lambda functions log to a log group of the stack (which then carries a retention)."""

    id = "TAP-LOGS-2"
    slug = "log-retention"
    severity = "warning"
    title = "Lambda functions log to a log group the stack manages"
    explanation = (
        "Why: without an explicit log group, Lambda creates /aws/lambda/<name> on first "
        "invocation with no retention: its logs never expire and outlive the stack (seed "
        "003). CDK-created custom-resource handlers are exempt: they take no log group."
    )
    fix = (
        "In CDK: lambda_.Function(..., log_group=logs.LogGroup(self, 'Logs', "
        "retention=logs.RetentionDays.ONE_MONTH, removal_policy=...))."
    )
    seeds = ("003",)
    resource_types = ("AWS::Lambda::Function",)

    def check_stack(self, ctx: Context) -> Iterable[Violation]:
        functions = list(ctx.stack.of_type(*self.resource_types))
        if not functions:
            return
        handlers = _custom_resource_handlers(ctx)
        managed = _managed_lambda_groups(ctx)
        for fn in functions:
            if fn.logical_id in handlers:
                continue
            logging = ctx.resolve(fn.properties.get("LoggingConfig"))
            if isinstance(logging, Text) or (
                isinstance(logging, dict) and logging.get("LogGroup") is not None
            ):
                continue  # an explicit group (its retention is TAP-LOGS-1's), or unknown
            name = ctx.text(fn.properties.get("FunctionName"))
            if fn.logical_id in managed or (name is not None and str(name) in managed):
                continue
            shown = f"{_PREFIX}{name}" if name is not None else f"{_PREFIX}<generated name>"
            yield self.violation(
                fn,
                "Properties/LoggingConfig",
                f"function has no log group of its own: it logs to {shown}, which Lambda "
                "creates with no retention (never expires)",
            )


def _custom_resource_handlers(ctx: Context) -> set[str]:
    """Functions a custom resource invokes: its ``ServiceToken``'s function and, through
    the provider framework (``custom_resources.Provider``, which aws-cdk-lib and its alpha
    modules use for their own resources), the handlers whose ARNs that function carries in
    its environment (``USER_ON_EVENT_FUNCTION_ARN``, ``USER_IS_COMPLETE_FUNCTION_ARN``)."""
    out: set[str] = set()
    for res in ctx.stack.resources.values():
        if res.type.startswith("Custom::") or res.type == "AWS::CloudFormation::CustomResource":
            out.update(_function_refs(ctx, res.properties.get("ServiceToken")))
    todo = list(out)
    while todo:
        fn = ctx.resource(todo.pop())
        if fn is None or fn.type != "AWS::Lambda::Function":
            continue
        env = ctx.resolve(fn.properties.get("Environment"))
        variables = env.get("Variables") if isinstance(env, dict) else None
        if not isinstance(variables, dict):
            continue
        for name, value in variables.items():
            if not (isinstance(name, str) and name.endswith("_FUNCTION_ARN")):
                continue
            for lid in _function_refs(ctx, value) - out:
                out.add(lid)
                todo.append(lid)
    return out


def _function_refs(ctx: Context, value: object) -> set[str]:
    token = ctx.text(value)
    return {t.name for t in (token.tokens if token else ()) if t.kind in ("GetAtt", "Ref")}


def _managed_lambda_groups(ctx: Context) -> set[str]:
    """Function logical ids and literal names whose /aws/lambda/ group the stack creates
    (a log group, or CDK's ``Custom::LogRetention`` that sets one's retention)."""
    out: set[str] = set()
    for res in ctx.stack.of_type("AWS::Logs::LogGroup", "Custom::LogRetention"):
        name = ctx.text(res.properties.get("LogGroupName"))
        if name is None or not name.parts:
            continue
        head = name.parts[0]
        if not (isinstance(head, str) and head.startswith(_PREFIX)):
            continue
        rest = Text.of(head[len(_PREFIX) :], *name.parts[1:])
        if rest.is_literal:
            out.add(str(rest))
        elif len(rest.parts) == 1 and isinstance(rest.parts[0], Token):
            if rest.parts[0].kind == "Ref":
                out.add(rest.parts[0].name)
    return out
