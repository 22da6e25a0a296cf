"""Stage 1: AWS IoT Core ingestion (thing type, device policy, topic rule -> Kinesis).

Device contract: a device whose thing name is its ``sensor_id`` publishes JSON to
``traffic/v1/<sensor_id>/telemetry``. The rule forwards each message unchanged to the stream,
partitioned by road segment (:data:`PARTITION_KEY`): every reading of a segment lands on one
shard, so one batch holds all of a segment's readings of its window and the processor makes
one DynamoDB write per (segment, minute) per batch. A sensor stays on its segment, so its
readings stay in order. A message without a ``segment_id`` (malformed, not JSON) is keyed by
the sensor of its topic instead and reaches the processor, which keeps it among the rejects.

IoT substitution templates and policy variables (``${topic(3)}``,
``${iot:Connection.Thing.ThingName}``) are written as plain literals or inside ``Fn::Join``,
never inside ``Fn::Sub``, where CloudFormation would try to resolve them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_iot as iot
from constructs import Construct

from tap.pipeline.common import log_group

if TYPE_CHECKING:
    from aws_cdk import aws_kinesis as kinesis
    from aws_cdk import aws_logs as logs

    from tap.props import TapStackProps

__all__ = ["PARTITION_KEY", "TOPIC_FILTER", "TOPIC_PREFIX", "TelemetryIngest"]

#: Devices publish to f"{TOPIC_PREFIX}/<sensor_id>/telemetry".
TOPIC_PREFIX = "traffic/v1"
TOPIC_FILTER = f"{TOPIC_PREFIX}/+/telemetry"
#: Searchable thing attributes (IoT allows at most 3 on a thing type).
SEARCHABLE_ATTRIBUTES = ("segment_id", "site", "model")
_THING = "${iot:Connection.Thing.ThingName}"  # IoT policy variable: a literal, not Fn::Sub
#: Kinesis partition key of a message: its ``segment_id``, or the topic's sensor id when the
#: payload has none (IoT SQL ``get_or_default``; a substitution template, a plain literal).
PARTITION_KEY = "${get_or_default(segment_id, topic(3))}"


class TelemetryIngest(Construct):
    """Thing type, least-privilege device policy and the telemetry topic rule.

    Attributes
    ----------
    thing_type, device_policy, topic_rule:
        The IoT resources (``tap-sensor-<suffix>``, ``tap-device-<suffix>``,
        ``tap_telemetry_<suffix>``).
    rule_role:
        The role the rule assumes: ``kinesis:PutRecord`` on the stream only, and writing to
        the error log group.
    error_log_group:
        Where the rule's error action writes messages it could not deliver.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: TapStackProps,
        stream: kinesis.IStream,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        suffix = props.suffix

        self._thing_type = iot.CfnThingType(
            self,
            "ThingType",
            thing_type_name=f"tap-sensor-{suffix}",
            thing_type_properties=iot.CfnThingType.ThingTypePropertiesProperty(
                thing_type_description="Roadside traffic sensor publishing telemetry",
                searchable_attributes=list(SEARCHABLE_ATTRIBUTES),
            ),
        )

        client_arn = stack.format_arn(service="iot", resource="client", resource_name=_THING)
        topic_arn = stack.format_arn(
            service="iot", resource="topic", resource_name=f"{TOPIC_PREFIX}/{_THING}/telemetry"
        )
        self._device_policy = iot.CfnPolicy(
            self,
            "DevicePolicy",
            policy_name=f"tap-device-{suffix}",
            policy_document={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        # A device connects only with its own thing name as client id, and
                        # only with a certificate attached to that thing.
                        "Effect": "Allow",
                        "Action": "iot:Connect",
                        "Resource": client_arn,
                        "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": "true"}},
                    },
                    {
                        "Effect": "Allow",
                        "Action": "iot:Publish",
                        "Resource": topic_arn,
                    },
                ],
            },
        )

        self._error_log_group = log_group(
            self, "ErrorLogs", name=f"/tap/iot/telemetry-rule-errors-{suffix}", props=props
        )
        self._rule_role = iam.Role(
            self,
            "RuleRole",
            assumed_by=iam.ServicePrincipal(
                "iot.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            ),
            description=f"tap telemetry topic rule -> Kinesis ({suffix})",
        )
        # Exactly what the Kinesis action does: PutRecord on this stream (encrypted with the
        # AWS-managed aws/kinesis key, which needs no KMS permission from producers).
        self._rule_role.add_to_policy(
            iam.PolicyStatement(actions=["kinesis:PutRecord"], resources=[stream.stream_arn])
        )
        self._rule_role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                resources=[self._error_log_group.log_group_arn],
            )
        )

        self._topic_rule = iot.CfnTopicRule(
            self,
            "TopicRule",
            rule_name=f"tap_telemetry_{suffix}",
            topic_rule_payload=iot.CfnTopicRule.TopicRulePayloadProperty(
                description="Forward sensor telemetry to the Kinesis stream, keyed by segment",
                sql=f"SELECT * FROM '{TOPIC_FILTER}'",
                aws_iot_sql_version="2016-03-23",
                rule_disabled=False,
                actions=[
                    iot.CfnTopicRule.ActionProperty(
                        kinesis=iot.CfnTopicRule.KinesisActionProperty(
                            stream_name=stream.stream_name,
                            partition_key=PARTITION_KEY,  # IoT substitution: a plain literal
                            role_arn=self._rule_role.role_arn,
                        )
                    )
                ],
                error_action=iot.CfnTopicRule.ActionProperty(
                    cloudwatch_logs=iot.CfnTopicRule.CloudwatchLogsActionProperty(
                        log_group_name=self._error_log_group.log_group_name,
                        role_arn=self._rule_role.role_arn,
                    )
                ),
            ),
        )
        # The rule must not be created before its role can act (IAM is eventually consistent
        # but CloudFormation at least orders the policy first).
        self._topic_rule.node.add_dependency(self._rule_role.node.find_child("DefaultPolicy"))

    @property
    def thing_type(self) -> iot.CfnThingType:
        return self._thing_type

    @property
    def device_policy(self) -> iot.CfnPolicy:
        return self._device_policy

    @property
    def topic_rule(self) -> iot.CfnTopicRule:
        return self._topic_rule

    @property
    def rule_role(self) -> iam.Role:
        return self._rule_role

    @property
    def error_log_group(self) -> logs.LogGroup:
        return self._error_log_group
