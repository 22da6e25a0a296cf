"""The SARIF 2.1.0 report, for GitHub code scanning and any SARIF viewer.

One ``run`` per guardrail, each with its own ``tool.driver`` (``tap-rules``, ``cdk-nag``,
``CDK validation``...; :mod:`tap.reports.guardrails`), so code scanning shows them apart; the
driver names differ, which code scanning requires of the runs of one upload. Shaped like
cfn-lint's SARIF formatter: levels ``error``/``warning`` and only the rules that matched in
``tool.driver.rules``. A tap rule's descriptor embeds its explanation (``fullDescription``)
and fix (``help``) and links its documentation (``helpUri``: :mod:`tap.reports.links`,
``--docs-url``), never a file of the repository under review. Each result points at the
user's Python file and line that created the construct when the assembly records it
(synthesized with ``CDK_DEBUG=true JSII_HOST_STACK_TRACES=1``); the template's line and
column is then a related location, and the primary one otherwise. Acknowledged findings
carry a ``suppressions`` entry with their reason; a baseline (:mod:`tap.reports.baseline`)
sets ``baselineState``. A failed synthesis sets every run's ``executionSuccessful`` to false
with a ``toolExecutionNotifications`` entry carrying the error.

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
from tap.reports import links
from tap.reports.baseline import is_new
from tap.reports.guardrails import TAP_TOOL, synth_failures_of, tool_of, tools_of
from tap.reports.source import SRCROOT, artifact, template_location

if TYPE_CHECKING:
    from tap.reports.guardrails import Tool
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


def _descriptor(
    rule_id: str, first: Finding, cls: type[Rule] | None, tool: Tool, docs_url: str | None
) -> dict[str, Any]:
    if tool.id != TAP_TOOL:
        return _other_descriptor(rule_id, first, tool)
    title = first.title or (cls.title if cls else rule_id)
    explanation = getattr(cls, "explanation", "") or title
    fix = getattr(cls, "fix", "") or first.fix
    help_uri = links.rule_url(rule_id, docs_url)
    link = f"\n\n[{rule_id} documentation]({help_uri})" if help_uri else ""
    return {
        "id": rule_id,
        "name": cls.__name__ if cls else first.slug,
        "shortDescription": {"text": title},
        "fullDescription": {"text": explanation},
        "help": {
            "text": f"{fix}\n\n{explanation}",
            "markdown": f"**Fix:** {fix}\n\n{explanation}{link}",
        },
        **({"helpUri": help_uri} if help_uri else {}),
        "defaultConfiguration": {"level": first.severity},
        "properties": {
            "tags": [TOOL_NAME, first.slug],
            "class": first.slug,
            "problem.severity": first.severity,
        },
    }


def _other_descriptor(rule_id: str, first: Finding, tool: Tool) -> dict[str, Any]:
    text = first.message or rule_id
    descriptor: dict[str, Any] = {
        "id": rule_id,
        "shortDescription": {"text": first.title or rule_id},
        "fullDescription": {"text": text},
        "defaultConfiguration": {"level": first.severity},
        "properties": {"tags": [tool.id], "problem.severity": first.severity},
    }
    if first.fix:
        descriptor["help"] = {"text": f"{first.fix}\n\n{text}"}
    if tool.rules_uri:
        descriptor["helpUri"] = tool.rules_uri
    return descriptor


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
            "tool": tool_of(f),
            "class": f.slug or None,
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


def _notifications(report: Report, tool: str) -> list[dict[str, Any]]:
    notes = [
        {
            "level": "error",
            "message": {"text": "\n".join([failure.headline, *failure.excerpt[1:12]])},
            "properties": {"synthFailure": failure.to_dict()},
        }
        for failure in synth_failures_of(report)
    ]
    if tool != TAP_TOOL:
        return notes
    notes += [
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


def _driver(tool: Tool, docs_url: str | None) -> dict[str, Any]:
    if tool.id == TAP_TOOL:
        page = links.docs_page(docs_url)
        return {
            "name": TOOL_NAME,
            "version": tap.__version__,
            "semanticVersion": tap.__version__,
            **({"informationUri": page} if page else {}),
        }
    driver: dict[str, Any] = {"name": tool.name}
    plugins = ", ".join(tool.plugins)
    if plugins and plugins != tool.name:
        driver["fullName"] = f"{tool.name} ({plugins})"
    if tool.version:
        driver["version"] = tool.version
    if tool.information_uri:
        driver["informationUri"] = tool.information_uri
    return driver


def render(
    report: Report,
    *,
    root: str | Path | None = None,
    docs_url: str | None = None,
    **_: object,
) -> str:
    """Render ``report`` as a SARIF 2.1.0 log: one run per tool, ours first.

    Parameters
    ----------
    report
        The engine's report, optionally combined with the other guardrails'
        (:func:`tap.reports.guardrails.combine`) and marked by
        :func:`tap.reports.baseline.apply_baseline`.
    root
        The repository root (default: the working directory): files inside it are
        ``uriBaseId: %SRCROOT%`` relative URIs, as code scanning expects; files outside
        it are absolute ``file://`` URIs.
    docs_url
        The rules' documentation page for ``helpUri`` (default
        :data:`tap.reports.links.DOCS_URL`).
    """
    base_dir = Path(root).resolve() if root is not None else Path.cwd().resolve()
    classes = _rule_classes() if report.findings else {}
    failed_synth = bool(synth_failures_of(report))
    runs = []
    for tool in tools_of(report).values():
        rules: list[dict[str, Any]] = []
        index: dict[str, int] = {}
        results = []
        for f in report.findings:
            if tool_of(f) != tool.id:
                continue
            if f.rule_id not in index:
                index[f.rule_id] = len(rules)
                rules.append(_descriptor(f.rule_id, f, classes.get(f.rule_id), tool, docs_url))
            results.append(_result(f, index[f.rule_id], base_dir))
        ok = not failed_synth and not (tool.id == TAP_TOOL and report.rule_errors)
        run: dict[str, Any] = {
            "tool": {"driver": {**_driver(tool, docs_url), "rules": rules}},
            "invocations": [
                {
                    "executionSuccessful": ok,
                    "toolExecutionNotifications": _notifications(report, tool.id),
                }
            ],
            "originalUriBaseIds": {SRCROOT: {"uri": base_dir.as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }
        runs.append(run)
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": runs}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
