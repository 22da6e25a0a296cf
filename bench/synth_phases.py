"""One instrumented synthesis of TapStack-dev, run by the CDK CLI as the app.

    TAPBENCH_VARIANT=<none|tap|nag|builtin|all> TAPBENCH_OUT=FILE [CDK_VALIDATION=false] \
        cdk synth --app ".venv/bin/python bench/synth_phases.py" --context env=dev --output DIR

Writes the phase times (seconds) as JSON to $TAPBENCH_OUT: ``imports`` (Python, jsii
kernel start, aws-cdk-lib load), ``build`` (constructing TapStack), ``synth``
(app.synth(): preparation, assets, templates and every registered validation) and, when
our plugin runs, ``tap_plugin`` (its ``validate``, measured inside). Variants differ only
in which guardrails are registered; the bench subtracts ``none`` from the others.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("JSII_DEPRECATED", "fail")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from tap.config import ENVIRONMENTS_KEY, load_props  # noqa: E402
from tap.rules.plugin import TapRulesPlugin  # noqa: E402
from tap.stack import TapStack  # noqa: E402


class TimedTapPlugin(TapRulesPlugin):
    elapsed = 0.0

    def validate(self, context):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return super().validate(context)
        finally:
            TimedTapPlugin.elapsed += time.perf_counter() - t


def main() -> None:
    t_imports = time.perf_counter() - T0
    variant = os.environ.get("TAPBENCH_VARIANT", "all")
    # CDK's built-in CloudFormation validation runs unless CDK_VALIDATION=false (the bench
    # sets that for the variants without it).
    app = cdk.App()
    props = load_props(app.node.try_get_context("env"), app.node.try_get_context(ENVIRONMENTS_KEY))
    t = time.perf_counter()
    TapStack(app, f"TapStack-{props.env_name}", props=props)
    t_build = time.perf_counter() - t
    if variant in ("tap", "all"):
        cdk.Validations.of(app).add_plugins(TimedTapPlugin())
    if variant in ("nag", "all"):
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    t = time.perf_counter()
    try:
        app.synth()
    except RuntimeError as exc:  # a failing validation still measured its time
        print(f"synth failed validation: {str(exc)[:200]}", file=sys.stderr)
    t_synth = time.perf_counter() - t
    out = {
        "variant": variant,
        "imports": t_imports,
        "build": t_build,
        "synth": t_synth,
        "tap_plugin": TimedTapPlugin.elapsed,
    }
    Path(os.environ["TAPBENCH_OUT"]).write_text(json.dumps(out))


if __name__ == "__main__":
    main()
