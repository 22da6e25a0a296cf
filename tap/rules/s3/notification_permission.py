"""S3 notifications to Lambda have the invoke permission, created first
(``s3-notification-permission``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.resolve import Text, Token

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["LambdaNotificationPermitted"]

_FUNCTION_TYPES = frozenset({"AWS::Lambda::Function", "AWS::Lambda::Alias", "AWS::Lambda::Version"})
_S3_PRINCIPALS = frozenset({"s3.amazonaws.com", "s3.amazonaws.com.cn"})
# Placeholders that render both sides of a comparison the same way.
_PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}

# A function is known by its logical id, or by a literal name (unqualified or qualified).
FunctionKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class _Permission:
    logical_id: str
    functions: frozenset[FunctionKey]
    grants_s3: bool | None
    source_arn: Text | None
    source_account: Text | None


@dataclass(frozen=True, slots=True)
class _Target:
    notifier: Resource  # the bucket, or CDK's Custom::S3BucketNotifications resource
    path: str
    function: Text
    bucket_id: str | None
    bucket_name: Text | None


class LambdaNotificationPermitted(Rule):
    """S3 notifications to Lambda have an s3.amazonaws.com invoke permission they depend on."""

    id = "TAP-S3-4"
    slug = "s3-notification-permission"
    severity = "error"
    title = "S3 notifications to Lambda have an invoke permission they depend on"
    explanation = (
        "Why: S3 validates every destination when the notification configuration is put; "
        "without an AWS::Lambda::Permission for s3.amazonaws.com on that function (scoped to "
        "this bucket), or when CloudFormation creates the notification before the permission, "
        "the deployment fails with 'Unable to validate the following destination "
        "configurations' (seed 002 #4)."
    )
    fix = (
        "In CDK: bucket.add_event_notification(s3.EventType.OBJECT_CREATED, "
        "s3n.LambdaDestination(fn)) creates the permission and the dependency. With L1: "
        'lambda_.CfnPermission(..., principal="s3.amazonaws.com", action="lambda:InvokeFunction",'
        " source_arn=<bucket ARN>) and cfn_bucket.node.add_dependency(permission)."
    )
    seeds = ("002 #4",)
    resource_types = ("AWS::S3::Bucket", "Custom::S3BucketNotifications")

    def check_stack(self, ctx: Context) -> Iterable[Violation]:
        targets = list(_targets(ctx))
        if not targets:
            return
        names = _function_names(ctx)
        perms = _permissions(ctx, names)
        for target in targets:
            keys = _function_keys(ctx, target.function, names)
            if keys is None:
                continue  # the destination is only known at deploy time
            yield from self._check_target(ctx, target, keys, perms)

    def _check_target(
        self,
        ctx: Context,
        target: _Target,
        keys: frozenset[FunctionKey],
        perms: list[_Permission],
    ) -> Iterator[Violation]:
        for_function = [p for p in perms if p.functions & keys]
        usable = [p for p in for_function if _permits(ctx, p, target) is not False]
        fn = str(target.function)
        if not usable:
            elsewhere = [p.logical_id for p in for_function if p.grants_s3 is not False]
            detail = (
                f" (the S3 permissions on it, {', '.join(sorted(elsewhere))}, are scoped to "
                "another bucket or account)"
                if elsewhere
                else ""
            )
            yield self.violation(
                target.notifier,
                target.path,
                f"notification to function {fn} has no AWS::Lambda::Permission letting "
                f"s3.amazonaws.com invoke it{detail}",
            )
            return
        lid = target.notifier.logical_id
        if any(ctx.graph.depends_on(lid, p.logical_id) for p in usable):
            return
        circular = [p.logical_id for p in usable if ctx.graph.depends_on(p.logical_id, lid)]
        fix = None
        if circular:
            fix = (
                f"{', '.join(circular)} references {lid}, so a DependsOn would be circular: "
                "build the permission's source_arn from the bucket's name "
                '(f"arn:{Aws.PARTITION}:s3:::{name}") instead of bucket.attr_arn, then '
                f"add the dependency; or use bucket.add_event_notification(...)."
            )
        yield self.violation(
            target.notifier,
            target.path,
            f"notification to function {fn} does not depend on its permission "
            f"{', '.join(sorted(p.logical_id for p in usable))}: CloudFormation may put the "
            "notification configuration before the permission exists",
            fix,
        )


def _targets(ctx: Context) -> Iterator[_Target]:
    for res in ctx.stack.of_type("AWS::S3::Bucket"):
        config = ctx.resolve(res.properties.get("NotificationConfiguration"))
        entries = config.get("LambdaConfigurations") if isinstance(config, dict) else None
        name = ctx.text(res.properties.get("BucketName"))
        for i, entry in enumerate(entries if isinstance(entries, list) else ()):
            fn = ctx.text(entry.get("Function")) if isinstance(entry, dict) else None
            if fn is not None:
                path = f"Properties/NotificationConfiguration/LambdaConfigurations/{i}/Function"
                yield _Target(res, path, fn, res.logical_id, name)
    for res in ctx.stack.of_type("Custom::S3BucketNotifications"):
        config = ctx.resolve(res.properties.get("NotificationConfiguration"))
        entries = config.get("LambdaFunctionConfigurations") if isinstance(config, dict) else None
        bucket_id, bucket_name = _bucket_of(ctx, ctx.text(res.properties.get("BucketName")))
        for i, entry in enumerate(entries if isinstance(entries, list) else ()):
            fn = ctx.text(entry.get("LambdaFunctionArn")) if isinstance(entry, dict) else None
            if fn is not None:
                path = (
                    "Properties/NotificationConfiguration/LambdaFunctionConfigurations/"
                    f"{i}/LambdaFunctionArn"
                )
                yield _Target(res, path, fn, bucket_id, bucket_name)


def _bucket_of(ctx: Context, name: Text | None) -> tuple[str | None, Text | None]:
    """The bucket a name refers to: (logical id in the stack, its name)."""
    if name is None:
        return None, None
    ref = _single_resource_token(ctx, name)
    if ref is not None:
        res = ctx.resource(ref.name)
        if res is not None and res.type == "AWS::S3::Bucket":
            return res.logical_id, ctx.text(res.properties.get("BucketName"))
        return None, None
    for res in ctx.stack.of_type("AWS::S3::Bucket"):
        if ctx.text(res.properties.get("BucketName")) == name:
            return res.logical_id, name
    return None, name


def _single_resource_token(ctx: Context, text: Text) -> Token | None:
    if len(text.parts) == 1 and isinstance(text.parts[0], Token):
        tok = text.parts[0]
        if tok.kind in ("Ref", "GetAtt") and tok.name in ctx.stack.resources:
            return tok
    return None


def _function_names(ctx: Context) -> dict[str, str]:
    """Literal function names → logical id, so a permission naming the function literally
    matches a notification that references it (and the reverse)."""
    names: dict[str, str] = {}
    for res in ctx.stack.of_type("AWS::Lambda::Function"):
        name = ctx.text(res.properties.get("FunctionName"))
        if name is not None and name.is_literal:
            names[str(name)] = res.logical_id
    return names


_ARN_FUNCTION = re.compile(r"^arn:[^:]*:lambda:[^:]*:[^:]*:function:(.+)$")


def _function_keys(
    ctx: Context, text: Text, names: dict[str, str]
) -> frozenset[FunctionKey] | None:
    """How a function reference is known; ``None`` when it cannot be followed."""
    refs = [t for t in text.tokens if t.kind in ("Ref", "GetAtt")]
    if len(refs) == 1:
        res = ctx.resource(refs[0].name)
        if res is not None and res.type in _FUNCTION_TYPES:
            return frozenset({("lid", res.logical_id)})
        return None
    if refs or text.has_unknown:
        return None
    rendered = text.render(_PSEUDO, default="*")
    if rendered is None:
        return None
    match = _ARN_FUNCTION.match(rendered)
    name = match.group(1) if match else rendered
    if name in names:
        return frozenset({("lid", names[name]), ("name", name)})
    return frozenset({("name", name)})


def _permissions(ctx: Context, names: dict[str, str]) -> list[_Permission]:
    out = []
    for res in ctx.stack.of_type("AWS::Lambda::Permission"):
        fn = ctx.text(res.properties.get("FunctionName"))
        keys = _function_keys(ctx, fn, names) if fn is not None else None
        if keys is None:
            continue
        out.append(
            _Permission(
                res.logical_id,
                keys,
                _grants_s3(ctx, res),
                ctx.text(res.properties.get("SourceArn")),
                ctx.text(res.properties.get("SourceAccount")),
            )
        )
    return out


def _grants_s3(ctx: Context, res: Resource) -> bool | None:
    principal = ctx.text(res.properties.get("Principal"))
    action = ctx.text(res.properties.get("Action"))
    if principal is None or action is None:
        return False
    p, a = principal.render(_PSEUDO), action.render(_PSEUDO)
    if p is None or a is None:
        return None
    return p in _S3_PRINCIPALS and _glob(a.lower()).fullmatch("lambda:invokefunction") is not None


def _permits(ctx: Context, perm: _Permission, target: _Target) -> bool | None:
    """Whether the permission lets this bucket's S3 invoke the function: True, False or
    ``None`` (decided at deploy time)."""
    verdicts = [
        perm.grants_s3,
        _source_arn_matches(ctx, perm.source_arn, target),
        _source_account_matches(ctx, perm.source_account),
    ]
    if False in verdicts:
        return False
    return None if None in verdicts else True


def _source_arn_matches(ctx: Context, arn: Text | None, target: _Target) -> bool | None:
    if arn is None:
        return True  # not scoped: any bucket
    refs = [t for t in arn.tokens if t.kind in ("Ref", "GetAtt")]
    if target.bucket_id is not None and any(t.name == target.bucket_id for t in refs):
        return True
    if refs:
        other = ctx.resource(refs[0].name)
        return False if other is not None and other.type == "AWS::S3::Bucket" else None
    if target.bucket_name is None or arn.has_unknown:
        return None
    values = {**_PSEUDO, "AWS::AccountId": ctx.stack.account or "123456789012"}
    pattern, name = arn.render(values), target.bucket_name.render(values)
    if pattern is None or name is None:
        return None
    return _glob(pattern).fullmatch(f"arn:aws:s3:::{name}") is not None


def _source_account_matches(ctx: Context, account: Text | None) -> bool | None:
    if account is None or (account.has_token("AWS::AccountId") and len(account.parts) == 1):
        return True
    if account.is_literal and ctx.stack.account:
        return str(account) == ctx.stack.account
    return None


def _glob(pattern: str) -> re.Pattern[str]:
    """An IAM/ARN wildcard pattern (``*`` and ``?``) as a regular expression."""
    return re.compile(".*".join(".".join(map(re.escape, p.split("?"))) for p in pattern.split("*")))
