"""Class ``apigw-account-logging-role`` (warning): API Gateway stages with execution logging
on come with the account's CloudWatch Logs role (TAP-APIGW-30), from the API Gateway
Developer Guide's "Set up CloudWatch logging for REST APIs"."""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2

from tests.rules.conftest import of_class

SLUG = "apigw-account-logging-role"


def _api(stack, *, logging: apigw.MethodLoggingLevel | None, role: bool) -> None:
    api = apigw.RestApi(
        stack,
        "Api",
        cloud_watch_role=role,
        deploy_options=apigw.StageOptions(logging_level=logging) if logging else None,
    )
    api.root.add_method("GET", apigw.MockIntegration())


def test_apigw_account_logging_role_missing_is_a_warning(synth):
    findings = of_class(
        synth(lambda stack: _api(stack, logging=apigw.MethodLoggingLevel.INFO, role=False)), SLUG
    )

    assert [(f.rule_id, f.severity, f.property_path) for f in findings] == [
        ("TAP-APIGW-30", "warning", "Properties/MethodSettings/0/LoggingLevel")
    ]
    assert "AWS::ApiGateway::Account" in findings[0].message


def test_apigw_account_logging_role_websocket_stage_is_a_warning(synth):
    def build(stack):
        api = apigwv2.WebSocketApi(stack, "Socket")
        stage = apigwv2.WebSocketStage(stack, "Prod", web_socket_api=api, stage_name="prod")
        stage.node.default_child.add_property_override(
            "DefaultRouteSettings", {"LoggingLevel": "ERROR"}
        )

    findings = of_class(synth(build), SLUG)

    assert [f.property_path for f in findings] == ["Properties/DefaultRouteSettings/LoggingLevel"]


def test_apigw_account_logging_role_with_role_or_without_logging_passes(synth):
    # GIVEN logging with cloud_watch_role=True, and an API with CDK's default (no logging)
    def build(stack):
        _api(stack, logging=apigw.MethodLoggingLevel.ERROR, role=True)

    assert of_class(synth(build), SLUG) == []
    assert of_class(synth(lambda stack: _api(stack, logging=None, role=False)), SLUG) == []
