"""The failure catalogue: every documented failure of the seeds, as a pair of CDK stacks.

Each :class:`Case` reproduces one failure path of one RULES-SPEC class in CloudFormation
terms: ``build_bad(stack)`` writes the seed's mistake, ``build_good(stack)`` the fix as
RULES-SPEC states it (where a seed's own fix is a defect, e.g. seed 001 #8's hard-coded
``us-east-1``, the good stack follows the spec instead). Both builders create the same
construct ids, so a resource has the same construct path (and logical id) in both stacks:
a tool's finding can be compared between the two (``bench/coverage/run.py`` counts a case as
caught only by findings on the bad stack that the good stack does not also draw).

Good stacks are meant to be correct as a whole, not only in the case's class: data stores are
destroyable in ephemeral environments (buckets auto-delete), functions log to a log group with
a retention, names carry the suffix. Any tap finding on a good stack is a false alarm.

``offending`` names the constructs at fault by their id under the stack: a resource is
offending when its construct path relative to the stack is one of these ids or lies under one
(``Key`` matches ``Key/Resource`` and ``Key/Policy``, not ``KeyAlias``).
"""

from __future__ import annotations

import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import Aws, Duration, Fn, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_iot as iot
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

__all__ = [
    "CASES",
    "PART2_CASES",
    "SUFFIX",
    "Case",
    "apply_environment",
    "asset_root",
    "relative_path",
]

SUFFIX = "dev"
PLACEHOLDER_ACCOUNT = "123456789012"  # seed 001 #1's placeholder

Build = Callable[[cdk.Stack], object]


@dataclass(frozen=True)
class Case:
    id: str
    slug: str
    seed: str
    description: str
    build_bad: Build
    build_good: Build
    offending: tuple[str, ...]
    ephemeral: bool = True
    synth_error: bool = False
    """The bad build is refused by CDK itself (a deprecated API under JSII_DEPRECATED=fail)."""

    def offends(self, rel_path: str | None) -> bool:
        """Whether a resource at ``rel_path`` (construct path under the stack) is at fault."""
        if not rel_path:
            return False
        return any(rel_path == o or rel_path.startswith(o + "/") for o in self.offending)

    def stack_id(self, variant: str) -> str:
        return f"{self.id}-{variant}"


def apply_environment(stack: cdk.Stack, *, ephemeral: bool) -> None:
    """The ``TapEnvironment`` metadata TapStack writes (tests/rules/conftest.py does the same)."""
    stack.template_options.metadata = {
        "TapEnvironment": {"name": "coverage", "suffix": SUFFIX, "ephemeral": ephemeral}
    }


def relative_path(construct_path: str | None) -> tuple[str, str] | None:
    """``"<stack>/<rest>"`` → ``(stack, rest)``."""
    if not construct_path:
        return None
    stack, _, rest = construct_path.strip("/").partition("/")
    return (stack, rest) if rest else None


# --- function code, written into a temporary folder once per process -----------------------

_ASSET_ROOT: Path | None = None

BASIC_APP = "def handler(event, context):\n    return event\n"

ALERT_APP = '''\
"""Seed 004 #5's alert function: reads the aggregates, publishes a custom metric."""
import os

import boto3

cloudwatch = boto3.client("cloudwatch")
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    item = table.get_item(Key={"pk": "SEG#1", "sk": "STATE"}).get("Item")
    cloudwatch.put_metric_data(
        Namespace="TapTraffic",
        MetricData=[{"MetricName": "CongestionLevel", "Value": 1 if item else 0}],
    )
    return {"alerted": bool(item)}
'''

REJECTS_APP = '''\
"""A processor that writes poison records to the rejects prefix."""
import json
import os

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    for record in event.get("Records", []):
        s3.put_object(
            Bucket=os.environ["REJECTS_BUCKET"],
            Key="rejects/" + record["eventID"],
            Body=json.dumps(record).encode(),
        )
    return {}
'''


def asset_root() -> Path:
    """The folder holding every case's function code (created on first use)."""
    global _ASSET_ROOT
    if _ASSET_ROOT is None:
        root = Path(tempfile.mkdtemp(prefix="tap-coverage-assets-"))
        files = {
            "basic/app.py": BASIC_APP,
            "alert/app.py": ALERT_APP,
            "rejects/app.py": REJECTS_APP,
            # seed 004 #6: the project keeps its code in lib/lambda/processor
            "lib/lambda/processor/app.py": BASIC_APP,
            "lib/lambda/processor/aggregate.py": "def minute(ts):\n    return ts[:16]\n",
            "layer/python/tap_common.py": "VERSION = '1'\n",
        }
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(textwrap.dedent(text))
        _ASSET_ROOT = root
    return _ASSET_ROOT


def _code(name: str) -> lambda_.Code:
    return lambda_.Code.from_asset(str(asset_root() / name))


# --- correct building blocks ---------------------------------------------------------------


def _log_group(stack: cdk.Stack, cid: str, **kwargs: object) -> logs.LogGroup:
    kwargs.setdefault("retention", logs.RetentionDays.ONE_MONTH)
    return logs.LogGroup(stack, cid, removal_policy=RemovalPolicy.DESTROY, **kwargs)


def _function(
    stack: cdk.Stack,
    cid: str = "Fn",
    *,
    code: lambda_.Code | None = None,
    handler: str = "app.handler",
    runtime: lambda_.Runtime = lambda_.Runtime.PYTHON_3_12,
    log_group: bool = True,
    **kwargs: object,
) -> lambda_.Function:
    if log_group:
        kwargs["log_group"] = _log_group(stack, f"{cid}Logs")
    return lambda_.Function(
        stack, cid, runtime=runtime, handler=handler, code=code or _code("basic"), **kwargs
    )


def _bucket(stack: cdk.Stack, cid: str = "Bucket", **kwargs: object) -> s3.Bucket:
    kwargs.setdefault("removal_policy", RemovalPolicy.DESTROY)
    kwargs.setdefault("auto_delete_objects", True)
    kwargs.setdefault("enforce_ssl", True)
    return s3.Bucket(stack, cid, **kwargs)


def _table(stack: cdk.Stack, cid: str = "Table", **kwargs: object) -> dynamodb.Table:
    kwargs.setdefault("removal_policy", RemovalPolicy.DESTROY)
    kwargs.setdefault(
        "point_in_time_recovery_specification",
        dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True),
    )
    return dynamodb.Table(
        stack,
        cid,
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        **kwargs,
    )


def _stream(stack: cdk.Stack, cid: str = "Stream", **kwargs: object) -> kinesis.Stream:
    kwargs.setdefault("stream_mode", kinesis.StreamMode.ON_DEMAND)
    return kinesis.Stream(stack, cid, removal_policy=RemovalPolicy.DESTROY, **kwargs)


def _key(stack: cdk.Stack, cid: str = "Key", **kwargs: object) -> kms.Key:
    return kms.Key(
        stack, cid, enable_key_rotation=True, removal_policy=RemovalPolicy.DESTROY, **kwargs
    )


def _root_only_key(stack: cdk.Stack, principal: iam.IPrincipal) -> kms.Key:
    """Seed 001 #8's key: its policy names one principal with kms:*."""
    return _key(
        stack,
        policy=iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(actions=["kms:*"], resources=["*"], principals=[principal])
            ]
        ),
    )


# === hardcoded-account-id (seed 001 #1) ====================================================


def _account_key_policy(principal: iam.IPrincipal) -> Build:
    return lambda stack: _root_only_key(stack, principal)


def _account_role(arn: str) -> Build:
    def build(stack: cdk.Stack) -> None:
        role = iam.Role.from_role_arn(stack, "LambdaRole", arn, mutable=False)
        _function(stack, role=role)

    return build


# === hardcoded-region (seed 001 #8: the fix itself) ========================================


def _region_logs_key(region: str) -> Build:
    def build(stack: cdk.Stack) -> None:
        key = _key(stack)
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchLogs",
                principals=[iam.ServicePrincipal(f"logs.{region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": (
                            f"arn:{Aws.PARTITION}:logs:{region}:{Aws.ACCOUNT_ID}:*"
                        )
                    }
                },
            )
        )
        _log_group(stack, "Logs", encryption_key=key)

    return build


# === s3-bucket-name (seed 001 #2) ==========================================================


def _named_bucket(name: str) -> Build:
    return lambda stack: _bucket(stack, "FlowLogs", bucket_name=name)


# === environment-suffix (seed 004 #2, 003) =================================================


def _suffix_bucket(name: str) -> Build:
    # seed 004's "fix" put the suffix in the construct id; it never reaches the name
    return lambda stack: _bucket(stack, f"TrafficAnalyticsBucket{SUFFIX}", bucket_name=name)


def _suffix_table(name: str) -> Build:
    return lambda stack: _table(stack, "Aggregates", table_name=name)


# === resource-name-format (seed 000 #3, 001 #5) ============================================


def _iot_kinesis_rule(
    stack: cdk.Stack,
    *,
    rule_name: str | None = None,
    sql: str = "SELECT *, topic(3) AS sensor_id FROM 'traffic/v1/+/telemetry'",
    partition_key: str = "${topic(3)}",
    role_actions: list[str] | None = None,
) -> iot.CfnTopicRule:
    stream = _stream(stack)
    role = iam.Role(stack, "IotRole", assumed_by=iam.ServicePrincipal("iot.amazonaws.com"))
    if role_actions is None:
        stream.grant_write(role)
    else:
        role.add_to_policy(iam.PolicyStatement(actions=role_actions, resources=[stream.stream_arn]))
    return iot.CfnTopicRule(
        stack,
        "Rule",
        rule_name=rule_name,
        topic_rule_payload=iot.CfnTopicRule.TopicRulePayloadProperty(
            sql=sql,
            aws_iot_sql_version="2016-03-23",
            actions=[
                iot.CfnTopicRule.ActionProperty(
                    kinesis=iot.CfnTopicRule.KinesisActionProperty(
                        stream_name=stream.stream_name,
                        partition_key=partition_key,
                        role_arn=role.role_arn,
                    )
                )
            ],
        ),
    )


def _iot_rule_named(name: str) -> Build:
    return lambda stack: _iot_kinesis_rule(stack, rule_name=name)


def _glue_database(name: str) -> Build:
    def build(stack: cdk.Stack) -> None:
        glue.CfnDatabase(
            stack,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(name=name),
        )

    return build


# === dynamodb-pitr (seed 004 #4) ===========================================================


def _table_without_pitr(stack: cdk.Stack) -> None:
    _table(stack, "Aggregates", point_in_time_recovery_specification=None)


def _table_with_pitr(stack: cdk.Stack) -> None:
    _table(stack, "Aggregates")


def _table_deprecated_pitr(stack: cdk.Stack) -> None:
    # the seed's model response: TableOptions#pointInTimeRecovery, deprecated in CDK v2
    dynamodb.Table(
        stack,
        "Aggregates",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        removal_policy=RemovalPolicy.DESTROY,
        point_in_time_recovery=True,
    )


# === removal-policy (seed 004 #7, 001 #7) ==================================================


def _table_policy(policy: RemovalPolicy) -> Build:
    return lambda stack: _table(stack, "Aggregates", removal_policy=policy)


def _bucket_auto_delete(auto_delete: bool) -> Build:
    return lambda stack: _bucket(stack, "Archive", auto_delete_objects=auto_delete)


# === lambda-runtime (seed 004 #8) ==========================================================


def _runtime(runtime: lambda_.Runtime) -> Build:
    return lambda stack: _function(stack, runtime=runtime)


def _layer(runtime: lambda_.Runtime) -> Build:
    def build(stack: cdk.Stack) -> None:
        lambda_.LayerVersion(stack, "Common", code=_code("layer"), compatible_runtimes=[runtime])

    return build


# === lambda-handler (seed 004 #6, 000 #6) ==================================================


def _asset_folder(folder: str) -> Build:
    return lambda stack: _function(stack, code=_code(folder))


def _handler_name(handler: str) -> Build:
    return lambda stack: _function(stack, handler=handler)


# === iam-code-permissions (seed 004 #5) ====================================================


def _alert_function(put_metric_data: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        table = _table(stack, "Aggregates")
        fn = _function(
            stack, "Alert", code=_code("alert"), environment={"TABLE_NAME": table.table_name}
        )
        table.grant_read_data(fn)
        if put_metric_data:
            fn.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["cloudwatch:PutMetricData"],
                    resources=["*"],
                    conditions={"StringEquals": {"cloudwatch:namespace": "TapTraffic"}},
                )
            )

    return build


def _rejects_function(granted: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        bucket = _bucket(stack, "Rejects")
        fn = _function(
            stack,
            "Processor",
            code=_code("rejects"),
            environment={"REJECTS_BUCKET": bucket.bucket_name},
        )
        if granted:
            bucket.grant_put(fn, "rejects/*")

    return build


# === iam-unknown-reference (seed 001 #10) ==================================================


def _config_role(policy_name: str) -> Build:
    def build(stack: cdk.Stack) -> None:
        iam.Role(
            stack,
            "ConfigRole",
            assumed_by=iam.ServicePrincipal("config.amazonaws.com"),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(policy_name)],
        )

    return build


def _reader_actions(actions: list[str]) -> Build:
    def build(stack: cdk.Stack) -> None:
        stream = _stream(stack)
        bucket = _bucket(stack, "Archive")
        role = iam.Role(
            stack, "ReaderRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=actions,
                resources=[stream.stream_arn, bucket.arn_for_objects("raw/*")],
            )
        )

    return build


# === integration-role-permissions (seed 000 #7, 004 #5) ====================================


def _iot_rule_actions(actions: list[str] | None) -> Build:
    return lambda stack: _iot_kinesis_rule(stack, role_actions=actions)


def _esm_reads(granted: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        stream = _stream(stack)
        dlq = sqs.Queue(stack, "Dlq", enforce_ssl=True)
        fn = _function(stack)
        # L1, as generated code writes it (the L2 event source would grant the reads)
        lambda_.CfnEventSourceMapping(
            stack,
            "Mapping",
            function_name=fn.function_name,
            event_source_arn=stream.stream_arn,
            starting_position="LATEST",
            function_response_types=["ReportBatchItemFailures"],
            bisect_batch_on_function_error=True,
            maximum_retry_attempts=3,
            maximum_record_age_in_seconds=3600,
            destination_config=lambda_.CfnEventSourceMapping.DestinationConfigProperty(
                on_failure=lambda_.CfnEventSourceMapping.OnFailureProperty(
                    destination=dlq.queue_arn
                )
            ),
        )
        if granted:
            stream.grant_read(fn)
            dlq.grant_send_messages(fn)
        else:  # seed 004 #5's class: the role the integration runs as misses its actions
            fn.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["kinesis:DescribeStream"], resources=[stream.stream_arn]
                )
            )

    return build


def _firehose_source(granted: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        stream = _stream(stack)
        bucket = _bucket(stack, "Archive")
        source_role = iam.Role(
            stack, "SourceRole", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com")
        )
        dest_role = iam.Role(
            stack, "DeliveryRole", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com")
        )
        bucket.grant_read_write(dest_role)
        if granted:
            stream.grant_read(source_role)
        else:
            source_role.add_to_policy(
                iam.PolicyStatement(
                    actions=["kinesis:DescribeStream"], resources=[stream.stream_arn]
                )
            )
        delivery = firehose.CfnDeliveryStream(
            stack,
            "Delivery",
            delivery_stream_type="KinesisStreamAsSource",
            kinesis_stream_source_configuration=firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
                kinesis_stream_arn=stream.stream_arn, role_arn=source_role.role_arn
            ),
            extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
                bucket_arn=bucket.bucket_arn, role_arn=dest_role.role_arn, prefix="raw/"
            ),
        )
        for role in (source_role, dest_role):
            delivery.node.add_dependency(role)

    return build


# === cloudtrail-bucket-policy (seed 000 #4) ================================================

_CLOUDTRAIL = iam.ServicePrincipal("cloudtrail.amazonaws.com")


def _trail(*, statements: bool, depend: bool, persistent: bool = False) -> Build:
    def build(stack: cdk.Stack) -> None:
        if persistent:
            # an audit bucket kept with the stack: no auto-delete and no TLS-only statement,
            # so without the CloudTrail statements it has no bucket policy at all (seed 000 #4)
            bucket = _bucket(
                stack,
                "TrailBucket",
                removal_policy=RemovalPolicy.RETAIN,
                auto_delete_objects=False,
                enforce_ssl=False,
            )
        else:
            bucket = _bucket(stack, "TrailBucket")
        trail = cloudtrail.CfnTrail(
            stack, "Trail", is_logging=True, s3_bucket_name=bucket.bucket_name
        )
        if statements:
            bucket.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="AWSCloudTrailAclCheck",
                    principals=[_CLOUDTRAIL],
                    actions=["s3:GetBucketAcl"],
                    resources=[bucket.bucket_arn],
                )
            )
            bucket.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="AWSCloudTrailWrite",
                    principals=[_CLOUDTRAIL],
                    actions=["s3:PutObject"],
                    resources=[bucket.arn_for_objects(f"AWSLogs/{Aws.ACCOUNT_ID}/*")],
                    conditions={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
                )
            )
        if depend and bucket.policy is not None:
            trail.node.add_dependency(bucket.policy)

    return build


# === kms-service-access (seed 001 #8) ======================================================


def _log_group_key(logs_granted: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        key = _root_only_key(stack, iam.AccountRootPrincipal())
        if logs_granted:
            key.grant_encrypt_decrypt(iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com"))
        _log_group(stack, "Logs", encryption_key=key)

    return build


def _alarm_topic_key(cloudwatch_granted: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        key = _root_only_key(stack, iam.AccountRootPrincipal())
        if cloudwatch_granted:
            key.grant(
                iam.ServicePrincipal("cloudwatch.amazonaws.com"),
                "kms:Decrypt",
                "kms:GenerateDataKey*",
            )
        topic = sns.Topic(stack, "Alerts", master_key=key, enforce_ssl=True)
        metric = cloudwatch.Metric(namespace="TapTraffic", metric_name="CongestionLevel")
        alarm = metric.create_alarm(stack, "Congestion", threshold=3, evaluation_periods=1)
        alarm.add_alarm_action(cw_actions.SnsAction(topic))

    return build


# === s3-lifecycle-filter (seed 000 #5, 002 #5) =============================================


def _lifecycle(prefix: str | None) -> Build:
    def build(stack: cdk.Stack) -> None:
        _bucket(
            stack,
            "Archive",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="glacier-transition",
                    prefix=prefix,
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.GLACIER,
                            transition_after=Duration.days(90),
                        )
                    ],
                )
            ],
        )

    return build


# === apigw-deployment-order (seed 002 #3) ==================================================


def _api(depend_on: tuple[str, ...]) -> Build:
    def build(stack: cdk.Stack) -> None:
        api = apigw.CfnRestApi(stack, "Api", name=f"reviews-{SUFFIX}")
        reviews = apigw.CfnResource(
            stack,
            "Reviews",
            rest_api_id=api.ref,
            parent_id=api.attr_root_resource_id,
            path_part="reviews",
        )
        methods = {
            verb: apigw.CfnMethod(
                stack,
                f"{verb.title()}Reviews",
                rest_api_id=api.ref,
                resource_id=reviews.ref,
                http_method=verb,
                authorization_type="AWS_IAM",
                integration=apigw.CfnMethod.IntegrationProperty(type="MOCK"),
            )
            for verb in ("GET", "POST")
        }
        deployment = apigw.CfnDeployment(stack, "Deployment", rest_api_id=api.ref)
        for verb in depend_on:
            deployment.node.add_dependency(methods[verb])

    return build


# === s3-notification-permission (seed 002 #4) ==============================================


def _notification(*, permission: bool, depend: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        fn = _function(stack, "ReviewProcessor")
        name = f"review-images-{Aws.ACCOUNT_ID}-{SUFFIX}"
        bucket = _bucket(stack, "Images", bucket_name=name)
        cfn_bucket = bucket.node.default_child
        assert isinstance(cfn_bucket, s3.CfnBucket)
        cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            lambda_configurations=[
                s3.CfnBucket.LambdaConfigurationProperty(
                    event="s3:ObjectCreated:*", function=fn.function_arn
                )
            ]
        )
        if permission:
            perm = lambda_.CfnPermission(
                stack,
                "AllowS3Invoke",
                action="lambda:InvokeFunction",
                function_name=fn.function_name,
                principal="s3.amazonaws.com",
                source_arn=f"arn:{Aws.PARTITION}:s3:::{name}",
                source_account=Aws.ACCOUNT_ID,
            )
            if depend:
                cfn_bucket.node.add_dependency(perm)

    return build


# === iot-substitution (seed 000 #7) ========================================================


def _partition_key(value: str) -> Build:
    return lambda stack: _iot_kinesis_rule(stack, partition_key=Fn.sub(value))


def _iot_sql(sql: str) -> Build:
    return lambda stack: _iot_kinesis_rule(stack, sql=sql)


# === cfn-schema (seeds 000 #1-3, 001 #6, 002 #2, 003 #1) ===================================


def _use_lockfile(override: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        bucket = _bucket(stack, "State", versioned=True)
        if override:
            cfn = bucket.node.default_child
            assert isinstance(cfn, s3.CfnBucket)
            cfn.add_property_override("UseLockfile", True)

    return build


def _stream_mode(key: str) -> Build:
    def build(stack: cdk.Stack) -> None:
        stream = _stream(stack, "Telemetry")
        cfn = stream.node.default_child
        assert isinstance(cfn, kinesis.CfnStream)
        cfn.add_property_override("StreamModeDetails", {key: "ON_DEMAND"})

    return build


def _thing_type(properties: dict[str, object]) -> Build:
    def build(stack: cdk.Stack) -> None:
        thing_type = iot.CfnThingType(stack, "Sensor", thing_type_name=f"traffic-sensor-{SUFFIX}")
        thing_type.add_property_override("ThingTypeProperties", properties)

    return build


def _noncurrent_expiration(value: object) -> Build:
    def build(stack: cdk.Stack) -> None:
        bucket = _bucket(
            stack,
            "FlowLogs",
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(id="expire", prefix="", expiration=Duration.days(90))
            ],
        )
        cfn = bucket.node.default_child
        assert isinstance(cfn, s3.CfnBucket)
        cfn.add_property_override(
            "LifecycleConfiguration.Rules.0.NoncurrentVersionExpiration", value
        )

    return build


# === stream-error-handling (seed 004 #9, 003) ==============================================


def _kinesis_source(configured: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        stream = _stream(stack, "Telemetry")
        dlq = sqs.Queue(stack, "Dlq", enforce_ssl=True)
        fn = _function(stack, "Processor")
        settings: dict[str, object] = {}
        if configured:
            settings = dict(
                report_batch_item_failures=True,
                bisect_batch_on_error=True,
                retry_attempts=3,
                max_record_age=Duration.hours(1),
                on_failure=sources.SqsDlq(dlq),
            )
        fn.add_event_source(
            sources.KinesisEventSource(
                stream, starting_position=lambda_.StartingPosition.TRIM_HORIZON, **settings
            )
        )

    return build


def _sqs_source(partial: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        dlq = sqs.Queue(stack, "Dlq", enforce_ssl=True)
        queue = sqs.Queue(
            stack,
            "Ingest",
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(180),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=dlq),
        )
        fn = _function(stack, "Processor")
        fn.add_event_source(sources.SqsEventSource(queue, report_batch_item_failures=partial))

    return build


# === log-retention (seed 003) ==============================================================


def _log_retention(retention: logs.RetentionDays) -> Build:
    return lambda stack: _log_group(stack, "Logs", retention=retention)


def _function_log_group(explicit: bool) -> Build:
    return lambda stack: _function(stack, log_group=explicit)


# === the catalogue =========================================================================

_REGION_LITERAL = "us-east-1"  # seed 001 #8's fix, twice

CASES: tuple[Case, ...] = (
    # hardcoded-account-id
    Case(
        "account-key-policy",
        "hardcoded-account-id",
        "001 #1",
        "key policy grants kms:* to arn:aws:iam::123456789012:root",
        _account_key_policy(iam.ArnPrincipal(f"arn:aws:iam::{PLACEHOLDER_ACCOUNT}:root")),
        _account_key_policy(iam.AccountRootPrincipal()),
        ("Key",),
    ),
    Case(
        "account-imported-role",
        "hardcoded-account-id",
        "001 #1",
        "function runs as an imported role ARN with a literal account",
        _account_role(f"arn:aws:iam::{PLACEHOLDER_ACCOUNT}:role/lambda-role-{SUFFIX}"),
        _account_role(f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:role/lambda-role-{SUFFIX}"),
        ("Fn",),
    ),
    # hardcoded-region
    Case(
        "region-logs-principal",
        "hardcoded-region",
        "001 #8",
        "key policy for CloudWatch Logs names logs.us-east-1 and arn:aws:logs:us-east-1 "
        "(the seed's own fix)",
        _region_logs_key(_REGION_LITERAL),
        _region_logs_key(Aws.REGION),
        ("Key",),
    ),
    # s3-bucket-name
    Case(
        "bucket-name-global",
        "s3-bucket-name",
        "001 #2",
        "bucket name without the account id (global namespace collision)",
        _named_bucket(f"vpc-flow-logs-{SUFFIX}"),
        _named_bucket(f"vpc-flow-logs-{SUFFIX}-{Aws.ACCOUNT_ID}"),
        ("FlowLogs",),
    ),
    Case(
        "bucket-name-too-long",
        "s3-bucket-name",
        "001 #2",
        "bucket name over 63 characters once account and region resolve",
        _named_bucket(f"tap-traffic-analytics-raw-archive-{Aws.ACCOUNT_ID}-{Aws.REGION}-{SUFFIX}"),
        _named_bucket(f"tap-raw-{Aws.ACCOUNT_ID}-{Aws.REGION}-{SUFFIX}"),
        ("FlowLogs",),
    ),
    # environment-suffix
    Case(
        "suffix-in-construct-id",
        "environment-suffix",
        "004 #2",
        "suffix in the construct id (seed 004's fix), bucket name without it",
        _suffix_bucket(f"traffic-analytics-{Aws.ACCOUNT_ID}"),
        _suffix_bucket(f"traffic-analytics-{Aws.ACCOUNT_ID}-{SUFFIX}"),
        (f"TrafficAnalyticsBucket{SUFFIX}",),
    ),
    Case(
        "suffix-table-name",
        "environment-suffix",
        "004 #2, 003",
        "table named without the environment suffix",
        _suffix_table("tap-aggregates"),
        _suffix_table(f"tap-aggregates-{SUFFIX}"),
        ("Aggregates",),
    ),
    # resource-name-format
    Case(
        "iot-rule-name-hyphens",
        "resource-name-format",
        "000 #3",
        "IoT topic rule name with hyphens",
        _iot_rule_named(f"tap-telemetry-{SUFFIX}"),
        _iot_rule_named(f"tap_telemetry_{SUFFIX}"),
        ("Rule",),
    ),
    Case(
        "glue-database-uppercase",
        "resource-name-format",
        "001 #5",
        "Glue database name Athena cannot query (uppercase, hyphens)",
        _glue_database(f"Tap-Analytics-{SUFFIX}"),
        _glue_database(f"tap_analytics_{SUFFIX}"),
        ("Database",),
    ),
    # dynamodb-pitr
    Case(
        "table-without-pitr",
        "dynamodb-pitr",
        "004 #4",
        "table without point-in-time recovery",
        _table_without_pitr,
        _table_with_pitr,
        ("Aggregates",),
    ),
    Case(
        "pitr-deprecated-api",
        "dynamodb-pitr",
        "004 #4",
        "deprecated point_in_time_recovery=True (the template cannot show it)",
        _table_deprecated_pitr,
        _table_with_pitr,
        ("Aggregates",),
        synth_error=True,
    ),
    # removal-policy
    Case(
        "retain-in-dev",
        "removal-policy",
        "004 #7",
        "table RETAIN in an ephemeral environment",
        _table_policy(RemovalPolicy.RETAIN),
        _table_policy(RemovalPolicy.DESTROY),
        ("Aggregates",),
    ),
    Case(
        "destroy-without-auto-delete",
        "removal-policy",
        "004 #7, 001 #7",
        "bucket DESTROY without auto-delete objects in an ephemeral environment",
        _bucket_auto_delete(False),
        _bucket_auto_delete(True),
        ("Archive",),
    ),
    Case(
        "destroy-in-prod",
        "removal-policy",
        "004 #7",
        "table DESTROY in a persistent environment (the ephemeral habit reaching prod)",
        _table_policy(RemovalPolicy.DESTROY),
        _table_policy(RemovalPolicy.RETAIN),
        ("Aggregates",),
        ephemeral=False,
    ),
    # lambda-runtime
    Case(
        "python39-runtime",
        "lambda-runtime",
        "004 #8",
        "function on python3.9",
        _runtime(lambda_.Runtime.PYTHON_3_9),
        _runtime(lambda_.Runtime.PYTHON_3_12),
        ("Fn",),
    ),
    Case(
        "layer-python38",
        "lambda-runtime",
        "004 #8",
        "layer compatible with python3.8 only",
        _layer(lambda_.Runtime.PYTHON_3_8),
        _layer(lambda_.Runtime.PYTHON_3_12),
        ("Common",),
    ),
    # lambda-handler
    Case(
        "asset-wrong-folder",
        "lambda-handler",
        "004 #6",
        "asset staged from lib/lambda instead of lib/lambda/processor: no app.py at its root",
        _asset_folder("lib/lambda"),
        _asset_folder("lib/lambda/processor"),
        ("Fn",),
    ),
    Case(
        "handler-function-missing",
        "lambda-handler",
        "000 #6",
        "handler names app.lambda_handler; app.py defines handler",
        _handler_name("app.lambda_handler"),
        _handler_name("app.handler"),
        ("Fn",),
    ),
    # iam-code-permissions
    Case(
        "alert-without-put-metric-data",
        "iam-code-permissions",
        "004 #5",
        "alert function calls cloudwatch.put_metric_data; its role lacks PutMetricData",
        _alert_function(False),
        _alert_function(True),
        ("Alert",),
    ),
    Case(
        "processor-without-s3-put",
        "iam-code-permissions",
        "004 #5",
        "processor calls s3.put_object on the rejects bucket; its role lacks s3:PutObject",
        _rejects_function(False),
        _rejects_function(True),
        ("Processor",),
    ),
    # iam-unknown-reference
    Case(
        "managed-policy-config-role",
        "iam-unknown-reference",
        "001 #10",
        "AWS managed policy service-role/ConfigRole does not exist (AWS_ConfigRole does)",
        _config_role("service-role/ConfigRole"),
        _config_role("service-role/AWS_ConfigRole"),
        ("ConfigRole",),
    ),
    Case(
        "actions-do-not-exist",
        "iam-unknown-reference",
        "001 #10",
        "policy grants kinesis:ReadStream and s3:GetObjects (no such actions)",
        _reader_actions(["kinesis:ReadStream", "s3:GetObjects"]),
        _reader_actions(["kinesis:GetRecords", "s3:GetObject"]),
        ("ReaderRole",),
    ),
    # integration-role-permissions
    Case(
        "iot-kinesis-put-records",
        "integration-role-permissions",
        "000 #7",
        "IoT → Kinesis rule role may kinesis:PutRecords, the action needs PutRecord",
        _iot_rule_actions(["kinesis:PutRecords"]),
        _iot_rule_actions(None),
        ("Rule", "IotRole"),
    ),
    Case(
        "esm-without-stream-read",
        "integration-role-permissions",
        "000 #7, 004 #5",
        "Kinesis event source mapping whose function may not read the stream or the DLQ",
        _esm_reads(False),
        _esm_reads(True),
        ("Mapping", "Fn"),
    ),
    Case(
        "firehose-source-role",
        "integration-role-permissions",
        "000 #7",
        "Firehose source role may not read its Kinesis stream",
        _firehose_source(False),
        _firehose_source(True),
        ("Delivery", "SourceRole"),
    ),
    # cloudtrail-bucket-policy
    Case(
        "trail-without-bucket-policy",
        "cloudtrail-bucket-policy",
        "000 #4",
        "trail writes to a bucket without the CloudTrail bucket policy (persistent environment)",
        _trail(statements=False, depend=False, persistent=True),
        _trail(statements=True, depend=True, persistent=True),
        ("Trail", "TrailBucket"),
        ephemeral=False,
    ),
    Case(
        "trail-policy-without-cloudtrail",
        "cloudtrail-bucket-policy",
        "000 #4",
        "trail writes to a bucket whose policy (auto-delete, TLS) has no CloudTrail statements",
        _trail(statements=False, depend=False),
        _trail(statements=True, depend=True),
        ("Trail", "TrailBucket"),
    ),
    Case(
        "trail-not-depending-on-policy",
        "cloudtrail-bucket-policy",
        "000 #4",
        "trail does not depend on its bucket policy",
        _trail(statements=True, depend=False),
        _trail(statements=True, depend=True),
        ("Trail",),
    ),
    # kms-service-access
    Case(
        "log-group-key-root-only",
        "kms-service-access",
        "001 #8",
        "log group encrypted with a key whose policy only has the account root",
        _log_group_key(False),
        _log_group_key(True),
        ("Logs", "Key"),
    ),
    Case(
        "alarm-topic-key",
        "kms-service-access",
        "001 #8",
        "alarm publishes to a topic whose key does not let cloudwatch.amazonaws.com use it",
        _alarm_topic_key(False),
        _alarm_topic_key(True),
        ("Alerts", "Key"),
    ),
    # s3-lifecycle-filter
    Case(
        "lifecycle-without-filter",
        "s3-lifecycle-filter",
        "000 #5, 002 #5",
        "lifecycle rule with no Prefix/Filter",
        _lifecycle(None),
        _lifecycle(""),
        ("Archive",),
    ),
    # apigw-deployment-order
    Case(
        "deployment-missing-method",
        "apigw-deployment-order",
        "002 #3",
        "API deployment depends on GET only, not POST",
        _api(("GET",)),
        _api(("GET", "POST")),
        ("Deployment",),
    ),
    # s3-notification-permission
    Case(
        "notification-without-permission",
        "s3-notification-permission",
        "002 #4",
        "bucket notifies a function with no s3.amazonaws.com invoke permission",
        _notification(permission=False, depend=False),
        _notification(permission=True, depend=True),
        ("Images", "ReviewProcessor"),
    ),
    Case(
        "notification-without-dependency",
        "s3-notification-permission",
        "002 #4",
        "the permission exists, the bucket does not depend on it",
        _notification(permission=True, depend=False),
        _notification(permission=True, depend=True),
        ("Images",),
    ),
    # iot-substitution
    Case(
        "partition-key-fn-sub",
        "iot-substitution",
        "000 #7",
        "IoT ${topic(3)} unescaped inside Fn::Sub",
        _partition_key("${topic(3)}"),
        _partition_key("${!topic(3)}"),
        ("Rule",),
    ),
    Case(
        "iot-sql-unparsable",
        "iot-substitution",
        "000 #7",
        "IoT SQL with an unquoted topic filter",
        _iot_sql("SELECT *, topic(3) AS sensor_id FROM traffic/v1/+/telemetry"),
        _iot_sql("SELECT *, topic(3) AS sensor_id FROM 'traffic/v1/+/telemetry'"),
        ("Rule",),
    ),
    # cfn-schema
    Case(
        "use-lockfile-override",
        "cfn-schema",
        "003 #1, 002 #2",
        "escape hatch adds UseLockfile to a bucket",
        _use_lockfile(True),
        _use_lockfile(False),
        ("State",),
    ),
    Case(
        "stream-mode-camel-case",
        "cfn-schema",
        "000 #2",
        "StreamModeDetails.streamMode (camelCase)",
        _stream_mode("streamMode"),
        _stream_mode("StreamMode"),
        ("Telemetry",),
    ),
    Case(
        "searchable-attributes-camel-case",
        "cfn-schema",
        "000 #3",
        "ThingTypeProperties.searchableAttributes (camelCase)",
        _thing_type({"searchableAttributes": ["location", "segment_id", "lane"]}),
        _thing_type({"SearchableAttributes": ["location", "segment_id", "lane"]}),
        ("Sensor",),
    ),
    Case(
        "searchable-attributes-over-limit",
        "cfn-schema",
        "000 #3",
        "four searchable attributes (the schema allows 3)",
        _thing_type({"SearchableAttributes": ["location", "facility", "equipment_type", "line"]}),
        _thing_type({"SearchableAttributes": ["location", "facility", "equipment_type"]}),
        ("Sensor",),
    ),
    Case(
        "lifecycle-list-vs-object",
        "cfn-schema",
        "001 #6",
        "NoncurrentVersionExpiration given as a list of objects",
        _noncurrent_expiration([{"NoncurrentDays": 90}]),
        _noncurrent_expiration({"NoncurrentDays": 90}),
        ("FlowLogs",),
    ),
    # stream-error-handling
    Case(
        "kinesis-source-defaults",
        "stream-error-handling",
        "004 #9, 003",
        "Kinesis event source with CDK defaults: no partial batch, bisect, bounds, destination",
        _kinesis_source(False),
        _kinesis_source(True),
        ("Processor",),
    ),
    Case(
        "sqs-source-without-partial-batch",
        "stream-error-handling",
        "003",
        "SQS event source without partial batch responses",
        _sqs_source(False),
        _sqs_source(True),
        ("Processor",),
    ),
    # log-retention
    Case(
        "log-group-without-retention",
        "log-retention",
        "003",
        "log group that never expires",
        _log_retention(logs.RetentionDays.INFINITE),
        _log_retention(logs.RetentionDays.ONE_MONTH),
        ("Logs",),
    ),
    Case(
        "function-implicit-log-group",
        "log-retention",
        "003",
        "function logging to its implicit, never-expiring log group",
        _function_log_group(False),
        _function_log_group(True),
        ("Fn",),
    ),
)

# RULES-SPEC Part 2, one module per class under bench/coverage/part2/ (imported last: those
# modules build on the helpers above).
from bench.coverage import part2  # noqa: E402

PART2_CASES = part2.collect()
CASES = CASES + PART2_CASES
