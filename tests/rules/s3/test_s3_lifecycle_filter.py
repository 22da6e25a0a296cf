"""Class ``s3-lifecycle-filter``: lifecycle rules state which objects they apply to
(TAP-S3-3, seeds 000 #5, 002 #5)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

from tests.rules.conftest import of_class

SLUG = "s3-lifecycle-filter"


def test_rule_without_prefix_or_filter_is_flagged_at_its_index(synth):
    # GIVEN an L2 bucket whose second rule has no scope (CDK then renders no Prefix/Filter)
    def build(stack):
        s3.Bucket(
            stack,
            "Data",
            lifecycle_rules=[
                s3.LifecycleRule(id="logs", prefix="logs/", expiration=cdk.Duration.days(30)),
                s3.LifecycleRule(
                    id="archive-old-data",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.GLACIER,
                            transition_after=cdk.Duration.days(90),
                        )
                    ],
                ),
            ],
        )

    # WHEN the stack is checked
    findings = of_class(synth(build), SLUG)

    # THEN exactly the unscoped rule is reported, as a warning
    assert [(f.rule_id, f.property_path, f.severity) for f in findings] == [
        ("TAP-S3-3", "Properties/LifecycleConfiguration/Rules/1", "warning")
    ]
    assert "'archive-old-data'" in findings[0].message
    assert findings[0].logical_id.startswith("Data")


def test_escape_hatch_removing_the_prefix_is_flagged(synth):
    def build(stack):
        bucket = s3.Bucket(
            stack,
            "Data",
            lifecycle_rules=[s3.LifecycleRule(prefix="tmp/", expiration=cdk.Duration.days(1))],
        )
        bucket.node.default_child.add_property_deletion_override(
            "LifecycleConfiguration.Rules.0.Prefix"
        )

    findings = of_class(synth(build), SLUG)
    assert [f.property_path for f in findings] == ["Properties/LifecycleConfiguration/Rules/0"]
    assert "no Prefix, TagFilters or object size filter" in findings[0].message


def test_explicit_empty_prefix_tags_or_size_scope_pass(synth):
    # The seeds' own fix: an explicit empty prefix states "every object" on purpose.
    def build(stack):
        s3.Bucket(
            stack,
            "Data",
            lifecycle_rules=[
                s3.LifecycleRule(id="all", prefix="", expiration=cdk.Duration.days(365)),
                s3.LifecycleRule(
                    id="big", object_size_greater_than=1024, expiration=cdk.Duration.days(30)
                ),
                s3.LifecycleRule(
                    id="tagged", tag_filters={"tier": "tmp"}, expiration=cdk.Duration.days(1)
                ),
            ],
        )

    assert of_class(synth(build), SLUG) == []


def test_prefix_decided_at_deploy_time_is_not_reported(synth):
    # Unknown is unknown: a prefix behind a parameter-driven condition is neither
    # asserted as a pass nor raised as a finding.
    def build(stack):
        param = cdk.CfnParameter(stack, "Scoped", allowed_values=["yes", "no"])
        cond = cdk.CfnCondition(
            stack, "IsScoped", expression=cdk.Fn.condition_equals(param.value_as_string, "yes")
        )
        bucket = s3.Bucket(
            stack,
            "Data",
            lifecycle_rules=[s3.LifecycleRule(prefix="x/", expiration=cdk.Duration.days(1))],
        )
        bucket.node.default_child.add_property_override(
            "LifecycleConfiguration.Rules.0.Prefix",
            cdk.Fn.condition_if(cond.logical_id, "x/", cdk.Aws.NO_VALUE),
        )

    assert of_class(synth(build), SLUG) == []
