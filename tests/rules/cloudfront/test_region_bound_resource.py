"""Class ``region-bound-resource``: CLOUDFRONT-scope web ACLs, certificates of CloudFront
and edge endpoints, and Lambda@Edge functions are in us-east-1 (TAP-CDN-2), from the
CloudFront, AWS WAF and Cognito developer guides. A resource of an environment-agnostic
stack is not judged."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_wafv2 as wafv2

from tests.rules.conftest import of_class

SLUG = "region-bound-resource"
EU = cdk.Environment(account="111111111111", region="eu-west-1")
US = cdk.Environment(account="111111111111", region="us-east-1")


def _web_acl(stack) -> wafv2.CfnWebACL:
    return wafv2.CfnWebACL(
        stack,
        "Firewall",
        scope="CLOUDFRONT",
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name="firewall", sampled_requests_enabled=True
        ),
    )


def _edge_site(stack) -> None:
    """A distribution with a certificate, a web ACL and a Lambda@Edge function of its stack."""
    acl = _web_acl(stack)
    cert = acm.Certificate(stack, "Cert", domain_name="www.example.com")
    edge = lambda_.Function(
        stack,
        "Edge",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(e, c):\n    return e\n"),
    )
    cloudfront.Distribution(
        stack,
        "Cdn",
        domain_names=["www.example.com"],
        certificate=cert,
        web_acl_id=acl.attr_arn,
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin("origin.example.com"),
            edge_lambdas=[
                cloudfront.EdgeLambda(
                    function_version=edge.current_version,
                    event_type=cloudfront.LambdaEdgeEventType.VIEWER_REQUEST,
                )
            ],
        ),
    )


def test_region_bound_resource_in_eu_west_1_is_flagged(synth):
    findings = of_class(synth(_edge_site, env=EU), SLUG)

    assert sorted((f.rule_id, f.property_path) for f in findings) == [
        (
            "TAP-CDN-2",
            "Properties/DistributionConfig/DefaultCacheBehavior/LambdaFunctionAssociations/0/"
            "LambdaFunctionARN",
        ),
        ("TAP-CDN-2", "Properties/DistributionConfig/ViewerCertificate/AcmCertificateArn"),
        ("TAP-CDN-2", "Properties/Scope"),
    ]
    assert all("eu-west-1" in f.message for f in findings)


def test_region_bound_resource_imported_edge_version_from_another_region_is_flagged(synth):
    # GIVEN an environment-agnostic stack importing a Lambda@Edge version by its eu-west-1 ARN
    def build(stack):
        version = lambda_.Version.from_version_arn(
            stack,
            "Edge",
            f"arn:{cdk.Aws.PARTITION}:lambda:eu-west-1:{cdk.Aws.ACCOUNT_ID}:function:edge-auth:3",
        )
        cloudfront.Distribution(
            stack,
            "Cdn",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.HttpOrigin("origin.example.com"),
                edge_lambdas=[
                    cloudfront.EdgeLambda(
                        function_version=version,
                        event_type=cloudfront.LambdaEdgeEventType.VIEWER_REQUEST,
                    )
                ],
            ),
        )

    findings = of_class(synth(build), SLUG)

    assert len(findings) == 1
    assert "replicates Lambda@Edge functions from us-east-1 only" in findings[0].message


def test_region_bound_resource_cognito_custom_domain_certificate_is_flagged(synth):
    from aws_cdk import aws_cognito as cognito

    def build(stack):
        pool = cognito.UserPool(stack, "Users", removal_policy=cdk.RemovalPolicy.DESTROY)
        pool.add_domain(
            "Login",
            custom_domain=cognito.CustomDomainOptions(
                domain_name="login.example.com",
                certificate=acm.Certificate(stack, "Cert", domain_name="login.example.com"),
            ),
        )

    findings = of_class(synth(build, env=EU), SLUG)

    assert [f.property_path for f in findings] == ["Properties/CustomDomainConfig/CertificateArn"]


def test_region_bound_resource_edge_api_domain_certificate_is_flagged(synth):
    from aws_cdk import aws_apigateway as apigw

    def build(stack):
        cert = acm.Certificate(stack, "Cert", domain_name="api.example.com")
        apigw.DomainName(
            stack,
            "ApiDomain",
            domain_name="api.example.com",
            certificate=cert,
            endpoint_type=apigw.EndpointType.EDGE,
        )
        apigw.DomainName(
            stack,
            "RegionalDomain",
            domain_name="eu.example.com",
            certificate=cert,
            endpoint_type=apigw.EndpointType.REGIONAL,
        )

    findings = of_class(synth(build, env=EU), SLUG)

    # THEN only the edge-optimized domain: a regional one takes a certificate of its region
    assert [(f.logical_id[:9], f.property_path) for f in findings] == [
        ("ApiDomain", "Properties/CertificateArn")
    ]


def test_region_bound_resource_in_us_east_1_or_env_agnostic_passes(synth):
    # GIVEN the same site in us-east-1, and in a stack whose region is chosen at deploy time
    assert of_class(synth(_edge_site, env=US), SLUG) == []
    assert of_class(synth(_edge_site), SLUG) == []


def test_region_bound_resource_edge_function_construct_passes(synth):
    # GIVEN CDK's EdgeFunction in a eu-west-1 stack: it deploys the function to us-east-1
    def build(stack):
        edge = cloudfront.experimental.EdgeFunction(
            stack,
            "Edge",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(e, c):\n    return e\n"),
        )
        cloudfront.Distribution(
            stack,
            "Cdn",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.HttpOrigin("origin.example.com"),
                edge_lambdas=[
                    cloudfront.EdgeLambda(
                        function_version=edge.current_version,
                        event_type=cloudfront.LambdaEdgeEventType.VIEWER_REQUEST,
                    )
                ],
            ),
        )

    assert of_class(synth(build, env=EU), SLUG) == []
