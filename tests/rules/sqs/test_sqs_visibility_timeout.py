"""sqs-visibility-timeout (TAP-SQS-1): queues outlast the functions their mappings invoke."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from conftest import of_class

SLUG = "sqs-visibility-timeout"


def _consumer(stack, queue, timeout, *, alias=False):
    fn = lambda_.Function(
        stack,
        "Consumer",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
        timeout=timeout,
    )
    target = (
        lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version) if alias else fn
    )
    target.add_event_source(sources.SqsEventSource(queue, report_batch_item_failures=True))


def test_sqs_visibility_timeout_default_queue_and_a_minute_function_is_a_finding(synth):
    # sqs.Queue's default visibility timeout is 30 s
    findings = of_class(
        synth(lambda st: _consumer(st, sqs.Queue(st, "Jobs"), Duration.minutes(1)), rules=(SLUG,)),
        SLUG,
    )

    assert [(f.rule_id, f.property_path, f.severity) for f in findings] == [
        ("TAP-SQS-1", "Properties/EventSourceArn", "error")
    ]
    assert "(30 s)" in findings[0].message and "(60 s)" in findings[0].message


def test_sqs_visibility_timeout_through_an_alias_is_a_finding(synth):
    def build(stack):
        queue = sqs.Queue(stack, "Jobs", visibility_timeout=Duration.seconds(60))
        _consumer(stack, queue, Duration.minutes(5), alias=True)

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert len(findings) == 1 and "(300 s)" in findings[0].message


def test_sqs_visibility_timeout_six_times_the_function_timeout_passes(synth):
    def build(stack):
        queue = sqs.Queue(stack, "Jobs", visibility_timeout=Duration.minutes(6))
        _consumer(stack, queue, Duration.minutes(1))

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_sqs_visibility_timeout_cdk_defaults_pass(synth):
    # 3 s function, 30 s queue
    assert (
        of_class(synth(lambda st: _consumer(st, sqs.Queue(st, "Jobs"), None), rules=(SLUG,)), SLUG)
        == []
    )


def test_sqs_visibility_timeout_below_six_times_the_function_timeout_is_a_warning(synth):
    # GIVEN a queue that outlasts the function (the mapping deploys) but by less than 6x
    def build(stack):
        queue = sqs.Queue(stack, "Jobs", visibility_timeout=Duration.minutes(2))
        _consumer(stack, queue, Duration.minutes(1))

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    # THEN a warning (it never fails synth) with AWS's recommended figure
    assert [(f.rule_id, f.severity) for f in findings] == [("TAP-SQS-1", "warning")]
    assert "recommended" in findings[0].message and "= 360 s" in findings[0].message
