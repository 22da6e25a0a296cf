"""The SARIF 2.1.0 report, for GitHub code scanning and any SARIF viewer.

Shaped like cfn-lint's SARIF formatter: levels ``error``/``warning``, only the rules that
matched in ``tool.driver.rules`` and a ``helpUri`` per rule (``RULES.md#<rule id
lowercased>``). Each result points at the user's Python file and line that created the
construct when the assembly records it (synthesized with ``CDK_DEBUG=true
JSII_HOST_STACK_TRACES=1``); the template's line and column is then a related location,
and the primary one otherwise. Acknowledged findings carry a ``suppressions`` entry with
their reason; a baseline (:mod:`tap.reports.baseline`) sets ``baselineState``.

Example
-------
.. code-block:: python

    from tap.reports import render
    from tap.rules import evaluate_paths

    sarif_text = render(evaluate_paths(["cdk.out"]), "sarif")
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tap
from tap.reports.baseline import is_new
from tap.reports.source import SRCROOT, artifact, blob_url, template_location

if TYPE_CHECKING:
    from tap.rules.base import Rule
    from tap.rules.engine import Report
    from tap.rules.finding import Finding, SourceLocation

__all__ = ["SCHEMA_URI", "TOOL_NAME", "render"]

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "tap-rules"
FINGERPRINT = "tapFindingKey/v1"
"""A partial fingerprint from the finding's identity (rule, stack, logical id, property
path): code scanning follows an alert across commits even when its lines move."""


def _rule_classes() -> dict[str, type[Rule]]:
    from tap.rules.registry import all_rules

    return {rule.id: rule for rule in all_rules()}


def _help_base(root: Path, link_base: str | None) -> str:
    if link_base is not None:
        return link_base
    return blob_url() or root.as_uri() + "/"


def _descriptor(rule_id: str, first: Finding, cls: type[Rule] | None, base: str) -> dict[str, Any]:
    title = first.title or (cls.title if cls else rule_id)
    explanation = getattr(cls, "explanation", "") or title
    fix = getattr(cls, "fix", "") or first.fix
    help_uri = f"{base}RULES.md#{rule_id.lower()}"
    return {
        "id": rule_id,
        "name": cls.__name__ if cls else first.slug,
        "shortDescription": {"text": title},
        "fullDescription": {"text": explanation},
        "help": {
            "text": f"{fix}\n\n{explanation}",
            "markdown": f"**Fix:** {fix}\n\n{explanation}\n\n[{rule_id} in RULES.md]({help_uri})",
        },
        "helpUri": help_uri,
        "defaultConfiguration": {"level": first.severity},
        "properties": {
            "tags": [TOOL_NAME, first.slug],
            "class": first.slug,
            "problem.severity": first.severity,
        },
    }


def _physical(loc: SourceLocation, root: Path) -> dict[str, Any]:
    art = artifact(loc.file, root)
    where: dict[str, Any] = {"uri": art.uri}
    if art.base_id:
        where["uriBaseId"] = art.base_id
    region: dict[str, Any] = {"startLine": max(loc.line, 1)}
    if loc.column > 1:
        region["startColumn"] = loc.column
    return {"artifactLocation": where, "region": region}


def _locations(f: Finding, root: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    template = template_location(f)
    primary = f.source or template
    logical = []
    if f.construct_path or f.logical_id:
        logical.append(
            {
                "name": f.logical_id or f.stack,
                "fullyQualifiedName": f.construct_path or f"{f.stack}/{f.logical_id}",
                "kind": "resource",
            }
        )
    locations: list[dict[str, Any]] = []
    if primary is not None:
        loc: dict[str, Any] = {"physicalLocation": _physical(primary, root)}
        if logical:
            loc["logicalLocations"] = logical
        locations.append(loc)
    related = []
    if f.source is not None and template is not None:
        related.append(
            {
                "id": 1,
                "physicalLocation": _physical(template, root),
                "message": {"text": f"{f.property_path or 'resource'} in the synthesized template"},
            }
        )
    return locations, related


def _result(f: Finding, index: int, root: Path) -> dict[str, Any]:
    key = "\x00".join(f.key)
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": f.severity,
        "kind": "fail",
        "message": {"text": f"{f.message}\nFix: {f.fix}" if f.fix else f.message},
        "partialFingerprints": {FINGERPRINT: hashlib.sha256(key.encode()).hexdigest()[:32]},
        "properties": {
            "class": f.slug,
            "stack": f.stack,
            "logicalId": f.logical_id,
            "constructPath": f.construct_path,
            "propertyPath": f.property_path,
            "fix": f.fix,
        },
    }
    locations, related = _locations(f, root)
    if locations:
        result["locations"] = locations
    if related:
        result["relatedLocations"] = related
    state = is_new(f)
    if state is not None:
        result["baselineState"] = "new" if state else "unchanged"
    if f.acknowledged:
        result["suppressions"] = [
            {"kind": "inSource", "status": "accepted", "justification": f.reason or ""}
        ]
    return result


def _notifications(report: Report) -> list[dict[str, Any]]:
    notes = [
        {"level": "error", "message": {"text": err.splitlines()[0] if err else "rule error"}}
        for err in report.rule_errors
    ]
    notes += [
        {
            "level": "note",
            "message": {"text": f"{s.rule_id} skipped on {s.stack}: {s.reason}"},
            "descriptor": {"id": s.rule_id},
        }
        for s in report.skipped
    ]
    return notes


def render(
    report: Report,
    *,
    root: str | Path | None = None,
    link_base: str | None = None,
    **_: object,
) -> str:
    """Render ``report`` as a SARIF 2.1.0 log (one run).

    Parameters
    ----------
    report
        The engine's report, optionally marked by :func:`tap.reports.baseline.apply_baseline`.
    root
        The repository root (default: the working directory): files inside it are
        ``uriBaseId: %SRCROOT%`` relative URIs, as code scanning expects; files outside
        it are absolute ``file://`` URIs.
    link_base
        URL prefix of the repository's files for ``helpUri``; default: from the GitHub
        Actions environment (:func:`tap.reports.source.blob_url`), else ``root``'s file URI.
    """
    base_dir = Path(root).resolve() if root is not None else Path.cwd().resolve()
    classes = _rule_classes() if report.findings else {}
    help_base = _help_base(base_dir, link_base)
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results = []
    for f in report.findings:
        if f.rule_id not in index:
            index[f.rule_id] = len(rules)
            rules.append(_descriptor(f.rule_id, f, classes.get(f.rule_id), help_base))
        results.append(_result(f, index[f.rule_id], base_dir))
    driver: dict[str, Any] = {
        "name": TOOL_NAME,
        "version": tap.__version__,
        "semanticVersion": tap.__version__,
        "informationUri": f"{help_base}RULES.md",
        "rules": rules,
    }
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [
            {
                "executionSuccessful": not report.rule_errors,
                "toolExecutionNotifications": _notifications(report),
            }
        ],
        "originalUriBaseIds": {SRCROOT: {"uri": base_dir.as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
