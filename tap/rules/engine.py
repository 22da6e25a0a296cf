"""The one evaluation every door calls: the plugin, the CLI and the tests.

``evaluate`` runs every rule once over every stack: rules dispatch on a per-stack type
index built once, so the cost is linear in the number of resources. A per-resource rule
(``resource_types`` and the base ``check_stack``) is not called at all on a stack that has
no resource of its types: most stacks hold a few types, and most rules have nothing to do.
"""

from __future__ import annotations

import difflib
import gc
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from tap.rules.base import FAILURE_CLASSES, Context, Rule
from tap.rules.finding import Finding, Severity, SourceLocation
from tap.rules.model import PLUGIN_NAMESPACE, EnvironmentInfo, StackTemplate, load_path
from tap.rules.registry import all_rules, select_rules

__all__ = [
    "Notice",
    "Options",
    "Report",
    "Skipped",
    "StackEnvironment",
    "evaluate",
    "evaluate_paths",
]


@dataclass(frozen=True, slots=True)
class StackEnvironment:
    """The environment of the stacks whose artifact id matches ``pattern`` (fnmatch)."""

    pattern: str
    suffix: str | None = None
    ephemeral: bool | None = None


@dataclass(frozen=True, slots=True)
class Options:
    """How to evaluate. ``None`` means: take it from the template's ``TapEnvironment``
    metadata (set by ``TapStack``); if absent there too, rules that need it are skipped."""

    environment_suffix: str | None = None
    ephemeral: bool | None = None
    rules: tuple[str, ...] | None = None
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Per-rule settings keyed by rule id or class slug (read by ``Context.setting``)."""
    ignore: tuple[str, ...] = ()
    """Rule ids or class slugs never run (applied after ``rules``)."""
    severity: Mapping[str, Severity] = field(default_factory=dict)
    """Severity override per rule id or class slug (the id wins)."""
    exclude: tuple[str, ...] = ()
    """fnmatch globs: a stack whose artifact id matches is not evaluated; a finding whose
    construct path (or ``<stack>/<logical id>`` without one) is under a match is dropped."""
    environments: tuple[StackEnvironment, ...] = ()
    """Per-stack environments (configuration), first match per field; below the explicit
    ``environment_suffix``/``ephemeral``, above the template's ``TapEnvironment``."""


@dataclass(frozen=True, slots=True)
class Skipped:
    rule_id: str
    stack: str
    reason: str


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning about the input rather than the infrastructure: an acknowledgement that
    names no rule of the pack, or one without a reason."""

    stack: str
    message: str


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    stacks: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    rule_errors: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    rules_run: int = 0
    resources: int = 0

    @property
    def active(self) -> list[Finding]:
        """Findings not acknowledged."""
        return [f for f in self.findings if not f.acknowledged]

    @property
    def errors(self) -> list[Finding]:
        """Unacknowledged errors: these fail ``cdk synth`` and the CLI (exit 1)."""
        return [f for f in self.active if f.severity == "error"]

    def summary(self) -> dict[str, Any]:
        def count(sev: str, acked: bool) -> int:
            return sum(1 for f in self.findings if f.severity == sev and f.acknowledged == acked)

        return {
            "stacks": len(self.stacks),
            "resources": self.resources,
            "rules": self.rules_run,
            "errors": count("error", False),
            "warnings": count("warning", False),
            "acknowledged": sum(1 for f in self.findings if f.acknowledged),
            "skipped": [
                {"rule_id": s.rule_id, "stack": s.stack, "reason": s.reason} for s in self.skipped
            ],
            "rule_errors": list(self.rule_errors),
            "notices": [{"stack": n.stack, "message": n.message} for n in self.notices],
        }


def _environment(stack: StackTemplate, options: Options) -> EnvironmentInfo:
    meta = stack.template_environment
    suffix, ephemeral = options.environment_suffix or None, options.ephemeral
    for env in options.environments:
        if fnmatchcase(stack.name, env.pattern):
            suffix = suffix or env.suffix
            ephemeral = env.ephemeral if ephemeral is None else ephemeral
    return EnvironmentInfo(
        name=meta.name,
        suffix=suffix or meta.suffix,
        ephemeral=ephemeral if ephemeral is not None else meta.ephemeral,
    )


def _missing(rule: type[Rule], env: EnvironmentInfo) -> list[str]:
    missing = []
    if "suffix" in rule.requires and not env.suffix:
        missing.append("environment suffix (--environment-suffix)")
    if "ephemeral" in rule.requires and env.ephemeral is None:
        missing.append("environment kind (--ephemeral or --persistent)")
    return missing


def _finding(
    rule: type[Rule], stack: StackTemplate, v: Any, severity: Mapping[str, Severity]
) -> Finding:
    res = stack.resources.get(v.logical_id) if v.logical_id else None
    path = stack.construct_path(v.logical_id)
    reason = stack.acknowledgement_reason(rule.id, v.logical_id, path)
    frame = stack.python_frame(path)
    return Finding(
        rule_id=rule.id,
        slug=rule.slug,
        # The user's override wins, then the violation's own level (a rule may warn where the
        # template cannot decide), then the rule's.
        severity=severity.get(rule.id)
        or severity.get(rule.slug)
        or getattr(v, "severity", None)
        or rule.severity,
        stack=stack.name,
        logical_id=v.logical_id,
        property_path=v.property_path,
        message=v.message,
        fix=v.fix or rule.fix,
        title=rule.title,
        resource_type=res.type if res is not None else None,
        construct_path=path,
        template_path=str(stack.template_path) if stack.template_path else None,
        acknowledged=reason is not None,
        reason=reason,
        source=SourceLocation(frame[0], frame[1]) if frame else None,
    )


def evaluate(stacks: Iterable[StackTemplate], options: Options | None = None) -> Report:
    """Run the selected rules over ``stacks`` and return every finding."""
    # The evaluation allocates many small, acyclic objects: the cyclic garbage collector's
    # passes over the growing heap made 10,000 resources ~20 % slower, for nothing to free.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _evaluate(stacks, options)
    finally:
        if collecting:
            gc.enable()


def _evaluate(stacks: Iterable[StackTemplate], options: Options | None) -> Report:
    options = options or Options()
    rule_classes = _selected_rules(options)
    rules = [(cls(), _dispatch_types(cls)) for cls in rule_classes]
    report = Report(rules_run=len(rules))
    for stack in stacks:
        if _matches(stack.name, options.exclude):
            continue
        report.stacks.append(stack.name)
        report.notices.extend(_acknowledgement_notices(stack))
        report.resources += len(stack.resources)
        env = _environment(stack, options)
        ctx = Context(stack=stack, environment=env, settings=options.settings)
        present = stack.by_type
        for rule, types in rules:
            if rule.requires:
                missing = _missing(type(rule), env)
                if missing:
                    report.skipped.append(
                        Skipped(rule.id, stack.name, "needs the " + " and the ".join(missing))
                    )
                    continue
            if types is not None and types.isdisjoint(present):
                continue  # a per-resource rule with no resource of its types here
            try:
                violations = list(rule.check_stack(ctx))
            except Exception:  # a bug in a rule must not hide the other rules' findings
                report.rule_errors.append(
                    f"{rule.id} on {stack.name}: {traceback.format_exc(limit=-3).strip()}"
                )
                continue
            if violations:
                findings = (_finding(type(rule), stack, v, options.severity) for v in violations)
                report.findings.extend(f for f in findings if not _excluded(f, options.exclude))
    report.findings.sort(key=lambda f: (f.stack, f.severity != "error", f.rule_id, f.key))
    return report


def _dispatch_types(rule: type[Rule]) -> frozenset[str] | None:
    """The resource types a rule runs on, when it is a per-resource rule (the base class's
    ``check_stack`` over ``resource_types``): the engine calls it only on stacks that hold
    one of them. ``None`` for a rule with its own ``check_stack``: it always runs."""
    return frozenset(rule.resource_types) if rule.check_stack is Rule.check_stack else None


def evaluate_paths(paths: Sequence[str | Path], options: Options | None = None) -> Report:
    """Load every path (cdk.out directories or template files) and evaluate them."""
    stacks = [stack for p in paths for stack in load_path(p)]
    return evaluate(stacks, options)


# -- configuration: selection, exclusion, acknowledgement checks -----------------------------


def _selected_rules(options: Options) -> tuple[type[Rule], ...]:
    """``options.rules`` minus ``options.ignore``; unknown ids or slugs in ``ignore``,
    ``severity`` or ``settings`` raise ``KeyError`` (as ``select_rules`` does for ``rules``)."""
    selected = select_rules(options.rules)
    named = [*options.ignore, *options.severity, *options.settings]
    if named:
        known = {r.id for r in all_rules()} | {r.slug for r in all_rules()} | set(FAILURE_CLASSES)
        unknown = sorted(set(named) - known)
        if unknown:
            raise KeyError(", ".join(unknown))
    ignored = set(options.ignore)
    return tuple(r for r in selected if r.id not in ignored and r.slug not in ignored)


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    """``path`` or one of its ancestors matches a pattern (patterns cover subtrees)."""
    if not patterns:
        return False
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatchcase(p, pat) for pat in patterns for p in prefixes)


def _excluded(finding: Finding, patterns: tuple[str, ...]) -> bool:
    if not patterns:
        return False
    path = finding.construct_path or "/".join(filter(None, (finding.stack, finding.logical_id)))
    return _matches(path, patterns)


# Rule names the pack reports besides its rules (tap.rules.plugin.INTERNAL_RULE_ID).
_PSEUDO_RULE_IDS = frozenset({"TAP-INTERNAL"})


def _acknowledgement_notices(stack: StackTemplate) -> list[Notice]:
    """Acknowledgements that cannot apply: a rule id the pack does not have (a typo, or a
    rule renamed), or template metadata without a reason."""
    known = {r.id for r in all_rules()} | _PSEUDO_RULE_IDS
    notices = [Notice(stack.name, problem) for problem in stack.acknowledgement_problems]
    prefix = f"{PLUGIN_NAMESPACE}::"
    for where, ack_id in stack.acknowledged_ids():
        rule_id = ack_id.removeprefix(prefix)
        if rule_id in known:
            continue
        close = difflib.get_close_matches(rule_id, sorted(known), n=1)
        hint = f" (did you mean {close[0]}?)" if close else " (see `tap-rules list`)"
        notices.append(
            Notice(
                stack.name,
                f"{where}: acknowledgement {ack_id!r} names no rule of the pack; it "
                f"acknowledges nothing{hint}",
            )
        )
    return notices
