"""``s3-bucket-name`` (TAP-S3-1, TAP-S3-2): bucket names own to the account and valid."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Aws, Fn, Stack
from aws_cdk import aws_s3 as s3

from tap.rules.resolve import longest_region_name
from tests.rules.conftest import of_class

SLUG = "s3-bucket-name"


def _override(stack: cdk.Stack, cid: str, name: object) -> s3.Bucket:
    """An L2 bucket whose name is set by an escape hatch (CDK validates literal
    bucket_name values itself; the plugin sees overrides, CDK's check does not)."""
    bucket = s3.Bucket(stack, cid)
    bucket.node.default_child.add_property_override("BucketName", name)
    return bucket


def test_bucket_name_without_account_is_an_error(synth):
    # GIVEN seed 001 #2: a name unique per environment but not per account
    def build(stack):
        s3.Bucket(stack, "FlowLogs", bucket_name="vpc-flow-logs-dev")

    found = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.rule_id, f.property_path) for f in found] == [("TAP-S3-1", "Properties/BucketName")]
    assert found[0].severity == "error"
    assert "'vpc-flow-logs-dev' has no account id" in found[0].message
    assert "Aws.ACCOUNT_ID" in found[0].fix


def test_bucket_name_with_a_hardcoded_account_is_an_error(synth):
    def build(stack):
        s3.Bucket(stack, "Logs", bucket_name=f"logs-123456789012-{Aws.REGION}-dev")

    found = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [f.rule_id for f in found] == ["TAP-S3-1"]
    assert "hard-coded account id 123456789012" in found[0].message


def test_bucket_name_too_long_with_the_longest_region(synth):
    # GIVEN a name of 60 characters in us-east-1 (valid there), over 63 in the region
    # with the longest name
    prefix = "p" * (60 - len("-123456789012-us-east-1-dev"))
    name = f"{prefix}-{Aws.ACCOUNT_ID}-{Aws.REGION}-dev"
    worst = 60 - len("us-east-1") + len(longest_region_name())

    found = of_class(synth(lambda st: s3.Bucket(st, "Archive", bucket_name=name)), SLUG)

    assert [f.rule_id for f in found] == ["TAP-S3-2"]
    assert f"is {worst} characters with a 12-digit account id and the longest region" in (
        found[0].message
    )
    assert "(max 63)" in found[0].message


def test_uppercase_underscore_and_reserved_forms_are_invalid(synth):
    def build(stack):
        _override(stack, "Upper", Fn.join("-", ["Tap_Logs", Aws.ACCOUNT_ID]))
        _override(stack, "Alias", Fn.join("-", ["logs", Aws.ACCOUNT_ID, "s3alias"]))
        _override(stack, "Punycode", Fn.join("-", ["xn--logs", Aws.ACCOUNT_ID]))
        _override(stack, "Address", "192.168.5.4")

    found = {}
    for f in of_class(synth(build, rules=("TAP-S3-2",)), SLUG):
        found[f.construct_path.split("/")[1]] = f.message

    assert "not allowed: 'L', 'T', '_'" in found["Upper"]
    assert "reserved suffix '-s3alias'" in found["Alias"]
    assert "reserved prefix 'xn--'" in found["Punycode"]
    assert "IP address" in found["Address"]


def test_name_from_a_parameter_checks_only_what_is_certain(synth):
    # GIVEN names made of a parameter (it may hold the account; its length is unknown):
    # one whose literal part has an underscore, one whose literal part alone is over 63
    # characters, and one that may or may not fit (no finding)
    def build(stack):
        prefix = cdk.CfnParameter(stack, "Prefix", type="String").value_as_string
        s3.Bucket(stack, "Maybe", bucket_name=f"{prefix}-{'x' * 40}")
        s3.Bucket(stack, "Underscore", bucket_name=f"{prefix}_logs")
        s3.Bucket(stack, "Long", bucket_name=f"{prefix}-{'x' * 70}")

    found = {
        f.construct_path.split("/")[1]: (f.rule_id, f.message)
        for f in of_class(synth(build, rules=(SLUG,)), SLUG)
    }

    assert set(found) == {"Underscore", "Long"}
    assert found["Underscore"][0] == "TAP-S3-2" and "'_'" in found["Underscore"][1]
    assert found["Long"][0] == "TAP-S3-2" and "at least 71 characters" in found["Long"][1]


def test_account_and_region_scoped_names_pass(synth):
    def build(stack):
        s3.Bucket(stack, "Logs", bucket_name=f"logs-{Aws.ACCOUNT_ID}-{Aws.REGION}-dev")
        s3.Bucket(stack, "Unnamed")
        s3.Bucket(stack, "Pinned", bucket_name=f"tap-archive-{Stack.of(stack).account}-dev")

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []
    env = cdk.Environment(account="111111111111", region="eu-west-1")
    assert of_class(synth(build, rules=(SLUG,), env=env), SLUG) == []
