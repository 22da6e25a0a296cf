"""A small checker for AWS IoT SQL (version 2016-03-23): ``SELECT ... FROM '<topic filter>'
[WHERE ...]``.

Approach: IoT SQL is close to ANSI SQL except its FROM clause, which names an MQTT topic
filter in single quotes (``FROM 'traffic/+/telemetry'``). We find that clause, check the
topic filter's MQTT rules ourselves (``#`` only as the whole last level, ``+`` only as a
whole level), replace the quoted filter by a plain table name and parse the rest with
sqlglot (its default dialect). IoT spellings sqlglot does not know are mapped first:
``SELECT VALUE expr`` → ``SELECT expr``, backtick-quoted names → double-quoted.
Then the parse tree must be a single SELECT with a non-empty list, that one FROM, and no
clause IoT SQL lacks (JOIN, GROUP BY, ORDER BY, HAVING, LIMIT).

Limits (documented, not guessed around): this is a syntax check, not IoT's validator.
Function names and arities (``topic(3)``, ``get_dynamodb(...)``) are not checked; sqlglot
accepts some ANSI forms IoT rejects and might reject rare IoT-only syntax (nested object
literals in the WHERE clause); a ``FROM '...'`` inside a string literal of the SELECT list
would be taken for the clause. SQL built from deploy-time values is only judged when it
parses anyway (see the rules).

Start-up (issue 10): sqlglot is imported only when a topic rule's SQL is checked (~0.15 s),
and each verdict is kept on disk by SQL text (:mod:`tap.rules.common.cache`, versioned by
this module's source and sqlglot's version), so an unchanged rule imports nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.common.cache import DiskCache
    from tap.rules.model import Resource
    from tap.rules.resolve import Text

__all__ = [
    "SqlProblem",
    "check_sql",
    "find_topic_filter",
    "preload",
    "topic_filter_problem",
    "topic_rule_sql",
]

_FROM = re.compile(r"\bFROM\s+'((?:[^']|'')*)'", re.IGNORECASE)
_SELECT_VALUE = re.compile(r"^\s*SELECT\s+VALUE\b", re.IGNORECASE)
_BACKTICK = re.compile(r"`([^`]*)`")
_TRAILING_COMMA = re.compile(r",\s*$")
_TABLE = "iot_topic_filter"
_UNSUPPORTED_CLAUSES = ("joins", "group", "order", "having", "limit", "offset")


@dataclass(frozen=True, slots=True)
class SqlProblem:
    message: str


def topic_rule_sql(res: Resource, ctx: Context) -> Text | None:
    """A topic rule's resolved SQL; ``None`` when absent or not knowable at synth."""
    payload = res.properties.get("TopicRulePayload")
    if not isinstance(payload, dict) or "Sql" not in payload:
        return None
    text = ctx.text(payload["Sql"])
    return None if text is None or text.has_unknown else text


def find_topic_filter(sql: str) -> re.Match[str] | None:
    """The ``FROM '<topic filter>'`` clause of an IoT SQL statement."""
    return _FROM.search(sql)


def topic_filter_problem(topic: str) -> str | None:
    """Why an MQTT topic filter is invalid, or ``None``."""
    if not topic:
        return "the topic filter is empty"
    levels = topic.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            return f"'#' must be a whole level and the last one (level {i + 1}: {level!r})"
        if "+" in level and level != "+":
            return f"'+' must be a whole level (level {i + 1}: {level!r})"
    return None


@cache
def _disk() -> DiskCache:
    from tap.rules.common.cache import code_cache

    return code_cache("iot-sql", ("tap.rules.iot._sql",), ("sqlglot",))


def preload() -> None:
    """Import sqlglot (the plugin's warm-up thread calls it)."""
    import sqlglot  # noqa: F401


def check_sql(sql: str) -> SqlProblem | None:
    """Why ``sql`` is not valid IoT SQL, or ``None`` when it parses.

    The verdict is kept on disk by SQL text (:mod:`tap.rules.common.cache`): importing
    sqlglot costs ~0.15 s per process, and a stack's SQL rarely changes between runs.
    """
    stored = _disk().get(sql)
    if isinstance(stored, dict) and set(stored) == {"problem"}:
        problem = stored["problem"]
        if problem is None:
            return None
        if isinstance(problem, str):
            return SqlProblem(problem)
    found = _check_sql(sql)
    _disk().put(sql, {"problem": None if found is None else found.message})
    return found


def _check_sql(sql: str) -> SqlProblem | None:
    import sqlglot
    from sqlglot import expressions as exp
    from sqlglot.errors import ParseError, TokenError

    match = find_topic_filter(sql)
    if match is None:
        return SqlProblem("no FROM '<topic filter>' clause (the topic filter is single-quoted)")
    select_list = sql[: match.start()]
    if _TRAILING_COMMA.search(select_list):
        return SqlProblem("the SELECT list ends with a comma before FROM")
    text = sql[: match.start(1) - 1] + _TABLE + sql[match.end(1) + 1 :]
    text = _BACKTICK.sub(lambda m: '"' + m.group(1).replace('"', '""') + '"', text)
    text = _SELECT_VALUE.sub("SELECT", text, count=1)
    try:
        tree = sqlglot.parse(text)
    except ParseError as exc:
        near = exc.errors[0].get("highlight") if exc.errors else None
        where = f" near {near!r}" if near else ""
        return SqlProblem(f"does not parse{where}: {str(exc).splitlines()[0]}")
    except TokenError as exc:
        return SqlProblem(f"does not parse: {exc}")
    statements = [t for t in tree if t is not None]
    if len(statements) != 1 or not isinstance(statements[0], exp.Select):
        return SqlProblem("is not a single SELECT statement")
    select = statements[0]
    if not select.expressions:
        return SqlProblem("the SELECT list is empty")
    source = select.args.get("from") or select.args.get("from_")
    table = source.this if source is not None else None
    if not isinstance(table, exp.Table) or table.name != _TABLE:
        return SqlProblem("FROM must name one quoted topic filter")
    for clause in _UNSUPPORTED_CLAUSES:
        if select.args.get(clause):
            return SqlProblem(f"IoT SQL has no {clause.upper()} clause")
    return None
