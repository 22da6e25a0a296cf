"""The rule pack's configuration (tap/rules/config.py), read by the command line: the file's
keys mirror ``tap-rules check``'s long options and flags override them.

Classes exercised: ``s3-bucket-name`` (error TAP-S3-1), ``s3-lifecycle-filter`` (warning
TAP-S3-3), ``environment-suffix`` (TAP-GEN-3, needs the suffix).
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tap.rules.cli import main
from tap.rules.config import find_config, load_config


def _config(where: Path, text: str, name: str = ".tap-rules.toml") -> Path:
    path = where / name
    path.write_text(textwrap.dedent(text))
    return path


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.startswith("{") else {}, err


def _by_rule(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in data["findings"]:
        out.setdefault(f["rule_id"], []).append(f)
    return out


def test_a_config_file_beside_cdk_json_sets_the_checks_defaults(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a .tap-rules.toml that ignores a class, lowers a rule to a warning and asks for JSON
    _config(
        project,
        """
        ignore = ["s3-lifecycle-filter"]
        format = "json"
        [severity]
        TAP-S3-1 = "warning"
        """,
    )

    # WHEN the check runs with no flag
    code, data, _ = _check(capsys, "Shop-dev.template.json")

    # THEN the file decided: JSON, no lifecycle finding, the bucket name only a warning: exit 0
    findings = _by_rule(data)
    assert "TAP-S3-3" not in findings
    assert [f["severity"] for f in findings["TAP-S3-1"]] == ["warning"]
    assert code == 0


def test_flags_override_the_config_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _config(
        project,
        """
        format = "json"
        fail-on = "never"
        rules = ["s3-lifecycle-filter"]
        [severity]
        TAP-S3-1 = "warning"
        """,
    )

    code, data, _ = _check(
        capsys,
        "Shop-dev.template.json",
        "--rules",
        "TAP-S3-1",
        "--severity",
        "TAP-S3-1=error",
        "--fail-on",
        "error",
    )

    assert set(_by_rule(data)) == {"TAP-S3-1"}
    assert data["findings"][0]["severity"] == "error"
    assert code == 1


def test_pyproject_tool_table_is_found_from_a_subfolder(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(
        project,
        """
        [project]
        name = "shop"

        [tool.tap-rules]
        environment-suffix = "prod"
        rules = ["environment-suffix"]
        format = "json"

        [tool.tap-rules.settings.lambda-runtime]
        horizon_days = 180
        target = { python = "python3.12" }
        """,
        name="pyproject.toml",
    )
    sub = project / "infra" / "stacks"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)

    code, data, _ = _check(capsys, str(project / "Shop-dev.template.json"))

    # the name carries "dev", the configured suffix is "prod": environment-suffix fires
    assert find_config() == project / "pyproject.toml"
    assert [f["rule_id"] for f in data["findings"]] == ["TAP-GEN-3"]
    assert "prod" in data["findings"][0]["message"]
    assert code == 1
    # per-rule settings reach the engine for the rules to read (ctx.setting)
    options = load_config().to_options()
    assert options.settings["lambda-runtime"] == {
        "horizon_days": 180,
        "target": {"python": "python3.12"},
    }


def test_per_stack_environments(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(project / "Shop-dev.template.json", project / "Shop-prod.template.json")
    _config(
        project,
        """
        rules = ["environment-suffix"]
        format = "json"
        [stacks."*-prod"]
        environment-suffix = "prod"
        ephemeral = false
        """,
    )

    code, data, _ = _check(capsys, ".")

    assert [(f["stack"], f["rule_id"]) for f in data["findings"]] == [("Shop-prod", "TAP-GEN-3")]
    assert [s["stack"] for s in data["summary"]["skipped"]] == ["Shop-dev"]
    assert code == 1


def test_exclude_globs_leave_out_stacks_and_constructs(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(project / "Shop-dev.template.json", project / "Sandbox-1.template.json")
    _config(project, 'format = "json"\nexclude = ["Sandbox-*", "*/Archive"]\n')

    code, data, _ = _check(capsys, ".")

    assert {(f["stack"], f["logical_id"]) for f in data["findings"]} == {("Shop-dev", "Named")}
    assert data["summary"]["stacks"] == 1
    assert code == 1


@pytest.mark.parametrize(("fail_on", "expected"), [("error", 0), ("warning", 1), ("never", 0)])
def test_fail_on_sets_the_exit_threshold(
    project: Path, capsys: pytest.CaptureFixture[str], fail_on: str, expected: int
) -> None:
    # only a warning left (TAP-S3-3)
    code, _, _ = _check(
        capsys, "Shop-dev.template.json", "--rules", "TAP-S3-3", "--fail-on", fail_on
    )
    assert code == expected


def test_fail_on_never_passes_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _check(capsys, "Shop-dev.template.json")[0] == 1
    assert _check(capsys, "Shop-dev.template.json", "--fail-on", "never")[0] == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('colour = "red"\n', "unknown key 'colour'"),
        ('ephemeral = "yes"\n', "ephemeral: expected true or false, found 'yes'"),
        ('fail-on = "sometimes"\n', "fail-on: expected one of error, warning, never"),
        ('[severity]\nTAP-S3-1 = "fatal"\n', "TAP-S3-1: expected one of error, warning"),
        ('format = "xml"\n', "format: expected one of"),
        ('ignore = ["TAP-NOPE-9"]\n', "unknown rule id or class: TAP-NOPE-9"),
        ("[settings.no-such-class]\nx = 1\n", "unknown rule id or class: no-such-class"),
        ("rules = [\n", "not valid TOML"),
    ],
)
def test_a_bad_config_file_exits_2_with_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    _config(project, text)

    code, _, err = _check(capsys, "Shop-dev.template.json")

    assert code == 2
    assert message in err
    assert ".tap-rules.toml" in err or "unknown rule" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_config_flag_names_the_file(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = _config(tmp_path, 'format = "json"\nrules = ["TAP-S3-3"]\n', name="ci.toml")

    code, data, _ = _check(capsys, "Shop-dev.template.json", "--config", str(other))

    assert {f["rule_id"] for f in data["findings"]} == {"TAP-S3-3"}
    assert code == 0
    assert _check(capsys, "Shop-dev.template.json", "--config", "missing.toml")[0] == 2


@pytest.mark.parametrize("flag", ["TAP-S3-1=fatal", "TAP-S3-1", "=error"])
def test_a_bad_severity_flag_exits_2_with_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    code, _, err = _check(capsys, "Shop-dev.template.json", "--severity", flag)

    assert code == 2
    assert err.strip() == (
        f"python -m tap.rules: error: --severity {flag}: expected ID_OR_SLUG=error or =warning"
    )
