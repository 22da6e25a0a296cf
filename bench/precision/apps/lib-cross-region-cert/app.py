"""A CloudFront distribution in one region using an ACM certificate from us-east-1 through
CDK's cross-region references, as aws-cdk-lib's core README ("Accessing resources in a
different stack and region") shows it.

Source: aws-cdk-lib 2.275.0 (PyPI; Apache-2.0; aws/aws-cdk, packages/aws-cdk-lib/core/
README.md). Every resource below is the library's; this driver only passes the props the
README example passes. Offline: the hosted zone is imported by id, not looked up.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_route53 as route53

app = cdk.App()
stack1 = cdk.Stack(
    app, "Stack1", env=cdk.Environment(region="us-east-1"), cross_region_references=True
)
cert = acm.Certificate(
    stack1,
    "Cert",
    domain_name="*.example.com",
    validation=acm.CertificateValidation.from_dns(
        route53.PublicHostedZone.from_hosted_zone_id(stack1, "Zone", "Z0329774B51CGXTDQV3X")
    ),
)
stack2 = cdk.Stack(
    app, "Stack2", env=cdk.Environment(region="us-east-2"), cross_region_references=True
)
cloudfront.Distribution(
    stack2,
    "Distribution",
    default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin("example.com")),
    domain_names=["dev.example.com"],
    certificate=cert,
)
app.synth()
