"""The Markdown report: built for a pull-request comment.

Its first visible line is the verdict, the same one the exit status and the JSON report's
``summary.status`` give: red when any guardrail has an unacknowledged error or when a
synthesis failed. A failed synthesis leads (the environment, the command, the exit status
and the first lines of the error), and whatever findings exist are still shown. Then the
counts per tool (tap-rules, cdk-nag, CDK validation...) and severity; with a baseline
applied (:mod:`tap.reports.baseline`) the findings the change introduced come first and the
ones already on the target branch are folded. Findings are grouped by tool and rule, each
with its construct path, property path, the Python line that created the construct (else
the template's line) and the fix; a tap rule's group also embeds why the rule exists and
links its documentation (:mod:`tap.reports.links`, ``--docs-url``), never a file of the
repository under review. Acknowledged findings are folded with their reasons.

The first line is the hidden marker :data:`MARKER`, which the pull-request workflow
uses to find and update its one comment instead of posting another.

Example
-------
.. code-block:: python

    from tap.reports import render
    from tap.rules import evaluate_paths

    print(render(evaluate_paths(["cdk.out"]), "markdown"))
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tap.reports import links
from tap.reports.baseline import is_new
from tap.reports.guardrails import (
    TAP_TOOL,
    counts_by_tool,
    failed,
    notices_of,
    synth_failures_of,
    tool_of,
    tools_of,
)
from tap.reports.source import blob_url, display_path, template_location

if TYPE_CHECKING:
    from tap.rules.base import Rule
    from tap.rules.engine import Report
    from tap.rules.finding import Finding

__all__ = ["MARKER", "render"]

MARKER = "<!-- tap-rules-report -->"
"""Hidden first line of the report: the workflow's key to its one pull-request comment."""

# A GitHub comment holds at most 65,536 characters: keep a margin for the workflow's footer.
MAX_CHARS = 60_000
_ROW_LIMITS = (50, 10, 3, 1)
_ICON = {"error": "🔴", "warning": "🟡"}
_EXCERPT_LINES = 12


def _escape(text: str) -> str:
    """Text for a table cell: no HTML, no column breaks, one line."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("\r", "")
        .replace("\n", "<br>")
    )


def _code(text: str | None) -> str:
    if not text:
        return "–"
    if "`" in text or "\n" in text:
        return _escape(text)
    escaped = text.replace("|", "\\|")
    return f"`{escaped}`"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _fence(lines: list[str] | tuple[str, ...]) -> list[str]:
    """A code block that no line of ``lines`` can close."""
    fence = "```"
    while any(fence in line for line in lines):
        fence += "`"
    return [f"{fence}text", *lines, fence]


def _rule_classes() -> dict[str, type[Rule]]:
    from tap.rules.registry import all_rules

    return {rule.id: rule for rule in all_rules()}


class _Renderer:
    def __init__(
        self, report: Report, root: str | Path | None, links_base: str | None, docs_url: str | None
    ) -> None:
        self.report = report
        self.root = root
        self.links = links_base
        self.docs_url = docs_url
        self.tools = tools_of(report)
        self.classes = _rule_classes() if report.findings else {}

    def rule_link(self, f: Finding) -> str:
        tool = self.tools.get(tool_of(f))
        if tool_of(f) == TAP_TOOL:
            url = links.rule_url(f.rule_id, self.docs_url)
            return f"[{f.rule_id}]({url})" if url else _code(f.rule_id)
        if tool is not None and tool.rules_uri:
            return f"[{_escape(f.rule_id)}]({tool.rules_uri})"
        return _code(f.rule_id)

    def tool_name(self, f: Finding) -> str:
        tool = self.tools.get(tool_of(f))
        return tool.name if tool is not None else tool_of(f)

    def where(self, f: Finding) -> str:
        """The Python line that created the construct, else the template's line."""
        loc = f.source
        if loc is None:
            loc = template_location(f)
        if loc is None:
            return "–"
        path = display_path(loc.file, self.root)
        label = f"{path}:{loc.line}"
        if self.links and path != loc.file:  # inside the repository: link to the line
            return f"[{_escape(label)}]({self.links}{path}#L{loc.line})"
        return _code(label)

    def status(self, with_baseline: bool) -> str:
        failures = synth_failures_of(self.report)
        active = self.report.active
        errors = sum(1 for f in active if f.severity == "error")
        warnings = len(active) - errors
        counts = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
        if failures:
            targets = ", ".join(_escape(x.target) for x in failures)
            status = f"❌ guardrails: synth of {targets} failed"
            if len(failures) == 1:
                status += f" — {_escape(failures[0].excerpt[0] if failures[0].excerpt else '')}"
            status += f" ({counts} in what was synthesized)"
        elif failed(self.report):
            status = f"❌ guardrails: {counts}"
            if self.report.rule_errors and not errors:
                status += f", {_plural(len(self.report.rule_errors), 'rule')} failed to run"
        elif warnings:
            status = f"⚠️ guardrails: {_plural(warnings, 'warning')}, no errors"
        else:
            status = "✅ guardrails: no unacknowledged findings"
        if with_baseline:
            status += f" ({sum(1 for f in active if is_new(f))} new)"
        return status

    def synth_failures(self) -> list[str]:
        lines: list[str] = []
        for failure in synth_failures_of(self.report):
            code = f", exit status {failure.exit_code}" if failure.exit_code is not None else ""
            lines += [
                f"**🔴 Synthesis of `{_escape(failure.target)}` failed{code}.** "
                "Its guardrails' findings are missing or incomplete until it synthesizes.",
                "",
                f"Command: `{failure.command}`"
                + (f" · full log: `{_escape(failure.log)}`" if failure.log else ""),
                "",
                *_fence(list(failure.excerpt[:_EXCERPT_LINES]) or ["(no error output)"]),
                "",
            ]
        for notice in notices_of(self.report):
            lines += [f"> **Note:** {_escape(notice)}", ""]
        return lines

    def header(self, with_baseline: bool) -> list[str]:
        lines = [MARKER, f"### {self.status(with_baseline)}", ""]
        lines += self.synth_failures()
        cols = ["Tool", "🔴 Errors", "🟡 Warnings"]
        cols += ["New"] if with_baseline else []
        cols += ["Acknowledged"]
        lines += ["| " + " | ".join(cols) + " |", "|---" + "|---:" * (len(cols) - 1) + "|"]
        for tid, c in counts_by_tool(self.report).items():
            row = [_escape(self.tools[tid].name), str(c["errors"]), str(c["warnings"])]
            if with_baseline:
                new = [f for f in self.report.active if tool_of(f) == tid and is_new(f)]
                row.append(str(len(new)))
            row.append(str(c["acknowledged"]))
            lines.append("| " + " | ".join(row) + " |")
        s = self.report.summary()
        lines += [
            "",
            f"{_plural(s['stacks'], 'stack')}, {_plural(s['resources'], 'resource')}, "
            f"{_plural(s['rules'], 'tap rule')} checked.",
            "",
        ]
        return lines

    def explanation(self, f: Finding) -> list[str]:
        if tool_of(f) != TAP_TOOL:
            return []
        cls = self.classes.get(f.rule_id)
        why = getattr(cls, "explanation", "") if cls is not None else ""
        if not why:
            return []
        return [
            "",
            f"<details><summary>Why {_escape(f.rule_id)}</summary>",
            "",
            _escape(why),
            "",
            "</details>",
        ]

    def groups(self, findings: list[Finding], limit: int) -> list[str]:
        by_rule: dict[tuple[str, str], list[Finding]] = {}
        for f in findings:
            by_rule.setdefault((tool_of(f), f.rule_id), []).append(f)
        order = list(self.tools)
        ordered = sorted(
            by_rule.items(),
            key=lambda kv: (
                kv[1][0].severity != "error",
                order.index(kv[0][0]) if kv[0][0] in order else len(order),
                kv[0][1],
            ),
        )
        lines: list[str] = []
        for _key, group in ordered:
            first = group[0]
            title = f" · {_escape(first.title)}" if first.title else ""
            lines += [
                f"**{_ICON.get(first.severity, '')} {_escape(self.tool_name(first))} · "
                f"{self.rule_link(first)} · {first.severity}{title}** ({len(group)})",
                "",
            ]
            cols = ["Stack", "Construct", "Property", "Problem", "Created at"]
            lines += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            for f in group[:limit]:
                row = [
                    _escape(f.stack),
                    _code(f.construct_path or f.logical_id),
                    _code(f.property_path),
                    _escape(f.message),
                    self.where(f),
                ]
                lines.append("| " + " | ".join(row) + " |")
            if len(group) > limit:
                lines.append(f"\n… and {len(group) - limit} more (see the SARIF or JSON report).")
            fixes = list(dict.fromkeys(f.fix for f in group if f.fix))
            if len(fixes) == 1:
                lines += ["", f"**Fix:** {_escape(fixes[0])}"]
            elif fixes:
                lines += ["", "**Fix:**"] + [f"- {_escape(x)}" for x in fixes]
            lines += self.explanation(first)
            lines.append("")
        return lines

    def acknowledged(self, findings: list[Finding], limit: int) -> list[str]:
        if not findings:
            return []
        lines = [
            "<details>",
            f"<summary>{_plural(len(findings), 'acknowledged finding')}</summary>",
            "",
            "| Tool | Rule | Stack | Construct | Property | Reason |",
            "|---|---|---|---|---|---|",
        ]
        for f in findings[:limit]:
            row = [
                _escape(self.tool_name(f)),
                self.rule_link(f),
                _escape(f.stack),
                _code(f.construct_path or f.logical_id),
                _code(f.property_path),
                _escape(f.reason or ""),
            ]
            lines.append("| " + " | ".join(row) + " |")
        if len(findings) > limit:
            lines.append(f"\n… and {len(findings) - limit} more.")
        return lines + ["", "</details>", ""]

    def footer(self) -> list[str]:
        lines: list[str] = []
        skipped = self.report.skipped
        if skipped:
            lines += [
                "<details>",
                f"<summary>{_plural(len(skipped), 'rule')} skipped</summary>",
                "",
            ]
            lines += [f"- {s.rule_id} on {_escape(s.stack)}: {_escape(s.reason)}" for s in skipped]
            lines += ["", "</details>", ""]
        if self.report.rule_errors:
            lines += [
                f"**{_plural(len(self.report.rule_errors), 'rule')} failed to run** "
                "(a bug in the rule pack; the other rules' findings are complete):",
                "",
            ]
            lines += [f"- {_escape(e.splitlines()[0])}" for e in self.report.rule_errors]
            lines.append("")
        return lines

    def render(self, limit: int) -> str:
        findings = self.report.findings
        active = [f for f in findings if not f.acknowledged]
        acked = [f for f in findings if f.acknowledged]
        with_baseline = any(is_new(f) is not None for f in findings)
        lines = self.header(with_baseline)
        if with_baseline:
            new = [f for f in active if is_new(f)]
            old = [f for f in active if not is_new(f)]
            if new:
                lines += [f"#### 🆕 New in this change ({len(new)})", ""]
                lines += self.groups(new, limit)
            elif active:
                lines += [
                    "No new findings: every finding below is already on the target branch.",
                    "",
                ]
            if old:
                lines += [
                    "<details>",
                    f"<summary>{_plural(len(old), 'finding')} already on the target branch"
                    "</summary>",
                    "",
                ]
                lines += self.groups(old, limit)
                lines += ["</details>", ""]
        elif active:
            lines += [f"#### Findings ({len(active)})", ""]
            lines += self.groups(active, limit)
        lines += self.acknowledged(acked, limit)
        lines += self.footer()
        return "\n".join(lines).rstrip() + "\n"


def render(
    report: Report,
    *,
    root: str | Path | None = None,
    link_base: str | None = None,
    max_chars: int = MAX_CHARS,
    docs_url: str | None = None,
    **_: object,
) -> str:
    """Render ``report`` as Markdown for a pull-request comment.

    Parameters
    ----------
    report
        The engine's report, optionally marked by :func:`tap.reports.baseline.apply_baseline`.
    root
        Paths inside ``root`` (default: the working directory) are shown relative to it.
    link_base
        URL prefix of the repository's files (``https://github.com/o/r/blob/<sha>/``) for
        links to source lines; default: from the GitHub Actions environment
        (:func:`tap.reports.source.blob_url`), else none.
    max_chars
        Fewer rows per rule until the report fits in a comment.
    docs_url
        The rules' documentation page (default :data:`tap.reports.links.DOCS_URL`).
    """
    base = link_base if link_base is not None else blob_url()
    renderer = _Renderer(report, root, base, docs_url)
    text = ""
    for limit in _ROW_LIMITS:
        text = renderer.render(limit)
        if len(text) <= max_chars:
            return text
    cut = "\n\n… report truncated: see the SARIF or JSON report.\n"
    return text[: max_chars - len(cut)] + cut
