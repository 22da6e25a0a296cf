"""Stage 6: alerting. Scheduled congestion check, encrypted SNS topic, CloudWatch alarms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from tap.pipeline.common import acknowledge_nag, data_removal_policy
from tap.pipeline.functions import PythonFunction

if TYPE_CHECKING:
    from aws_cdk import aws_dynamodb as dynamodb
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_logs as logs
    from aws_cdk import aws_sqs as sqs

    from tap.props import TapStackProps

__all__ = ["TrafficAlerting", "METRIC_NAMESPACE", "CONGESTION_METRIC_NAME"]

METRIC_NAMESPACE = "TapTraffic"
#: Published by lambda/alert: number of segments at or above the congestion threshold.
CONGESTION_METRIC_NAME = "CongestedSegments"


class TrafficAlerting(Construct):
    """Alert function, KMS-encrypted alert topic and the pipeline's alarms.

    Attributes
    ----------
    key:
        Customer-managed key of the topic; its policy lets CloudWatch alarms publish.
    topic:
        ``tap-alerts-<suffix>``; optional e-mail subscription from the environment's config.
    function, role, log_group:
        The alert function ``tap-alert-<suffix>``, run every minute.
    alarms:
        Alarm by short name: processor errors/throttles/iterator age, DLQ depth, congestion,
        alert function errors; every alarm notifies the topic.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: TapStackProps,
        table: dynamodb.ITable,
        minute_index_name: str,
        processor: lambda_.IFunction,
        dead_letter_queue: sqs.IQueue,
        extra_alarms: dict[str, cloudwatch.Alarm] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        suffix = props.suffix
        self._key = kms.Key(
            self,
            "Key",
            description=f"tap alert topic ({suffix})",
            enable_key_rotation=True,
            removal_policy=data_removal_policy(props),
        )
        # CloudWatch alarms publish to an encrypted topic only if the key lets them
        # (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger).
        self._key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
            )
        )
        self._topic = sns.Topic(
            self,
            "Topic",
            topic_name=f"tap-alerts-{suffix}",
            display_name=f"tap traffic alerts ({suffix})",
            master_key=self._key,
            enforce_ssl=True,
        )
        if props.alert_email:
            self._topic.add_subscription(subscriptions.EmailSubscription(props.alert_email))

        self._fn = PythonFunction(
            self,
            "Alert",
            props=props,
            code_dir="alert",
            function_name=f"tap-alert-{suffix}",
            description="Publishes the congestion metric and SNS alerts from recent aggregates",
            environment={
                "TABLE_NAME": table.table_name,
                "MINUTE_INDEX_NAME": minute_index_name,
                "TOPIC_ARN": self._topic.topic_arn,
                "METRIC_NAMESPACE": METRIC_NAMESPACE,
                "CONGESTION_LEVEL_THRESHOLD": str(props.congestion_level_threshold),
                "LOOKBACK_MINUTES": str(props.alert_lookback_minutes),
                "POWERTOOLS_SERVICE_NAME": "alert",
            },
            timeout=Duration.seconds(50),
        )
        self._grant_alert_function(table, minute_index_name)
        self._schedule = events.Rule(
            self,
            "Schedule",
            rule_name=f"tap-alert-schedule-{suffix}",
            description="Run the congestion check every minute",
            schedule=events.Schedule.rate(Duration.minutes(1)),
            targets=[
                targets.LambdaFunction(
                    self._fn.function, retry_attempts=0, max_event_age=Duration.minutes(1)
                )
            ],
        )
        self._alarms = self._build_alarms(props, processor, dead_letter_queue)
        for alarm in {**self._alarms, **(extra_alarms or {})}.values():
            alarm.add_alarm_action(cw_actions.SnsAction(self._topic))
        self._alarms.update(extra_alarms or {})

    def _grant_alert_function(self, table: dynamodb.ITable, minute_index_name: str) -> None:
        role = self._fn.role
        index_arn = f"{table.table_arn}/index/{minute_index_name}"
        role.add_to_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[table.table_arn, index_arn])
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                resources=[table.table_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["sns:Publish"], resources=[self._topic.topic_arn])
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[self._key.key_arn]
            )
        )
        # PutMetricData has no resource-level permissions; the namespace condition is the
        # only way to scope it (Service Authorization Reference, Amazon CloudWatch).
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": METRIC_NAMESPACE}},
            )
        )
        acknowledge_nag(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "cloudwatch:PutMetricData supports no resource ARN; it is scoped by the "
            "cloudwatch:namespace condition to TapTraffic. X-Ray tracing likewise needs '*'.",
        )

    def _build_alarms(
        self, props: TapStackProps, processor: lambda_.IFunction, dlq: sqs.IQueue
    ) -> dict[str, cloudwatch.Alarm]:
        suffix = props.suffix
        five_minutes = Duration.minutes(5)
        gte = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        ok_if_missing = cloudwatch.TreatMissingData.NOT_BREACHING
        alarms: dict[str, cloudwatch.Alarm] = {}

        def alarm(
            short: str,
            description: str,
            metric: cloudwatch.IMetric,
            threshold: float,
            evaluation_periods: int = 1,
            datapoints_to_alarm: int | None = None,
        ) -> None:
            alarms[short] = cloudwatch.Alarm(
                self,
                f"{short.title().replace('-', '')}Alarm",
                alarm_name=f"tap-{short}-{suffix}",
                alarm_description=description,
                metric=metric,
                threshold=threshold,
                evaluation_periods=evaluation_periods,
                datapoints_to_alarm=datapoints_to_alarm,
                comparison_operator=gte,
                treat_missing_data=ok_if_missing,
            )

        # Threshold 1: the handler reports per-record failures instead of raising, so any
        # invocation error is a bug, a timeout or a dependency outage worth a look.
        alarm(
            "processor-errors",
            "The processor function failed invocations (not per-record rejects)",
            processor.metric_errors(period=five_minutes, statistic="Sum"),
            1,
        )
        # Threshold 1: throttling a stream consumer only delays records; sustained throttles
        # mean the account's concurrency is exhausted (Solutions Constructs alarm on >= 1 too).
        alarm(
            "processor-throttles",
            "The processor function is throttled: the stream backs up",
            processor.metric_throttles(period=five_minutes, statistic="Sum"),
            1,
        )
        # Threshold: the alert lookback window. Once the processor is further behind than the
        # minutes the alert function reads, congestion alerts are computed from stale data.
        lookback_ms = props.alert_lookback_minutes * 60 * 1000
        alarm(
            "processor-iterator-age",
            "Processor lags behind the stream by more than the alert lookback window",
            cloudwatch.Metric(
                namespace="AWS/Lambda",
                metric_name="IteratorAge",
                dimensions_map={"FunctionName": processor.function_name},
                statistic="Maximum",
                period=Duration.minutes(1),
            ),
            lookback_ms,
            evaluation_periods=3,
            datapoints_to_alarm=3,
        )
        # Threshold 1: each message is a batch dropped after its retries; data is missing.
        alarm(
            "processor-dlq-depth",
            "Batches exhausted their retries and were sent to the processor DLQ",
            dlq.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic="Maximum"
            ),
            1,
        )
        # Threshold 1 segment for 2 of 3 minutes: sustained congestion, not one noisy minute.
        alarm(
            "congestion",
            f"Road segments at or above congestion level {props.congestion_level_threshold}",
            cloudwatch.Metric(
                namespace=METRIC_NAMESPACE,
                metric_name=CONGESTION_METRIC_NAME,
                statistic="Maximum",
                period=Duration.minutes(1),
            ),
            1,
            evaluation_periods=3,
            datapoints_to_alarm=2,
        )
        alarm(
            "alert-errors",
            "The alert function failed: congestion is not being checked",
            self._fn.function.metric_errors(period=five_minutes, statistic="Sum"),
            1,
        )
        return alarms

    @property
    def key(self) -> kms.Key:
        return self._key

    @property
    def topic(self) -> sns.Topic:
        return self._topic

    @property
    def function(self) -> lambda_.Function:
        return self._fn.function

    @property
    def role(self) -> iam.Role:
        return self._fn.role

    @property
    def log_group(self) -> logs.LogGroup:
        return self._fn.log_group

    @property
    def schedule(self) -> events.Rule:
        return self._schedule

    @property
    def alarms(self) -> dict[str, cloudwatch.Alarm]:
        return dict(self._alarms)
