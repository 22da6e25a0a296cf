"""Small lookups on synthesized templates shared by the stack tests."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template


def resources(template: Template, cfn_type: str) -> dict[str, dict[str, Any]]:
    """Every resource of ``cfn_type`` in the template, by logical id."""
    return template.find_resources(cfn_type)


def only(template: Template, cfn_type: str) -> dict[str, Any]:
    """The one resource of ``cfn_type`` (fails if there are zero or several)."""
    found = resources(template, cfn_type)
    assert len(found) == 1, f"expected one {cfn_type}, found {sorted(found)}"
    return next(iter(found.values()))
