"""Plain-text report for a terminal: findings grouped by stack and severity.

Unacknowledged errors first, then warnings, then the acknowledged findings folded to one
line each with their reason; then the rules skipped for want of an environment fact,
any rule that failed, and a one-line summary.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tap.rules.engine import Report
    from tap.rules.finding import Finding

__all__ = ["render"]


def _where(f: Finding) -> str:
    where = f.logical_id or "(stack)"
    if f.construct_path:
        where += f" [{f.construct_path}]"
    return f"{where} {f.property_path}".rstrip()


def _finding(f: Finding) -> list[str]:
    lines = [f"  {f.severity.upper()} {f.rule_id} ({f.slug}) {_where(f)}", f"    {f.message}"]
    if f.source is not None:
        lines.append(f"    at {f.source.file}:{f.source.line}")
    lines.append(f"    fix: {f.fix}")
    return lines


def _stack(name: str, findings: list[Finding]) -> list[str]:
    active = [f for f in findings if not f.acknowledged]
    acked = [f for f in findings if f.acknowledged]
    errors = sum(1 for f in active if f.severity == "error")
    lines = [f"{name}: {errors} error(s), {len(active) - errors} warning(s), {len(acked)} ack."]
    for severity in ("error", "warning"):
        for f in active:
            if f.severity == severity:
                lines.extend(_finding(f))
    if acked:
        lines.append("  acknowledged:")
        for f in acked:
            lines.append(f"    {f.rule_id} {_where(f)}: {f.reason}")
    return lines


def render(report: Report, **_: Any) -> str:
    """The report as text, ending with a summary line."""
    by_stack: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_stack[f.stack].append(f)
    lines: list[str] = []
    for name in report.stacks:
        lines.extend(_stack(name, by_stack.get(name, [])))
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
    s = report.summary()
    verdict = "FAILED" if report.errors or report.rule_errors else "passed"
    lines.append(
        f"tap-rules {verdict}: {s['errors']} error(s), {s['warnings']} warning(s), "
        f"{s['acknowledged']} acknowledged, {len(report.skipped)} skipped "
        f"({s['rules']} rules, {s['stacks']} stack(s), {s['resources']} resources)"
    )
    return "\n".join(lines) + "\n"
