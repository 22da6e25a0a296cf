"""The template the local run is tested on: synthesized in-process from tap.stack, so that
the tested schema is the one that deploys (no stale cdk.out)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def synthesize_dev_template(outdir: Path) -> Path:
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    import aws_cdk as cdk

    from tap.config import ENVIRONMENTS_KEY, load_props
    from tap.stack import TapStack

    context = json.loads((REPO / "cdk.json").read_text())["context"]
    app = cdk.App(outdir=str(outdir), context=context)
    props = load_props("dev", context[ENVIRONMENTS_KEY])
    TapStack(app, f"TapStack-{props.env_name}", props=props)
    app.synth()
    return outdir / f"TapStack-{props.env_name}.template.json"


@pytest.fixture(scope="session")
def dev_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cwd = Path.cwd()
    os.chdir(REPO)  # asset paths (lambda/...) are relative to the repository
    try:
        return synthesize_dev_template(tmp_path_factory.mktemp("cdk.out"))
    finally:
        os.chdir(cwd)
