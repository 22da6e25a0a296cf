"""EventbridgeToSqs, instantiated the way the pattern's documentation shows it.

Source: the construct library aws-solutions-constructs.aws-eventbridge-sqs 2.105.0
(PyPI; Apache-2.0; awslabs/aws-solutions-constructs,
the pattern's README.adoc). Every resource below is the library's; this driver only passes
the props its README example passes. Offline: function code from the local lambda/
folder (no bundling), no lookups, environment-agnostic stack.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_solutions_constructs.aws_eventbridge_sqs import EventbridgeToSqs

app = cdk.App()
stack = cdk.Stack(app, "ScEventbridgeSqsStack")
EventbridgeToSqs(
    stack,
    "test-eventbridge-sqs",
    event_rule_props=events.RuleProps(
        event_pattern=events.EventPattern(
            source=["aws.ec2"], detail_type=["EC2 Instance State-change Notification"]
        )
    ),
)
app.synth()
