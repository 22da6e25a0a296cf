"""The operator's dashboard: the pipeline's health on one CloudWatch page.

Rows follow a message through the pipeline. Every graph draws a metric that a resource of this
stack publishes, with the namespace and dimensions it publishes it under
(``tests/unit/test_dashboard.py`` checks each one against the template and the function code):

=====================  ============================================================
row                    metrics
=====================  ============================================================
ingest                 AWS/IoT ``TopicMatch``, ``ParseError`` (RuleName);
                       AWS/Kinesis ``IncomingRecords`` (StreamName)
stream                 AWS/Kinesis ``GetRecords.IteratorAgeMilliseconds``;
                       AWS/Lambda ``IteratorAge`` of the processor
processing             AWS/Lambda ``Invocations``, ``Errors``, ``Throttles``, ``Duration``
failures               AWS/SQS DLQ ``ApproximateNumberOfMessagesVisible``; TapTraffic
                       ``RecordsRejected``, ``ReadingsConflicting``, ``RecordsFailed``
                       (service=processor, Powertools' default dimension)
storage                AWS/DynamoDB ``ConsumedWriteCapacityUnits``; TapTraffic
                       ``AggregatesWritten``, ``ReadingsCounted``, ``ReadingsDuplicate``
alerting               TapTraffic ``CongestedSegments`` (the alert function, no dimension);
                       AWS/SNS ``NumberOfMessagesPublished`` of the alert topic
=====================  ============================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from tap.pipeline.alerting import CONGESTION_METRIC_NAME, METRIC_NAMESPACE

if TYPE_CHECKING:
    from aws_cdk import aws_dynamodb as dynamodb
    from aws_cdk import aws_iot as iot
    from aws_cdk import aws_kinesis as kinesis
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_sns as sns
    from aws_cdk import aws_sqs as sqs

    from tap.props import TapStackProps

__all__ = ["PROCESSOR_SERVICE", "PipelineDashboard"]

#: ``POWERTOOLS_SERVICE_NAME`` of the processor: Powertools adds it as the ``service``
#: dimension of every metric the function emits.
PROCESSOR_SERVICE = "processor"
_PERIOD = Duration.minutes(1)


class PipelineDashboard(Construct):
    """CloudWatch dashboard ``tap-pipeline-<suffix>`` (see the module docstring).

    Attributes
    ----------
    dashboard:
        The dashboard.
    dashboard_name:
        Its name, ``tap-pipeline-<suffix>``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: TapStackProps,
        topic_rule: iot.CfnTopicRule,
        stream: kinesis.Stream,
        processor: lambda_.Function,
        dead_letter_queue: sqs.Queue,
        table: dynamodb.ITable,
        alert_topic: sns.Topic,
    ) -> None:
        super().__init__(scope, construct_id)
        self._name = f"tap-pipeline-{props.suffix}"

        def ours(name: str, statistic: str = "Sum", label: str | None = None) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=METRIC_NAMESPACE,
                metric_name=name,
                dimensions_map={"service": PROCESSOR_SERVICE},
                statistic=statistic,
                period=_PERIOD,
                label=label,
            )

        def iot(name: str, label: str) -> cloudwatch.Metric:
            # AWS/IoT rule metrics, dimension RuleName (CDK's IoTMetrics canned specs).
            return cloudwatch.Metric(
                namespace="AWS/IoT",
                metric_name=name,
                dimensions_map={"RuleName": topic_rule.ref},
                statistic="Sum",
                period=_PERIOD,
                label=label,
            )

        graphs = [
            [
                _graph(
                    "Ingest: IoT rule",
                    [
                        iot("TopicMatch", "messages matched"),
                        iot("ParseError", "SQL parse errors"),
                    ],
                ),
                _graph(
                    "Ingest: Kinesis incoming records",
                    [stream.metric_incoming_records(statistic="Sum", period=_PERIOD)],
                ),
                _graph(
                    "Stream: iterator age (ms)",
                    [
                        stream.metric_get_records_iterator_age_milliseconds(
                            statistic="Maximum", period=_PERIOD, label="stream (any consumer)"
                        ),
                        processor.metric(
                            "IteratorAge", statistic="Maximum", period=_PERIOD, label="processor"
                        ),
                    ],
                ),
            ],
            [
                _graph(
                    "Processor: invocations, errors, throttles",
                    [
                        processor.metric_invocations(statistic="Sum", period=_PERIOD),
                        processor.metric_errors(statistic="Sum", period=_PERIOD),
                        processor.metric_throttles(statistic="Sum", period=_PERIOD),
                    ],
                ),
                _graph(
                    "Processor: duration (ms)",
                    [
                        processor.metric_duration(statistic="Average", period=_PERIOD),
                        processor.metric_duration(statistic="Maximum", period=_PERIOD),
                    ],
                ),
                _graph(
                    "Failures: DLQ depth and rejects",
                    [
                        dead_letter_queue.metric_approximate_number_of_messages_visible(
                            statistic="Maximum", period=_PERIOD, label="DLQ messages"
                        ),
                        ours("RecordsRejected", label="rejected (invalid or conflicting)"),
                        ours("ReadingsConflicting", label="conflicting duplicates"),
                        ours("RecordsFailed", label="reported for retry"),
                    ],
                ),
            ],
            [
                _graph(
                    "DynamoDB: consumed write capacity",
                    [
                        table.metric_consumed_write_capacity_units(statistic="Sum", period=_PERIOD),
                        ours("AggregatesWritten", label="aggregate writes"),
                    ],
                ),
                _graph(
                    "Readings: counted and duplicates",
                    [
                        ours("ReadingsCounted", label="counted"),
                        ours("ReadingsDuplicate", label="silent duplicates"),
                    ],
                ),
                _graph(
                    "Alerting: congested segments and alerts sent",
                    [
                        cloudwatch.Metric(
                            namespace=METRIC_NAMESPACE,
                            metric_name=CONGESTION_METRIC_NAME,
                            statistic="Maximum",
                            period=_PERIOD,
                            label="congested segments",
                        ),
                        alert_topic.metric_number_of_messages_published(
                            statistic="Sum", period=_PERIOD, label="alerts sent"
                        ),
                    ],
                ),
            ],
        ]
        self._dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=self._name,
            default_interval=Duration.hours(3),
            widgets=graphs,
        )

    @property
    def dashboard(self) -> cloudwatch.Dashboard:
        return self._dashboard

    @property
    def dashboard_name(self) -> str:
        return self._name


def _graph(title: str, metrics: list[cloudwatch.IMetric]) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(title=title, left=metrics, width=8, height=6)
