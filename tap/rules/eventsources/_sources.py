"""What an event source mapping reads from: a stream (Kinesis, DynamoDB), a queue, or other.

Shared by the ``stream-error-handling`` rules. The source is identified from
``EventSourceArn``: a ``Fn::GetAtt`` of a resource in the stack (its type decides), or an
ARN whose literal text names the service (``arn:aws:kinesis:...``,
``arn:aws:dynamodb:...:table/T/stream/...``, ``arn:aws:sqs:...``). Anything else (a
parameter, an import, Kafka, MQ) is unknown and not judged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

_R = TypeVar("_R")

__all__ = [
    "SourceKind",
    "is_unbounded",
    "not_too_deep",
    "one_record_per_batch",
    "source_kind",
]

SourceKind = Literal["kinesis", "dynamodb", "sqs"]

# (resource type, GetAtt attribute) → kind. Kinesis enhanced fan-out consumers count as
# Kinesis: Lambda reads the stream through them with the same retry semantics.
_GETATT_SOURCES: dict[tuple[str, str], SourceKind] = {
    ("AWS::Kinesis::Stream", "Arn"): "kinesis",
    ("AWS::Kinesis::StreamConsumer", "ConsumerARN"): "kinesis",
    ("AWS::DynamoDB::Table", "StreamArn"): "dynamodb",
    ("AWS::DynamoDB::GlobalTable", "StreamArn"): "dynamodb",
    ("AWS::SQS::Queue", "Arn"): "sqs",
}


def _from_getatt(value: Any, ctx: Context) -> SourceKind | None:
    if not (isinstance(value, dict) and len(value) == 1 and "Fn::GetAtt" in value):
        return None
    arg = value["Fn::GetAtt"]
    if isinstance(arg, str):
        lid, _, attr = arg.partition(".")
    elif isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg):
        lid, attr = arg
    else:
        return None
    target = ctx.resource(lid)
    return _GETATT_SOURCES.get((target.type, attr)) if target is not None else None


def _from_arn_text(value: Any, ctx: Context) -> SourceKind | None:
    text = ctx.text(value)
    if text is None or text.has_unknown:
        return None
    literal = "".join(text.literal_parts)
    if ":kinesis:" in literal:
        return "kinesis"
    if ":dynamodb:" in literal and "/stream/" in literal:
        return "dynamodb"
    if ":sqs:" in literal:
        return "sqs"
    return None


def source_kind(res: Resource, ctx: Context) -> SourceKind | None:
    """The kind of source an ``AWS::Lambda::EventSourceMapping`` reads; ``None`` if unknown."""
    arn = res.properties.get("EventSourceArn")
    if arn is None:
        return None
    return _from_getatt(arn, ctx) or _from_arn_text(arn, ctx)


def is_unbounded(value: Any, ctx: Context) -> bool | None:
    """For MaximumRetryAttempts / MaximumRecordAgeInSeconds: True when absent or -1 (Lambda's
    default for streams: retry until the record expires), False when bounded, ``None`` when
    the value is known only at deploy time."""
    if value is None:
        return True
    resolved = ctx.resolve(value)
    if isinstance(resolved, bool):
        return None
    if isinstance(resolved, int | float | str):
        try:
            return int(resolved) == -1
        except ValueError:
            return None
    return None


def one_record_per_batch(res: Resource, ctx: Context) -> bool | None:
    """Does the mapping hand the function one record at a time (``BatchSize: 1``)?

    ``False`` when ``BatchSize`` is absent (Lambda's defaults: 100 for streams, 10 for SQS)
    or larger than 1; ``None`` when it is known only at deploy time. With one record per
    batch the batch *is* the record: there is nothing to bisect and no partial batch to
    report, while retries, record age and the on-failure destination still matter.
    """
    value = res.properties.get("BatchSize")
    if value is None:
        return False
    try:
        resolved = ctx.resolve(value)
    except RecursionError:
        return None
    if isinstance(resolved, bool):
        return None
    if isinstance(resolved, int | float | str):
        try:
            return int(resolved) == 1
        except ValueError:
            return None
    return None


def not_too_deep(
    check: Callable[[_R, Resource, Context], Iterator[Violation]],
) -> Callable[[_R, Resource, Context], Iterator[Violation]]:
    """Decorate a rule's ``check``: a mapping whose properties are nested too deeply to
    resolve (``RecursionError``) is not judged, instead of raising an internal error."""

    @functools.wraps(check)
    def wrapper(rule: _R, res: Resource, ctx: Context) -> Iterator[Violation]:
        try:
            found = list(check(rule, res, ctx))
        except RecursionError:
            return iter(())
        return iter(found)

    return wrapper
