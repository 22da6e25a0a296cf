"""LambdaToDynamoDB, instantiated the way the pattern's documentation shows it.

Source: the construct library aws-solutions-constructs.aws-lambda-dynamodb 2.105.0
(PyPI; Apache-2.0; awslabs/aws-solutions-constructs,
the pattern's README.adoc). Every resource below is the library's; this driver only passes
the props its README example passes. Offline: function code from the local lambda/
folder (no bundling), no lookups, environment-agnostic stack.
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_solutions_constructs.aws_lambda_dynamodb import LambdaToDynamoDB

HERE = os.path.dirname(os.path.abspath(__file__))


def function_props(**extra: object) -> lambda_.FunctionProps:
    return lambda_.FunctionProps(
        code=lambda_.Code.from_asset(os.path.join(HERE, "lambda")),
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        **extra,
    )


app = cdk.App()
stack = cdk.Stack(app, "ScLambdaDynamodbStack")
LambdaToDynamoDB(stack, "LambdaToDynamoDBPattern", lambda_function_props=function_props())
app.synth()
