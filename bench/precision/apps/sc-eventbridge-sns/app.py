"""EventbridgeToSns, instantiated the way the pattern's documentation shows it.

Source: the construct library aws-solutions-constructs.aws-eventbridge-sns 2.105.0
(PyPI; Apache-2.0; awslabs/aws-solutions-constructs,
the pattern's README.adoc). Every resource below is the library's; this driver only passes
the props its README example passes. Offline: function code from the local lambda/
folder (no bundling), no lookups, environment-agnostic stack.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_solutions_constructs.aws_eventbridge_sns import EventbridgeToSns

app = cdk.App()
stack = cdk.Stack(app, "ScEventbridgeSnsStack")
EventbridgeToSns(
    stack,
    "test-eventbridge-sns",
    event_rule_props=events.RuleProps(schedule=events.Schedule.rate(cdk.Duration.minutes(5))),
)
app.synth()
