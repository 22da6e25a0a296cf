"""IoT topic rules with actions, as the IoT actions module's README shows them.

Source: aws-cdk.aws-iot-alpha and aws-cdk.aws-iot-actions-alpha 2.275.0a0 (PyPI;
Apache-2.0; aws/aws-cdk, packages/@aws-cdk/aws-iot-actions-alpha/README.md). Every resource
below is the modules'; this driver only passes the props the README examples pass.
Offline: inline function code, no lookups.
"""

from __future__ import annotations

import aws_cdk as cdk
import aws_cdk.aws_iot_actions_alpha as actions
import aws_cdk.aws_iot_alpha as iot
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

app = cdk.App()
stack = cdk.Stack(app, "AlphaIotActionsStack")

func = lambda_.Function(
    stack,
    "MyFunction",
    runtime=lambda_.Runtime.NODEJS_LATEST,
    handler="index.handler",
    code=lambda_.Code.from_inline(
        """
    exports.handler = (event) => {
      console.log("It is test for lambda action of AWS IoT Rule.", event);
    };"""
    ),
)
iot.TopicRule(
    stack,
    "TopicRule",
    sql=iot.IotSql.from_string_as_ver20160323(
        "SELECT topic(2) as device_id, timestamp() as timestamp, temperature FROM 'device/+/data'"
    ),
    actions=[actions.LambdaFunctionAction(func)],
)

bucket = s3.Bucket(stack, "MyBucket")
iot.TopicRule(
    stack,
    "TopicRuleS3",
    sql=iot.IotSql.from_string_as_ver20160323(
        "SELECT topic(2) as device_id, year, month, day FROM 'device/+/data'"
    ),
    actions=[actions.S3PutObjectAction(bucket, key="${year}/${month}/${day}/${topic(2)}")],
)

log_group = logs.LogGroup(stack, "MyLogGroup")
iot.TopicRule(
    stack,
    "TopicRuleLogs",
    sql=iot.IotSql.from_string_as_ver20160323("SELECT topic(2) as device_id FROM 'device/+/data'"),
    error_action=actions.CloudWatchLogsAction(log_group),
)

stream = kinesis.Stream(stack, "MyStream")
iot.TopicRule(
    stack,
    "TopicRuleKinesis",
    sql=iot.IotSql.from_string_as_ver20160323("SELECT * FROM 'device/+/data'"),
    actions=[actions.KinesisPutRecordAction(stream, partition_key="${newuuid()}")],
)

queue = sqs.Queue(stack, "MyQueue")
iot.TopicRule(
    stack,
    "TopicRuleSqs",
    sql=iot.IotSql.from_string_as_ver20160323(
        "SELECT topic(2) as device_id, year, month, day FROM 'device/+/data'"
    ),
    actions=[actions.SqsQueueAction(queue, use_base64=True)],
)

table = dynamodb.TableV2(
    stack,
    "MyTable",
    partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
)
iot.TopicRule(
    stack,
    "TopicRuleDynamo",
    sql=iot.IotSql.from_string_as_ver20160323("SELECT * FROM 'device/+/data'"),
    actions=[actions.DynamoDBv2PutItemAction(table)],
)
app.synth()
