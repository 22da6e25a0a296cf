"""Baselines: which findings a change introduced, against a previous JSON report.

A finding is *existing* when the baseline report (``check --format json`` on the target
branch) has a finding with the same identity: rule, stack, logical id and property path
(:attr:`tap.rules.finding.Finding.key`). The message is not part of the identity, so
rewording a message, or a value that changes inside it, does not make a finding new.
Everything else is *new*. The mark is ``finding.extra["baseline"]``: the JSON report
carries it as ``"baseline": "new" | "existing"``, the Markdown report leads with the new
findings and SARIF sets ``baselineState``.

Example
-------
.. code-block:: python

    from tap.reports.baseline import apply_baseline
    from tap.rules import evaluate_paths

    report = apply_baseline(evaluate_paths(["cdk.out"]), "base.json")
    new = [f for f in report.findings if f.extra["baseline"] == "new"]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tap.rules.model import InputError

if TYPE_CHECKING:
    from tap.rules.engine import Report
    from tap.rules.finding import Finding

__all__ = ["EXISTING", "NEW", "Key", "apply_baseline", "is_new", "load_baseline", "mark"]

NEW = "new"
EXISTING = "existing"

Key = tuple[str, str, str, str]
"""rule id, stack, logical id (``""`` for a stack-level finding), property path."""


def _key(item: Any, where: str) -> Key:
    if not isinstance(item, dict):
        raise InputError(f"{where}: a finding is a JSON object, found {type(item).__name__}")
    missing = [k for k in ("rule_id", "stack", "property_path") if not isinstance(item.get(k), str)]
    if missing:
        raise InputError(f"{where}: finding without {', '.join(missing)}")
    logical_id = item.get("logical_id")
    if logical_id is not None and not isinstance(logical_id, str):
        raise InputError(f"{where}: logical_id is not a string")
    return (item["rule_id"], item["stack"], logical_id or "", item["property_path"])


def load_baseline(path: str | Path) -> frozenset[Key]:
    """The finding identities of a previous ``--format json`` report.

    Raises
    ------
    InputError
        The file is missing, unreadable, not JSON, or not a report of findings.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"baseline {p}: no such file") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"baseline {p}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"baseline {p}: cannot be read ({exc})") from exc
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(findings, list):
        raise InputError(
            f"baseline {p}: not a rule report (expected the object printed by "
            '`python -m tap.rules check --format json`, with a "findings" list)'
        )
    return frozenset(_key(item, f"baseline {p}, finding {i}") for i, item in enumerate(findings))


def mark(report: Report, baseline: frozenset[Key] | set[Key]) -> Report:
    """Mark every finding of ``report`` new or existing against ``baseline`` (in place)."""
    report.findings = [
        f.with_(extra={**f.extra, "baseline": EXISTING if f.key in baseline else NEW})
        for f in report.findings
    ]
    return report


def apply_baseline(report: Report, path: str | Path) -> Report:
    """Load the baseline report at ``path`` and mark ``report``'s findings against it."""
    return mark(report, load_baseline(path))


def is_new(finding: Finding) -> bool | None:
    """``True``/``False`` once a baseline was applied, ``None`` without one."""
    state = finding.extra.get("baseline")
    return None if state is None else state == NEW
