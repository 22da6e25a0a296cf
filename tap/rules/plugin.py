"""The CDK door: the rule pack as a validation plugin that runs inside ``cdk synth``.

The plugin reads the final templates CDK has just written (escape-hatch overrides
included, which Aspects never see), runs :func:`tap.rules.engine.evaluate` on them and
reports one ``PolicyViolation`` per rule violated. CDK prints the report, writes
``cdk.out/validation-report.json`` and fails synthesis when an error is reported.

Acknowledgements are CDK's own::

    Validations.of(construct).acknowledge(
        Acknowledgment(id="tap-rules::TAP-S3-1", reason="...")
    )

Facts this module relies on (verified with aws-cdk-lib 2.275.0, see DEVELOPERS.md):

- CDK calls ``validate`` after the cloud assembly is built: the templates, each stack's
  ``<Stack>.metadata.json`` and the staged assets (``asset.<hash>/``) are all in the
  assembly directory, so the asset rules (handler, code permissions) read real code.
- Synthesis fails when a plugin report has ``success=False``. Once any acknowledgement
  suppresses one of our violations, CDK recomputes ``success`` as "no remaining violation
  of severity error": severity must always be explicit. A report with only
  ``severity="warning"`` violations and ``success=True`` prints the warnings and passes.
- An exception raised by ``validate`` becomes a plugin failure that fails synthesis; a
  bug in one rule is reported instead as the error violation ``TAP-INTERNAL`` (see
  :data:`INTERNAL_RULE_ID`), so the other rules' findings are still shown and a broken
  guardrail never passes silently. It can be acknowledged like any rule.

Example
-------
.. code-block:: python

    from tap.rules import TapRules

    app = cdk.App()
    MyStack(app, "MyStack-dev")
    cdk.Validations.of(app).add_plugins(TapRules(environment_suffix="dev", ephemeral=True))
    app.synth()

Without arguments the configuration file is read (:mod:`tap.rules.config`:
``.tap-rules.toml`` or ``[tool.tap-rules]`` in ``pyproject.toml``, beside ``cdk.json``), then
each template's ``TapEnvironment`` metadata; rules that still lack an environment fact are
skipped, and synth says which, once, with how to enable them.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import jsii

from tap.rules import version
from tap.rules.engine import Options, Report, evaluate
from tap.rules.model import PLUGIN_NAMESPACE, InputError, LoadErrors, StackTemplate, load_path
from tap.rules.registry import all_rules

if TYPE_CHECKING:
    from constructs import Construct

    from tap.rules.finding import Finding

__all__ = [
    "ACKNOWLEDGEMENT_RULE_ID",
    "CONFIGURATION_RULE_ID",
    "INTERNAL_RULE_ID",
    "PLUGIN_NAME",
    "TapRules",
    "TapRulesPlugin",
    "register",
]

PLUGIN_NAME = PLUGIN_NAMESPACE
"""The plugin name, and so the acknowledgement namespace: ``tap-rules::<RULE-ID>``."""

INTERNAL_RULE_ID = "TAP-INTERNAL"
"""Rule name of the error reported when the pack itself failed (a rule raised, or the
assembly could not be read): the guardrails did not run completely."""

CONFIGURATION_RULE_ID = "TAP-CONFIGURATION"
"""Rule name of the error reported when the configuration is bad: the rules did not run."""

ACKNOWLEDGEMENT_RULE_ID = "TAP-ACKNOWLEDGEMENT"
"""Rule name of the warning that lists acknowledgements that acknowledge nothing: a rule id
the pack does not have, or template metadata without a reason."""


@jsii.implements(cdk.IPolicyValidationPlugin)
class TapRulesPlugin:
    """The tap rule pack as a CDK validation plugin.

    Parameters
    ----------
    environment_suffix:
        The environment suffix physical names must carry. Default: each template's
        ``Metadata.TapEnvironment.suffix`` (written by ``TapStack``).
    ephemeral:
        Whether the environment is ephemeral (removal policies). Default: each
        template's ``Metadata.TapEnvironment.ephemeral``.
    rules:
        Rule ids or class slugs to run. Default: every rule of the pack.
    ignore:
        Rule ids or class slugs never to run.
    severity:
        ``{rule id or class slug: "error" | "warning"}``: report the rule at that level.
    exclude:
        fnmatch globs of stack ids and construct paths (a path covers its subtree) whose
        findings are left out.
    settings:
        Per-rule settings, ``{rule id or class slug: {key: value}}`` (e.g.
        ``{"lambda-runtime": {"horizon_days": 180}}``).
    config:
        The configuration file to read; default: the nearest ``.tap-rules.toml`` or
        ``pyproject.toml`` with ``[tool.tap-rules]`` from the working directory up (where
        ``cdk.json`` is); ``False``: none. Every argument above overrides it.

    Rules that need an environment fact known neither here, nor in the configuration, nor
    in the template are skipped; synth says which, once, with how to enable them. A bad
    configuration fails synth with a one-line message.
    """

    def __init__(
        self,
        *,
        environment_suffix: str | None = None,
        ephemeral: bool | None = None,
        rules: Sequence[str] | None = None,
        ignore: Sequence[str] | None = None,
        severity: Mapping[str, str] | None = None,
        exclude: Sequence[str] | None = None,
        settings: Mapping[str, Mapping[str, Any]] | None = None,
        config: str | os.PathLike[str] | bool | None = None,
    ) -> None:
        self._config_error: str | None = None
        self._told_skipped = False
        self._options = _configured_options(
            config,
            environment_suffix=environment_suffix,
            ephemeral=ephemeral,
            rules=tuple(rules) if rules else None,
            ignore=tuple(ignore) if ignore is not None else None,
            severity=dict(severity) if severity else None,
            exclude=tuple(exclude) if exclude is not None else None,
            settings=dict(settings) if settings else None,
        )
        if isinstance(self._options, str):
            self._config_error, self._options = self._options, Options()
        # The first evaluation in a process pays for imports and data (cfn-lint and its
        # schemas, botocore models, IAM data: about a second). Load them now, in a thread,
        # while CDK builds and synthesizes the app in its Node process; validate() joins it.
        self._warm_up = threading.Thread(target=_warm_up, name="tap-rules-warm-up", daemon=True)
        self._warm_up.start()

    # jsii only sees these as properties (plain attributes make synth fail with
    # "Cannot read properties of undefined").
    @property
    def name(self) -> str:
        return PLUGIN_NAME

    @property
    def version(self) -> str:
        return version()

    @property
    def rule_ids(self) -> list[str]:
        return [rule.id for rule in all_rules()]

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        """Evaluate the templates of ``context`` and report the violations."""
        self._warm_up.join()
        stack_paths = {
            str(Path(st.template_path).resolve()): st.stack_construct_path
            for st in context.stack_templates
        }
        if self._config_error is not None:
            return _configuration_failure(self._config_error, stack_paths)
        try:
            unreadable: LoadErrors = []
            stacks = _load_stacks(list(stack_paths), unreadable)
            report = evaluate(stacks, self._options)
            violations = to_violations(_without_metadata_acknowledged(report, stacks))
            violations.extend(_internal_errors(report, stacks, stack_paths))
            violations.extend(_unreadable(unreadable, stack_paths))
            violations.extend(_acknowledgement_warnings(report, stacks, stack_paths))
        except KeyError as exc:  # an unknown rule id or slug in the options: the user's
            message = f"unknown rule id or class: {exc.args[0]} (see `tap-rules list`)"
            return _configuration_failure(message, stack_paths)
        except InputError as exc:  # unreadable assembly
            return _failure(f"the rule pack could not run: {exc}", stack_paths)
        except Exception as exc:  # noqa: BLE001 - never raise into CDK: report instead
            first = (str(exc).strip().splitlines() or [""])[0][:300]
            return _failure(f"the rule pack failed: {type(exc).__name__}: {first}", stack_paths)
        if report.skipped and not self._told_skipped:
            self._told_skipped = True
            print(skipped_message(report), file=sys.stderr)
        # success is recomputed by CDK after acknowledgements; before that, any error fails.
        success = not any(v.severity == "error" for v in violations)
        return cdk.PolicyValidationPluginReport(
            success=success,
            violations=violations,
            plugin_version=version(),
            metadata={
                "stacks": str(len(report.stacks)),
                "rules": str(report.rules_run),
                "skipped": str(len(report.skipped)),
            },
        )


# One resource of each type the pipeline and typical stacks use: evaluating it loads every
# rule module and the data their first use needs. Its findings are discarded.
_WARM_UP_TEMPLATE = {
    "Resources": {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "warm-up"}},
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
        },
        "Stream": {"Type": "AWS::Kinesis::Stream", "Properties": {"Name": "warm-up"}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Rule": {
            "Type": "AWS::IoT::TopicRule",
            "Properties": {"TopicRulePayload": {"Sql": "SELECT * FROM 'a/+/b'", "Actions": []}},
        },
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": []}}},
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ]
                },
                "ManagedPolicyArns": [
                    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                ],
                "Policies": [
                    {
                        "PolicyName": "p",
                        "PolicyDocument": {
                            "Statement": [
                                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
                            ]
                        },
                    }
                ],
            },
        },
        "Function": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Code": {"ZipFile": "import boto3\ndef handler(e, c):\n    return None\n"},
            },
        },
    }
}


def _warm_up() -> None:
    try:
        evaluate([StackTemplate(name="warm-up", template=_WARM_UP_TEMPLATE)], Options())
        _preload_libraries()
    except Exception:  # noqa: BLE001 - a warm-up failure only costs time; validate() reports
        pass


def _preload_libraries() -> None:
    """Load what a cache miss needs (cfn-lint, botocore's model files, sqlglot), in this thread.

    With a warm on-disk cache (tap/rules/common/cache.py) the warm-up template's verdicts
    come from disk and import none of them; but a stack that changed since the last synth
    misses and would import them in ``validate()``, after CDK's synthesis. Here the import
    overlaps the app's construction and synthesis instead, as before the cache.
    """
    from tap.rules.cfn import _schema
    from tap.rules.iam import _boto
    from tap.rules.iot import _sql

    _schema.preload()
    _boto.preload()
    _sql.preload()


TapRules = TapRulesPlugin
"""The name to import: ``from tap.rules import TapRules``."""


def register(app: Construct, **options: Any) -> TapRulesPlugin:
    """Add the tap rule pack to ``app`` (an ``App`` or ``Stage``) and return the plugin.

    Parameters
    ----------
    app:
        The app (or stage) whose stacks are validated.
    **options:
        The arguments of :class:`TapRulesPlugin` (``environment_suffix``, ``ephemeral``,
        ``rules``, ``ignore``, ``severity``, ``exclude``, ``settings``, ``config``).

    Example
    -------
    >>> register(app, environment_suffix="dev", ephemeral=True)  # doctest: +SKIP
    """
    plugin = TapRulesPlugin(**options)
    cdk.Validations.of(app).add_plugins(plugin)
    return plugin


# -- configuration, skipped rules, acknowledgements that acknowledge nothing --------------


def _configured_options(config: str | os.PathLike[str] | bool | None, **explicit: Any) -> Any:
    """Engine options from the configuration file and the plugin's arguments, or the
    one-line message of a bad configuration (reported when synth validates)."""
    from tap.rules.config import TapRulesConfig, load_config

    try:
        if config is False:
            loaded = TapRulesConfig()
        else:
            from tap.rules.cli import config_option_keys

            keys = config_option_keys()
            path = None if config is None or config is True else config
            loaded = load_config(path, start=Path.cwd(), option_keys=keys)
        return loaded.to_options(**explicit)
    except InputError as exc:
        return str(exc)


def skipped_message(report: Report) -> str:
    """One message for every rule skipped for lack of an environment fact, with how to
    give it (plugin argument, configuration file)."""
    stacks: dict[str, list[str]] = defaultdict(list)
    for skipped in report.skipped:
        stacks[skipped.rule_id].append(skipped.stack)
    by_id = {rule.id: rule for rule in all_rules()}
    needs = {fact for rid in stacks if rid in by_id for fact in by_id[rid].requires}
    listed = ", ".join(
        f"{rid} ({by_id[rid].slug if rid in by_id else '?'}) on {', '.join(names)}"
        for rid, names in stacks.items()
    )
    args = []
    if "suffix" in needs:
        args.append('environment_suffix="<suffix>"')
    if "ephemeral" in needs:
        args.append("ephemeral=True|False")
    keys = " and ".join(
        k
        for k, fact in (("environment-suffix", "suffix"), ("ephemeral", "ephemeral"))
        if fact in needs
    )
    return (
        f"tap-rules: {len(stacks)} rule(s) skipped for lack of configuration: {listed}. "
        f"To run them, pass TapRules({', '.join(args)}), or set {keys} in .tap-rules.toml "
        "or [tool.tap-rules] of pyproject.toml beside cdk.json "
        '(per stack: [tool.tap-rules.stacks."<stack id glob>"]).'
    )


def _without_metadata_acknowledged(report: Report, stacks: list[StackTemplate]) -> Report:
    """The report without findings acknowledged only in template metadata (``Metadata:
    tap-rules``, e.g. ``cfn_resource.add_metadata``): CDK suppresses the findings acknowledged
    through its API itself, and knows nothing of these."""
    by_name = {s.name: s for s in stacks}

    def cdk_suppresses_or_reports(f: Finding) -> bool:
        stack = by_name.get(f.stack)
        return not f.acknowledged or (
            stack is not None
            and stack.acknowledgements.reason_for(f.rule_id, f.construct_path) is not None
        )

    return replace(report, findings=[f for f in report.findings if cdk_suppresses_or_reports(f)])


def _acknowledgement_warnings(
    report: Report, stacks: list[StackTemplate], stack_paths: dict[str, str]
) -> list[cdk.PolicyViolation]:
    if not report.notices:
        return []
    construct_of = {
        s.name: stack_paths.get(str(s.template_path.resolve()) if s.template_path else "", s.name)
        for s in stacks
    }
    paths = list(dict.fromkeys(construct_of.get(n.stack, n.stack) for n in report.notices))
    return [
        cdk.PolicyViolation(
            rule_name=ACKNOWLEDGEMENT_RULE_ID,
            description="Acknowledgements that acknowledge nothing:\n"
            + "\n".join(f"- {n.stack}: {n.message}" for n in report.notices),
            fix="Name a rule of the pack (`tap-rules list`: TAP-<SERVICE>-<n>) and give a "
            "reason; CDK: Acknowledgment(id='tap-rules::<RULE-ID>', reason=...), template: "
            "Metadata: {tap-rules: {acknowledge: [{id: <RULE-ID>, reason: ...}]}}.",
            severity="warning",
            rule_metadata={"class": "acknowledgement"},
            violating_resources=[
                cdk.PolicyViolatingResource(locations=[], construct_path=path) for path in paths
            ],
        )
    ]


def to_violations(report: Report) -> list[cdk.PolicyViolation]:
    """One ``PolicyViolation`` per rule violated and severity (a rule may warn where it
    cannot tell), acknowledged findings included (CDK suppresses those itself and lists
    them with their reasons)."""
    by_rule: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_rule[(finding.rule_id, finding.severity)].append(finding)
    return [_violation(findings) for findings in by_rule.values()]


def _violation(findings: list[Finding]) -> cdk.PolicyViolation:
    first = findings[0]
    messages = []
    locations: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for f in findings:
        where = f.logical_id or f.stack
        messages.append(f"- {where}: {f.message}")
        paths = locations[(f.stack, f.logical_id)]
        if f.property_path not in paths:
            paths.append(f.property_path)
    fixes = dict.fromkeys(f.fix for f in findings)  # ordered, de-duplicated
    return cdk.PolicyViolation(
        rule_name=first.rule_id,
        description=f"{first.title}\n" + "\n".join(messages),
        fix=" | ".join(fixes),
        severity=first.severity,  # always explicit: see the module docstring
        rule_metadata={
            "class": first.slug,
            "title": first.title,
            "help": f"RULES.md#{first.rule_id.lower()}",
        },
        violating_resources=[
            _violating_resource(stack, lid, paths, findings)
            for (stack, lid), paths in locations.items()
        ],
    )


def _violating_resource(
    stack: str, logical_id: str | None, paths: list[str], findings: list[Finding]
) -> cdk.PolicyViolatingResource:
    template = next((f.template_path for f in findings if f.stack == stack), None)
    if logical_id is None:  # a stack-level finding: point at the stack construct
        cpath = next((f.construct_path for f in findings if f.stack == stack), None)
        return cdk.PolicyViolatingResource(locations=paths, construct_path=cpath or stack)
    # resource_logical_id and construct_path are exclusive: CDK derives the path itself.
    return cdk.PolicyViolatingResource(
        locations=paths, resource_logical_id=logical_id, template_path=template
    )


def _load_stacks(template_paths: list[str], unreadable: LoadErrors) -> list[StackTemplate]:
    """The stacks of ``template_paths`` and their nested stacks, with what their assembly
    knows of them (acknowledgements, construct paths, staged assets). A stack whose template
    cannot be read is listed in ``unreadable``; the others are still evaluated."""
    wanted = set(template_paths)
    stacks: list[StackTemplate] = []
    found: set[str] = set()
    for directory in dict.fromkeys(str(Path(p).parent) for p in template_paths):
        errors: LoadErrors = []
        has_manifest = (Path(directory) / "manifest.json").exists()
        loaded = load_path(directory, errors=errors) if has_manifest else []
        for stack in loaded:
            top = stack.top
            key = str(top.template_path.resolve()) if top.template_path else ""
            if key in wanted:
                found.add(key)
                stacks.append(stack)
        unreadable.extend(errors)
        found.update(str(Path(directory, f"{name}.template.json").resolve()) for name, _ in errors)
    for path in template_paths:  # no manifest (should not happen): the template alone
        if path not in found:
            try:
                stacks.extend(load_path(path))
            except InputError as exc:
                unreadable.append((Path(path).name.removesuffix(".template.json"), str(exc)))
    return stacks


def _unreadable(unreadable: LoadErrors, stack_paths: dict[str, str]) -> list[cdk.PolicyViolation]:
    """One TAP-INTERNAL error per stack whose template could not be read."""
    by_name = {Path(p).name.removesuffix(".template.json"): c for p, c in stack_paths.items()}
    messages = dict(unreadable)  # one per stack (a stage's stacks are read twice)
    for name, message in messages.items():
        print(f"tap-rules: stack {name} not checked: {message}", file=sys.stderr)
    return [
        _internal(f"stack {name} could not be read: {message}", [by_name.get(name, name)])
        for name, message in messages.items()
    ]


def _internal_errors(
    report: Report, stacks: list[StackTemplate], stack_paths: dict[str, str]
) -> list[cdk.PolicyViolation]:
    if not report.rule_errors:
        return []
    for error in report.rule_errors:
        print(f"tap-rules: rule failed: {error}", file=sys.stderr)
    construct_of = {
        s.name: stack_paths.get(
            str(s.template_path.resolve()) if s.template_path else "",
            s.construct_path_of_stack or s.name,
        )
        for s in stacks
    }
    # engine.rule_errors entries read "<RULE-ID> on <stack>: <traceback>"
    affected = [
        path
        for name, path in construct_of.items()
        if any(f" on {name}:" in e.splitlines()[0] for e in report.rule_errors)
    ] or list(construct_of.values())
    summaries = [f"{e.splitlines()[0]} {e.splitlines()[-1]}" for e in report.rule_errors]
    return [_internal(f"a rule raised, its checks did not run: {'; '.join(summaries)}", affected)]


def _configuration_failure(
    message: str, stack_paths: dict[str, str]
) -> cdk.PolicyValidationPluginReport:
    """A mistake in the configuration (file or plugin arguments): the user's to fix, so it
    fails synth under its own name, with the one-line message and no traceback."""
    print(f"tap-rules: {message}", file=sys.stderr)
    violation = cdk.PolicyViolation(
        rule_name=CONFIGURATION_RULE_ID,
        description=f"The tap rule pack is misconfigured: {message}",
        fix="Correct the configuration: .tap-rules.toml or [tool.tap-rules] in pyproject.toml "
        "(keys: the long options of `tap-rules check --help`), or the TapRules(...) arguments.",
        severity="error",
        rule_metadata={"class": "configuration"},
        violating_resources=[
            cdk.PolicyViolatingResource(locations=[], construct_path=path)
            for path in stack_paths.values()
        ],
    )
    return cdk.PolicyValidationPluginReport(
        success=False, violations=[violation], plugin_version=version()
    )


def _failure(message: str, stack_paths: dict[str, str]) -> cdk.PolicyValidationPluginReport:
    print(f"tap-rules: {message}", file=sys.stderr)
    return cdk.PolicyValidationPluginReport(
        success=False,
        violations=[_internal(message, list(stack_paths.values()))],
        plugin_version=version(),
    )


def _internal(message: str, construct_paths: list[str]) -> cdk.PolicyViolation:
    return cdk.PolicyViolation(
        rule_name=INTERNAL_RULE_ID,
        description=f"The tap rule pack did not run completely: {message}",
        fix="Report this to the rule pack's maintainers (it is a bug in the pack, not in "
        "your stack); `python -m tap.rules check cdk.out` shows the traceback.",
        severity="error",
        rule_metadata={"class": "internal"},
        violating_resources=[
            cdk.PolicyViolatingResource(locations=[], construct_path=path)
            for path in construct_paths
        ],
    )
