"""The stack passes cdk-nag AwsSolutions and CDK's built-in CloudFormation validation.

Synthesized the way app.py does it (validation plugins on the app, cdk.json feature flags
including "@aws-cdk/core:validateAgainstDefaultRules"), every finding is either absent or
acknowledged on a construct with a reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks
from conftest import build_stack, environments

from tap.config import load_props


@pytest.mark.parametrize("env_name", ["dev", "prod"])
def test_given_env_when_synthesized_with_cdk_nag_then_no_unacknowledged_finding(
    env_name: str, tmp_path: Path
) -> None:
    stack = build_stack(load_props(env_name, environments()))
    app = stack.node.scope
    assert isinstance(app, cdk.App)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()  # raises RuntimeError("ValidationFailed ...") on an unacknowledged error
    report = json.loads(Path(app.outdir, "validation-report.json").read_text())
    nag = next(r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions")
    assert nag["violations"] == []
    suppressed = nag["suppressedViolations"]
    assert suppressed, "expected the documented acknowledgements"
    for violation in suppressed:
        assert violation["acknowledgedId"].startswith("AwsSolutions::AwsSolutions-")
        assert len(violation["reason"]) >= 40, violation["acknowledgedId"]
        # Acknowledged on the construct concerned, never on the whole stack.
        assert violation["acknowledgedAt"] != stack.node.path


def test_given_an_unacknowledged_finding_when_synthesized_then_validation_fails() -> None:
    """The check above can fail: a bucket without SSL enforcement trips AwsSolutions-S10."""
    from aws_cdk import aws_s3 as s3

    stack = build_stack(load_props("dev", environments()))
    app = stack.node.scope
    s3.Bucket(stack, "Careless")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
