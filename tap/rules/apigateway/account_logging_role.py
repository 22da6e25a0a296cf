"""API Gateway execution logging has the account's CloudWatch Logs role
(``apigw-account-logging-role``).

Execution logging (a ``LoggingLevel`` of ``INFO``/``ERROR`` or data tracing) needs the
account-level setting ``cloudWatchRoleArn``, which CloudFormation sets through
``AWS::ApiGateway::Account``. CDK's ``RestApi`` no longer creates it by default (feature
flag ``@aws-cdk/aws-apigateway:disableCloudWatchRole``). The setting belongs to the account
and region, not the stack: another stack or a one-time console setting may hold it, so this
is a warning, stated once per stage.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["ExecutionLoggingHasAccountRole"]

_LOGGING = {"INFO", "ERROR"}


def _logs(ctx: Context, settings: Any) -> str | None:
    """The path (under the settings) that turns execution logging on, if any."""
    settings = ctx.resolve(settings)
    if not isinstance(settings, dict):
        return None
    level = settings.get("LoggingLevel")
    if isinstance(level, str) and level.upper() in _LOGGING:
        return "LoggingLevel"
    if settings.get("DataTraceEnabled") in (True, "true"):
        return "DataTraceEnabled"
    return None


def _settings_list(ctx: Context, settings: Any, prefix: str) -> Iterator[str]:
    for i, setting in enumerate(settings if isinstance(settings, list) else []):
        key = _logs(ctx, setting)
        if key:
            yield f"{prefix}/{i}/{key}"


def _logging_paths(ctx: Context, res: Resource) -> Iterator[str]:
    props = res.properties
    if res.type == "AWS::ApiGateway::Stage":
        yield from _settings_list(ctx, props.get("MethodSettings"), "Properties/MethodSettings")
    elif res.type == "AWS::ApiGateway::Deployment":
        desc = props.get("StageDescription")
        if isinstance(desc, dict):
            key = _logs(ctx, desc)
            if key:
                yield f"Properties/StageDescription/{key}"
            yield from _settings_list(
                ctx, desc.get("MethodSettings"), "Properties/StageDescription/MethodSettings"
            )
    elif res.type == "AWS::ApiGatewayV2::Stage":
        key = _logs(ctx, props.get("DefaultRouteSettings"))
        if key:
            yield f"Properties/DefaultRouteSettings/{key}"
        routes = ctx.resolve(props.get("RouteSettings"))
        for route, setting in (routes if isinstance(routes, dict) else {}).items():
            key = _logs(ctx, setting)
            if key:
                yield f"Properties/RouteSettings/{route}/{key}"


class ExecutionLoggingHasAccountRole(Rule):
    """API Gateway stages with execution logging on come with an ``AWS::ApiGateway::Account``
    that sets the CloudWatch Logs role."""

    id = "TAP-APIGW-30"
    slug = "apigw-account-logging-role"
    severity = "warning"
    title = "API Gateway execution logging comes with the account's CloudWatch Logs role"
    explanation = (
        "Why: without the account-level CloudWatch Logs role, API Gateway refuses the stage "
        "at deploy time: 'CloudWatch Logs role ARN must be set in account settings to enable "
        "logging' (BadRequestException). The role is set once per account and region "
        "(AWS::ApiGateway::Account); it may exist outside this stack, hence a warning. AWS "
        "documentation: API Gateway Developer Guide, 'Set up CloudWatch logging for REST "
        "APIs in API Gateway' (set-up-logging.html), Permissions for CloudWatch logging."
    )
    fix = (
        "In CDK: apigw.RestApi(..., cloud_watch_role=True) (creates the role and the "
        "AWS::ApiGateway::Account), or one apigw.CfnAccount(cloud_watch_role_arn=role.role_arn) "
        "per account and region; if another stack or the console already sets it, "
        "acknowledge this warning."
    )
    resource_types = (
        "AWS::ApiGateway::Stage",
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGatewayV2::Stage",
    )

    def check_stack(self, ctx: Context) -> Iterable[Violation]:
        accounts = list(ctx.stack.of_type("AWS::ApiGateway::Account"))
        if any("CloudWatchRoleArn" in a.properties for a in accounts):
            return
        for res in ctx.stack.of_type(*self.resource_types):
            for path in _logging_paths(ctx, res):
                yield self.violation(
                    res,
                    path,
                    "execution logging is on but the stack sets no API Gateway account "
                    "CloudWatch Logs role (AWS::ApiGateway::Account)",
                )
                break
