"""sqs-visibility-timeout: an SQS queue's visibility timeout is at least the timeout of the
function its event source mapping invokes.

Lambda validates it when the mapping is created. The function is followed through aliases
and versions of the stack; a queue or function outside the stack, or a timeout that is a
token, stays silent. Below AWS's recommendation (six times the function timeout, plus the
mapping's batching window) the finding is a warning: the mapping deploys, but a throttled
or retried invocation may see its messages delivered again while it still runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.resolve import iter_references
from tap.rules.sqs._queues import (
    DEFAULT_FUNCTION_TIMEOUT,
    DEFAULT_VISIBILITY_TIMEOUT,
    seconds,
    target,
)

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["QueueOutlastsFunction"]

_FUNCTION = "AWS::Lambda::Function"
_QUALIFIED = ("AWS::Lambda::Alias", "AWS::Lambda::Version")


def function_of(ctx: Context, res: Resource) -> Resource | None:
    """The ``AWS::Lambda::Function`` an event source mapping invokes (through an alias or a
    version of the stack)."""
    # CDK names an alias as Fn::Join of Fn::Select(6, Fn::Split(":", Ref alias)) and the
    # alias name: the one resource it references is the one it invokes.
    refs = {
        r for r in iter_references(res.properties.get("FunctionName")) if r in ctx.stack.resources
    }
    fn = ctx.resource(refs.pop()) if len(refs) == 1 else None
    for _ in range(3):  # alias → version → function
        if fn is None or fn.type == _FUNCTION:
            return fn
        if fn.type not in _QUALIFIED:
            return None
        fn = target(ctx, fn.properties.get("FunctionName"), _FUNCTION, *_QUALIFIED)
    return fn if fn is not None and fn.type == _FUNCTION else None


class QueueOutlastsFunction(Rule):
    """An SQS event source's queue has a visibility timeout no shorter than the function's
    timeout."""

    id = "TAP-SQS-1"
    slug = "sqs-visibility-timeout"
    severity = "error"
    title = (
        "SQS event sources' queues keep messages invisible at least as long as the function runs"
    )
    explanation = (
        "Why: Lambda refuses to create the event source mapping when the function's timeout "
        "exceeds the queue's visibility timeout: 'Invalid request provided: Queue visibility "
        "timeout: 30 seconds is less than Function timeout: 60 seconds' (AWS Lambda Developer "
        "Guide, 'Creating and configuring an Amazon SQS event source mapping': 'Lambda "
        "validates this requirement when you create or update an event source mapping'). It "
        "recommends at least six times the function timeout plus the mapping's "
        "MaximumBatchingWindowInSeconds, so that retries of a throttled batch are not "
        "delivered again while it is processed: below that the finding is a warning."
    )
    fix = (
        "In CDK: sqs.Queue(..., visibility_timeout=Duration.seconds(6 * <function timeout> + "
        "<max_batching_window>)), or shorten the function's timeout=."
    )
    resource_types = ("AWS::Lambda::EventSourceMapping",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        queue = target(ctx, res.properties.get("EventSourceArn"), "AWS::SQS::Queue")
        fn = function_of(ctx, res) if queue is not None else None
        if queue is None or fn is None:
            return
        visibility = seconds(
            ctx, queue.properties.get("VisibilityTimeout"), DEFAULT_VISIBILITY_TIMEOUT
        )
        timeout = seconds(ctx, fn.properties.get("Timeout"), DEFAULT_FUNCTION_TIMEOUT)
        if visibility is None or timeout is None:
            return
        if timeout > visibility:
            yield self.violation(
                res,
                "Properties/EventSourceArn",
                f"queue {queue.logical_id}'s visibility timeout ({visibility} s) is shorter than "
                f"function {fn.logical_id}'s timeout ({timeout} s): Lambda refuses the mapping",
            )
            return
        window = seconds(ctx, res.properties.get("MaximumBatchingWindowInSeconds"), 0)
        if window is None:
            return  # known only at deploy time
        recommended = 6 * timeout + window
        if visibility < recommended:
            yield self.violation(
                res,
                "Properties/EventSourceArn",
                f"queue {queue.logical_id}'s visibility timeout ({visibility} s) is below AWS's "
                f"recommended 6 x function {fn.logical_id}'s timeout ({timeout} s) + batching "
                f"window ({window} s) = {recommended} s: a retried batch may be delivered again "
                "while it runs",
                severity="warning",
            )
