"""The plugin reads the same configuration as the command line (``.tap-rules.toml`` beside
``cdk.json``), its arguments override it, and a bad file fails synth with one line.

Class exercised: ``environment-suffix`` (TAP-GEN-3: explicit names carry the suffix).
"""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from tap.rules import TapRules
from tap.rules.config import load_config
from tap.rules.plugin import CONFIGURATION_RULE_ID


def _synth(outdir: Path, plugin: TapRules) -> str | None:
    """Synthesize a stack whose bucket is named for "dev"; the validation error or None."""
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Shop-prod")
    s3.Bucket(stack, "Named", bucket_name=f"shop-named-dev-{cdk.Aws.ACCOUNT_ID}")
    cdk.Validations.of(app).add_plugins(plugin)
    try:
        app.synth()
    except RuntimeError as exc:
        return str(exc)
    return None


def test_plugin_takes_the_environment_from_the_config_file(
    project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # GIVEN .tap-rules.toml beside cdk.json: this stack is prod
    (project / ".tap-rules.toml").write_text(
        'rules = ["environment-suffix"]\n[stacks."*-prod"]\nenvironment-suffix = "prod"\n'
    )

    # WHEN the app synthesizes with TapRules() and no argument
    error = _synth(project / "cdk.out", TapRules())

    # THEN the name without "prod" fails synth, and no rule was skipped for lack of it
    assert error is not None and "TAP-GEN-3" in error
    assert "skipped for lack of configuration" not in capfd.readouterr().err


def test_plugin_arguments_override_the_config_file(project: Path) -> None:
    (project / ".tap-rules.toml").write_text(
        'rules = ["environment-suffix"]\nenvironment-suffix = "prod"\n'
    )

    assert _synth(project / "cdk.out", TapRules(environment_suffix="dev")) is None
    # the same merge, option by option
    options = load_config().to_options(ignore=("TAP-S3-1",), severity={"TAP-GEN-3": "warning"})
    assert options.rules == ("environment-suffix",)
    assert options.ignore == ("TAP-S3-1",) and options.severity == {"TAP-GEN-3": "warning"}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            'ephemeral = "sometimes"\n',
            "{file}: ephemeral: expected true or false, found 'sometimes'",
        ),
        (
            'ignore = ["TAP-NOPE-1"]\n',
            "unknown rule id or class: TAP-NOPE-1 (see `tap-rules list`)",
        ),
    ],
)
def test_a_bad_config_file_fails_synth_with_one_line(
    project: Path, capfd: pytest.CaptureFixture[str], config: str, message: str
) -> None:
    file = project / ".tap-rules.toml"
    file.write_text(config)

    error = _synth(project / "cdk.out", TapRules())

    assert error is not None
    (line,) = [ln for ln in capfd.readouterr().err.splitlines() if ln.startswith("tap-rules:")]
    assert line == f"tap-rules: {message.format(file=file)}"
    outdir = project / "cdk.out"
    report = json.loads((outdir / "validation-report.json").read_text())
    (plugin,) = [r for r in report["pluginReports"] if r["pluginName"] == "tap-rules"]
    (violation,) = plugin["violations"]
    assert violation["ruleName"] == CONFIGURATION_RULE_ID
    assert violation["description"].endswith(message.format(file=file))
    assert "maintainers" not in json.dumps(violation)  # the user's mistake, not a pack bug
