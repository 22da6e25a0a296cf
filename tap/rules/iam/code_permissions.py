"""iam-code-permissions: every AWS SDK call of a function's code is allowed by its role.

Which code counts (issue 9):

- **Only the code the function runs.** A Python ``Handler`` (``app.handler``,
  ``src/app.handler``) names a module; the module, its parent packages and the asset modules
  they import (``import x``, ``from . import y``, ``importlib.import_module("z")``),
  transitively, are analysed; the other modules of the asset folder are not. A handler
  module not in the asset, or a ``Handler`` known only at deploy time, gives nothing to
  judge.
- **Handlers aws-cdk-lib vends: trust CDK's grants** (decision). CDK's handlers serve every
  configuration of their construct (the S3-notifications handler reads the bucket's
  notification configuration only for an imported bucket; ``BucketDeployment`` calls
  CloudFront only with a distribution) and CDK grants what the configuration in use needs.
  Analysing their paths and conditions would mean modelling each handler's inputs from the
  custom resource's properties, handler by handler and version by version, to re-derive
  grants CDK already derives. They are recognised on evidence, not on names a user may
  choose (:mod:`tap.rules.iam._vended`): CDK's marker metadata, CDK's GUID-bearing singleton
  ids, or code identical to a handler aws-cdk-lib ships.
- **Code too deeply nested** to parse or analyse (``RecursionError``), and policy documents
  too deeply nested to resolve, are not judged: the rule stays silent (never an internal
  error); the role is then partly unknown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.iam._boto import actions_for
from tap.rules.iam._policy import Verdict, policy_index, role_of
from tap.rules.iam._pycode import (
    MAX_FILE_BYTES,
    CodeNotAnalysed,
    SdkCall,
    find_sdk_calls,
    find_sdk_calls_in_sources,
    handler_module,
)
from tap.rules.iam._vended import cdk_vended

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource


def function_sdk_calls(res: Resource, ctx: Context) -> list[SdkCall] | None:
    """The SDK calls a Python function's code can make: its inline code, or the modules
    of its staged asset that its handler module reaches by imports. ``None``: nothing to
    judge (not Python, no code to read, a handler aws-cdk-lib vends, or code nested too
    deeply to analyse). Cached per (asset directory, handler): functions may share one."""
    runtime = ctx.text(res.properties.get("Runtime"))
    if runtime is None or not str(runtime).startswith("python"):
        return None
    code = res.properties.get("Code")
    inline = ctx.resolve(code.get("ZipFile")) if isinstance(code, dict) else None
    if isinstance(inline, str):  # one module (Lambda names it index.py): all of it runs
        if cdk_vended(res, ctx, inline):
            return None
        return _calls(lambda: find_sdk_calls_in_sources({"index.py": inline}))
    handler = ctx.resolve(res.properties.get("Handler"))
    if not isinstance(handler, str) or "." not in handler:
        return None  # unknown entry point: which of the asset's modules run?
    asset = _asset(res, ctx)
    if asset is None:
        return None
    if cdk_vended(res, ctx, _module_source(asset, handler_module(handler))):
        return None
    cache: dict[tuple[str, str], list[SdkCall] | None] = ctx.shared.setdefault("iam.sdk_calls", {})
    key = (str(asset), handler)
    if key not in cache:
        cache[key] = _calls(lambda: find_sdk_calls(asset, handler))
    return cache[key]


def _calls(find: Callable[[], list[SdkCall]]) -> list[SdkCall] | None:
    try:
        return find()
    except CodeNotAnalysed:
        return None  # documented: such code is not judged (see the rule's explanation)


def _asset(res: Resource, ctx: Context) -> Path | None:
    """The function's staged asset directory, only when it lies inside the assembly."""
    asset = ctx.stack.asset_dir(res)
    root = ctx.stack.assembly_dir
    if asset is None or root is None:
        return None
    try:
        resolved = asset.resolve()
        if not resolved.is_dir() or not resolved.is_relative_to(root.resolve()):
            return None
    except (OSError, RuntimeError):
        return None
    return resolved


def _module_source(asset: Path, module: str) -> str | None:
    """The source of ``module`` in the asset (``a.b`` → ``a/b.py`` or ``a/b/__init__.py``)."""
    rel = Path(*module.split(".")) if module else None
    if rel is None:
        return None
    for path in (asset / rel.with_suffix(".py"), asset / rel / "__init__.py"):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_FILE_BYTES:
                return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    return None


class CodeCallsAllowedByRole(Rule):
    """Every AWS SDK call in a function's code is allowed by the function's role."""

    id = "TAP-IAM-1"
    slug = "iam-code-permissions"
    severity = "error"
    title = "Every AWS SDK call in a function's code is allowed by its role"
    explanation = (
        "Why: a call the role does not allow fails at run time with AccessDenied, after "
        "a clean deploy: the alert function of seed 004 #5 could not publish its custom "
        "metrics because its role lacked cloudwatch:PutMetricData. The rule parses the "
        "function's staged Python asset (never imports it), follows boto3 clients and "
        "resources through names, attributes, dicts, getters and calls between the "
        "asset's modules, maps each call to IAM actions through botocore's service "
        "models and boto3's resource models, and asks the role's policies (inline, "
        "attached, AWS managed) whether some resource allows each action. Calls on "
        "objects it cannot identify, and roles not defined in the stack, are not judged. "
        "Only the code the function runs counts: its handler module and the asset modules "
        "it imports, transitively (an asset folder shared by several functions charges "
        "each with its own code). Handlers that aws-cdk-lib vends (S3 notifications, "
        "BucketDeployment, AwsCustomResource, the provider framework, log retention, "
        "auto-delete objects, cross-region references, ...) are not analysed: CDK grants "
        "what the configuration in use needs, while their code also holds the calls of "
        "configurations not in use. They are recognised by CDK's own marker in the cloud "
        "assembly, by CDK's GUID-bearing singleton construct ids, or by their code being "
        "a handler aws-cdk-lib ships; user code behind them (a Provider's on_event "
        "handler) is analysed. Code nested too deeply to parse or analyse is not judged."
    )
    fix = (
        "Grant what the code calls, scoped to the resource: table.grant_read_write_data(fn), "
        "bucket.grant_put(fn), topic.grant_publish(fn), or "
        "fn.add_to_role_policy(iam.PolicyStatement(actions=[...], resources=[...]))"
    )
    seeds = ("004 #5",)
    resource_types = ("AWS::Lambda::Function",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        try:
            role = role_of(ctx, res.properties.get("Role"))
            calls = function_sdk_calls(res, ctx) if role is not None else None
        except RecursionError:
            return  # properties nested too deeply to resolve: not judged
        if role is None or not calls:
            return
        index = policy_index(ctx)
        missing: dict[str, list[str]] = defaultdict(list)
        for call in calls:
            for op in call.operations:
                for action in actions_for(call.service, op) or ():
                    if index.role_allows(role, action) is Verdict.NOT_ALLOWED:
                        if call.where not in missing[action]:
                            missing[action].append(call.where)
        if not missing:
            return
        parts = [f"{a.replace('|', ' or ')} ({', '.join(w)})" for a, w in missing.items()]
        actions = sorted({a.split("|")[0] for a in missing})
        yield self.violation(
            res,
            "Properties/Role",
            f"role {role} does not allow what the function's code calls: " + "; ".join(parts),
            fix=(
                f"fn.add_to_role_policy(iam.PolicyStatement(actions={actions!r}, "
                "resources=[<the resource ARN>])) or the resource's grant_* method"
            ),
        )
