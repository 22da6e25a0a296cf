"""IotToKinesisFirehoseToS3, instantiated the way the pattern's documentation shows it.

Source: the construct library aws-solutions-constructs.aws-iot-kinesisfirehose-s3 2.105.0
(PyPI; Apache-2.0; awslabs/aws-solutions-constructs,
the pattern's README.adoc). Every resource below is the library's; this driver only passes
the props its README example passes. Offline: function code from the local lambda/
folder (no bundling), no lookups, environment-agnostic stack.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iot as iot
from aws_solutions_constructs.aws_iot_kinesisfirehose_s3 import IotToKinesisFirehoseToS3

app = cdk.App()
stack = cdk.Stack(app, "ScIotKinesisfirehoseS3Stack")
IotToKinesisFirehoseToS3(
    stack,
    "test-iot-firehose-s3",
    iot_topic_rule_props=iot.CfnTopicRuleProps(
        topic_rule_payload=iot.CfnTopicRule.TopicRulePayloadProperty(
            rule_disabled=False,
            description="Persistent storage of connected vehicle telematics data",
            sql="SELECT * FROM 'connectedcar/telemetry/#'",
            actions=[],
        )
    ),
)
app.synth()
