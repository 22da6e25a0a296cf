"""Class ``cloudfront-origin-domain``: CloudFront origins name a host, not a URL
(TAP-CDN-1), from the CloudFront Developer Guide's "Origin domain" setting."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3

from tests.rules.conftest import of_class

SLUG = "cloudfront-origin-domain"


def _function(stack) -> lambda_.Function:
    return lambda_.Function(
        stack,
        "Api",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(e, c):\n    return e\n"),
    )


def _distribution(stack, origin) -> None:
    cloudfront.Distribution(
        stack, "Cdn", default_behavior=cloudfront.BehaviorOptions(origin=origin)
    )


def test_cloudfront_origin_domain_function_url_as_http_origin_is_flagged(synth):
    def build(stack):
        url = _function(stack).add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE)
        _distribution(stack, origins.HttpOrigin(url.url))

    findings = of_class(synth(build), SLUG)

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-CDN-1", "Properties/DistributionConfig/Origins/0/DomainName")
    ]
    assert findings[0].logical_id.startswith("Cdn")
    assert "AWS::Lambda::Url's FunctionUrl, a URL" in findings[0].message


def test_cloudfront_origin_domain_rest_api_url_is_flagged(synth):
    def build(stack):
        api = apigw.LambdaRestApi(stack, "Rest", handler=_function(stack))
        _distribution(stack, origins.HttpOrigin(api.url))

    findings = of_class(synth(build), SLUG)

    assert len(findings) == 1
    assert "has a scheme (://)" in findings[0].message


def test_cloudfront_origin_domain_http_api_endpoint_is_flagged(synth):
    def build(stack):
        api = apigwv2.HttpApi(stack, "Http")
        _distribution(stack, origins.HttpOrigin(api.api_endpoint))

    findings = of_class(synth(build), SLUG)

    assert len(findings) == 1
    assert "ApiEndpoint, a URL" in findings[0].message


def test_cloudfront_origin_domain_literal_with_port_is_flagged(synth):
    findings = of_class(
        synth(lambda stack: _distribution(stack, origins.HttpOrigin("origin.example.com:8443"))),
        SLUG,
    )

    assert len(findings) == 1
    assert "colon" in findings[0].message


def test_cloudfront_origin_domain_cdk_origin_classes_pass(synth):
    # GIVEN each origin built with the CDK class made for it
    def build(stack):
        fn = _function(stack)
        url = fn.add_function_url(auth_type=lambda_.FunctionUrlAuthType.AWS_IAM)
        api = apigw.LambdaRestApi(stack, "Rest", handler=fn)
        site = s3.Bucket(
            stack,
            "Site",
            website_index_document="index.html",
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )
        assets = s3.Bucket(
            stack, "Assets", removal_policy=RemovalPolicy.DESTROY, auto_delete_objects=True
        )
        cloudfront.Distribution(
            stack,
            "Cdn",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.FunctionUrlOrigin.with_origin_access_control(url)
            ),
            additional_behaviors={
                "/api/*": cloudfront.BehaviorOptions(origin=origins.RestApiOrigin(api)),
                "/site/*": cloudfront.BehaviorOptions(origin=origins.S3StaticWebsiteOrigin(site)),
                "/assets/*": cloudfront.BehaviorOptions(
                    origin=origins.S3BucketOrigin.with_origin_access_control(assets)
                ),
                "/ext/*": cloudfront.BehaviorOptions(
                    origin=origins.HttpOrigin("origin.example.com", origin_path="/v1")
                ),
            },
        )

    # THEN no cloudfront-origin-domain finding
    assert of_class(synth(build), SLUG) == []
