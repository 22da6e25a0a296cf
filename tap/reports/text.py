"""Plain-text report for a terminal: findings grouped by stack and severity.

A failed synthesis comes first (what failed, and the first lines of its error). Then, per
stack, unacknowledged errors first, then warnings, then the acknowledged findings folded to
one line each with their reason; each finding names its tool (``tap-rules``, ``cdk-nag``,
``CDK validation``...). Then the rules skipped for want of an environment fact, any rule
that failed, and a one-line summary with the counts per tool.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from tap.reports.guardrails import (
    TAP_TOOL,
    counts_by_tool,
    failed,
    notices_of,
    synth_failures_of,
    tool_of,
    tools_of,
)

if TYPE_CHECKING:
    from tap.reports.guardrails import Tool
    from tap.rules.engine import Report
    from tap.rules.finding import Finding

__all__ = ["render"]


def _where(f: Finding) -> str:
    where = f.logical_id or "(stack)"
    if f.construct_path:
        where += f" [{f.construct_path}]"
    return f"{where} {f.property_path}".rstrip()


def _label(f: Finding, tools: dict[str, Tool]) -> str:
    tool = tool_of(f)
    if tool == TAP_TOOL:
        return f"{f.rule_id} ({f.slug})"
    name = tools[tool].name if tool in tools else tool
    return f"[{name}] {f.rule_id}"


def _finding(f: Finding, tools: dict[str, Tool]) -> list[str]:
    lines = [f"  {f.severity.upper()} {_label(f, tools)} {_where(f)}", f"    {f.message}"]
    if f.source is not None:
        lines.append(f"    at {f.source.file}:{f.source.line}")
    if f.fix:
        lines.append(f"    fix: {f.fix}")
    return lines


def _stack(name: str, findings: list[Finding], tools: dict[str, Tool]) -> list[str]:
    active = [f for f in findings if not f.acknowledged]
    acked = [f for f in findings if f.acknowledged]
    errors = sum(1 for f in active if f.severity == "error")
    lines = [f"{name}: {errors} error(s), {len(active) - errors} warning(s), {len(acked)} ack."]
    for severity in ("error", "warning"):
        for f in active:
            if f.severity == severity:
                lines.extend(_finding(f, tools))
    if acked:
        lines.append("  acknowledged:")
        for f in acked:
            label = f.rule_id if tool_of(f) == TAP_TOOL else _label(f, tools)
            lines.append(f"    {label} {_where(f)}: {f.reason}")
    return lines


def render(report: Report, **_: Any) -> str:
    """The report as text, ending with a summary line."""
    by_stack: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_stack[f.stack].append(f)
    tools = tools_of(report)
    lines: list[str] = []
    for failure in synth_failures_of(report):
        lines.append(f"FAILED {failure.headline}")
        lines.append(f"  command: {failure.command}")
        lines.extend(f"  | {line}" for line in failure.excerpt)
        if failure.log:
            lines.append(f"  full log: {failure.log}")
        lines.append("")
    for notice in notices_of(report):
        lines += [f"note: {notice}", ""]
    names = list(dict.fromkeys([*report.stacks, *by_stack]))
    for name in names:
        lines.extend(_stack(name, by_stack.get(name, []), tools))
        lines.append("")
    if report.skipped:
        lines.append("skipped (environment unknown):")
        for skip in report.skipped:
            lines.append(f"  {skip.rule_id} on {skip.stack}: {skip.reason}")
        lines.append("")
    if report.rule_errors:
        lines.append("rules that failed (a bug in the rule pack; their checks did not run):")
        for err in report.rule_errors:
            lines.extend(f"  {line}" for line in err.splitlines())
        lines.append("")
    lines.append(_summary(report, tools))
    return "\n".join(lines) + "\n"


def _summary(report: Report, tools: dict[str, Tool]) -> str:
    """One line: the verdict and totals, then the counts per tool and any failed synth."""
    s = report.summary()
    who = "tap-rules" if list(tools) == [TAP_TOOL] else "guardrails"
    line = (
        f"{who} {'FAILED' if failed(report) else 'passed'}: {s['errors']} error(s), "
        f"{s['warnings']} warning(s), {s['acknowledged']} acknowledged, "
        f"{len(report.skipped)} skipped ({s['rules']} rules, {s['stacks']} stack(s), "
        f"{s['resources']} resources)"
    )
    if who == "guardrails":
        by_tool = counts_by_tool(report)
        line += "; by tool: " + ", ".join(
            f"{tools[t].name} {c['errors']}/{c['warnings']}/{c['acknowledged']}"
            for t, c in by_tool.items()
        )
        line += " (errors/warnings/acknowledged)"
    for failure in synth_failures_of(report):
        line += f"; {failure.headline}"
    return line
