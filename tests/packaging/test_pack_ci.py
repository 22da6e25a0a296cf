"""The rule pack in another repository's CI: the pre-commit hooks (.pre-commit-hooks.yaml,
validated with pre-commit's own schema) and the composite GitHub Action (action.yml, validated
with the GitHub Actions JSON schema as ``make test`` does).

Class exercised: ``s3-bucket-name`` (error TAP-S3-1) through the hooks' command.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from pre_commit.clientlib import load_manifest

from tap.rules.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
HOOKS = REPO_ROOT / ".pre-commit-hooks.yaml"
ACTION = REPO_ROOT / "action.yml"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@(v\d+\.\d+\.\d+|[0-9a-f]{40})$")


@pytest.fixture(scope="module")
def hooks() -> dict[str, dict[str, Any]]:
    # load_manifest raises InvalidManifestError on anything pre-commit would refuse
    return {hook["id"]: hook for hook in load_manifest(str(HOOKS))}


def _console_scripts() -> dict[str, str]:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    scripts: dict[str, str] = pyproject["project"]["scripts"]
    return scripts


def test_hooks_manifest_is_valid_for_pre_commit(hooks: dict[str, dict[str, Any]]) -> None:
    assert set(hooks) == {"tap-rules", "tap-rules-cdk-out"}
    for hook in hooks.values():
        assert hook["language"] == "python"  # pre-commit pip-installs this repository
        command = shlex.split(hook["entry"])[0]
        assert command in _console_scripts()  # ... whose console script it runs


@pytest.mark.parametrize(
    ("path", "matched"),
    [
        ("template.yaml", True),
        ("infra/network.template.json", True),
        ("cfn/app-template.yml", True),
        ("cdk.out/Shop-dev.template.json", True),
        ("docker-compose.yaml", False),
        ("package.json", False),
        ("templates/README.md", False),
    ],
)
def test_template_hook_selects_template_files(
    hooks: dict[str, dict[str, Any]], path: str, matched: bool
) -> None:
    assert bool(re.search(hooks["tap-rules"]["files"], path)) is matched


def test_template_hook_command_fails_on_a_finding(
    hooks: dict[str, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n  Uploads:\n    Type: AWS::S3::Bucket\n"
        "    Properties:\n      BucketName: shop-uploads\n"
    )
    hook = hooks["tap-rules"]
    # what pre-commit runs: entry + args + the staged files that match
    argv = [*shlex.split(hook["entry"])[1:], *hook["args"], str(template)]

    code = main(argv)

    assert code == 1
    assert "TAP-S3-1" in capsys.readouterr().out


def test_cdk_out_hook_checks_the_assembly_folder(hooks: dict[str, dict[str, Any]]) -> None:
    hook = hooks["tap-rules-cdk-out"]
    assert hook["pass_filenames"] is False
    assert hook["args"] == ["cdk.out"]
    assert re.search(hook["files"], "app.py") and re.search(hook["files"], "cdk.json")


# -- the composite action --------------------------------------------------------------------


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text())
    return data


def test_action_passes_the_github_actions_schema() -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema",
            "vendor.github-actions",
            str(ACTION),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_installs_this_repository_and_runs_the_check(action: dict[str, Any]) -> None:
    steps = action["runs"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert 'pip install --disable-pip-version-check "$GITHUB_ACTION_PATH"' in runs
    assert "tap-rules check" in runs and "--format markdown" in runs and "--format sarif" in runs
    assert "--fail-on" in runs
    assert steps[-1]["name"].startswith("Fail")  # after the report is published
    assert set(action["inputs"]) >= {"path", "config", "fail-on", "sarif", "comment"}


def test_action_pins_every_action_it_uses(action: dict[str, Any]) -> None:
    uses = [s["uses"] for s in action["runs"]["steps"] if "uses" in s]
    assert uses and [u for u in uses if not PINNED.match(u)] == []


def test_action_check_step_writes_both_reports_and_the_status(
    action: dict[str, Any], tmp_path: Path
) -> None:
    # GIVEN the action's check step, run by bash as the runner would, with `tap-rules` on PATH
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "tap-rules"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tap.rules "$@"\n')
    shim.chmod(0o755)
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n  Uploads:\n    Type: AWS::S3::Bucket\n"
        "    Properties:\n      BucketName: shop-uploads\n"
    )
    outputs = tmp_path / "github_output"
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "PYTHONPATH": str(REPO_ROOT),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(outputs),
        "TAP_PATHS": str(template),
        "TAP_CONFIG": "",
        "TAP_FAIL_ON": "error",
    }

    # WHEN it runs on a template with an error
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]], env=env, capture_output=True, text=True, check=False
    )

    # THEN the step itself succeeds (the last step fails the job), with both reports written
    assert result.returncode == 0, result.stderr
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert written["status"] == "1"
    assert "TAP-S3-1" in Path(written["markdown"]).read_text()
    assert '"ruleId": "TAP-S3-1"' in Path(written["sarif"]).read_text()
