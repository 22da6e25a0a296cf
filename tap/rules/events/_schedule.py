"""Parse EventBridge schedule expressions: ``cron()``, ``rate()`` and ``at()``.

The syntax is EventBridge's own, not Unix cron: six fields (a year at the end), ``?`` in one
of the two day fields, ``L``/``W``/``#`` wildcards, ``rate(value unit)`` with a unit that
agrees in number with the value. Written from the EventBridge User Guide page "Schedule
expressions for rules" (eb-scheduled-rule-pattern) and the EventBridge Scheduler User Guide
page "Schedule types" (schedule-types), the same checks as cfn-lint's E3027 for rules, plus
per-field values and ``at()`` for Scheduler (which cfn-lint does not check). No cron library
knows this dialect (croniter and friends parse Unix cron and would accept five fields).
"""

from __future__ import annotations

import re
from datetime import datetime

__all__ = ["schedule_problems", "suggest"]

_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
_DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"

# (name, lowest, highest, allowed wildcard characters, names) for the six cron fields.
_FIELDS: tuple[tuple[str, int, int, str, str], ...] = (
    ("Minutes", 0, 59, ",-*/", ""),
    ("Hours", 0, 23, ",-*/", ""),
    ("Day-of-month", 1, 31, ",-*?/LW", ""),
    ("Month", 1, 12, ",-*/", _MONTHS),
    ("Day-of-week", 1, 7, ",-*?/L#", _DAYS),
    ("Year", 1970, 2199, ",-*/", ""),
)

_RATE_UNITS = {"minute", "minutes", "hour", "hours", "day", "days"}


def schedule_problems(expression: str, *, allow_at: bool, strict_plural: bool) -> list[str]:
    """Why the service rejects ``expression`` (empty when it is valid).

    ``allow_at``: one-time ``at()`` schedules exist (EventBridge Scheduler, not rules).
    ``strict_plural``: the unit must be singular for 1 and plural above (rules' documented
    rule; Scheduler documents the units only, so it is not held against schedules).
    """
    expr = expression.strip()
    m = re.fullmatch(r"(cron|rate|at)\((.*)\)", expr, re.DOTALL)
    if m is None:
        kinds = "cron(), rate() or at()" if allow_at else "cron() or rate()"
        return [f"is not a {kinds} expression"]
    kind, body = m.group(1), m.group(2).strip()
    if kind == "rate":
        return _rate(body, strict_plural)
    if kind == "at":
        if not allow_at:
            return ["at() one-time schedules exist only in EventBridge Scheduler, not in rules"]
        return _at(body)
    return _cron(body)


def _rate(body: str, strict_plural: bool) -> list[str]:
    parts = body.split()
    if len(parts) != 2:
        return ["rate() takes a value and a unit: rate(5 minutes)"]
    value, unit = parts
    if not value.isdigit() or int(value) <= 0:
        return [f"rate value {value!r} is not a positive whole number"]
    if unit not in _RATE_UNITS:
        return [f"rate unit {unit!r} is not one of minute(s), hour(s), day(s)"]
    if strict_plural:
        if int(value) == 1 and unit.endswith("s"):
            return [f"a rate of 1 takes the singular unit ({unit[:-1]!r}, not {unit!r})"]
        if int(value) > 1 and not unit.endswith("s"):
            return [f"a rate of {value} takes the plural unit ({unit + 's'!r}, not {unit!r})"]
    return []


def _at(body: str) -> list[str]:
    try:
        datetime.strptime(body, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return [f"at({body}) is not at(yyyy-mm-ddThh:mm:ss) (no zone suffix, no fractions)"]
    return []


def _cron(body: str) -> list[str]:
    fields = body.split()
    if len(fields) != 6:
        return [
            f"cron() has {len(fields)} fields, EventBridge needs 6 (minutes hours "
            "day-of-month month day-of-week year); Unix cron's 5 lack the year"
        ]
    problems: list[str] = []
    for value, (name, low, high, wild, names) in zip(fields, _FIELDS, strict=True):
        problem = _field(value.upper(), low, high, wild, names)
        if problem:
            problems.append(f"{name} field {value!r} {problem}")
    dom, dow = fields[2], fields[4]
    if dom != "?" and dow != "?":
        problems.append(
            f"Day-of-month {dom!r} and Day-of-week {dow!r} are both set: one of them must be '?'"
        )
    return problems


def _field(value: str, low: int, high: int, wild: str, names: str) -> str | None:
    """Why one cron field is malformed, or ``None``. Lenient on the day wildcards' forms
    (``L``, ``W``, ``LW``, ``5L``, ``3#2``): only characters and numeric ranges are held."""
    allowed = set(wild) | set("0123456789")
    if names:
        allowed |= set(names.replace("|", ""))
    bad = sorted({c for c in value if c not in allowed})
    if bad:
        return f"uses {''.join(bad)!r}, allowed: digits{', names' if names else ''} and {wild}"
    if ("?" in value and value != "?") or ("*" in value and not _star_ok(value)):
        return "mixes '?' or '*' with other values"
    for item in value.split(","):
        base = item.split("/", 1)[0].split("#", 1)[0]
        for bound in base.split("-"):
            number = re.sub(r"(?<=\d)[LW]+$", "", bound)
            if number.isdigit() and not low <= int(number) <= high:
                return f"has {number}, outside {low}-{high}"
            if number and not number.isdigit() and number not in ("*", "?", "L", "LW"):
                if not (names and re.fullmatch(names, number)):
                    return f"has {bound!r}, not a value of this field"
        if "/" in item:
            step = item.split("/", 1)[1]
            if not step.isdigit() or int(step) == 0:
                return f"has increment {step!r}, not a positive whole number"
    return None


def _star_ok(value: str) -> bool:
    return all(item == "*" or item.startswith("*/") for item in value.split(","))


def suggest(expression: str, *, allow_at: bool, strict_plural: bool) -> str | None:
    """The nearest valid expression for the usual slips (Unix five-field cron, '*' in both
    day fields, a unit of the wrong number, a zone suffix on at()); ``None`` if none."""
    expr = expression.strip()
    m = re.fullmatch(r"(cron|rate|at)\((.*)\)", expr, re.DOTALL)
    if m is None:
        return None
    kind, body = m.group(1), m.group(2).strip()
    if kind == "cron":
        fields = body.split()
        if len(fields) == 5:
            fields.append("*")
        if len(fields) == 6 and "?" not in (fields[2], fields[4]):
            if fields[4] == "*":
                fields[4] = "?"
            elif fields[2] == "*":
                fields[2] = "?"
        candidate = f"cron({' '.join(fields)})"
    elif kind == "rate":
        parts = body.split()
        if len(parts) != 2 or not parts[0].isdigit() or int(parts[0]) <= 0:
            return None
        unit = parts[1].rstrip("s")
        candidate = f"rate({parts[0]} {unit if int(parts[0]) == 1 else unit + 's'})"
    else:
        candidate = "at(" + re.sub(r"(\.\d+)?(Z|[+-]\d\d:?\d\d)$", "", body) + ")"
    ok = not schedule_problems(candidate, allow_at=allow_at, strict_plural=strict_plural)
    return candidate if ok and candidate != expr else None
