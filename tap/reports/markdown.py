"""The Markdown report: built for a pull-request comment.

It opens with the counts by severity; with a baseline applied
(:mod:`tap.reports.baseline`) it leads with the findings the change introduced and folds
the ones already on the target branch. Findings are grouped by rule, each with its
construct path, property path, the Python line that created the construct (else the
template's line) and the fix; acknowledged findings are folded with their reasons.

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

from tap.reports.baseline import is_new
from tap.reports.source import blob_url, display_path, template_location

if TYPE_CHECKING:
    from tap.rules.engine import Report
    from tap.rules.finding import Finding

__all__ = ["MARKER", "render"]

MARKER = "<!-- tap-rules-report -->"
"""Hidden first line of the report: the workflow's key to its one pull-request comment."""

# A GitHub comment holds at most 65,536 characters: keep a margin for the workflow's footer.
MAX_CHARS = 60_000
_ROW_LIMITS = (50, 10, 3, 1)
_ICON = {"error": "🔴", "warning": "🟡"}


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


class _Renderer:
    def __init__(self, report: Report, root: str | Path | None, links: str | None) -> None:
        self.report = report
        self.root = root
        self.links = links

    def rule_link(self, rule_id: str) -> str:
        return f"[{rule_id}]({self.links or ''}RULES.md#{rule_id.lower()})"

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

    def header(self, with_baseline: bool) -> list[str]:
        findings = self.report.findings
        active = [f for f in findings if not f.acknowledged]
        errors = sum(1 for f in active if f.severity == "error")
        warnings = len(active) - errors
        new = sum(1 for f in active if is_new(f))
        if errors:
            status = f"❌ tap rules: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
        elif warnings:
            status = f"⚠️ tap rules: {_plural(warnings, 'warning')}, no errors"
        else:
            status = "✅ tap rules: no unacknowledged findings"
        if with_baseline:
            status += f" ({new} new)"
        lines = [MARKER, f"### {status}", ""]
        cols = ["Severity", "Findings"] + (["New"] if with_baseline else []) + ["Acknowledged"]
        lines += ["| " + " | ".join(cols) + " |", "|---" + "|---:" * (len(cols) - 1) + "|"]
        for sev in ("error", "warning"):
            of_sev = [f for f in findings if f.severity == sev]
            act = [f for f in of_sev if not f.acknowledged]
            row = [f"{_ICON[sev]} {sev}", str(len(act))]
            if with_baseline:
                row.append(str(sum(1 for f in act if is_new(f))))
            row.append(str(len(of_sev) - len(act)))
            lines.append("| " + " | ".join(row) + " |")
        s = self.report.summary()
        lines += [
            "",
            f"{_plural(s['stacks'], 'stack')}, {_plural(s['resources'], 'resource')}, "
            f"{_plural(s['rules'], 'rule')} checked.",
            "",
        ]
        return lines

    def groups(self, findings: list[Finding], limit: int) -> list[str]:
        by_rule: dict[str, list[Finding]] = {}
        for f in findings:
            by_rule.setdefault(f.rule_id, []).append(f)
        ordered = sorted(by_rule.items(), key=lambda kv: (kv[1][0].severity != "error", kv[0]))
        lines: list[str] = []
        for rule_id, group in ordered:
            first = group[0]
            title = f" · {_escape(first.title)}" if first.title else ""
            lines += [
                f"**{_ICON.get(first.severity, '')} {self.rule_link(rule_id)} · "
                f"{first.severity}{title}** ({len(group)})",
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
            lines.append("")
        return lines

    def acknowledged(self, findings: list[Finding], limit: int) -> list[str]:
        if not findings:
            return []
        lines = [
            "<details>",
            f"<summary>{_plural(len(findings), 'acknowledged finding')}</summary>",
            "",
            "| Rule | Stack | Construct | Property | Reason |",
            "|---|---|---|---|---|",
        ]
        for f in findings[:limit]:
            row = [
                self.rule_link(f.rule_id),
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
        links to rules and source lines; default: from the GitHub Actions environment
        (:func:`tap.reports.source.blob_url`), else relative links.
    max_chars
        Fewer rows per rule until the report fits in a comment.
    """
    renderer = _Renderer(report, root, link_base if link_base is not None else blob_url())
    text = ""
    for limit in _ROW_LIMITS:
        text = renderer.render(limit)
        if len(text) <= max_chars:
            return text
    cut = "\n\n… report truncated: see the SARIF or JSON report.\n"
    return text[: max_chars - len(cut)] + cut
