"""lambda-runtime: functions and layers on a runtime AWS supports (TAP-LAMBDA-2)."""

from __future__ import annotations

import datetime as dt

from aws_cdk import aws_lambda as lambda_
from conftest import of_class

from tap.rules.awslambda.runtime import HORIZON_DAYS, runtime_problem
from tap.rules.engine import Options

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


def test_python_3_11_is_supported_and_not_a_finding(synth):
    # GIVEN python3.11, which AWS supports until 2027-06-30 (issue 9: it was an error for
    # being older than python3.12)
    report = synth(lambda s: _fn(s, "Prev", lambda_.Runtime.PYTHON_3_11), rules=(SLUG,))

    assert of_class(report, SLUG) == []


def test_python_3_11_older_than_a_configured_target_is_an_error(synth):
    options = Options(rules=(SLUG,), settings={SLUG: {"target": {"python": "python3.12"}}})
    report = synth(lambda s: _fn(s, "Prev", lambda_.Runtime.PYTHON_3_11), options=options)

    (f,) = of_class(report, SLUG)
    assert f.severity == "error"
    assert "older than the target python3.12" in f.message


def test_runtime_deprecated_within_the_horizon_is_a_warning(synth):
    # GIVEN a horizon long enough to reach python3.12's deprecation (2028-10-31)
    options = Options(rules=(SLUG,), settings={"TAP-LAMBDA-2": {"horizon_days": 3650}})
    report = synth(lambda s: _fn(s, "Now", lambda_.Runtime.PYTHON_3_12), options=options)

    (f,) = of_class(report, SLUG)
    assert f.severity == "warning"
    assert "python3.12 is deprecated on 2028-10-31" in f.message


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
        _fn(stack, "Node24", lambda_.Runtime.NODEJS_24_X)
        lambda_.LayerVersion(
            stack,
            "Layer",
            code=lambda_.Code.from_asset(str(tmp_path / "layer")),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_8, lambda_.Runtime.PYTHON_3_12],
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_deprecation_dates_come_from_the_published_schedule():
    day = dt.date(2026, 4, 29)
    assert HORIZON_DAYS == 90
    assert runtime_problem("nodejs20.x", day, horizon_days=0) is None
    assert runtime_problem("nodejs20.x", day)[0] == "warning"
    severity, why = runtime_problem("nodejs20.x", dt.date(2026, 5, 1))
    assert severity == "error" and "deprecated since 2026-04-30" in why
    assert runtime_problem("python3.11", dt.date(2026, 11, 29)) is None
    assert runtime_problem("python3.14", dt.date(2026, 5, 1)) is None
    assert runtime_problem("python3.99", dt.date(2026, 5, 1)) is None  # unknown: silent
