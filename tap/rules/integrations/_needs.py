"""What an integration's role needs, checked with the one IAM evaluator
(:mod:`tap.rules.iam._policy`). No rules here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tap.rules.iam._policy import Verdict, arn_forms, policy_index
from tap.rules.resolve import Text

if TYPE_CHECKING:
    from tap.rules.base import Context


@dataclass(frozen=True, slots=True)
class Need:
    """``action`` on a resource of ARN forms ``targets`` (``None``: any), for ``what``."""

    action: str
    targets: tuple[str, ...] | None
    what: str


def target_lid(ctx: Context, value: Any) -> str | None:
    """The stack resource a ``Ref``/``GetAtt`` value points at."""
    text = ctx.text(value)
    if text is not None and len(text.parts) == 1 and not isinstance(text.parts[0], str):
        tok = text.parts[0]
        if tok.kind in ("Ref", "GetAtt") and tok.name in ctx.stack.resources:
            return tok.name
    return None


def forms(ctx: Context, value: Any, suffix: str = "") -> tuple[str, ...] | None:
    """ARN forms of what ``value`` names: a stack resource's forms, a literal ARN as
    itself, ``None`` when unknown (then any resource will do)."""
    lid = target_lid(ctx, value)
    if lid is not None:
        return arn_forms(ctx, lid, suffix)
    text = ctx.text(value)
    if isinstance(text, Text) and not text.has_unknown and str(text).startswith("arn:"):
        return (str(text) + suffix,)
    return None


def missing(ctx: Context, role: str, needs: list[Need]) -> list[Need]:
    """The needs the role's policies certainly do not meet."""
    index = policy_index(ctx)
    return [n for n in needs if index.role_allows(role, n.action, n.targets) is Verdict.NOT_ALLOWED]


def describe(role: str, gaps: list[Need]) -> str:
    by_what: dict[str, list[str]] = {}
    for g in gaps:
        by_what.setdefault(g.what, []).append(g.action)
    parts = [f"{', '.join(actions)} on {what}" for what, actions in by_what.items()]
    return f"role {role} lacks " + "; ".join(parts)


def stream_key_needs(ctx: Context, stream_lid: str | None, actions: tuple[str, ...]) -> list[Need]:
    """KMS needs when a Kinesis stream of the stack is encrypted with a stack key."""
    res = ctx.resource(stream_lid) if stream_lid else None
    if res is None:
        return []
    enc = res.properties.get("StreamEncryption")
    key = target_lid(ctx, enc.get("KeyId")) if isinstance(enc, dict) else None
    key_res = ctx.resource(key) if key else None
    if key is None or key_res is None or key_res.type != "AWS::KMS::Key":
        return []
    return [Need(a, arn_forms(ctx, key), f"key {key}") for a in actions]
