"""EventBridge event patterns are ones the service accepts (``eventbridge-pattern``).

Written from the EventBridge User Guide pages "Event patterns" (eb-event-patterns.html) and
"Content filtering in event patterns" (eb-create-pattern-operators.html): a pattern is a JSON
object; every value to match is in an array, and arrays are not empty; objects nest fields,
except the one-key operator objects (``prefix``, ``suffix``, ``anything-but``, ``numeric``,
``exists``, ``cidr``, ``equals-ignore-case``, ``wildcard``) inside an array, and ``$or``'s
list of patterns. cfn-lint has no check of pattern content; the rules are small enough to
hold here. Values known only at deploy time are not judged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule
from tap.rules.resolve import Text

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["EventPatternValid"]

_OPERATORS = {
    "prefix",
    "suffix",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
    "equals-ignore-case",
    "wildcard",
}
_NUMERIC_OPS = {"<", "<=", "=", ">", ">="}
_SCALAR = (str, int, float, bool, Text)


def pattern_problems(pattern: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, problem) for each part of ``pattern`` EventBridge refuses."""
    if isinstance(pattern, Text):
        return  # known at deploy time only
    if not isinstance(pattern, dict):
        yield path, f"the pattern is a {type(pattern).__name__}, not a JSON object"
        return
    for key, value in pattern.items():
        where = f"{path}/{key}" if path else str(key)
        if key == "$or":
            yield from _or(value, where)
        elif isinstance(value, dict):
            yield from pattern_problems(value, where)
        elif isinstance(value, list):
            yield from _values(value, where)
        elif isinstance(value, Text):
            continue
        else:
            yield (
                where,
                (
                    f"{json.dumps(value)} is not in an array: match values are lists, "
                    f"e.g. [{json.dumps(value)}]"
                ),
            )


def _or(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Text):
        return
    if not isinstance(value, list) or not value:
        yield where, "$or takes a non-empty list of patterns"
        return
    for i, sub in enumerate(value):
        yield from pattern_problems(sub, f"{where}/{i}")


def _values(values: list[Any], where: str) -> Iterator[tuple[str, str]]:
    if not values:
        yield where, "empty array: EventBridge refuses it (an empty array matches nothing)"
        return
    for i, item in enumerate(values):
        at = f"{where}/{i}"
        if item is None or isinstance(item, _SCALAR):
            continue
        if isinstance(item, list):
            yield at, "nested array: match values are scalars or operator objects"
        elif isinstance(item, dict):
            yield from _operator(item, at)


def _operator(item: dict[str, Any], at: str) -> Iterator[tuple[str, str]]:
    if len(item) != 1:
        yield at, f"operator object with {len(item)} keys: each takes exactly one"
        return
    ((op, arg),) = item.items()
    if op not in _OPERATORS:
        yield at, f"unknown operator {op!r} (known: {', '.join(sorted(_OPERATORS))})"
        return
    if isinstance(arg, Text):
        return
    if op == "exists" and not isinstance(arg, bool):
        yield at, f"'exists' takes true or false, not {json.dumps(arg)}"
    elif op == "numeric":
        yield from _numeric(arg, at)
    elif op in ("prefix", "suffix") and not isinstance(arg, str | dict):
        yield at, f"{op!r} takes a string, not {json.dumps(arg)}"
    elif op in ("cidr", "wildcard", "equals-ignore-case") and not isinstance(arg, str):
        yield at, f"{op!r} takes a string, not {json.dumps(arg)}"


def _numeric(arg: Any, at: str) -> Iterator[tuple[str, str]]:
    if not isinstance(arg, list) or not arg or len(arg) % 2:
        yield at, '\'numeric\' takes pairs of comparison and number: [">", 0, "<=", 5]'
        return
    for op, number in zip(arg[::2], arg[1::2], strict=True):
        if isinstance(op, Text) or isinstance(number, Text):
            continue
        if op not in _NUMERIC_OPS:
            yield at, f"'numeric' comparison {op!r} is not one of {sorted(_NUMERIC_OPS)}"
        elif isinstance(number, bool) or not isinstance(number, int | float):
            yield at, f"'numeric' compares with numbers, not {json.dumps(number)}"


class EventPatternValid(Rule):
    """EventBridge rule and archive event patterns are JSON objects whose match values are
    non-empty arrays of values or known operators."""

    id = "TAP-EB-2"
    slug = "eventbridge-pattern"
    severity = "error"
    title = "EventBridge event patterns use arrays of values and known operators"
    explanation = (
        "Why: EventBridge validates the pattern when CloudFormation creates the rule: "
        "'Event pattern is not valid. Reason: ...' (InvalidEventPatternException), after "
        "the template synthesized cleanly. CDK's EventPattern types `detail` as a free "
        'dict, so a bare string where EventBridge wants ["value"], an empty list, or a '
        "misspelt operator reaches the service unchecked. AWS documentation: EventBridge "
        "User Guide, 'Creating event patterns' (eb-event-patterns.html) and 'Content "
        "filtering in Amazon EventBridge event patterns' (eb-create-pattern-operators.html)."
    )
    fix = (
        'In CDK: events.EventPattern(source=[...], detail={"bucket": {"name": [name]}}) '
        "with every value to match in a list; use events.Match.prefix(...), "
        "Match.anything_but(...), Match.exists() etc. for operators instead of hand-written "
        "dicts, and drop fields whose list would be empty."
    )
    resource_types = ("AWS::Events::Rule", "AWS::Events::Archive")

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        raw = res.properties.get("EventPattern")
        if raw is None:
            return
        pattern = ctx.resolve(raw)
        if isinstance(pattern, str):
            try:
                pattern = json.loads(pattern)
            except RecursionError:
                return  # nested deeper than the parser goes: not judged
            except ValueError:
                yield self.violation(
                    res, "Properties/EventPattern", "event pattern string is not JSON"
                )
                return
        for where, problem in pattern_problems(pattern):
            path = "Properties/EventPattern" + (f"/{where}" if where else "")
            yield self.violation(res, path, f"event pattern: {problem}")
