"""lambda-handler: the handler a function names exists in its staged asset (TAP-LAMBDA-1)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from conftest import of_class

SLUG = "lambda-handler"


def _asset(tmp_path: Path, files: dict[str, str]) -> str:
    root = tmp_path / "code"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return str(root)


def _fn(stack, code: lambda_.Code, handler: str, runtime=lambda_.Runtime.PYTHON_3_12):
    return lambda_.Function(stack, "Fn", runtime=runtime, handler=handler, code=code)


def test_asset_staged_from_the_wrong_folder_has_no_handler_module(synth, tmp_path):
    # GIVEN seed 004 #6: the asset folder holds main.py, the handler names app.handler
    code = _asset(tmp_path, {"main.py": "def handler(event, context):\n    return 1\n"})

    findings = of_class(
        synth(lambda s: _fn(s, lambda_.Code.from_asset(code), "app.handler"), rules=(SLUG,)),
        SLUG,
    )

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-LAMBDA-1", "Properties/Handler")
    ]
    assert findings[0].logical_id.startswith("Fn")
    assert "app.py is not in the staged asset" in findings[0].message
    assert "main.py" in findings[0].message


def test_module_without_the_function_is_a_finding(synth, tmp_path):
    code = _asset(tmp_path, {"app.py": "def main(event, context):\n    return 1\n"})

    findings = of_class(
        synth(lambda s: _fn(s, lambda_.Code.from_asset(code), "app.handler"), rules=(SLUG,)),
        SLUG,
    )

    assert len(findings) == 1
    assert "app.py defines no top-level 'handler'" in findings[0].message


def test_inline_code_without_the_function_is_a_finding(synth):
    findings = of_class(
        synth(
            lambda s: _fn(s, lambda_.Code.from_inline("def main(e, c):\n    pass\n"), "index.go"),
            rules=(SLUG,),
        ),
        SLUG,
    )

    assert len(findings) == 1
    assert "inline code (module index) defines no top-level 'go'" in findings[0].message


def test_node_handler_file_missing_is_a_finding(synth, tmp_path):
    code = _asset(tmp_path, {"main.mjs": "export const handler = async () => 1;\n"})

    findings = of_class(
        synth(
            lambda s: _fn(
                s, lambda_.Code.from_asset(code), "index.handler", lambda_.Runtime.NODEJS_22_X
            ),
            rules=(SLUG,),
        ),
        SLUG,
    )

    assert len(findings) == 1
    assert "index.js/.mjs/.cjs is not in the staged asset" in findings[0].message


def test_decorated_async_and_package_handlers_pass(synth, tmp_path):
    # GIVEN a Powertools-style decorated def, an assigned handler in a package, an async def
    code = _asset(
        tmp_path,
        {
            "app.py": (
                "from aws_lambda_powertools import Logger\n"
                "logger = Logger()\n\n"
                "@logger.inject_lambda_context\n"
                "def handler(event, context):\n    return 1\n"
            ),
            "pkg/__init__.py": "",
            "pkg/jobs.py": (
                "def _run(e, c):\n    return 2\n\nrun = _run\n\nasync def later(e, c):\n    pass\n"
            ),
        },
    )

    def build(stack):
        asset = lambda_.Code.from_asset(code)
        for i, handler in enumerate(["app.handler", "pkg.jobs.run", "pkg.jobs.later"]):
            lambda_.Function(
                stack, f"Fn{i}", runtime=lambda_.Runtime.PYTHON_3_12, handler=handler, code=asset
            )
        lambda_.Function(
            stack,
            "Inline",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return 0\n"),
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_module_too_deeply_nested_to_parse_is_not_judged_instead_of_raising(synth, tmp_path):
    # GIVEN a handler module Python's parser cannot build (20,000 additions in one expression:
    # "maximum recursion depth exceeded during ast construction"), and one that parses
    deep = "+".join(["1"] * 20000)
    code = _asset(tmp_path, {"app.py": f"def handler(event, context):\n    return {deep}\n"})

    # WHEN the stack is checked (the synth fixture fails on any rule error)
    report = synth(lambda s: _fn(s, lambda_.Code.from_asset(code), "app.handler"), rules=(SLUG,))

    # THEN the function is not judged: no finding, and no internal error
    assert of_class(report, SLUG) == []
