"""Class ``eventbridge-pattern``: EventBridge event patterns are objects whose match values
are non-empty arrays of values or known operators (TAP-EB-2), written from the EventBridge
User Guide's "Creating event patterns" and "Content filtering"."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_s3 as s3

from tests.rules.conftest import of_class

SLUG = "eventbridge-pattern"


def _rule(detail: dict):
    def build(stack):
        events.Rule(
            stack,
            "Uploads",
            event_pattern=events.EventPattern(
                source=["aws.s3"], detail_type=["Object Created"], detail=detail
            ),
        )

    return build


def test_eventbridge_pattern_bare_string_value_is_flagged(synth):
    findings = of_class(synth(_rule({"bucket": {"name": "tap-raw-dev"}})), SLUG)

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-EB-2", "Properties/EventPattern/detail/bucket/name")
    ]
    assert findings[0].logical_id.startswith("Uploads")
    assert "is not in an array" in findings[0].message


def test_eventbridge_pattern_empty_array_is_flagged(synth):
    findings = of_class(synth(_rule({"object": {"key": []}})), SLUG)

    assert [f.property_path for f in findings] == ["Properties/EventPattern/detail/object/key"]
    assert "empty array" in findings[0].message


def test_eventbridge_pattern_unknown_operator_is_flagged(synth):
    findings = of_class(synth(_rule({"object": {"key": [{"starts-with": "raw/"}]}})), SLUG)

    assert [f.property_path for f in findings] == ["Properties/EventPattern/detail/object/key/0"]
    assert "unknown operator 'starts-with'" in findings[0].message


def test_eventbridge_pattern_with_cdk_match_helpers_passes(synth):
    # GIVEN patterns written with lists and CDK's Match helpers (every documented operator)
    def build(stack):
        events.Rule(
            stack,
            "Uploads",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={
                    "bucket": {"name": ["tap-raw-dev"]},
                    "object": {
                        "key": events.Match.prefix("raw/"),
                        "size": events.Match.greater_than(0),
                        "etag": events.Match.exists(),
                    },
                    "reason": events.Match.anything_but("Lifecycle"),
                    "source-ip-address": events.Match.cidr("10.0.0.0/8"),
                    "requester": events.Match.wildcard("arn:*:iam::*"),
                },
            ),
        )
        events.Rule(
            stack,
            "Either",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail={"$or": [{"a": ["x"]}, {"b": events.Match.suffix(".json")}]},
            ),
        )

    # THEN no eventbridge-pattern finding
    assert of_class(synth(build), SLUG) == []


def test_eventbridge_pattern_of_cdk_event_helpers_passes(synth):
    # GIVEN the rules aws-cdk-lib's L2 helpers write (onCloudTrail..., onImageScanCompleted)
    def build(stack):
        bucket = s3.Bucket(stack, "Raw", removal_policy=RemovalPolicy.DESTROY)
        bucket.on_cloud_trail_put_object("Put")
        bucket.on_cloud_trail_write_object("Write", paths=["raw/"])
        repo = ecr.Repository(stack, "Images", removal_policy=RemovalPolicy.DESTROY)
        repo.on_image_scan_completed("Scan", image_tags=["latest"])
        repo.on_cloud_trail_image_pushed("Pushed")

    assert of_class(synth(build), SLUG) == []
