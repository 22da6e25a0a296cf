"""JSON report: the machine-readable contract of ``python -m tap.rules check --format json``.

One object ``{"findings": [...], "summary": {...}}``. Each finding carries at least
``rule_id``, ``class``, ``severity``, ``stack``, ``logical_id``, ``construct_path``,
``property_path``, ``message``, ``fix``, ``acknowledged`` and, when acknowledged,
``reason`` (``../shared/RULES-SPEC.md``). Extra marks set by other steps (the baseline's
``"baseline": "new" | "existing"``) are top-level keys of the finding.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tap.rules.engine import Report
    from tap.rules.finding import Finding

__all__ = ["render", "to_dict"]


def to_dict(report: Report) -> dict[str, Any]:
    """The report as the contract's JSON object."""
    return {
        "findings": [_finding(f) for f in report.findings],
        "summary": report.summary(),
    }


def _finding(finding: Finding) -> dict[str, Any]:
    data = finding.to_dict()
    for key, value in data.pop("extra", {}).items():
        data.setdefault(key, value)
    data.setdefault("construct_path", None)
    return data


def render(report: Report, **_: Any) -> str:
    """The report as indented JSON text."""
    return json.dumps(to_dict(report), indent=2) + "\n"
