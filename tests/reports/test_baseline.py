"""tap.reports.baseline: findings marked new or existing against a previous JSON report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tap.reports.baseline import apply_baseline, load_baseline
from tap.rules.model import InputError


def _write_report(path: Path, findings: list[dict]) -> Path:
    path.write_text(json.dumps({"findings": findings, "summary": {}}), encoding="utf-8")
    return path


def test_finding_in_the_baseline_is_existing_even_with_a_new_message(
    tmp_path, make_finding, make_report
):
    # GIVEN a baseline with the bucket-name finding, worded differently
    old = make_finding(message="bucket name 'raw' lacks the account id").to_dict()
    base = _write_report(tmp_path / "base.json", [old])
    # WHEN the same rule/stack/resource/property is found again, plus one new finding
    same = make_finding(message="bucket name 'raw-v2' does not include the account id")
    other = make_finding(logical_id="ArchiveBucket99", construct_path="TapStack-dev/Archive")
    report = apply_baseline(make_report(same, other), base)
    # THEN the reworded one is existing, the other resource's finding is new
    states = {f.logical_id: f.extra["baseline"] for f in report.findings}
    assert states == {"RawBucket1234": "existing", "ArchiveBucket99": "new"}


@pytest.mark.parametrize(
    "change",
    [
        {"rule_id": "TAP-S3-2"},
        {"stack": "TapStack-prod"},
        {"logical_id": "OtherBucket"},
        {"property_path": "Properties/LifecycleConfiguration/Rules/0"},
    ],
)
def test_each_part_of_the_identity_makes_a_finding_new(tmp_path, make_finding, make_report, change):
    base = _write_report(tmp_path / "base.json", [make_finding().to_dict()])
    report = apply_baseline(make_report(make_finding(**change)), base)
    assert report.findings[0].extra["baseline"] == "new"


def test_json_output_carries_the_baseline_field_at_top_level(tmp_path, make_finding, make_report):
    base = _write_report(tmp_path / "base.json", [])
    report = apply_baseline(make_report(make_finding()), base)
    data = report.findings[0].to_dict()
    assert data["baseline"] == "new"
    assert "extra" not in data
    # the contract's own fields are untouched
    assert data["class"] == "s3-bucket-name" and data["rule_id"] == "TAP-S3-1"


def test_a_report_is_its_own_baseline(tmp_path, make_finding, make_report):
    # GIVEN the JSON of a report, as the workflow writes base.json from the target branch
    findings = [
        make_finding(),
        make_finding(logical_id=None, property_path="", construct_path=None),  # stack-level
        make_finding(acknowledged=True, reason="legacy bucket, renamed in #12"),
    ]
    base = _write_report(tmp_path / "base.json", [f.to_dict() for f in findings])
    # WHEN the unchanged branch is checked against it, THEN nothing is new
    report = apply_baseline(make_report(*findings), base)
    assert [f.extra["baseline"] for f in report.findings] == ["existing"] * 3


def test_load_baseline_keys(tmp_path, make_finding):
    base = _write_report(tmp_path / "base.json", [make_finding().to_dict()])
    assert load_baseline(base) == {
        ("TAP-S3-1", "TapStack-dev", "RawBucket1234", "Properties/BucketName")
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not valid JSON"),
        ("[]", "not a rule report"),
        ('{"summary": {}}', "not a rule report"),
        ('{"findings": [1]}', "finding 0"),
        ('{"findings": [{"rule_id": "TAP-S3-1"}]}', "finding without stack, property_path"),
    ],
)
def test_bad_baseline_is_an_input_error_naming_the_file(tmp_path, make_report, content, message):
    path = tmp_path / "base.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        apply_baseline(make_report(), path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_cli_bad_baseline_exits_2_without_traceback(tmp_path):
    template = tmp_path / "t.template.json"
    template.write_text('{"Resources": {}}', encoding="utf-8")
    bad = tmp_path / "base.json"
    bad.write_text("[]", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "tap.rules", "check", str(template), "--baseline", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 2
    assert f"baseline {bad}: not a rule report" in proc.stderr
    assert "Traceback" not in proc.stderr
