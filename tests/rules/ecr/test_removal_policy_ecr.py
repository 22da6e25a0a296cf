"""Class ``removal-policy``, widened by RULES-SPEC Part 2: in an ephemeral environment an
ECR repository deleted with the stack has EmptyOnDelete (TAP-ECR-1), from the
CloudFormation User Guide's AWS::ECR::Repository. A retained one is TAP-GEN-10's finding
only (no double report)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ecr as ecr

from tests.rules.conftest import of_class

SLUG = "removal-policy"


def test_removal_policy_ecr_destroyed_without_empty_on_delete_is_flagged(synth):
    report = synth(
        lambda stack: ecr.Repository(stack, "Images", removal_policy=RemovalPolicy.DESTROY)
    )
    findings = of_class(report, SLUG)

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-ECR-1", "Properties/EmptyOnDelete")
    ]
    assert findings[0].logical_id.startswith("Images")
    assert "deletion fails once it holds images" in findings[0].message


def test_removal_policy_ecr_retained_repository_is_reported_once(synth):
    # GIVEN CDK's default (RETAIN) in an ephemeral environment
    findings = of_class(synth(lambda stack: ecr.Repository(stack, "Images")), SLUG)

    # THEN TAP-GEN-10 reports it; TAP-ECR-1 does not add a second finding
    assert [f.rule_id for f in findings] == ["TAP-GEN-10"]


def test_removal_policy_ecr_emptied_repository_passes(synth):
    def build(stack):
        ecr.Repository(stack, "Images", removal_policy=RemovalPolicy.DESTROY, empty_on_delete=True)

    assert of_class(synth(build), SLUG) == []
    # AND a persistent environment keeps its repositories: nothing of this rule either
    retained = synth(
        lambda stack: ecr.Repository(stack, "Images", removal_policy=RemovalPolicy.RETAIN),
        ephemeral=False,
    )
    assert [f for f in of_class(retained, SLUG) if f.rule_id == "TAP-ECR-1"] == []
