"""The defaults suite's app: aws-cdk-lib L2 constructs used the way their docs show them.

One stack touches every service the rule pack knows, and every handler aws-cdk-lib vends
that such an app pulls in (S3 notifications, BucketDeployment, AwsCustomResource, the
provider framework, log retention, auto-delete objects). The user's functions share one
asset folder (``APP_CODE``), each granted what its own handler module calls.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_athena as athena
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
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
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from aws_cdk import custom_resources as cr

__all__ = ["APP_CODE", "STACK", "build_app", "write_app_code"]

STACK = "DefaultsStack"
LATEST_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64"

# One asset folder for every user function (each Handler names its own module).
APP_CODE: dict[str, str] = {
    "common/__init__.py": "",
    "common/clients.py": """\
        import os

        import boto3

        _table = None


        def table():
            global _table
            if _table is None:
                _table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
            return _table
    """,
    "api.py": """\
        import json

        from common.clients import table


        def handler(event, context):
            if event.get("httpMethod") == "POST":
                table().put_item(Item=json.loads(event["body"]))
            item = table().get_item(Key={"pk": event.get("path", "/")})
            return {"statusCode": 200, "body": json.dumps(item.get("Item", {}))}
    """,
    "orders.py": """\
        import json

        from common.clients import table


        def handler(event, context):
            for record in event["Records"]:
                table().put_item(Item=json.loads(record["body"]))
    """,
    "telemetry.py": """\
        import os

        import boto3

        firehose = boto3.client("firehose")


        def handler(event, context):
            for record in event["Records"]:
                firehose.put_record(
                    DeliveryStreamName=os.environ["DELIVERY_STREAM"],
                    Record={"Data": record["kinesis"]["data"]},
                )
    """,
    "uploads.py": """\
        import boto3

        s3 = boto3.client("s3")


        def handler(event, context):
            for record in event["Records"]:
                bucket = record["s3"]["bucket"]["name"]
                key = record["s3"]["object"]["key"]
                s3.get_object(Bucket=bucket, Key=key)
    """,
    "report.py": """\
        import os

        import boto3

        sns = boto3.client("sns")


        def handler(event, context):
            sns.publish(TopicArn=os.environ["TOPIC_ARN"], Message="hourly report")
    """,
    "enqueue.py": """\
        import os

        import boto3

        sqs = boto3.client("sqs")


        def handler(event, context):
            sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody="step")
            return event
    """,
    "provider.py": """\
        import boto3

        ssm = boto3.client("ssm")


        def on_event(event, context):
            name = event["ResourceProperties"]["Name"]
            if event["RequestType"] == "Delete":
                ssm.delete_parameter(Name=name)
            else:
                ssm.put_parameter(Name=name, Value="ready", Type="String", Overwrite=True)
            return {"PhysicalResourceId": name}
    """,
    "changes.py": """\
        def handler(event, context):
            return {"batchItemFailures": []}
    """,
}


def write_app_code(root: Path) -> Path:
    """Write :data:`APP_CODE` under ``root`` and return the folder."""
    for rel, text in APP_CODE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def _function(
    stack: cdk.Stack, cid: str, handler: str, code: Path, **kwargs: object
) -> lambda_.Function:
    return lambda_.Function(
        stack,
        cid,
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler=handler,
        code=lambda_.Code.from_asset(str(code)),
        log_group=logs.LogGroup(
            stack,
            f"{cid}Logs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        ),
        **kwargs,  # type: ignore[arg-type]
    )


def build_app(outdir: Path, code: Path) -> cdk.App:  # noqa: PLR0915 - one app, read top-down
    """The app (not synthesized): every L2 the rule pack knows, as their docs use them."""
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, STACK)

    # -- storage: KMS, S3, DynamoDB --------------------------------------------------------
    key = kms.Key(stack, "DataKey", enable_key_rotation=True)
    uploads = s3.Bucket(
        stack,
        "Uploads",
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        removal_policy=cdk.RemovalPolicy.DESTROY,
        auto_delete_objects=True,
    )
    table = dynamodb.Table(
        stack,
        "Orders",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    )

    # -- messaging: SNS, SQS ---------------------------------------------------------------
    topic = sns.Topic(stack, "Alerts")
    topic.add_subscription(subs.EmailSubscription("ops@example.com"))
    dlq = sqs.Queue(stack, "OrdersDlq", encryption=sqs.QueueEncryption.KMS_MANAGED)
    orders_queue = sqs.Queue(
        stack,
        "OrdersQueue",
        visibility_timeout=cdk.Duration.minutes(5),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=3),
    )
    removed_queue = sqs.Queue(stack, "RemovedObjects")

    # -- streaming: Kinesis, Firehose ------------------------------------------------------
    stream = kinesis.Stream(
        stack, "Telemetry", encryption=kinesis.StreamEncryption.MANAGED, shard_count=1
    )
    archive = s3.Bucket(
        stack, "Archive", removal_policy=cdk.RemovalPolicy.DESTROY, auto_delete_objects=True
    )
    delivery = firehose.DeliveryStream(stack, "ToArchive", destination=firehose.S3Bucket(archive))

    # -- functions (one asset folder) --------------------------------------------------------
    env = {"TABLE_NAME": table.table_name}
    api_fn = _function(stack, "ApiFn", "api.handler", code, environment=env)
    table.grant_read_write_data(api_fn)
    orders_fn = _function(
        stack, "OrdersFn", "orders.handler", code, environment=env, timeout=cdk.Duration.seconds(30)
    )
    table.grant_write_data(orders_fn)
    orders_fn.add_event_source(sources.SqsEventSource(orders_queue, batch_size=1))
    telemetry_fn = _function(
        stack,
        "TelemetryFn",
        "telemetry.handler",
        code,
        environment={"DELIVERY_STREAM": delivery.delivery_stream_name},
    )
    delivery.grant_put_records(telemetry_fn)
    telemetry_fn.add_event_source(
        sources.KinesisEventSource(
            stream, starting_position=lambda_.StartingPosition.TRIM_HORIZON, batch_size=1
        )
    )
    changes_fn = _function(stack, "ChangesFn", "changes.handler", code)
    changes_fn.add_event_source(
        sources.DynamoEventSource(
            table,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=100,
            bisect_batch_on_error=True,
            report_batch_item_failures=True,
            retry_attempts=3,
            max_record_age=cdk.Duration.hours(1),
            on_failure=sources.SqsDlq(dlq),
        )
    )
    uploads_fn = _function(stack, "UploadsFn", "uploads.handler", code)
    uploads.grant_read(uploads_fn)
    report_fn = _function(
        stack, "ReportFn", "report.handler", code, environment={"TOPIC_ARN": topic.topic_arn}
    )
    topic.grant_publish(report_fn)
    enqueue_fn = _function(
        stack,
        "EnqueueFn",
        "enqueue.handler",
        code,
        environment={"QUEUE_URL": orders_queue.queue_url},
    )
    orders_queue.grant_send_messages(enqueue_fn)

    # -- S3 notifications on a managed bucket (CDK's notifications handler) ----------------
    uploads.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(uploads_fn))
    uploads.add_event_notification(s3.EventType.OBJECT_REMOVED, s3n.SqsDestination(removed_queue))
    uploads.add_object_created_notification(
        s3n.SnsDestination(topic), s3.NotificationKeyFilter(prefix="reports/")
    )

    # -- BucketDeployment (CDK's deployment handler) -----------------------------------------
    s3deploy.BucketDeployment(
        stack,
        "SeedConfig",
        sources=[s3deploy.Source.data("config/app.json", '{"mode": "defaults"}')],
        destination_bucket=uploads,
        destination_key_prefix="config/",
    )

    # -- API Gateway -------------------------------------------------------------------------
    apigw.LambdaRestApi(stack, "ProxyApi", handler=api_fn)
    rest = apigw.RestApi(stack, "OrdersApi")
    items = rest.root.add_resource("items")
    items.add_method("GET", apigw.LambdaIntegration(api_fn))
    items.add_method("POST", apigw.LambdaIntegration(api_fn))

    # -- Step Functions ----------------------------------------------------------------------
    invoke = tasks.LambdaInvoke(
        stack, "Enqueue", lambda_function=enqueue_fn, output_path="$.Payload"
    )
    sfn.StateMachine(
        stack,
        "Workflow",
        definition_body=sfn.DefinitionBody.from_chainable(invoke.next(sfn.Succeed(stack, "Done"))),
        timeout=cdk.Duration.minutes(5),
    )

    # -- EventBridge -------------------------------------------------------------------------
    events.Rule(
        stack,
        "Hourly",
        schedule=events.Schedule.rate(cdk.Duration.hours(1)),
        targets=[targets.LambdaFunction(report_fn)],
    )
    events.Rule(
        stack,
        "ObjectCreated",
        event_pattern=events.EventPattern(source=["aws.s3"], detail_type=["Object Created"]),
        targets=[targets.SqsQueue(removed_queue)],
    )

    # -- IoT (L1, as its docs show) → Kinesis ------------------------------------------------
    iot_role = iam.Role(stack, "IotToKinesis", assumed_by=iam.ServicePrincipal("iot.amazonaws.com"))
    stream.grant_write(iot_role)
    iot.CfnTopicRule(
        stack,
        "TelemetryRule",
        topic_rule_payload=iot.CfnTopicRule.TopicRulePayloadProperty(
            sql="SELECT * FROM 'devices/+/telemetry'",
            aws_iot_sql_version="2016-03-23",
            actions=[
                iot.CfnTopicRule.ActionProperty(
                    kinesis=iot.CfnTopicRule.KinesisActionProperty(
                        stream_name=stream.stream_name,
                        role_arn=iot_role.role_arn,
                        partition_key="${topic()}",
                    )
                )
            ],
        ),
    )

    # -- Glue + Athena (L1) --------------------------------------------------------------------
    database = glue.CfnDatabase(
        stack,
        "AnalyticsDb",
        catalog_id=cdk.Aws.ACCOUNT_ID,
        database_input=glue.CfnDatabase.DatabaseInputProperty(name="log-database"),
    )
    table_input = glue.CfnTable.TableInputProperty(
        name="telemetry",
        table_type="EXTERNAL_TABLE",
        parameters={"classification": "json"},
        storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
            columns=[glue.CfnTable.ColumnProperty(name="device", type="string")],
            location=f"s3://{archive.bucket_name}/",
            input_format="org.apache.hadoop.mapred.TextInputFormat",
            output_format="org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            serde_info=glue.CfnTable.SerdeInfoProperty(
                serialization_library="org.openx.data.jsonserde.JsonSerDe"
            ),
        ),
    )
    glue_table = glue.CfnTable(
        stack,
        "TelemetryTable",
        catalog_id=cdk.Aws.ACCOUNT_ID,
        database_name="log-database",
        table_input=table_input,
    )
    glue_table.node.add_dependency(database)
    athena.CfnWorkGroup(
        stack,
        "Analysts",
        name="analysts",
        work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
            result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                output_location=f"s3://{archive.bucket_name}/athena-results/"
            )
        ),
    )

    # -- CloudTrail ----------------------------------------------------------------------------
    trail = cloudtrail.Trail(stack, "Trail")
    trail.add_s3_event_selector([cloudtrail.S3EventSelector(bucket=uploads)])

    # -- custom resources: AwsCustomResource, Provider framework, log retention -----------------
    cr.AwsCustomResource(
        stack,
        "LatestAmi",
        on_update=cr.AwsSdkCall(
            service="SSM",
            action="getParameter",
            parameters={"Name": LATEST_AMI_PARAMETER},
            physical_resource_id=cr.PhysicalResourceId.of("latest-ami"),
        ),
        policy=cr.AwsCustomResourcePolicy.from_sdk_calls(
            resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE
        ),
        install_latest_aws_sdk=False,
    )
    on_event = _function(stack, "ParameterProvider", "provider.on_event", code)
    on_event.add_to_role_policy(
        iam.PolicyStatement(
            actions=["ssm:PutParameter", "ssm:DeleteParameter"],
            resources=[
                stack.format_arn(service="ssm", resource="parameter", resource_name="app/*")
            ],
        )
    )
    provider = cr.Provider(stack, "ParameterProviderFramework", on_event_handler=on_event)
    cdk.CustomResource(
        stack,
        "ReadyFlag",
        service_token=provider.service_token,
        properties={"Name": "/app/ready"},
    )
    logs.LogRetention(
        stack,
        "ApiAccessLogsRetention",
        log_group_name="/aws/apigateway/orders-access",
        retention=logs.RetentionDays.ONE_WEEK,
    )
    return app
