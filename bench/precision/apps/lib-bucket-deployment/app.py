"""aws-cdk-lib's BucketDeployment behind a CloudFront distribution, as the
aws_s3_deployment module README shows it.

Source: aws-cdk-lib 2.275.0 (PyPI; Apache-2.0; aws/aws-cdk,
packages/aws-cdk-lib/aws-s3-deployment/README.md). Every resource below is the library's;
this driver only passes the props the README examples pass. Offline: the site is a local
folder (no bundling), no lookups.
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy

HERE = os.path.dirname(os.path.abspath(__file__))

app = cdk.App()
stack = cdk.Stack(app, "LibBucketDeploymentStack")
bucket = s3.Bucket(stack, "Destination")
distribution = cloudfront.Distribution(
    stack,
    "Distribution",
    default_behavior=cloudfront.BehaviorOptions(
        origin=origins.S3BucketOrigin.with_origin_access_control(bucket)
    ),
)
s3deploy.BucketDeployment(
    stack,
    "DeployWithInvalidation",
    sources=[s3deploy.Source.asset(os.path.join(HERE, "site"))],
    destination_bucket=bucket,
    distribution=distribution,
    distribution_paths=["/images/*.png"],
)
s3deploy.BucketDeployment(
    stack,
    "DeployWebsite",
    sources=[s3deploy.Source.asset(os.path.join(HERE, "site"))],
    destination_bucket=bucket,
    destination_key_prefix="web/static",
)
app.synth()
