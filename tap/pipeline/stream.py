"""Stage 2: the Kinesis telemetry stream (on-demand, KMS-encrypted) and its lag alarm.

Encryption uses the AWS-managed ``aws/kinesis`` key, as AWS Solutions Constructs'
aws-iot-kinesisstreams does and cdk-nag's AwsSolutions-KDS3 recommends: producers (the IoT rule)
and consumers (Lambda, Firehose) need no KMS permissions, and there is no key to lose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kinesis as kinesis
from constructs import Construct

from tap.pipeline.common import data_removal_policy

if TYPE_CHECKING:
    from tap.props import TapStackProps

__all__ = ["TelemetryStream"]


class TelemetryStream(Construct):
    """On-demand Kinesis stream, server-side encrypted with ``aws/kinesis``.

    Attributes
    ----------
    stream:
        The stream ``tap-telemetry-<suffix>``.
    iterator_age_alarm:
        Fires when the oldest unread record has used half of the retention period.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: TapStackProps) -> None:
        super().__init__(scope, construct_id)
        removal = data_removal_policy(props)
        self._stream = kinesis.Stream(
            self,
            "Stream",
            stream_name=f"tap-telemetry-{props.suffix}",
            stream_mode=kinesis.StreamMode.ON_DEMAND,
            encryption=kinesis.StreamEncryption.MANAGED,
            retention_period=Duration.hours(props.kinesis_retention_hours),
            removal_policy=removal,
        )
        # Threshold: half of the retention period. Past it, a second outage of the same length
        # expires records before anyone reads them (the "risk of data loss due to record
        # expiration" alarm of Solutions Constructs' aws-kinesisstreams-lambda, scaled to our
        # configurable retention instead of a fixed number).
        half_retention_ms = props.kinesis_retention_hours * 3600 * 1000 // 2
        self._iterator_age_alarm = cloudwatch.Alarm(
            self,
            "IteratorAgeAlarm",
            alarm_name=f"tap-stream-iterator-age-{props.suffix}",
            alarm_description=(
                "Consumers of the telemetry stream fall behind: records risk expiring unread"
            ),
            metric=self._stream.metric_get_records_iterator_age_milliseconds(
                statistic="Maximum", period=Duration.minutes(5)
            ),
            threshold=half_retention_ms,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    @property
    def stream(self) -> kinesis.Stream:
        return self._stream

    @property
    def iterator_age_alarm(self) -> cloudwatch.Alarm:
        return self._iterator_age_alarm
