"""tap.reports.sarif: SARIF 2.1.0 for code scanning, valid against the OASIS schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tap.reports import links, render
from tap.reports.baseline import mark
from tap.rules.engine import Skipped
from tap.rules.registry import all_rules


def _rule_classes():
    return {rule.id: rule for rule in all_rules()}


TEMPLATE = {
    "Resources": {
        "RawBucket1234": {
            "Type": "AWS::S3::Bucket",
            "Properties": {"BucketName": "raw-dev"},
        }
    }
}


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "cdk.out" / "TapStack-dev.template.json"
    path.parent.mkdir()
    path.write_text(json.dumps(TEMPLATE, indent=1), encoding="utf-8")
    return path


def _sarif(report, root: Path) -> dict:
    return json.loads(
        render(report, "sarif", root=root, docs_url="https://example.test/r/RULES.md")
    )


def test_valid_against_the_sarif_schema(
    tmp_path, template, make_finding, make_report, location, sarif_validator
):
    # GIVEN every kind of finding a report holds
    findings = [
        make_finding(template_path=str(template), source=location(str(tmp_path / "app.py"), 7)),
        make_finding(
            template_path=str(template),
            logical_id="Gone",
            acknowledged=True,
            reason="kept on purpose",
        ),
        make_finding(
            "TAP-S3-3",
            slug="s3-lifecycle-filter",
            severity="warning",
            logical_id=None,
            property_path="",
            construct_path=None,
        ),
        make_finding(source=location("/elsewhere/lib.py", 3)),
    ]
    report = mark(make_report(*findings), {findings[0].key})
    report.skipped.append(Skipped("TAP-GEN-1", "TapStack-dev", "needs the environment suffix"))
    report.rule_errors.append("TAP-X-1 on TapStack-dev: Traceback ...")
    # WHEN rendered, THEN the log validates against the SARIF 2.1.0 schema
    log = _sarif(report, tmp_path)
    errors = sorted(sarif_validator.iter_errors(log), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    assert log["version"] == "2.1.0"


def test_empty_report_is_valid(tmp_path, make_report, sarif_validator):
    log = _sarif(make_report(), tmp_path)
    sarif_validator.validate(log)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def test_only_matched_rules_with_help_links_and_levels(tmp_path, make_finding, make_report):
    report = make_report(
        make_finding(),
        make_finding(logical_id="Other"),
        make_finding("TAP-S3-3", slug="s3-lifecycle-filter", severity="warning"),
    )
    run = _sarif(report, tmp_path)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["TAP-S3-1", "TAP-S3-3"]
    assert rules[0]["helpUri"] == "https://example.test/r/RULES.md#tap-s3-1"
    assert rules[1]["defaultConfiguration"]["level"] == "warning"
    assert [r["level"] for r in run["results"]] == ["error", "error", "warning"]
    assert [r["ruleIndex"] for r in run["results"]] == [0, 0, 1]


def test_python_source_is_the_primary_location_template_related(
    tmp_path, template, make_finding, make_report, location
):
    f = make_finding(template_path=str(template), source=location(str(tmp_path / "app.py"), 26))
    result = _sarif(make_report(f), tmp_path)["runs"][0]["results"][0]
    primary = result["locations"][0]
    assert primary["physicalLocation"] == {
        "artifactLocation": {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 26},
    }
    assert primary["logicalLocations"][0]["fullyQualifiedName"] == "TapStack-dev/Raw/Resource"
    related = result["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == "cdk.out/TapStack-dev.template.json"
    line = template.read_text().splitlines()[related["region"]["startLine"] - 1]
    column = related["region"]["startColumn"]
    assert line[column - 1 :].startswith('"BucketName": "raw-dev"')


def test_template_line_and_column_without_a_python_frame(
    tmp_path, template, make_finding, make_report
):
    f = make_finding(template_path=str(template))
    result = _sarif(make_report(f), tmp_path)["runs"][0]["results"][0]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "cdk.out/TapStack-dev.template.json"
    line = template.read_text().splitlines()[physical["region"]["startLine"] - 1]
    assert line[physical["region"]["startColumn"] - 1 :].startswith('"BucketName"')
    assert "relatedLocations" not in result


def test_file_outside_the_repository_is_an_absolute_uri(
    tmp_path, make_finding, make_report, location
):
    f = make_finding(source=location("/opt/shared/constructs.py", 9))
    art = _sarif(make_report(f), tmp_path / "repo")["runs"][0]["results"][0]["locations"][0]
    assert art["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///opt/shared/constructs.py"
    }


def test_acknowledged_findings_are_suppressed_with_their_reason(
    tmp_path, make_finding, make_report
):
    f = make_finding(acknowledged=True, reason="legacy name, see #42")
    result = _sarif(make_report(f), tmp_path)["runs"][0]["results"][0]
    assert result["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "legacy name, see #42"}
    ]


def test_baseline_state_and_stable_fingerprints(tmp_path, make_finding, make_report):
    old, new = make_finding(), make_finding(logical_id="New")
    results = _sarif(mark(make_report(old, new), {old.key}), tmp_path)["runs"][0]["results"]
    assert [r["baselineState"] for r in results] == ["unchanged", "new"]
    # the fingerprint depends on the identity, not on the message
    reworded = make_finding(message="another wording")
    again = _sarif(make_report(reworded), tmp_path)["runs"][0]["results"][0]
    assert again["partialFingerprints"] == results[0]["partialFingerprints"]
    assert results[0]["partialFingerprints"] != results[1]["partialFingerprints"]


def test_rule_help_is_embedded_and_links_the_public_docs_not_the_repository(
    tmp_path, make_finding, make_report, monkeypatch
):
    # GIVEN a pull-request run of another project (GitHub Actions names its repository)
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/their-app")
    monkeypatch.setenv("GITHUB_SHA", "0" * 40)
    report = make_report(make_finding("TAP-DDB-1", slug="dynamodb-pitr"))
    monkeypatch.delenv(links.DOCS_URL_ENV, raising=False)
    for docs_url, expected in (
        (None, links.DOCS_URL),
        ("https://wiki.example/tap/RULES.md", "https://wiki.example/tap/RULES.md"),
    ):
        text = render(report, "sarif", root=tmp_path, docs_url=docs_url)
        (rule,) = json.loads(text)["runs"][0]["tool"]["driver"]["rules"]
        # THEN the link is the configured documentation (none by default: the pack has no
        # public site), never a file of their repository
        assert rule.get("helpUri") == (f"{expected}#tap-ddb-1" if expected else None)
        assert "their-app" not in text and "file://" not in rule.get("helpUri", "")
        # AND the explanation and the fix travel with the alert
        ddb = _rule_classes()["TAP-DDB-1"]
        assert rule["fullDescription"]["text"] == ddb.explanation
        assert ddb.fix in rule["help"]["text"] and ddb.explanation in rule["help"]["markdown"]
        markdown = render(report, "markdown", root=tmp_path, docs_url=docs_url)
        if expected:
            assert f"[TAP-DDB-1]({expected}#tap-ddb-1)" in markdown
        else:
            assert "[TAP-DDB-1](" not in markdown and "(None" not in markdown
        assert ddb.explanation in markdown  # (plain text: nothing to escape)


def test_the_docs_url_can_come_from_the_environment(
    tmp_path, make_finding, make_report, monkeypatch
):
    # GIVEN this project's workflow, which points the links at the RULES.md under review
    monkeypatch.setenv(links.DOCS_URL_ENV, "https://example.test/tap/blob/abc/RULES.md")
    report = make_report(make_finding("TAP-DDB-1", slug="dynamodb-pitr"))
    # WHEN no --docs-url is given
    text = render(report, "sarif", root=tmp_path)
    # THEN the rule links to its section there
    (rule,) = json.loads(text)["runs"][0]["tool"]["driver"]["rules"]
    assert rule["helpUri"] == "https://example.test/tap/blob/abc/RULES.md#tap-ddb-1"
