"""Every guardrail in one report: our findings, the other validation plugins', failed synths.

``cdk synth`` runs several guardrails: the tap rule pack, cdk-nag, CDK's built-in CloudFormation
validation (plugin ``CloudFormation Validate``) and construct annotations. CDK writes all their
violations to ``<cdk.out>/validation-report.json`` (verified with aws-cdk-lib 2.275, CDK CLI
2.1148, cdk-nag 3.0.2; the file is there whether synth passed or failed validation)::

    {"version": "55.0.0", "title": "Validation Report", "pluginReports": [
      {"pluginName": "AwsSolutions", "pluginVersion"?: "...", "conclusion": "failure",
       "violations": [{"ruleName": "AwsSolutions-S10", "description": "...",
                       "severity": "error", "suggestedFix"?: "...", "ruleMetadata"?: {...},
                       "violatingConstructs": [{"constructPath": "Stack/Bucket/Resource",
                           "cloudFormationResource"?: {"templatePath", "logicalId",
                                                       "propertyPaths": [...]}}]}],
       "suppressedViolations"?: [{...same..., "reason": "...", "acknowledgedAt": "..."}]}]}

:func:`combine` turns each violating construct into a :class:`~tap.rules.finding.Finding`
marked with its tool (``finding.extra["tool"]``), next to the engine's own findings. The
``tap-rules`` plugin's entries are skipped: the engine re-evaluates the same templates (with
the same acknowledgements), so they would be counted twice. A synthesis that failed is a
:class:`SynthFailure` on the report: every format then opens with it, in red.

Example
-------
.. code-block:: python

    from tap.reports import render
    from tap.reports.guardrails import combine
    from tap.rules import evaluate_paths

    report = combine(evaluate_paths(["cdk.out"]), ["cdk.out"])
    print(render(report, "text"))     # tap-rules, cdk-nag and CDK validation findings
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tap.rules.engine import Notice, Report
from tap.rules.finding import Finding, SourceLocation
from tap.rules.model import PLUGIN_NAMESPACE, InputError, StackTemplate, load_path

if TYPE_CHECKING:
    from tap.rules.finding import Severity

__all__ = [
    "KNOWN_TOOLS",
    "TAP_TOOL",
    "VALIDATION_REPORT",
    "GuardrailReport",
    "SynthFailure",
    "Tool",
    "combine",
    "counts_by_tool",
    "failed",
    "select_tools",
    "status",
    "summary",
    "synth_failures_of",
    "tool_of",
    "tools_of",
]

VALIDATION_REPORT = "validation-report.json"
TAP_TOOL = PLUGIN_NAMESPACE
"""Tool id of our own findings (``tap-rules``): also the name of our validation plugin."""


@dataclass(frozen=True, slots=True)
class Tool:
    """A guardrail that produced findings: ``id`` is what ``--tools`` and the JSON report name."""

    id: str
    name: str
    plugins: tuple[str, ...] = ()
    version: str | None = None
    information_uri: str | None = None
    rules_uri: str | None = None
    """Where the tool documents its rules (no per-rule anchor is promised)."""


CDK_NAG_PACKS = (
    "AwsSolutions",
    "HIPAA.Security",
    "NIST.800.53.R4",
    "NIST.800.53.R5",
    "PCI.DSS.321",
    "Serverless",
)
KNOWN_TOOLS: dict[str, Tool] = {
    TAP_TOOL: Tool(TAP_TOOL, "tap-rules", (PLUGIN_NAMESPACE,)),
    "cdk-nag": Tool(
        "cdk-nag",
        "cdk-nag",
        CDK_NAG_PACKS,
        information_uri="https://github.com/cdklabs/cdk-nag",
        rules_uri="https://github.com/cdklabs/cdk-nag/blob/main/RULES.md",
    ),
    "cdk-validation": Tool(
        "cdk-validation",
        "CDK validation",
        ("CloudFormation Validate",),
        information_uri="https://docs.aws.amazon.com/cdk/v2/guide/policy-validation-synthesis.html",
    ),
    "cdk-annotations": Tool("cdk-annotations", "CDK annotations", ("Construct Annotations",)),
}
_BY_PLUGIN = {plugin: tool for tool in KNOWN_TOOLS.values() for plugin in tool.plugins}


def tool_for_plugin(plugin: str) -> Tool:
    """The tool a validation plugin belongs to (an unknown plugin is its own tool)."""
    return _BY_PLUGIN.get(plugin) or Tool(plugin, plugin, (plugin,))


@dataclass(frozen=True, slots=True)
class SynthFailure:
    """A ``cdk synth`` that failed: the findings of its assembly, if any, are incomplete."""

    target: str
    """What was synthesized: the environment name (``dev``) or the assembly directory."""
    command: str
    exit_code: int | None
    excerpt: tuple[str, ...]
    """The first lines of the error (a Python exception: its last frame and message)."""
    log: str | None = None

    @property
    def headline(self) -> str:
        """One line: what failed and why."""
        cause = self.excerpt[0] if self.excerpt else "no error output"
        code = f" (exit {self.exit_code})" if self.exit_code is not None else ""
        return f"synth of {self.target} failed{code}: {cause}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "command": self.command,
            "exit_code": self.exit_code,
            "error": list(self.excerpt),
            "log": self.log,
        }


@dataclass
class GuardrailReport(Report):
    """The engine's report plus the other guardrails' findings and the failed synths."""

    tools: dict[str, Tool] = field(default_factory=dict)
    synth_failures: list[SynthFailure] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return summary(self)


# --- reading a report of either kind --------------------------------------------------------


def tool_of(finding: Finding) -> str:
    """The id of the tool that produced ``finding`` (ours unless marked)."""
    tool = finding.extra.get("tool")
    return tool if isinstance(tool, str) else TAP_TOOL


def tools_of(report: Report) -> dict[str, Tool]:
    """Every tool of the report, ours first, then in the order they were read."""
    selected = getattr(report, "tools", None)
    tools: dict[str, Tool] = dict(selected) if selected else {TAP_TOOL: KNOWN_TOOLS[TAP_TOOL]}
    for f in report.findings:
        tools.setdefault(tool_of(f), Tool(tool_of(f), tool_of(f)))
    return tools


def synth_failures_of(report: Report) -> list[SynthFailure]:
    return list(getattr(report, "synth_failures", None) or [])


def notices_of(report: Report) -> list[str]:
    """What the reader must know that is not a finding (a stale validation report, an
    acknowledgement naming no rule), one line each."""
    return [f"{n.stack}: {n.message}" if n.stack else n.message for n in report.notices]


def counts_by_tool(report: Report) -> dict[str, dict[str, int]]:
    """Unacknowledged errors and warnings, and acknowledged findings, per tool id."""
    counts = {tid: {"errors": 0, "warnings": 0, "acknowledged": 0} for tid in tools_of(report)}
    for f in report.findings:
        c = counts[tool_of(f)]
        if f.acknowledged:
            c["acknowledged"] += 1
        elif f.severity == "error":
            c["errors"] += 1
        else:
            c["warnings"] += 1
    return counts


def failed(report: Report) -> bool:
    """Unacknowledged errors of any tool, a rule that failed, or a failed synth."""
    return bool(report.errors or report.rule_errors or synth_failures_of(report))


def status(report: Report) -> str:
    """``"failed"`` or ``"passed"``: the one verdict every format and the exit status share."""
    return "failed" if failed(report) else "passed"


def summary(report: Report) -> dict[str, Any]:
    """The engine's summary (counts over every tool), the verdict, and counts per tool."""
    data = Report.summary(report)
    tools = tools_of(report)
    data["status"] = status(report)
    data["tools"] = {
        tid: {"name": tools[tid].name, **c} for tid, c in counts_by_tool(report).items()
    }
    data["synth_failures"] = [s.to_dict() for s in synth_failures_of(report)]
    return data


def summary_line(report: Report) -> str:
    """``FAILED: tap-rules 1 error, 0 warnings; cdk-nag 2 errors, ...``: one line, per tool."""
    tools = tools_of(report)
    parts = []
    for tid, c in counts_by_tool(report).items():
        part = f"{tools[tid].name} {c['errors']} error(s), {c['warnings']} warning(s)"
        if c["acknowledged"]:
            part += f", {c['acknowledged']} acknowledged"
        parts.append(part)
    parts += [s.headline for s in synth_failures_of(report)]
    if report.rule_errors:
        parts.append(f"{len(report.rule_errors)} rule(s) of tap-rules failed to run")
    verdict = "FAILED" if failed(report) else "passed"
    return f"{verdict}: " + "; ".join(parts)


# --- combining ------------------------------------------------------------------------------


def select_tools(report: GuardrailReport, wanted: Collection[str] | None) -> GuardrailReport:
    """Keep only the findings of ``wanted`` tools (ids, names or plugin names).

    Raises
    ------
    InputError
        A name that is neither a known tool nor a plugin of this report.
    """
    if not wanted:
        return report
    tools = tools_of(report)
    ids: set[str] = set()
    for name in wanted:
        match = [
            t.id
            for t in (*tools.values(), *KNOWN_TOOLS.values())
            if name.lower() in (t.id.lower(), t.name.lower(), *(p.lower() for p in t.plugins))
        ]
        if not match:
            known = ", ".join(dict.fromkeys([*KNOWN_TOOLS, *tools]))
            raise InputError(f"unknown tool {name!r}: known tools are {known}")
        ids.update(match)
    report.findings = [f for f in report.findings if tool_of(f) in ids]
    report.tools = {tid: t for tid, t in tools.items() if tid in ids}
    return report


def combine(
    report: Report,
    paths: Iterable[str | Path] = (),
    *,
    synth_failures: Sequence[SynthFailure] = (),
    tools: Collection[str] | None = None,
    expected: Collection[str] = (),
) -> GuardrailReport:
    """The engine's ``report`` plus the violations of every other plugin of each assembly.

    Parameters
    ----------
    report
        What :func:`tap.rules.engine.evaluate_paths` returned for ``paths``.
    paths
        The same paths: each ``cdk.out`` directory's ``validation-report.json`` is read.
    synth_failures
        Syntheses that failed (the report's status is then red).
    tools
        Keep only these tools' findings (:func:`select_tools`); default: every tool.
    expected
        Known tools (``cdk-nag``, ``cdk-validation``) the app is known to run: listed with
        zero findings when the validation report does not mention them (CDK writes only the
        plugins that reported something). Code scanning closes an alert only when a run of
        its tool no longer reports it, so each tool needs its run even when it is clean.
    """
    full = GuardrailReport(
        findings=list(report.findings),
        stacks=list(report.stacks),
        skipped=list(report.skipped),
        rule_errors=list(report.rule_errors),
        notices=list(report.notices),
        rules_run=report.rules_run,
        resources=report.resources,
        tools={TAP_TOOL: KNOWN_TOOLS[TAP_TOOL]},
        synth_failures=list(synth_failures),
    )
    for path in paths:
        p = Path(path)
        if p.is_dir() and (p / VALIDATION_REPORT).is_file():
            _read_validation_report(full, p)
    for name in expected:
        if name not in KNOWN_TOOLS:
            raise InputError(f"unknown tool {name!r}: known tools are {', '.join(KNOWN_TOOLS)}")
        full.tools.setdefault(name, KNOWN_TOOLS[name])
    full.findings.sort(key=lambda f: (f.stack, f.severity != "error", tool_of(f), f.rule_id, f.key))
    return select_tools(full, tools)


def _read_validation_report(full: GuardrailReport, assembly: Path) -> None:
    path = assembly / VALIDATION_REPORT
    manifest = assembly / "manifest.json"
    # The plugins run after the assembly is written: a report older than the manifest is from
    # an earlier synth (this one ran no plugin, or failed before validating) and is not read.
    if manifest.exists() and path.stat().st_mtime + 1 < manifest.stat().st_mtime:
        full.notices.append(
            Notice("", f"{path}: older than the assembly (an earlier synth): not read")
        )
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a readable validation report ({exc})") from exc
    plugins = data.get("pluginReports") if isinstance(data, dict) else None
    if not isinstance(plugins, list):
        raise InputError(f"{path}: not a CDK validation report (no 'pluginReports' list)")
    index = _ConstructIndex(assembly if manifest.exists() else None)
    for plugin in plugins:
        if not isinstance(plugin, dict) or plugin.get("pluginName") == PLUGIN_NAMESPACE:
            continue  # ours: the engine evaluated the same templates
        name = str(plugin.get("pluginName") or "unknown plugin")
        tool = tool_for_plugin(name)
        version = plugin.get("pluginVersion")
        if tool.id not in full.tools:
            full.tools[tool.id] = Tool(
                tool.id,
                tool.name,
                tool.plugins,
                version if isinstance(version, str) else tool.version,
                tool.information_uri,
                tool.rules_uri,
            )
        for key, acknowledged in (("violations", False), ("suppressedViolations", True)):
            for violation in plugin.get(key) or []:
                if isinstance(violation, dict):
                    full.findings.extend(
                        _findings(violation, tool.id, name, acknowledged, index, assembly)
                    )


class _ConstructIndex:
    """Construct path → (stack, logical id), from the assembly's templates and metadata.

    Built on first use: an assembly whose report holds no other plugin's violation (the
    common case) is not loaded a second time.
    """

    def __init__(self, assembly: Path | None) -> None:
        self.assembly = assembly
        self._built = False
        self._by_path: dict[str, tuple[StackTemplate, str]] = {}
        self._by_template: dict[str, StackTemplate] = {}
        self._prefix_map: dict[str, StackTemplate] = {}

    @property
    def _prefixes(self) -> dict[str, StackTemplate]:
        if not self._built:
            self._build()
        return self._prefix_map

    def _build(self) -> None:
        self._built = True
        for stack in load_path(self.assembly) if self.assembly is not None else []:
            if stack.template_path is not None:
                self._by_template[stack.template_path.name] = stack
            for lid in stack.resources:
                cpath = stack.construct_path(lid)
                if cpath:
                    self._by_path[cpath.strip("/")] = (stack, lid)
                    parts = cpath.strip("/").split("/")
                    for n in range(1, len(parts) + 1):
                        self._prefix_map.setdefault("/".join(parts[:n]), stack)

    @property
    def by_path(self) -> dict[str, tuple[StackTemplate, str]]:
        if not self._built:
            self._build()
        return self._by_path

    @property
    def by_template(self) -> dict[str, StackTemplate]:
        if not self._built:
            self._build()
        return self._by_template

    def stack_of(self, construct_path: str, template: str | None) -> StackTemplate | None:
        if template and Path(template).name in self.by_template:
            return self.by_template[Path(template).name]
        path = construct_path.strip("/")
        while path:  # the construct, else its nearest ancestor that holds a resource
            if path in self._prefixes:
                return self._prefixes[path]
            path = path.rpartition("/")[0]
        return None


def _property_path(raw: Any) -> str:
    # CloudFormation Validate writes "Properties.A.B"; CDK and our findings "Properties/A/B".
    if not isinstance(raw, str):
        return ""
    return raw if "/" in raw else raw.replace(".", "/")


def _severity(raw: Any) -> Severity:
    return "error" if str(raw).lower() in ("error", "fatal") else "warning"


def _findings(
    violation: dict[str, Any],
    tool: str,
    plugin: str,
    acknowledged: bool,
    index: _ConstructIndex,
    assembly: Path,
) -> list[Finding]:
    rule = str(violation.get("ruleName") or "unknown-rule")
    description = str(violation.get("description") or rule)
    title = description.splitlines()[0] if description.strip() else rule
    fix = violation.get("suggestedFix") or violation.get("fix") or ""
    severity = _severity(violation.get("severity"))
    raw_meta = violation.get("ruleMetadata")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    extra: dict[str, Any] = {"tool": tool, "plugin": plugin}
    if str(violation.get("severity")).lower() not in ("error", "warning"):
        extra["tool_severity"] = violation.get("severity")
    reason = violation.get("reason") if acknowledged else None
    out: list[Finding] = []
    for construct in violation.get("violatingConstructs") or []:
        if not isinstance(construct, dict):
            continue
        cpath = str(construct.get("constructPath") or "").strip("/")
        cfn = construct.get("cloudFormationResource")
        cfn = cfn if isinstance(cfn, dict) else {}
        stack = index.stack_of(cpath, cfn.get("templatePath"))
        logical_id = cfn.get("logicalId") if isinstance(cfn.get("logicalId"), str) else None
        if logical_id is None and cpath in index.by_path:
            logical_id = index.by_path[cpath][1]
        props = cfn.get("propertyPaths") if isinstance(cfn.get("propertyPaths"), list) else []
        frame = stack.python_frame(cpath) if stack is not None else None
        template = stack.template_path if stack is not None else None
        if template is None and cfn.get("templatePath"):
            template = assembly / str(cfn["templatePath"])
        for prop in props or [""]:
            out.append(
                Finding(
                    rule_id=rule,
                    slug=str(meta.get("category") or meta.get("class") or ""),
                    severity=severity,
                    stack=stack.name if stack is not None else cpath.split("/", 1)[0],
                    logical_id=logical_id,
                    property_path=_property_path(prop),
                    message=description,
                    fix=str(fix),
                    title=title,
                    resource_type=_resource_type(stack, logical_id),
                    construct_path=cpath or None,
                    template_path=str(template) if template else None,
                    acknowledged=acknowledged,
                    reason=str(reason) if reason is not None else None,
                    source=SourceLocation(frame[0], frame[1]) if frame else None,
                    extra=dict(extra),
                )
            )
    return out


def _resource_type(stack: StackTemplate | None, logical_id: str | None) -> str | None:
    if stack is None or logical_id is None:
        return None
    res = stack.resources.get(logical_id)
    return res.type if res is not None else None
