"""A function on the public Powertools for AWS Lambda (Python) layer, as the Powertools
documentation's "Install > Lambda Layer" CDK example shows it.

Source: Powertools for AWS Lambda (Python) documentation, docs/index.md, the CDK (Python)
tab (aws-powertools/powertools-lambda-python; MIT-0 and Apache-2.0 docs). The layer ARN is
the publisher's (AWS account 017000801446); this driver only passes the props the example
passes. Offline: local function code, no lookups.
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from aws_cdk import Aws
from aws_cdk import aws_lambda as lambda_

HERE = os.path.dirname(os.path.abspath(__file__))

app = cdk.App()
stack = cdk.Stack(app, "PowertoolsLayerStack")
powertools_layer = lambda_.LayerVersion.from_layer_version_arn(
    stack,
    id="lambda-powertools",
    layer_version_arn=(
        f"arn:aws:lambda:{Aws.REGION}:017000801446:layer:"
        "AWSLambdaPowertoolsPythonV3-python312-x86_64:18"
    ),
)
lambda_.Function(
    stack,
    "sample-app-lambda",
    runtime=lambda_.Runtime.PYTHON_3_12,
    layers=[powertools_layer],
    code=lambda_.Code.from_asset(os.path.join(HERE, "lambda")),
    handler="index.handler",
)
app.synth()
