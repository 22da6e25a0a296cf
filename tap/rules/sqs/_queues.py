"""What the template says about queues and topics: FIFO or not, visibility timeout.
No rules here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tap.rules.resolve import Text, as_bool

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.model import Resource

DEFAULT_VISIBILITY_TIMEOUT = 30  # seconds (SQS CreateQueue's default)
DEFAULT_FUNCTION_TIMEOUT = 3  # seconds (Lambda's default)


def target(ctx: Context, value: Any, *types: str) -> Resource | None:
    """The stack resource of one of ``types`` a ``Ref``/``Fn::GetAtt`` value points at."""
    text = value if isinstance(value, Text) else ctx.text(value)
    if text is None or len(text.parts) != 1 or isinstance(text.parts[0], str):
        return None
    tok = text.parts[0]
    res = ctx.resource(tok.name) if tok.kind in ("Ref", "GetAtt") else None
    return res if res is not None and res.type in types else None


def _flag(ctx: Context, value: Any) -> bool | None:
    value = ctx.resolve(value)
    return False if value is None else as_bool(value)


def is_fifo(ctx: Context, res: Resource) -> bool | None:
    """Whether a queue or topic of the stack is FIFO (``None``: a token decides)."""
    flag_key, name_key = (
        ("FifoQueue", "QueueName") if res.type == "AWS::SQS::Queue" else ("FifoTopic", "TopicName")
    )
    flag = _flag(ctx, res.properties.get(flag_key))
    if flag:
        return True
    name = ctx.text(res.properties.get(name_key))
    if name is not None and name.is_literal and str(name).endswith(".fifo"):
        return True
    return flag


def seconds(ctx: Context, value: Any, default: int) -> int | None:
    """An integer number of seconds; ``default`` when absent; ``None`` when a token."""
    value = ctx.resolve(value)
    if value is None:
        return default
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
