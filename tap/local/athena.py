"""Athena on DuckDB: Glue tables materialized from local S3, named queries transpiled.

Each ``AWS::Glue::Table`` becomes the DuckDB table ``<database>.<table>`` with the Glue
columns (Hive types mapped by sqlglot) plus its partition keys. Rows come from the objects
under the table's ``Location`` in (moto) S3, read like the OpenX JSON SerDe does: one JSON
object per line, keys matched case-insensitively, gzip by magic number; partition values from
the object's key, matched against ``storage.location.template`` (partition projection) or
Hive-style ``name=value/`` folders. A line that is not a JSON object becomes a row of NULLs
(``ignore.malformed.json``); a value that does not fit its column type becomes NULL.

Each ``AWS::Athena::NamedQuery`` is transpiled from Trino to DuckDB with sqlglot and run with
its ``Database`` as the default schema.
"""

from __future__ import annotations

import datetime as dt
import decimal
import gzip
import json
import math
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

__all__ = ["GlueTable", "NamedQuery", "build_database", "run_named_queries"]


@dataclass(frozen=True)
class GlueTable:
    database: str
    name: str
    columns: list[tuple[str, str]]  # (name, hive type)
    partition_keys: list[tuple[str, str]]
    location: str  # s3://bucket/prefix/
    location_template: str | None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    database: str
    query: str


def _hive_type(type_text: str) -> exp.DataType:
    return exp.DataType.build(type_text, dialect="hive")


def _coerce_number(value: Any, integral: bool) -> Any:
    if isinstance(value, bool | dict | list):
        return None
    try:
        if integral:
            whole = int(value) if not isinstance(value, float) else None
            return whole if whole is not None and -(2**63) <= whole < 2**63 else None
        real = float(value)
        return real if math.isfinite(real) else None
    except (TypeError, ValueError, OverflowError):
        return None


def _text(value: Any) -> Any:
    if value is None:
        return None
    if type(value) is str:
        return value
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


Coercer = Callable[[Any], Any]


@cache
def _coercer(type_sql: str) -> Coercer:
    """The function that turns a decoded JSON value into the Hive type ``type_sql`` (hive
    dialect), or into NULL when it does not fit. Built once per type."""
    T = exp.DataType.Type
    dtype = _hive_type(type_sql)
    kind = dtype.this
    if kind == T.STRUCT:
        fields = [
            (f.name, f.name.lower(), _coercer(f.args["kind"].sql("hive")))
            for f in dtype.expressions
        ]

        def struct(value: Any) -> Any:
            if not isinstance(value, dict):
                return None
            lowered = {str(k).lower(): v for k, v in value.items()}
            return {name: coerce(lowered.get(low)) for name, low, coerce in fields}

        return struct
    if kind == T.ARRAY:
        inner = _coercer(dtype.expressions[0].sql("hive") if dtype.expressions else "string")
        if inner is _text:
            return lambda value: (
                [v if type(v) is str else _text(v) for v in value]
                if isinstance(value, list)
                else None
            )
        return lambda value: [inner(v) for v in value] if isinstance(value, list) else None
    if kind in (T.BIGINT, T.INT, T.SMALLINT, T.TINYINT):
        return lambda value: None if value is None else _coerce_number(value, integral=True)
    if kind in (T.DOUBLE, T.FLOAT, T.DECIMAL):
        return lambda value: None if value is None else _coerce_number(value, integral=False)
    if kind == T.BOOLEAN:
        return lambda value: value if isinstance(value, bool) else None
    return _text


def _coerce(value: Any, dtype: exp.DataType) -> Any:
    """``value`` (decoded JSON) as the Hive column type, or NULL when it does not fit."""
    return _coercer(dtype.sql("hive"))(value)


def _lines(body: bytes) -> list[bytes]:
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    return [line for line in body.split(b"\n") if line.strip()]


def _partition_pattern(table: GlueTable) -> re.Pattern[str]:
    if table.location_template:
        template = table.location_template.split("/", 3)[-1]  # drop s3://bucket/
        pattern = re.escape(template)
        for name, _ in table.partition_keys:
            pattern = pattern.replace(re.escape("${" + name + "}"), f"(?P<{name}>[^/]+)")
        return re.compile("^" + pattern)
    parts = "".join(f"{name}=(?P<{name}>[^/]+)/" for name, _ in table.partition_keys)
    prefix = table.location.split("/", 3)[-1]
    return re.compile("^" + re.escape(prefix) + parts)


def _rows(s3: Any, table: GlueTable) -> list[dict[str, Any]]:
    bucket, _, prefix = table.location.removeprefix("s3://").partition("/")
    pattern = _partition_pattern(table)
    types = [(name, name.lower(), _coercer(_hive_type(t).sql("hive"))) for name, t in table.columns]
    rows: list[dict[str, Any]] = []
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            match = pattern.match(obj["Key"])
            if table.partition_keys and not match:
                continue  # outside every projected partition: Athena does not read it
            partitions = match.groupdict() if match else {}
            body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
            for line in _lines(body):
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if not isinstance(record, dict):
                    record = {}
                lowered = {str(k).lower(): v for k, v in record.items()}
                row = {name: coerce(lowered.get(low)) for name, low, coerce in types}
                row.update(partitions)
                rows.append(row)
    return rows


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build_database(s3: Any, tables: list[GlueTable]) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with every Glue table loaded from (moto) S3."""
    connection = duckdb.connect(":memory:")
    connection.execute("SET TimeZone = 'UTC'")
    with tempfile.TemporaryDirectory(prefix="tap-local-") as folder:
        for n, table in enumerate(tables):
            connection.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(table.database)}")
            columns = [
                (name, _hive_type(t).sql("duckdb"))
                for name, t in table.columns + table.partition_keys
            ]
            qualified = f"{_quote(table.database)}.{_quote(table.name)}"
            ddl = ", ".join(f"{_quote(name)} {t}" for name, t in columns)
            connection.execute(f"CREATE TABLE {qualified} ({ddl})")
            rows = _rows(s3, table)
            if not rows:
                continue
            path = Path(folder) / f"table-{n}.jsonl"
            path.write_text("".join(json.dumps(row) + "\n" for row in rows))
            spec = "{" + ", ".join(f"'{name}': '{t}'" for name, t in columns) + "}"
            connection.execute(
                f"INSERT INTO {qualified} SELECT * FROM read_json(?, format = 'newline_delimited',"
                f" columns = {spec})",
                [str(path)],
            )
    return connection


def _jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def run_named_queries(
    connection: duckdb.DuckDBPyConnection, queries: list[NamedQuery]
) -> dict[str, list[dict[str, Any]] | dict[str, str]]:
    """Run each named query; rows as dicts, or ``{"error": ...}`` if it cannot run locally."""
    results: dict[str, list[dict[str, Any]] | dict[str, str]] = {}
    for query in queries:
        try:
            statements = sqlglot.transpile(query.query, read="trino", write="duckdb")
            connection.execute(f"SET schema = '{query.database}'")
            rows: list[dict[str, Any]] = []
            for statement in statements:
                cursor = connection.execute(statement)
                if cursor.description:
                    names = [d[0] for d in cursor.description]
                    rows = [
                        dict(zip(names, map(_jsonable, r), strict=True)) for r in cursor.fetchall()
                    ]
            results[query.name] = rows
        except (sqlglot.errors.SqlglotError, duckdb.Error) as exc:
            results[query.name] = {"error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
    return results
