"""TapStack: the IoT traffic analytics pipeline, one construct per stage.

IoT Core --(topic rule)--> Kinesis --(ESM)--> processor Lambda --> DynamoDB (PITR)
                              |                                      |
                              +--(Firehose)--> S3 raw archive        +--(PITR export)--> S3
                                                    \\__ Glue tables + Athena workgroup __/
DynamoDB <--(Query)-- alert Lambda --> CloudWatch metric + alarms --> SNS (KMS)
CloudWatch dashboard tap-pipeline-<suffix>: every stage's metrics on one page
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from tap.pipeline.alerting import TrafficAlerting
from tap.pipeline.analytics import TelemetryAnalytics
from tap.pipeline.dashboard import PipelineDashboard
from tap.pipeline.ingest import TOPIC_PREFIX, TelemetryIngest
from tap.pipeline.processing import TelemetryProcessor
from tap.pipeline.storage import AggregatesTable
from tap.pipeline.stream import TelemetryStream
from tap.props import TapStackProps
from tap.rules.aspects import apply_guardrail_aspects

__all__ = ["TapStack"]


class TapStack(Stack):
    """The whole pipeline of one environment.

    Parameters
    ----------
    scope, construct_id:
        As for any stack; the app uses ``TapStack-<env>``.
    props:
        The environment's settings (:class:`tap.props.TapStackProps`).
    **kwargs:
        Passed to :class:`aws_cdk.Stack` (``env``, ``description``, ...).

    Attributes
    ----------
    props, stream, storage, processor, ingest, analytics, alerting, dashboard:
        The props and the stage constructs, read-only.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, props: TapStackProps, **kwargs: Any
    ) -> None:
        kwargs.setdefault("description", f"tap IoT traffic analytics pipeline ({props.env_name})")
        super().__init__(scope, construct_id, **kwargs)
        if not isinstance(props, TapStackProps):
            raise TypeError(f"props must be a TapStackProps, got {type(props).__name__}")
        self._props = props
        # Read by `python -m tap.rules check` to know the suffix and the removal expectations.
        self.template_options.metadata = {
            "TapEnvironment": {
                "name": props.env_name,
                "suffix": props.suffix,
                "ephemeral": props.ephemeral,
            }
        }

        self._stream = TelemetryStream(self, "Stream", props=props)
        self._storage = AggregatesTable(self, "Storage", props=props)
        self._analytics = TelemetryAnalytics(
            self, "Analytics", props=props, stream=self._stream.stream, table=self._storage.table
        )
        self._processor = TelemetryProcessor(
            self,
            "Processing",
            props=props,
            stream=self._stream.stream,
            table=self._storage.table,
            rejects_bucket=self._analytics.archive_bucket,
        )
        self._ingest = TelemetryIngest(self, "Ingest", props=props, stream=self._stream.stream)
        self._alerting = TrafficAlerting(
            self,
            "Alerting",
            props=props,
            table=self._storage.table,
            minute_index_name=self._storage.minute_index_name,
            processor=self._processor.function,
            dead_letter_queue=self._processor.dead_letter_queue,
            extra_alarms={"stream-iterator-age": self._stream.iterator_age_alarm},
        )
        self._dashboard = PipelineDashboard(
            self,
            "Dashboard",
            props=props,
            topic_rule=self._ingest.topic_rule,
            stream=self._stream.stream,
            processor=self._processor.function,
            dead_letter_queue=self._processor.dead_letter_queue,
            table=self._storage.table,
            alert_topic=self._alerting.topic,
        )
        self._add_outputs()
        # Guardrails on the construct tree: removal policies and auto-delete by environment,
        # log retention. The tap-rules plugin (app.py) verifies the final template.
        apply_guardrail_aspects(
            self, ephemeral=props.ephemeral, log_retention_days=props.log_retention_days
        )

    def _add_outputs(self) -> None:
        a = self._analytics
        outputs = {
            "StreamName": (self._stream.stream.stream_name, "Kinesis telemetry stream"),
            "StreamArn": (self._stream.stream.stream_arn, "Kinesis telemetry stream ARN"),
            "TableName": (self._storage.table.table_name, "DynamoDB aggregates table"),
            "MinuteIndexName": (self._storage.minute_index_name, "GSI the alert queries"),
            "ProcessorFunctionName": (self._processor.function.function_name, "Processor"),
            "AlertFunctionName": (self._alerting.function.function_name, "Alert function"),
            "DeadLetterQueueUrl": (self._processor.dead_letter_queue.queue_url, "Processor DLQ"),
            "AlertTopicArn": (self._alerting.topic.topic_arn, "SNS alert topic"),
            "ArchiveBucketName": (a.archive_bucket.bucket_name, "Raw archive / exports bucket"),
            "AthenaResultsBucketName": (a.results_bucket.bucket_name, "Athena results bucket"),
            "DeliveryStreamName": (a.delivery_stream.delivery_stream_name, "Firehose stream"),
            "GlueDatabaseName": (a.database_name, "Glue database"),
            "RawTableName": (a.raw_table_name, "Glue table of the raw archive"),
            "AggregatesExportTableName": (a.aggregates_table_name, "Glue table of PITR exports"),
            "AthenaWorkGroupName": (a.workgroup.ref, "Athena workgroup"),
            "ExportStateMachineArn": (
                a.export_state_machine.state_machine_arn,
                "Hourly PITR export state machine",
            ),
            "IotTopicPrefix": (TOPIC_PREFIX, "Devices publish to <prefix>/<sensor_id>/telemetry"),
            "IotTopicRuleName": (self._ingest.topic_rule.ref, "IoT topic rule"),
            "IotPolicyName": (self._ingest.device_policy.ref, "IoT policy to attach to certs"),
            "IotThingTypeName": (self._ingest.thing_type.ref, "IoT thing type"),
            "DashboardName": (self._dashboard.dashboard.dashboard_name, "CloudWatch dashboard"),
            "EnvironmentSuffix": (self._props.suffix, "Suffix of every physical name"),
        }
        for output_id, (value, description) in outputs.items():
            CfnOutput(self, output_id, value=value, description=description)

    @property
    def props(self) -> TapStackProps:
        return self._props

    @property
    def stream(self) -> TelemetryStream:
        return self._stream

    @property
    def storage(self) -> AggregatesTable:
        return self._storage

    @property
    def processor(self) -> TelemetryProcessor:
        return self._processor

    @property
    def ingest(self) -> TelemetryIngest:
        return self._ingest

    @property
    def analytics(self) -> TelemetryAnalytics:
        return self._analytics

    @property
    def alerting(self) -> TrafficAlerting:
        return self._alerting

    @property
    def dashboard(self) -> PipelineDashboard:
        return self._dashboard
