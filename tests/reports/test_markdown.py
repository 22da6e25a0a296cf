"""tap.reports.markdown: the pull-request comment a reviewer reads."""

from __future__ import annotations

import json
import re

from tap.reports import render
from tap.reports.baseline import mark
from tap.reports.markdown import MARKER


def _section(text: str, start: str, end: str) -> str:
    i = text.index(start)
    j = text.index(end, i)
    return text[i:j]


def test_report_leads_with_new_findings_and_folds_existing(make_finding, make_report):
    # GIVEN one finding already on the target branch and one this change introduced
    old = make_finding(logical_id="OldBucket", construct_path="TapStack-dev/Old/Resource")
    new = make_finding(logical_id="NewBucket", construct_path="TapStack-dev/New/Resource")
    report = mark(make_report(old, new), {old.key})
    # WHEN rendered
    text = render(report, "markdown", link_base="", docs_url="RULES.md")
    # THEN the first findings section is the new one, with exactly the new finding
    first_table = text.index("| Stack |")
    assert text.index("#### 🆕 New in this change (1)") < first_table
    new_part = _section(text, "#### 🆕 New in this change (1)", "<details>")
    assert "TapStack-dev/New/Resource" in new_part
    assert "TapStack-dev/Old/Resource" not in new_part
    # AND the existing finding is folded below
    folded = _section(text, "<summary>1 finding already on the target branch", "</details>")
    assert "TapStack-dev/Old/Resource" in folded
    assert "(1 new)" in text.splitlines()[1]


def test_counts_by_severity_and_marker(make_finding, make_report):
    report = make_report(
        make_finding(),
        make_finding(logical_id="B2"),
        make_finding("TAP-S3-3", slug="s3-lifecycle-filter", severity="warning"),
        make_finding(logical_id="B3", acknowledged=True, reason="imported bucket"),
    )
    text = render(report, "markdown", link_base="", docs_url="RULES.md")
    assert text.splitlines()[0] == MARKER
    assert text.splitlines()[1] == "### ❌ guardrails: 2 errors, 1 warning"
    assert "| Tool | 🔴 Errors | 🟡 Warnings | Acknowledged |" in text
    assert "| tap-rules | 2 | 1 | 1 |" in text


def test_findings_grouped_by_rule_with_paths_and_fix(make_finding, make_report):
    report = make_report(
        make_finding(logical_id="A", construct_path="TapStack-dev/A/Resource"),
        make_finding(logical_id="B", construct_path="TapStack-dev/B/Resource"),
        make_finding(
            "TAP-S3-3",
            slug="s3-lifecycle-filter",
            severity="warning",
            title="S3 lifecycle rules state which objects they apply to",
            property_path="Properties/LifecycleConfiguration/Rules/0",
            fix='s3.LifecycleRule(prefix="logs/")',
        ),
    )
    text = render(report, "markdown", link_base="", docs_url="RULES.md")
    group = _section(text, "tap-rules · [TAP-S3-1](RULES.md#tap-s3-1)", "[TAP-S3-3]")
    assert "(2)" in group.splitlines()[0]
    assert "`TapStack-dev/A/Resource`" in group and "`TapStack-dev/B/Resource`" in group
    assert "`Properties/BucketName`" in group
    assert '**Fix:** In CDK: omit bucket_name, or f"raw-{Aws.ACCOUNT_ID}' in group
    warning = text[text.index("[TAP-S3-3](RULES.md#tap-s3-3)") :]
    assert "`Properties/LifecycleConfiguration/Rules/0`" in warning
    assert '**Fix:** s3.LifecycleRule(prefix="logs/")' in warning


def test_acknowledged_findings_are_folded_with_their_reasons(make_finding, make_report):
    report = make_report(
        make_finding(acknowledged=True, reason="name kept for the legacy consumer (#42)")
    )
    text = render(report, "markdown", link_base="", docs_url="RULES.md")
    folded = _section(text, "<details>", "</details>")
    assert "<summary>1 acknowledged finding</summary>" in folded
    assert "name kept for the legacy consumer (#42)" in folded
    assert "✅ guardrails: no unacknowledged findings" in text
    assert "#### Findings" not in text


def test_python_source_shown_relative_to_the_repository(
    tmp_path, make_finding, make_report, location
):
    src = tmp_path / "tap" / "pipeline" / "storage.py"
    f = make_finding(source=location(str(src), 41))
    text = render(make_report(f), "markdown", root=tmp_path, link_base="https://x/blob/abc/")
    assert "[tap/pipeline/storage.py:41](https://x/blob/abc/tap/pipeline/storage.py#L41)" in text


def test_template_line_when_no_python_frame_was_recorded(tmp_path, make_finding, make_report):
    template = tmp_path / "S.template.json"
    body = {"Resources": {"RawBucket1234": {"Type": "AWS::S3::Bucket", "Properties": {}}}}
    template.write_text(json.dumps(body, indent=1), encoding="utf-8")
    f = make_finding(template_path=str(template), property_path="Properties/BucketName")
    text = render(make_report(f), "markdown", root=tmp_path, link_base="", docs_url="RULES.md")
    # BucketName is absent: the location is the Properties object that lacks it (line 5)
    lines = template.read_text().splitlines()
    assert lines[4].strip().startswith('"Properties"')
    assert "S.template.json:5" in text


def test_cells_cannot_break_the_table_or_inject_html(make_finding, make_report):
    f = make_finding(message="name 'a|b' <script>x</script>\nsecond line")
    text = render(make_report(f), "markdown", link_base="", docs_url="RULES.md")
    row = next(line for line in text.splitlines() if "RawBucket" in line or "Raw/Resource" in line)
    assert "a\\|b" in row and "&lt;script&gt;" in row and "<script>" not in text
    assert len(re.findall(r"(?<!\\)\|", row)) == 6  # five cells: the header's count


def test_long_reports_fit_in_a_comment(make_finding, make_report):
    many = [make_finding(logical_id=f"Bucket{i}", message="x" * 300) for i in range(400)]
    text = render(
        make_report(*many), "markdown", link_base="", docs_url="RULES.md", max_chars=20_000
    )
    assert len(text) <= 20_000
    assert "more (see the SARIF or JSON report)" in text


def test_no_findings(make_report):
    text = render(make_report(), "markdown")
    assert "✅ guardrails: no unacknowledged findings" in text
    assert "| Stack |" not in text
