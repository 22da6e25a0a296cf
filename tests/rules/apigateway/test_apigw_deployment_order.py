"""Class `apigw-deployment-order`: API deployments wait for every method and integration.

GIVEN a REST API with two methods, WHEN its deployment depends on none or only one of them
(L1 constructs), THEN TAP-APIGW-1 names the methods it may be created before; the L2
RestApi, which adds the dependencies, passes.
"""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_

from tests.rules.conftest import of_class

RULES = ("apigw-deployment-order",)


def _l1_api(stack):
    api = apigw.CfnRestApi(stack, "Api", name="readings-dev")
    items = apigw.CfnResource(
        stack, "Items", rest_api_id=api.ref, parent_id=api.attr_root_resource_id, path_part="items"
    )
    mock = apigw.CfnMethod.IntegrationProperty(type="MOCK")
    methods = [
        apigw.CfnMethod(
            stack,
            f"{verb.title()}Items",
            rest_api_id=api.ref,
            resource_id=items.ref,
            http_method=verb,
            authorization_type="NONE",
            integration=mock,
        )
        for verb in ("GET", "POST")
    ]
    deployment = apigw.CfnDeployment(stack, "Deployment", rest_api_id=api.ref)
    return deployment, methods


def _found(report):
    return [f for f in of_class(report, "apigw-deployment-order")]


def test_deployment_without_dependencies_is_reported(synth):
    def build(stack):
        _l1_api(stack)

    found = _found(synth(build, rules=RULES))
    assert [(f.rule_id, f.logical_id, f.property_path) for f in found] == [
        ("TAP-APIGW-1", "Deployment", "DependsOn")
    ]
    assert "GetItems (GET)" in found[0].message and "PostItems (POST)" in found[0].message


def test_deployment_depending_on_one_of_two_methods_is_reported(synth):
    def build(stack):
        deployment, (get, _post) = _l1_api(stack)
        deployment.add_resource_dependency(get)

    found = _found(synth(build, rules=RULES))
    assert len(found) == 1
    assert "PostItems (POST)" in found[0].message and "GetItems" not in found[0].message


def test_l1_deployment_depending_on_every_method_passes(synth):
    def build(stack):
        deployment, methods = _l1_api(stack)
        for method in methods:
            deployment.add_resource_dependency(method)

    assert _found(synth(build, rules=RULES)) == []


def test_l2_rest_api_passes(synth):
    def build(stack):
        fn = lambda_.Function(
            stack,
            "Handler",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
        )
        api = apigw.RestApi(stack, "Api")
        items = api.root.add_resource("items")
        items.add_method("GET", apigw.LambdaIntegration(fn))
        items.add_method("POST", apigw.LambdaIntegration(fn))

    report = synth(build, rules=RULES)
    assert _found(report) == []
    assert report.resources > 5
