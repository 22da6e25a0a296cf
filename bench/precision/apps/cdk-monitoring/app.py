"""cdk-monitoring-constructs: a monitoring facade over a function and a table, as the
library's README "Getting started" shows it.

Source: cdk-monitoring-constructs 10.3.3 (PyPI; Apache-2.0; cdklabs/cdk-monitoring-constructs,
README.md). The dashboards, alarms and topic are the library's; the function and table are
ordinary aws-cdk-lib constructs for it to watch. Offline: local function code, no lookups.
"""

from __future__ import annotations

import os

import aws_cdk as cdk
import cdk_monitoring_constructs as mc
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_

HERE = os.path.dirname(os.path.abspath(__file__))

app = cdk.App()
stack = cdk.Stack(app, "CdkMonitoringStack")
table = dynamodb.TableV2(
    stack,
    "Table",
    partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
)
fn = lambda_.Function(
    stack,
    "Function",
    runtime=lambda_.Runtime.PYTHON_3_12,
    handler="index.handler",
    code=lambda_.Code.from_asset(os.path.join(HERE, "lambda")),
    environment={"DDB_TABLE_NAME": table.table_name},
)
table.grant_write_data(fn)
monitoring = mc.MonitoringFacade(stack, "Monitoring")
monitoring.add_large_header("Orders").monitor_lambda_function(
    lambda_function=fn,
    add_latency_p90_alarm={"Warning": mc.LatencyThreshold(max_latency=cdk.Duration.seconds(3))},
).monitor_dynamo_table(table=table)
app.synth()
