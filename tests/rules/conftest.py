"""Shared fixtures of the rule tests: synthesize real CDK stacks and evaluate them.

Every rule test builds its failing and passing stacks from real CDK constructs, synthesizes
them into a cloud assembly (assets staged, metadata written) and runs the same engine the
plugin and the CLI run.
"""

from __future__ import annotations

import os

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_DEPRECATED", "fail")

import shutil  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import aws_cdk as cdk  # noqa: E402
import pytest  # noqa: E402

from tap.rules.engine import Options, Report, evaluate  # noqa: E402
from tap.rules.finding import Finding  # noqa: E402
from tap.rules.model import load_path  # noqa: E402

Build = Callable[[cdk.Stack], object]


class Synth:
    """``synth(build, ...)`` → the engine's report on the synthesized stack."""

    def __init__(self, tmp_path: Path, name: str = "") -> None:
        self._tmp = tmp_path
        self._name = name
        self._n = 0

    def __call__(
        self,
        build: Build,
        *,
        suffix: str | None = "dev",
        ephemeral: bool | None = True,
        rules: tuple[str, ...] | None = None,
        env: cdk.Environment | None = None,
        stack_name: str = "TestStack",
        options: Options | None = None,
    ) -> Report:
        self._n += 1
        outdir = self._tmp / f"cdk.out.{self._n}"
        app = cdk.App(outdir=str(outdir))
        stack = cdk.Stack(app, stack_name, env=env)
        if suffix is not None or ephemeral is not None:
            stack.template_options.metadata = {
                "TapEnvironment": {"name": "test", "suffix": suffix, "ephemeral": ephemeral}
            }
        build(stack)
        app.synth()
        self._keep(outdir)
        opts = options or Options(rules=rules)
        report = evaluate(load_path(outdir), opts)
        assert not report.rule_errors, report.rule_errors
        return report

    def _keep(self, outdir: Path) -> None:
        # `make bench` replicates the rule tests' stacks: TAP_CORPUS_DIR collects them.
        corpus = os.environ.get("TAP_CORPUS_DIR")
        if corpus:
            safe = "".join(c if c.isalnum() else "_" for c in self._name)[-80:]
            shutil.copytree(outdir, Path(corpus) / f"{safe}_{self._n}", dirs_exist_ok=True)


@pytest.fixture
def synth(tmp_path: Path, request: pytest.FixtureRequest) -> Synth:
    return Synth(tmp_path, request.node.nodeid)


def of_class(report: Report, slug: str) -> list[Finding]:
    """Unacknowledged findings of one failure class."""
    return [f for f in report.active if f.slug == slug]
