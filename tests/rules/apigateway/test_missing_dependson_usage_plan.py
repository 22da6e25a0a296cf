"""missing-dependson (TAP-APIGW-20): usage plans wait for the stages they name."""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from conftest import of_class

SLUG = "missing-dependson"


def _api(stack):
    api = apigw.RestApi(stack, "Api")
    api.root.add_method("GET", apigw.MockIntegration())
    return api


def test_missing_dependson_usage_plan_naming_the_stage_by_name_is_a_finding(synth):
    def build(stack):
        api = _api(stack)
        apigw.CfnUsagePlan(
            stack,
            "Plan",
            api_stages=[apigw.CfnUsagePlan.ApiStageProperty(api_id=api.rest_api_id, stage="prod")],
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.rule_id, f.logical_id, f.property_path) for f in findings] == [
        ("TAP-APIGW-20", "Plan", "Properties/ApiStages/0/Stage")
    ]
    assert "'prod'" in findings[0].message


def test_missing_dependson_usage_plan_on_the_deployment_stage_passes(synth):
    def build(stack):
        api = _api(stack)
        api.add_usage_plan("Plan").add_api_stage(stage=api.deployment_stage)

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_missing_dependson_usage_plan_with_an_explicit_dependency_passes(synth):
    def build(stack):
        api = _api(stack)
        plan = apigw.CfnUsagePlan(
            stack,
            "Plan",
            api_stages=[apigw.CfnUsagePlan.ApiStageProperty(api_id=api.rest_api_id, stage="prod")],
        )
        plan.node.add_dependency(api.deployment_stage)

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []
