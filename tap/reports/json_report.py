"""JSON report: the machine-readable contract of ``python -m tap.rules check --format json``.

One object ``{"findings": [...], "summary": {...}}``. Each finding carries at least
``rule_id``, ``class``, ``severity``, ``stack``, ``logical_id``, ``construct_path``,
``property_path``, ``message``, ``fix``, ``acknowledged`` and, when acknowledged,
``reason`` (``../shared/RULES-SPEC.md``), and ``tool``: ``tap-rules`` for ours, ``cdk-nag``,
``cdk-validation`` ... for the other validation plugins' violations read from
``validation-report.json`` (:mod:`tap.reports.guardrails`; they also carry ``plugin``).
Extra marks set by other steps (the baseline's ``"baseline": "new" | "existing"``) are
top-level keys of the finding.

The summary adds to the engine's counts (which cover every tool) the verdict
``"status": "passed" | "failed"`` (the exit status and the Markdown heading say the same),
the counts per tool and the failed syntheses (``synth_failures``: target, command, exit
code, first lines of the error).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tap.reports.guardrails import summary, tool_of

if TYPE_CHECKING:
    from tap.rules.engine import Report
    from tap.rules.finding import Finding

__all__ = ["render", "to_dict"]


def to_dict(report: Report) -> dict[str, Any]:
    """The report as the contract's JSON object."""
    return {
        "findings": [_finding(f) for f in report.findings],
        "summary": summary(report),
    }


def _finding(finding: Finding) -> dict[str, Any]:
    data = finding.to_dict()
    data.setdefault("tool", tool_of(finding))
    if not data.get("class"):
        data["class"] = None  # another tool's rule has no tap failure class
    for key, value in data.pop("extra", {}).items():
        data.setdefault(key, value)
    data.setdefault("construct_path", None)
    return data


def render(report: Report, **_: Any) -> str:
    """The report as indented JSON text."""
    return json.dumps(to_dict(report), indent=2) + "\n"
