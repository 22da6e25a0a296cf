"""Class ``log-retention``: log groups have a retention period (TAP-LOGS-1, seed 003)."""

from __future__ import annotations

from aws_cdk import aws_logs as logs

from tests.rules.conftest import of_class

SLUG = "log-retention"


def test_log_group_without_retention_is_flagged(synth):
    # RetentionDays.INFINITE renders no RetentionInDays: events never expire
    def build(stack):
        logs.LogGroup(
            stack, "Audit", log_group_name="/tap/audit-dev", retention=logs.RetentionDays.INFINITE
        )

    findings = of_class(synth(build), SLUG)
    assert [(f.rule_id, f.property_path, f.severity) for f in findings] == [
        ("TAP-LOGS-1", "Properties/RetentionInDays", "warning")
    ]
    assert "log group /tap/audit-dev has no retention" in findings[0].message
