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

    app = cdk.App()
    TapStack(app, "TapStack-dev", props=props)
    tap.rules.plugin.register(app)          # environment from each template's metadata
    app.synth()
"""

from __future__ import annotations

import sys
import threading
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import aws_cdk as cdk
import jsii

from tap.rules.engine import Options, Report, evaluate
from tap.rules.model import PLUGIN_NAMESPACE, InputError, LoadErrors, StackTemplate, load_path
from tap.rules.registry import all_rules

if TYPE_CHECKING:
    from constructs import Construct

    from tap.rules.finding import Finding

__all__ = ["INTERNAL_RULE_ID", "PLUGIN_NAME", "TapRulesPlugin", "register"]

PLUGIN_NAME = PLUGIN_NAMESPACE
"""The plugin name, and so the acknowledgement namespace: ``tap-rules::<RULE-ID>``."""

INTERNAL_RULE_ID = "TAP-INTERNAL"
"""Rule name of the error reported when the pack itself failed (a rule raised, or the
assembly could not be read): the guardrails did not run completely."""

_VERSION = "0.1.0"


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

    Rules that need an environment fact that is known neither here nor in the template
    are skipped (and listed by the CLI's summary).
    """

    def __init__(
        self,
        *,
        environment_suffix: str | None = None,
        ephemeral: bool | None = None,
        rules: Sequence[str] | None = None,
    ) -> None:
        self._options = Options(
            environment_suffix=environment_suffix,
            ephemeral=ephemeral,
            rules=tuple(rules) if rules else None,
        )
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
        return _VERSION

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
        try:
            unreadable: LoadErrors = []
            stacks = _load_stacks(list(stack_paths), unreadable)
            report = evaluate(stacks, self._options)
            violations = to_violations(report)
            violations.extend(_internal_errors(report, stacks, stack_paths))
            violations.extend(_unreadable(unreadable, stack_paths))
        except (InputError, KeyError) as exc:  # unreadable assembly, unknown rule selected
            return _failure(f"the rule pack could not run: {exc}", stack_paths)
        except Exception as exc:  # noqa: BLE001 - never raise into CDK: report instead
            first = (str(exc).strip().splitlines() or [""])[0][:300]
            return _failure(f"the rule pack failed: {type(exc).__name__}: {first}", stack_paths)
        # success is recomputed by CDK after acknowledgements; before that, any error fails.
        success = not any(v.severity == "error" for v in violations)
        return cdk.PolicyValidationPluginReport(
            success=success,
            violations=violations,
            plugin_version=_VERSION,
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
    except Exception:  # noqa: BLE001 - a warm-up failure only costs time; validate() reports
        pass


def register(
    app: Construct,
    *,
    environment_suffix: str | None = None,
    ephemeral: bool | None = None,
) -> TapRulesPlugin:
    """Add the tap rule pack to ``app`` (an ``App`` or ``Stage``) and return the plugin.

    Parameters
    ----------
    app:
        The app (or stage) whose stacks are validated.
    environment_suffix, ephemeral:
        Override the environment recorded in each template's ``TapEnvironment``
        metadata; ``None`` (default) reads it from there.

    Example
    -------
    >>> register(app, environment_suffix="dev", ephemeral=True)  # doctest: +SKIP
    """
    plugin = TapRulesPlugin(environment_suffix=environment_suffix, ephemeral=ephemeral)
    cdk.Validations.of(app).add_plugins(plugin)
    return plugin


def to_violations(report: Report) -> list[cdk.PolicyViolation]:
    """One ``PolicyViolation`` per rule violated, acknowledged findings included (CDK
    suppresses those itself and lists them with their reasons)."""
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_rule[finding.rule_id].append(finding)
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


def _failure(message: str, stack_paths: dict[str, str]) -> cdk.PolicyValidationPluginReport:
    print(f"tap-rules: {message}", file=sys.stderr)
    return cdk.PolicyValidationPluginReport(
        success=False,
        violations=[_internal(message, list(stack_paths.values()))],
        plugin_version=_VERSION,
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
