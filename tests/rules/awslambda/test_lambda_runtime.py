"""lambda-runtime: functions and layers on the target python3.12 or newer (TAP-LAMBDA-2)."""

from __future__ import annotations

import datetime as dt

from aws_cdk import aws_lambda as lambda_
from conftest import of_class

from tap.rules.awslambda.runtime import TARGET_PYTHON, runtime_problem

SLUG = "lambda-runtime"
INLINE = lambda_.Code.from_inline("def handler(event, context):\n    return 0\n")


def _fn(stack, name, runtime):
    return lambda_.Function(stack, name, runtime=runtime, handler="index.handler", code=INLINE)


def test_python_3_9_function_is_a_finding(synth):
    # GIVEN seed 004 #8's runtime
    findings = of_class(
        synth(lambda s: _fn(s, "Old", lambda_.Runtime.PYTHON_3_9), rules=(SLUG,)), SLUG
    )

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-LAMBDA-2", "Properties/Runtime")
    ]
    assert findings[0].logical_id.startswith("Old")
    assert "python3.9" in findings[0].message


def test_python_3_11_is_older_than_the_target(synth):
    findings = of_class(
        synth(lambda s: _fn(s, "Prev", lambda_.Runtime.PYTHON_3_11), rules=(SLUG,)), SLUG
    )

    assert len(findings) == 1
    assert "older than the target python3.12" in findings[0].message


def test_layer_compatible_with_python_3_8_only_is_a_finding(tmp_path, synth):
    (tmp_path / "layer" / "python").mkdir(parents=True)
    (tmp_path / "layer" / "python" / "util.py").write_text("X = 1\n")

    def build(stack):
        lambda_.LayerVersion(
            stack,
            "Layer",
            code=lambda_.Code.from_asset(str(tmp_path / "layer")),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_8],
        )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert len(findings) == 1
    assert findings[0].property_path == "Properties/CompatibleRuntimes"
    assert "python3.8 is deprecated since 2024-10-14" in findings[0].message


def test_current_python_and_node_pass(synth, tmp_path):
    (tmp_path / "layer").mkdir()
    (tmp_path / "layer" / "x.py").write_text("X = 1\n")

    def build(stack):
        _fn(stack, "Py312", lambda_.Runtime.PYTHON_3_12)
        _fn(stack, "Py313", lambda_.Runtime.PYTHON_3_13)
        _fn(stack, "Node22", lambda_.Runtime.NODEJS_22_X)
        lambda_.LayerVersion(
            stack,
            "Layer",
            code=lambda_.Code.from_asset(str(tmp_path / "layer")),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_8, lambda_.Runtime.PYTHON_3_12],
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_deprecation_dates_only_count_once_past():
    assert TARGET_PYTHON == (3, 12)
    assert runtime_problem("nodejs20.x", dt.date(2026, 4, 29)) is None
    assert "deprecated since 2026-04-30" in runtime_problem("nodejs20.x", dt.date(2026, 5, 1))
    assert runtime_problem("python3.14", dt.date(2026, 5, 1)) is None
