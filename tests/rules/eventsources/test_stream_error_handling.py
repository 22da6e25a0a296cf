"""Class `stream-error-handling`: stream event source mappings handle poison records.

GIVEN a Lambda event source mapping on a Kinesis stream, a DynamoDB stream or an SQS queue,
WHEN a setting that contains a failing record is missing, THEN the matching TAP-ESM rule
reports it on the mapping's property.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as ddb
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs

from tap.rules.engine import Options, evaluate
from tap.rules.model import StackTemplate, load_path
from tests.rules.conftest import of_class

RULES = ("stream-error-handling",)
ALL_STREAM_RULES = {
    ("TAP-ESM-1", "Properties/FunctionResponseTypes"),
    ("TAP-ESM-2", "Properties/BisectBatchOnFunctionError"),
    ("TAP-ESM-3", "Properties/MaximumRetryAttempts"),
    ("TAP-ESM-4", "Properties/MaximumRecordAgeInSeconds"),
    ("TAP-ESM-5", "Properties/DestinationConfig/OnFailure/Destination"),
}


def _function(stack: cdk.Stack) -> lambda_.Function:
    return lambda_.Function(
        stack,
        "Processor",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
    )


def _found(report):
    return {(f.rule_id, f.property_path): f for f in of_class(report, "stream-error-handling")}


def test_bare_l1_kinesis_mapping_misses_every_setting(synth):
    def build(stack):
        stream = kinesis.Stream(stack, "Telemetry")
        kinesis_fn = _function(stack)
        lambda_.CfnEventSourceMapping(
            stack,
            "Mapping",
            function_name=kinesis_fn.function_name,
            event_source_arn=stream.stream_arn,
            starting_position="LATEST",
        )

    found = _found(synth(build, rules=RULES))
    assert set(found) == ALL_STREAM_RULES
    assert all(f.logical_id == "Mapping" for f in found.values())
    assert "kinesis event source mapping without ReportBatchItemFailures" in (
        found[("TAP-ESM-1", "Properties/FunctionResponseTypes")].message
    )
    assert "retries forever" in found[("TAP-ESM-3", "Properties/MaximumRetryAttempts")].message


def test_explicit_minus_one_and_false_are_unbounded(synth):
    def build(stack):
        stream = kinesis.Stream(stack, "Telemetry")
        lambda_.CfnEventSourceMapping(
            stack,
            "Mapping",
            function_name=_function(stack).function_name,
            event_source_arn=stream.stream_arn,
            starting_position="TRIM_HORIZON",
            function_response_types=["ReportBatchItemFailures"],
            bisect_batch_on_function_error=False,
            maximum_retry_attempts=-1,
            maximum_record_age_in_seconds=-1,
            destination_config=lambda_.CfnEventSourceMapping.DestinationConfigProperty(
                on_failure=lambda_.CfnEventSourceMapping.OnFailureProperty(
                    destination=sqs.Queue(stack, "Dlq").queue_arn
                )
            ),
        )

    found = _found(synth(build, rules=RULES))
    assert set(found) == {
        ("TAP-ESM-2", "Properties/BisectBatchOnFunctionError"),
        ("TAP-ESM-3", "Properties/MaximumRetryAttempts"),
        ("TAP-ESM-4", "Properties/MaximumRecordAgeInSeconds"),
    }
    assert "False" in found[("TAP-ESM-2", "Properties/BisectBatchOnFunctionError")].message
    assert (
        "MaximumRetryAttempts -1" in found[("TAP-ESM-3", "Properties/MaximumRetryAttempts")].message
    )


def test_dynamodb_stream_source_with_cdk_defaults_is_reported(synth):
    def build(stack):
        table = ddb.Table(
            stack,
            "Readings",
            partition_key=ddb.Attribute(name="pk", type=ddb.AttributeType.STRING),
            stream=ddb.StreamViewType.NEW_IMAGE,
        )
        _function(stack).add_event_source(
            sources.DynamoEventSource(table, starting_position=lambda_.StartingPosition.LATEST)
        )

    found = _found(synth(build, rules=RULES))
    assert set(found) == ALL_STREAM_RULES
    assert (
        "dynamodb event source mapping"
        in found[("TAP-ESM-1", "Properties/FunctionResponseTypes")].message
    )


def test_stream_identified_by_a_literal_arn(synth):
    def build(stack):
        lambda_.CfnEventSourceMapping(
            stack,
            "Imported",
            function_name=_function(stack).function_name,
            event_source_arn=f"arn:aws:kinesis:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:stream/shared",
            starting_position="LATEST",
            function_response_types=["ReportBatchItemFailures"],
            bisect_batch_on_function_error=True,
            maximum_retry_attempts=5,
            maximum_record_age_in_seconds=3600,
        )

    found = _found(synth(build, rules=RULES))
    assert set(found) == {("TAP-ESM-5", "Properties/DestinationConfig/OnFailure/Destination")}
    assert found[
        ("TAP-ESM-5", "Properties/DestinationConfig/OnFailure/Destination")
    ].logical_id == ("Imported")


def test_sqs_source_needs_only_partial_batch_responses(synth):
    def build(stack):
        fn = _function(stack)
        fn.add_event_source(sources.SqsEventSource(sqs.Queue(stack, "Plain")))
        fn.add_event_source(
            sources.SqsEventSource(sqs.Queue(stack, "Partial"), report_batch_item_failures=True)
        )

    findings = of_class(synth(build, rules=RULES), "stream-error-handling")
    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-ESM-1", "Properties/FunctionResponseTypes")
    ]
    assert "sqs event source mapping" in findings[0].message
    assert "Plain" in findings[0].logical_id
    # a warning: SQS redelivers the failed batch (no shard blocked), so it never fails synth
    assert findings[0].severity == "warning"


def test_fully_configured_stream_sources_pass(synth):
    def build(stack):
        dlq = sqs.Queue(stack, "Dlq")
        fn = _function(stack)
        stream = kinesis.Stream(stack, "Telemetry", stream_mode=kinesis.StreamMode.ON_DEMAND)
        table = ddb.Table(
            stack,
            "Readings",
            partition_key=ddb.Attribute(name="pk", type=ddb.AttributeType.STRING),
            stream=ddb.StreamViewType.NEW_IMAGE,
        )
        settings = dict(
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            report_batch_item_failures=True,
            bisect_batch_on_error=True,
            retry_attempts=3,
            max_record_age=cdk.Duration.hours(1),
            on_failure=sources.SqsDlq(dlq),
        )
        fn.add_event_source(sources.KinesisEventSource(stream, **settings))
        fn.add_event_source(sources.DynamoEventSource(table, **settings))

    report = synth(build, rules=RULES)
    assert of_class(report, "stream-error-handling") == []
    assert sum(1 for f in report.findings) == 0


def test_batch_size_one_needs_no_bisection_nor_partial_batch_response(synth):
    # GIVEN one record per batch, as CDK's docs write it: an SQS queue and a Kinesis stream
    # with batch_size=1, and no other setting; and a Kinesis source with batch_size=2
    def build(stack):
        fn = _function(stack)
        fn.add_event_source(sources.SqsEventSource(sqs.Queue(stack, "Orders"), batch_size=1))
        fn.add_event_source(
            sources.KinesisEventSource(
                kinesis.Stream(stack, "One"),
                starting_position=lambda_.StartingPosition.LATEST,
                batch_size=1,
            )
        )
        fn.add_event_source(
            sources.KinesisEventSource(
                kinesis.Stream(stack, "Two"),
                starting_position=lambda_.StartingPosition.LATEST,
                batch_size=2,
            )
        )

    # WHEN the stack is checked
    findings = of_class(synth(build, rules=RULES), "stream-error-handling")
    by_source: dict[str, set[str]] = {}
    for f in findings:
        source = next(s for s in ("Orders", "One", "Two") if s in f.logical_id)
        by_source.setdefault(source, set()).add(f.rule_id)

    # THEN a one-record batch is neither bisected nor partially reported (nothing to split,
    # the batch is the record), yet a poison record on the stream still needs bounded
    # retries, a bounded age and an on-failure destination; a batch of 2 needs everything
    assert "Orders" not in by_source
    assert by_source["One"] == {"TAP-ESM-3", "TAP-ESM-4", "TAP-ESM-5"}
    assert by_source["Two"] == {f"TAP-ESM-{n}" for n in range(1, 6)}


def test_batch_size_known_only_at_deploy_time_is_not_judged(synth):
    # GIVEN a stream mapping whose BatchSize is a template parameter
    def build(stack):
        size = cdk.CfnParameter(stack, "BatchSize", type="Number", default=1)
        fn = _function(stack)
        lambda_.CfnEventSourceMapping(
            stack,
            "Mapping",
            function_name=fn.function_name,
            event_source_arn=kinesis.Stream(stack, "S").stream_arn,
            starting_position="LATEST",
            batch_size=size.value_as_number,
        )

    # WHEN the stack is checked
    found = _found(synth(build, rules=RULES))

    # THEN bisection and partial responses are not judged; the other settings still are
    assert {rule for rule, _ in found} == {"TAP-ESM-3", "TAP-ESM-4", "TAP-ESM-5"}


def test_properties_nested_too_deeply_are_not_judged_instead_of_raising(synth, tmp_path):
    # GIVEN a bare Kinesis mapping (five findings), then the same template with its
    # properties nested thousands of levels deep (a template from an untrusted source)
    def build(stack):
        fn = _function(stack)
        lambda_.CfnEventSourceMapping(
            stack,
            "Mapping",
            function_name=fn.function_name,
            event_source_arn=kinesis.Stream(stack, "S").stream_arn,
            starting_position="LATEST",
        )

    assert len(_found(synth(build, rules=RULES))) == 5
    outdir = sorted(tmp_path.glob("cdk.out.*"))[-1]
    stack = load_path(outdir)[0]
    props = stack.template["Resources"]["Mapping"]["Properties"]
    deep: object = "x"
    for _ in range(3000):
        deep = [deep]
    for key in ("BatchSize", "DestinationConfig", "FunctionResponseTypes"):
        props[key] = deep
    props["MaximumRetryAttempts"] = {"Fn::If": ["C", deep, deep]}
    props["MaximumRecordAgeInSeconds"] = {"Fn::If": ["C", deep, deep]}

    # WHEN the class's rules check it
    report = evaluate(
        [StackTemplate(name=stack.name, template=stack.template, assembly_dir=outdir)],
        Options(rules=RULES),
    )

    # THEN no rule raises (an internal error would hide every other finding)
    assert report.rule_errors == []
