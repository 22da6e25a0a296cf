"""Acknowledgements outside CDK's API: ``Metadata: tap-rules`` in hand-written templates (a
reason required), and the warning for an acknowledgement that names no rule of the pack, in
the command line and in the plugin.

Class exercised: ``s3-bucket-name`` (error TAP-S3-1).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from tap.rules.cli import main
from tap.rules.plugin import ACKNOWLEDGEMENT_RULE_ID, TapRules

REASON = "Name fixed by the partner's import job (ADR-3)"


def _check(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, list[dict[str, Any]], str]:
    code = main(["check", str(path), "--rules", "TAP-S3-1", "--format", "json"])
    out, err = capsys.readouterr()
    return code, json.loads(out)["findings"], err


def _write(project: Path, tpl: dict[str, Any], name: str = "Shop-dev.template.json") -> Path:
    path = project / name
    path.write_text(json.dumps(tpl))
    return path


def test_resource_metadata_acknowledges_a_finding_with_its_reason(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tpl = json.loads((project / "Shop-dev.template.json").read_text())
    tpl["Resources"]["Named"]["Metadata"] = {
        "tap-rules": {"acknowledge": [{"id": "TAP-S3-1", "reason": REASON}]}
    }

    code, findings, err = _check(capsys, _write(project, tpl))

    (finding,) = findings
    assert finding["acknowledged"] is True and finding["reason"] == REASON
    assert code == 0 and err == ""


def test_yaml_template_metadata_with_the_namespaced_id(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "shop.yaml"
    path.write_text(
        "Resources:\n"
        "  Named:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Metadata:\n"
        "      tap-rules:\n"
        "        acknowledge:\n"
        "          - id: tap-rules::TAP-S3-1\n"
        f"            reason: {REASON}\n"
        "    Properties:\n"
        "      BucketName: shop-named-dev\n"
    )

    code, findings, _ = _check(capsys, path)

    assert [f["reason"] for f in findings] == [REASON]
    assert code == 0


def test_template_level_metadata_covers_every_resource(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tpl = json.loads((project / "Shop-dev.template.json").read_text())
    tpl["Resources"]["Other"] = {
        "Type": "AWS::S3::Bucket",
        "Properties": {"BucketName": "shop-other-dev"},
    }
    tpl["Metadata"] = {"tap-rules": {"acknowledge": [{"id": "TAP-S3-1", "reason": REASON}]}}

    code, findings, _ = _check(capsys, _write(project, tpl))

    assert [f["acknowledged"] for f in findings] == [True, True]
    assert code == 0


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_an_acknowledgement_without_a_reason_acknowledges_nothing_and_says_so(
    project: Path, capsys: pytest.CaptureFixture[str], reason: str | None
) -> None:
    entry: dict[str, Any] = {"id": "TAP-S3-1"}
    if reason is not None:
        entry["reason"] = reason
    tpl = json.loads((project / "Shop-dev.template.json").read_text())
    tpl["Resources"]["Named"]["Metadata"] = {"tap-rules": {"acknowledge": [entry]}}

    code, findings, err = _check(capsys, _write(project, tpl))

    assert [f["acknowledged"] for f in findings] == [False]
    assert code == 1
    (line,) = err.strip().splitlines()
    assert line.startswith(
        "tap-rules: warning: Shop-dev: Named Metadata.tap-rules: acknowledgement of TAP-S3-1 "
        "has no reason"
    )


def test_unknown_rule_id_in_template_metadata_is_a_warning(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tpl = json.loads((project / "Shop-dev.template.json").read_text())
    tpl["Resources"]["Named"]["Metadata"] = {
        "tap-rules": {"acknowledge": [{"id": "TAP-S3-11", "reason": REASON}]}
    }

    code, findings, err = _check(capsys, _write(project, tpl))

    assert [f["acknowledged"] for f in findings] == [False]
    assert code == 1
    (line,) = err.strip().splitlines()
    assert line.startswith("tap-rules: warning: Shop-dev: Named: acknowledgement 'TAP-S3-11'")
    assert "names no rule of the pack" in line and "did you mean TAP-S3-1?" in line


def test_unknown_rule_id_in_cdk_acknowledgement_is_a_warning_in_cli_and_synth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a CDK app whose bucket acknowledges a rule id the pack does not have (a typo)
    outdir = tmp_path / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Shop-dev")
    bucket = s3.Bucket(stack, "Uploads")
    cdk.Validations.of(bucket).acknowledge(
        cdk.Acknowledgment(id="tap-rules::TAP-S3-99", reason=REASON)
    )
    cdk.Validations.of(app).add_plugins(TapRules(rules=["TAP-S3-1"], config=False))

    # WHEN it synthesizes (no finding: it passes) and the CLI reads the assembly
    app.synth()
    code = main(["check", str(outdir), "--rules", "TAP-S3-1"])
    err = capsys.readouterr().err

    # THEN the synth report carries a warning naming the bad acknowledgement ...
    report = json.loads((outdir / "validation-report.json").read_text())
    (plugin,) = [r for r in report["pluginReports"] if r["pluginName"] == "tap-rules"]
    (violation,) = plugin["violations"]
    assert violation["ruleName"] == ACKNOWLEDGEMENT_RULE_ID
    assert violation["severity"] == "warning"
    assert "tap-rules::TAP-S3-99" in violation["description"]
    assert plugin["conclusion"] == "success"
    # ... and so does the command line, on stderr, without failing
    assert code == 0
    assert "Shop-dev/Uploads: acknowledgement 'tap-rules::TAP-S3-99' names no rule" in err


@pytest.mark.parametrize("reason", [REASON, None])
def test_template_metadata_acknowledgement_added_in_cdk_passes_synth(
    tmp_path: Path, reason: str | None
) -> None:
    # GIVEN a CDK app that acknowledges through the template's metadata (add_metadata), not
    # through CDK's Validations API; without a reason the acknowledgement is void
    outdir = tmp_path / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Shop-dev")
    bucket = s3.CfnBucket(stack, "Named", bucket_name="shop-named-dev")
    entry = {"id": "TAP-S3-1", **({"reason": reason} if reason else {})}
    bucket.add_metadata("tap-rules", {"acknowledge": [entry]})
    cdk.Validations.of(app).add_plugins(TapRules(rules=["TAP-S3-1"], config=False))

    # WHEN it synthesizes
    try:
        app.synth()
        failed = None
    except RuntimeError as exc:
        failed = str(exc)

    # THEN the acknowledged error does not fail it; the void acknowledgement does
    if reason:
        assert failed is None
    else:
        assert failed is not None and "TAP-S3-1" in failed
