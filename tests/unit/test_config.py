"""The config loader and app.py: environments from cdk.json, one clear line for mistakes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tap.config import ConfigError, load_props

REPO_ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]["tap:environments"]


def test_given_cdk_json_when_loaded_then_dev_staging_ephemeral_and_prod_persistent() -> None:
    loaded = {name: load_props(name, ENVIRONMENTS) for name in ("dev", "staging", "prod")}
    assert {n: (p.suffix, p.ephemeral) for n, p in loaded.items()} == {
        "dev": ("dev", True),
        "staging": ("stg", True),
        "prod": ("prod", False),
    }


def test_given_no_env_context_when_loaded_then_dev() -> None:
    assert load_props(None, ENVIRONMENTS).env_name == "dev"


def test_given_unknown_env_when_loaded_then_one_line_listing_known_environments() -> None:
    with pytest.raises(ConfigError) as error:
        load_props("nope", ENVIRONMENTS)
    assert (
        str(error.value) == "unknown environment 'nope': known environments are dev, prod, staging"
    )


def test_given_empty_env_context_when_loaded_then_unknown_not_dev() -> None:
    # `cdk synth --context env=` (an unset shell variable) must not deploy dev by surprise
    with pytest.raises(ConfigError) as error:
        load_props("", ENVIRONMENTS)
    assert str(error.value) == "unknown environment '': known environments are dev, prod, staging"


def test_given_unknown_setting_when_loaded_then_named() -> None:
    with pytest.raises(ConfigError, match=r"environment 'dev' has unknown settings colour;"):
        load_props("dev", {"dev": {"suffix": "dev", "colour": "blue"}})


def test_given_invalid_setting_when_loaded_then_prefixed_with_environment() -> None:
    with pytest.raises(ConfigError) as error:
        load_props("dev", {"dev": {"suffix": "Dev!"}})
    assert str(error.value).startswith("environment 'dev': suffix 'Dev!' is invalid")
    assert "\n" not in str(error.value)


def test_given_no_environments_context_when_loaded_then_clear_error() -> None:
    with pytest.raises(ConfigError, match="cdk.json has no 'tap:environments' context"):
        load_props("dev", None)


def _run_app(context: dict[str, object], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps(context), "CDK_OUTDIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "app.py"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_given_unknown_env_when_app_runs_then_exit_2_one_line_no_traceback(tmp_path: Path) -> None:
    result = _run_app({"env": "nope", "tap:environments": ENVIRONMENTS}, tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["tap: unknown environment 'nope': known environments are dev, prod, staging"]
    assert "Traceback" not in result.stderr + result.stdout
    assert not list(tmp_path.glob("*.template.json"))


@pytest.mark.skipif(
    not (REPO_ROOT / "node_modules/.bin/cdk").exists(), reason="CDK CLI not installed"
)
def test_given_unknown_env_when_cdk_synth_then_fails_with_the_same_line(tmp_path: Path) -> None:
    result = subprocess.run(
        ["node_modules/.bin/cdk", "synth", "--context", "env=nope", "--quiet",
         "--output", str(tmp_path / "out")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "tap: unknown environment 'nope': known environments are dev, prod, staging" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
