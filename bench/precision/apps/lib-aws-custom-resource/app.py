"""aws-cdk-lib's custom resources: an AwsCustomResource SDK call and S3 notifications to
SQS and Lambda, as the custom_resources and aws_s3_notifications READMEs show them.

Source: aws-cdk-lib 2.275.0 (PyPI; Apache-2.0; aws/aws-cdk,
packages/aws-cdk-lib/custom-resources/README.md, aws-s3-notifications/README.md). Every
resource below is the library's; this driver only passes the props the README examples
pass. Offline: inline function code, no lookups.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from aws_cdk import custom_resources as cr

app = cdk.App()
stack = cdk.Stack(app, "LibAwsCustomResourceStack")
get_parameter = cr.AwsCustomResource(
    stack,
    "GetParameter",
    on_update=cr.AwsSdkCall(
        service="SSM",
        action="GetParameter",
        parameters={"Name": "my-parameter", "WithDecryption": True},
        physical_resource_id=cr.PhysicalResourceId.of("my-parameter"),
    ),
    policy=cr.AwsCustomResourcePolicy.from_sdk_calls(
        resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE
    ),
)
cdk.CfnOutput(stack, "Value", value=get_parameter.get_response_field("Parameter.Value"))

bucket = s3.Bucket(stack, "Bucket")
queue = sqs.Queue(stack, "Queue")
bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.SqsDestination(queue))
fn = lambda_.Function(
    stack,
    "MyFunction",
    runtime=lambda_.Runtime.PYTHON_3_12,
    handler="index.handler",
    code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
)
bucket.add_event_notification(
    s3.EventType.OBJECT_REMOVED, s3n.LambdaDestination(fn), s3.NotificationKeyFilter(prefix="x/")
)
app.synth()
