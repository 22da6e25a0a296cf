"""Fixtures of the stack tests: one synthesized TapStack per environment and worker.

A full stack takes seconds to synthesize, so templates are built once per test session (per
pytest-xdist worker) from the real ``cdk.json`` environments and shared by the test modules.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from tap.config import ENVIRONMENTS_KEY, load_props
from tap.props import TapStackProps
from tap.stack import TapStack

REPO_ROOT = Path(__file__).resolve().parents[2]


@cache
def cdk_json() -> dict[str, Any]:
    return json.loads((REPO_ROOT / "cdk.json").read_text())


def environments() -> dict[str, Any]:
    return cdk_json()["context"][ENVIRONMENTS_KEY]


def build_stack(props: TapStackProps) -> TapStack:
    """A TapStack in an app that carries cdk.json's feature flags (as `cdk synth` would)."""
    context = {k: v for k, v in cdk_json()["context"].items() if k != ENVIRONMENTS_KEY}
    context["aws:cdk:enable-path-metadata"] = True  # as the CLI sets it: tests find by path
    app = cdk.App(context=context)
    return TapStack(app, f"TapStack-{props.env_name}", props=props)


@cache
def _template(env_name: str) -> Template:
    return Template.from_stack(build_stack(load_props(env_name, environments())))


@pytest.fixture(scope="session")
def template_for() -> Callable[[str], Template]:
    """``template_for("dev")`` -> the synthesized TapStack-dev template (cached)."""
    return _template


@pytest.fixture(scope="session")
def dev(template_for: Callable[[str], Template]) -> Template:
    return template_for("dev")


@pytest.fixture(scope="session")
def prod(template_for: Callable[[str], Template]) -> Template:
    return template_for("prod")
