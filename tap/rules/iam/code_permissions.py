"""iam-code-permissions: every AWS SDK call of a function's code is allowed by its role."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.iam._boto import actions_for
from tap.rules.iam._policy import Verdict, policy_index, role_of
from tap.rules.iam._pycode import SdkCall, find_sdk_calls, find_sdk_calls_in_sources

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource


def function_sdk_calls(res: Resource, ctx: Context) -> list[SdkCall] | None:
    """The SDK calls of a Python function's staged asset or inline code (``None``: no
    code to read). Cached per asset directory: functions may share one."""
    runtime = ctx.text(res.properties.get("Runtime"))
    if runtime is None or not str(runtime).startswith("python"):
        return None
    code = res.properties.get("Code")
    inline = ctx.resolve(code.get("ZipFile")) if isinstance(code, dict) else None
    if isinstance(inline, str):
        return find_sdk_calls_in_sources({"index.py": inline})
    asset = ctx.stack.asset_dir(res)
    if asset is None or not asset.is_dir():
        return None
    cache: dict[str, list[SdkCall]] = ctx.shared.setdefault("iam.sdk_calls", {})
    key = str(asset)
    if key not in cache:
        cache[key] = find_sdk_calls(asset)
    return cache[key]


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
        "objects it cannot identify, and roles not defined in the stack, are not judged."
    )
    fix = (
        "Grant what the code calls, scoped to the resource: table.grant_read_write_data(fn), "
        "bucket.grant_put(fn), topic.grant_publish(fn), or "
        "fn.add_to_role_policy(iam.PolicyStatement(actions=[...], resources=[...]))"
    )
    seeds = ("004 #5",)
    resource_types = ("AWS::Lambda::Function",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        role = role_of(ctx, res.properties.get("Role"))
        if role is None:
            return
        calls = function_sdk_calls(res, ctx)
        if not calls:
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
