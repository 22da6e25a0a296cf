"""fifo-incompatible: FIFO queues behind sources that deliver to standard ones only."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs

from bench.coverage.cases import SUFFIX, Build, Case, _bucket


def _s3_to_queue(fifo: bool) -> Build:
    # The bucket's own NotificationConfiguration (L1), with the queue policy S3 needs: the
    # L2's add_event_notification goes through CDK's custom resource (tests cover that path).
    def build(stack: cdk.Stack) -> None:
        queue = sqs.Queue(stack, "Jobs", enforce_ssl=True, fifo=fifo or None)
        queue.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("s3.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[queue.queue_arn],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        bucket = _bucket(stack, "Uploads")
        cfn = bucket.node.default_child
        assert isinstance(cfn, s3.CfnBucket)
        cfn.add_property_override(
            "NotificationConfiguration.QueueConfigurations",
            [{"Event": "s3:ObjectCreated:*", "Queue": queue.queue_arn}],
        )
        bucket.node.add_dependency(queue.node.find_child("Policy"))  # the queue's one policy

    return build


def _topic_to_fifo_queue(fifo_topic: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        queue = sqs.Queue(stack, "Orders", enforce_ssl=True, fifo=True)
        topic = sns.Topic(
            stack,
            "Events",
            enforce_ssl=True,
            fifo=fifo_topic or None,
            topic_name=f"orders-events-{SUFFIX}",
        )
        if fifo_topic:
            topic.add_subscription(subs.SqsSubscription(queue))
        else:  # SqsSubscription refuses this pairing; sns.Subscription does not
            sns.Subscription(
                stack,
                "EventsOrders",
                topic=topic,
                endpoint=queue.queue_arn,
                protocol=sns.SubscriptionProtocol.SQS,
            )

    return build


CASES = (
    Case(
        "s3-notification-fifo-queue",
        "fifo-incompatible",
        "reported",
        "S3 event notification to a FIFO queue",
        _s3_to_queue(True),
        _s3_to_queue(False),
        ("Uploads",),
    ),
    Case(
        "fifo-queue-standard-topic",
        "fifo-incompatible",
        "reported",
        "FIFO queue subscribed to a standard SNS topic",
        _topic_to_fifo_queue(False),
        _topic_to_fifo_queue(True),
        ("EventsOrders", "Events"),
    ),
)
