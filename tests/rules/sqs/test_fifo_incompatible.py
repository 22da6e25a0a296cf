"""fifo-incompatible (TAP-SQS-2): FIFO queues and topics only behind sources that feed them."""

from __future__ import annotations

from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs
from conftest import of_class

SLUG = "fifo-incompatible"


def _notify(stack, queue):
    s3.Bucket(stack, "Uploads").add_event_notification(
        s3.EventType.OBJECT_CREATED, s3n.SqsDestination(queue)
    )


def test_fifo_incompatible_s3_notification_to_a_fifo_queue_is_a_finding(synth):
    findings = of_class(
        synth(lambda st: _notify(st, sqs.Queue(st, "Jobs", fifo=True)), rules=(SLUG,)), SLUG
    )

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-SQS-2", "Properties/NotificationConfiguration/QueueConfigurations/0/QueueArn")
    ]
    assert "FIFO queue Jobs" in findings[0].message


def test_fifo_incompatible_s3_notification_to_a_fifo_topic_is_a_finding(synth):
    def build(stack):
        topic = sns.Topic(stack, "Events", fifo=True)
        s3.Bucket(stack, "Uploads").add_event_notification(
            s3.EventType.OBJECT_CREATED, s3n.SnsDestination(topic)
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [f.property_path for f in findings] == [
        "Properties/NotificationConfiguration/TopicConfigurations/0/TopicArn"
    ]


def test_fifo_incompatible_s3_notification_to_a_standard_queue_passes(synth):
    assert of_class(synth(lambda st: _notify(st, sqs.Queue(st, "Jobs")), rules=(SLUG,)), SLUG) == []


def test_fifo_incompatible_fifo_queue_on_a_standard_topic_is_a_finding(synth):
    def build(stack):
        queue = sqs.Queue(stack, "Orders", fifo=True)
        topic = sns.Topic(stack, "Events")
        sns.Subscription(
            stack,
            "Sub",
            topic=topic,
            endpoint=queue.queue_arn,
            protocol=sns.SubscriptionProtocol.SQS,
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [f.property_path for f in findings] == ["Properties/Endpoint"]
    assert findings[0].logical_id.startswith("Sub")
    assert "FIFO queue Orders" in findings[0].message


def test_fifo_incompatible_fifo_queue_on_a_fifo_topic_passes(synth):
    def build(stack):
        queue = sqs.Queue(stack, "Orders", fifo=True)
        sns.Topic(stack, "Events", fifo=True).add_subscription(subs.SqsSubscription(queue))

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []
