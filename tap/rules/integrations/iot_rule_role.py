"""integration-role-permissions: IoT topic rule actions can write to their targets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule
from tap.rules.iam._policy import arn_forms, policy_index, role_of
from tap.rules.integrations._needs import Need, describe, forms, missing, target_lid

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

IOT = "iot.amazonaws.com"


def _needs(ctx: Context, kind: str, spec: dict[str, Any]) -> list[Need]:  # noqa: C901
    """What the role of one IoT rule action must be allowed to do."""
    if kind == "Kinesis":
        stream = spec.get("StreamName")
        lid = target_lid(ctx, stream)
        targets = arn_forms(ctx, lid) if lid else None
        if targets is None:
            name = ctx.text(stream)
            if name is not None and not name.has_unknown:
                targets = (
                    str(
                        ctx.text(
                            {
                                "Fn::Sub": "arn:${AWS::Partition}:kinesis:${AWS::Region}:"
                                "${AWS::AccountId}:stream/"
                            }
                        )
                    )
                    + str(name),
                )
        return [Need("kinesis:PutRecord", targets, f"stream {lid or ctx.text(stream)}")]
    if kind == "Firehose":
        lid = target_lid(ctx, spec.get("DeliveryStreamName"))
        batch = ctx.resolve(spec.get("BatchMode")) in (True, "true")
        action = "firehose:PutRecordBatch" if batch else "firehose:PutRecord"
        return [Need(action, arn_forms(ctx, lid) if lid else None, f"delivery stream {lid}")]
    if kind == "Sqs":
        lid = target_lid(ctx, spec.get("QueueUrl"))
        return [Need("sqs:SendMessage", arn_forms(ctx, lid) if lid else None, f"queue {lid}")]
    if kind == "Sns":
        lid = target_lid(ctx, spec.get("TargetArn"))
        return [Need("sns:Publish", forms(ctx, spec.get("TargetArn")), f"topic {lid}")]
    if kind in ("DynamoDBv2", "DynamoDB"):
        table = (spec.get("PutItem") or {}).get("TableName") if kind == "DynamoDBv2" else None
        table = table if table is not None else spec.get("TableName")
        lid = target_lid(ctx, table)
        return [Need("dynamodb:PutItem", arn_forms(ctx, lid) if lid else None, f"table {lid}")]
    if kind == "S3":
        lid = target_lid(ctx, spec.get("BucketName"))
        targets = arn_forms(ctx, lid, "/*") if lid else None
        return [Need("s3:PutObject", targets, f"bucket {lid} objects")]
    if kind == "CloudwatchLogs":
        lid = target_lid(ctx, spec.get("LogGroupName"))
        targets = arn_forms(ctx, lid) if lid else None
        return [
            Need(a, targets, f"log group {lid}")
            for a in ("logs:CreateLogStream", "logs:PutLogEvents")
        ]
    if kind == "CloudwatchMetric":
        return [Need("cloudwatch:PutMetricData", None, "CloudWatch metrics")]
    if kind == "CloudwatchAlarm":
        return [Need("cloudwatch:SetAlarmState", None, "CloudWatch alarms")]
    return []


def _lambda_permitted(ctx: Context, function_arn: Any) -> bool | None:
    fn = target_lid(ctx, function_arn)
    if fn is None:
        return None
    for perm in ctx.stack.of_type("AWS::Lambda::Permission"):
        if target_lid(ctx, perm.properties.get("FunctionName")) != fn:
            continue
        principal = ctx.text(perm.properties.get("Principal"))
        action = ctx.resolve(perm.properties.get("Action"))
        if (
            principal is not None
            and str(principal).replace("${AWS::URLSuffix}", "amazonaws.com") == IOT
        ):
            if isinstance(action, str) and action.lower() in ("lambda:invokefunction", "lambda:*"):
                return True
    return False


class IotRuleRoleCanWrite(Rule):
    """IoT topic rule actions have a role (or permission) that lets IoT write the target."""

    id = "TAP-INT-1"
    slug = "integration-role-permissions"
    severity = "error"
    title = "IoT rule actions may write to their targets"
    explanation = (
        "Why: IoT Core assumes the action's role when a message arrives; if the role cannot "
        "put to the target, or does not trust iot.amazonaws.com, the rule fails silently at "
        "run time (only the error action, if any, hears of it). Seed 000 #7's IoT → Kinesis "
        "rule needs kinesis:PutRecord on that stream (PutRecords is a different action). "
        "Checked per action and for the error action: Kinesis kinesis:PutRecord, Firehose "
        "firehose:PutRecord (PutRecordBatch with BatchMode), SQS sqs:SendMessage, SNS "
        "sns:Publish, DynamoDB/DynamoDBv2 dynamodb:PutItem, S3 s3:PutObject, CloudWatch "
        "Logs logs:CreateLogStream/PutLogEvents on the target; a Lambda action needs an "
        "AWS::Lambda::Permission for iot.amazonaws.com."
    )
    fix = (
        "role = iam.Role(..., assumed_by=iam.ServicePrincipal('iot.amazonaws.com')); "
        "stream.grant_write(role) / topic.grant_publish(role) / queue.grant_send_messages("
        "role); for Lambda: fn.add_permission(..., principal=ServicePrincipal("
        "'iot.amazonaws.com'), source_arn=rule.attr_arn)"
    )
    seeds = ("000 #7", "004 #5")
    resource_types = ("AWS::IoT::TopicRule",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        payload = res.properties.get("TopicRulePayload")
        if not isinstance(payload, dict):
            return
        entries: list[tuple[str, Any]] = []
        actions = payload.get("Actions")
        if isinstance(actions, list):
            entries += [(f"Actions/{i}", a) for i, a in enumerate(actions)]
        if isinstance(payload.get("ErrorAction"), dict):
            entries.append(("ErrorAction", payload["ErrorAction"]))
        for where, action in entries:
            if not isinstance(action, dict):
                continue
            for kind, spec in action.items():
                if isinstance(spec, dict):
                    base = f"Properties/TopicRulePayload/{where}/{kind}"
                    yield from self._action(res, ctx, base, kind, spec)

    def _action(
        self, res: Resource, ctx: Context, base: str, kind: str, spec: dict[str, Any]
    ) -> Iterator[Violation]:
        if kind == "Lambda":
            if _lambda_permitted(ctx, spec.get("FunctionArn")) is False:
                yield self.violation(
                    res,
                    f"{base}/FunctionArn",
                    f"{kind} action: no AWS::Lambda::Permission lets {IOT} invoke "
                    f"{target_lid(ctx, spec.get('FunctionArn'))}",
                )
            return
        role = role_of(ctx, spec.get("RoleArn"))
        if role is None:
            return
        if policy_index(ctx).trusts(role, IOT) is False:
            yield self.violation(
                res, f"{base}/RoleArn", f"{kind} action: role {role} does not trust {IOT}"
            )
            return
        gaps = missing(ctx, role, _needs(ctx, kind, spec))
        if gaps:
            yield self.violation(res, f"{base}/RoleArn", f"{kind} action: {describe(role, gaps)}")
