"""Precision of the rules-p2a Part 2 rules on aws-cdk-lib L2 defaults.

Classes: s3-acl-ownership, s3-public-access-block, sqs-visibility-timeout, fifo-incompatible,
policy-size-limit, lambda-environment, circular-dependency, missing-dependson and
kms-service-access (AWS managed keys). GIVEN realistic stacks built from the L2 constructs of
those services with their defaults (a CloudFront site with logging, access-logged buckets,
SQS/SNS/S3/EventBridge fan-out, a Lambda REST API with a usage plan and Cognito triggers, a
Fargate service, EFS, Firehose, Step Functions) WHEN the pack evaluates them THEN none of
those rules fires: the L2s already order, size and configure these correctly.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as ddb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_ecs_patterns as patterns
from aws_cdk import aws_efs as efs
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks

P2A_RULES = (
    "TAP-S3-20",
    "TAP-S3-21",
    "TAP-SQS-1",
    "TAP-SQS-2",
    "TAP-IAM-20",
    "TAP-IAM-21",
    "TAP-LAMBDA-20",
    "TAP-LAMBDA-21",
    "TAP-CFN-20",
    "TAP-FIREHOSE-1",
    "TAP-APIGW-20",
    "TAP-KMS-20",
)


def _fn(stack, cid, **kwargs):
    return lambda_.Function(
        stack,
        cid,
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
        **kwargs,
    )


def _web(stack: cdk.Stack) -> None:
    site = s3.Bucket(stack, "Site")
    cloudfront.Distribution(
        stack,
        "Cdn",
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.S3BucketOrigin.with_origin_access_control(site)
        ),
        enable_logging=True,
    )
    s3.Bucket(
        stack,
        "Logged",
        server_access_logs_bucket=s3.Bucket(stack, "AccessLogs"),
        enforce_ssl=True,
        encryption=s3.BucketEncryption.KMS,
    )
    s3.Bucket(
        stack,
        "Public",
        public_read_access=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ACLS_ONLY,
        website_index_document="index.html",
    )


def _messaging(stack: cdk.Stack) -> None:
    queue = sqs.Queue(stack, "Jobs", visibility_timeout=Duration.seconds(180))
    worker = _fn(stack, "Worker", timeout=Duration.seconds(30))
    worker.add_event_source(sources.SqsEventSource(queue))
    topic = sns.Topic(stack, "Events")
    topic.add_subscription(subs.SqsSubscription(queue))
    topic.add_subscription(subs.LambdaSubscription(worker))
    fifo = sns.Topic(stack, "Orders", fifo=True)
    fifo.add_subscription(subs.SqsSubscription(sqs.Queue(stack, "OrdersQueue", fifo=True)))
    inbox = s3.Bucket(stack, "Inbox")
    inbox.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.SqsDestination(queue))
    inbox.add_event_notification(s3.EventType.OBJECT_REMOVED, s3n.SnsDestination(topic))
    inbox.add_event_notification(
        s3.EventType.OBJECT_CREATED,
        s3n.LambdaDestination(worker),
        s3.NotificationKeyFilter(prefix="incoming/"),
    )
    alarm = cw.Alarm(
        stack,
        "Backlog",
        metric=queue.metric_approximate_age_of_oldest_message(),
        threshold=60,
        evaluation_periods=1,
    )
    alarm.add_alarm_action(cw_actions.SnsAction(topic))
    events.Rule(
        stack,
        "Tick",
        schedule=events.Schedule.rate(Duration.minutes(5)),
        targets=[targets.SqsQueue(queue), targets.SnsTopic(topic), targets.LambdaFunction(worker)],
    )
    table = ddb.Table(
        stack,
        "Table",
        partition_key=ddb.Attribute(name="pk", type=ddb.AttributeType.STRING),
        stream=ddb.StreamViewType.NEW_IMAGE,
    )
    worker.add_event_source(
        sources.DynamoEventSource(table, starting_position=lambda_.StartingPosition.LATEST)
    )
    table.grant_read_write_data(worker)
    queue.grant_send_messages(worker)
    topic.grant_publish(worker)
    inbox.grant_read_write(worker)


def _api(stack: cdk.Stack) -> None:
    handler = _fn(stack, "Handler", environment={"POWERTOOLS_SERVICE_NAME": "api"})
    api = apigw.LambdaRestApi(stack, "Api", handler=handler)
    items = api.root.add_resource("items")
    items.add_method("GET")
    items.add_method("POST")
    items.add_resource("{id}").add_method("GET")
    plan = api.add_usage_plan("Plan", throttle=apigw.ThrottleSettings(rate_limit=10, burst_limit=2))
    plan.add_api_stage(stage=api.deployment_stage)
    plan.add_api_key(api.add_api_key("Key"))
    pool = cognito.UserPool(
        stack, "Users", lambda_triggers=cognito.UserPoolTriggers(pre_sign_up=_fn(stack, "Signup"))
    )
    pool.add_client("Web")
    items.add_resource("secure").add_method(
        "GET",
        authorizer=apigw.CognitoUserPoolsAuthorizer(stack, "Auth", cognito_user_pools=[pool]),
        authorization_type=apigw.AuthorizationType.COGNITO,
    )


def _compute(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    fs = efs.FileSystem(stack, "Fs", vpc=vpc)
    ap = fs.add_access_point(
        "Data",
        path="/data",
        create_acl=efs.Acl(owner_uid="1000", owner_gid="1000", permissions="750"),
        posix_user=efs.PosixUser(uid="1000", gid="1000"),
    )
    _fn(stack, "Reader", vpc=vpc, filesystem=lambda_.FileSystem.from_efs_access_point(ap, "/mnt/d"))
    patterns.ApplicationLoadBalancedFargateService(
        stack,
        "Service",
        vpc=vpc,
        task_image_options=patterns.ApplicationLoadBalancedTaskImageOptions(
            image=ecs.ContainerImage.from_registry("nginx")
        ),
    )
    firehose.DeliveryStream(
        stack, "Delivery", destination=firehose.S3Bucket(s3.Bucket(stack, "Archive"))
    )
    machine = sfn.StateMachine(
        stack,
        "Flow",
        definition_body=sfn.DefinitionBody.from_chainable(
            tasks.LambdaInvoke(stack, "Invoke", lambda_function=_fn(stack, "Step")).next(
                sfn.Succeed(stack, "Done")
            )
        ),
    )
    key = kms.Key(stack, "Key")
    key.grant(
        iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*"
    )
    alarm = cw.Alarm(
        stack, "Failed", metric=machine.metric_failed(), threshold=1, evaluation_periods=1
    )
    alarm.add_alarm_action(cw_actions.SnsAction(sns.Topic(stack, "Alerts", master_key=key)))


def test_part2_p2a_rules_are_silent_on_l2_defaults(synth):
    def build(stack: cdk.Stack) -> None:
        for part in (_web, _messaging, _api, _compute):
            part(stack)

    report = synth(build, rules=P2A_RULES)

    assert [(f.rule_id, f.logical_id, f.message) for f in report.active] == []
