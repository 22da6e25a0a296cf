"""lambda-runtime: functions and layers run on the target Python or a supported runtime."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

TARGET_PYTHON = (3, 12)
"""The project's Python runtime (DEVELOPERS.md: Lambda on Python 3.12). A Python runtime
older than this is a finding even before AWS deprecates it (seed 004 #8: python3.9)."""

DEPRECATED: dict[str, dt.date] = {
    # Runtime identifier → deprecation date, from the "Deprecated runtimes" and "Supported
    # runtimes" tables of https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
    # (AWS applies no security patches after this date). Only dates already past count.
    "python2.7": dt.date(2021, 7, 15),
    "python3.6": dt.date(2022, 7, 18),
    "python3.7": dt.date(2023, 12, 4),
    "python3.8": dt.date(2024, 10, 14),
    "python3.9": dt.date(2025, 12, 15),
    "nodejs": dt.date(2016, 10, 31),
    "nodejs4.3": dt.date(2020, 3, 5),
    "nodejs4.3-edge": dt.date(2019, 4, 30),
    "nodejs6.10": dt.date(2019, 8, 12),
    "nodejs8.10": dt.date(2020, 3, 6),
    "nodejs10.x": dt.date(2021, 7, 30),
    "nodejs12.x": dt.date(2023, 3, 31),
    "nodejs14.x": dt.date(2023, 12, 4),
    "nodejs16.x": dt.date(2024, 6, 12),
    "nodejs18.x": dt.date(2025, 9, 1),
    "nodejs20.x": dt.date(2026, 4, 30),
    "java8": dt.date(2024, 1, 8),
    "go1.x": dt.date(2024, 1, 8),
    "provided": dt.date(2024, 1, 8),
    "ruby2.5": dt.date(2021, 7, 30),
    "ruby2.7": dt.date(2023, 12, 7),
    "ruby3.2": dt.date(2026, 3, 31),
    "dotnetcore1.0": dt.date(2019, 7, 30),
    "dotnetcore2.0": dt.date(2019, 5, 30),
    "dotnetcore2.1": dt.date(2022, 1, 5),
    "dotnetcore3.1": dt.date(2023, 4, 3),
    "dotnet5.0": dt.date(2022, 5, 10),
    "dotnet6": dt.date(2024, 12, 20),
    "dotnet7": dt.date(2024, 5, 14),
}

_PYTHON = re.compile(r"^python(\d+)\.(\d+)$")
_TARGET = "python{}.{}".format(*TARGET_PYTHON)


def runtime_problem(runtime: str, today: dt.date | None = None) -> str | None:
    """Why ``runtime`` is not acceptable, or ``None``."""
    today = today or dt.date.today()
    m = _PYTHON.match(runtime)
    gone = DEPRECATED.get(runtime)
    if gone is not None and gone <= today:
        return f"{runtime} is deprecated since {gone.isoformat()}"
    if m and (int(m.group(1)), int(m.group(2))) < TARGET_PYTHON:
        return f"{runtime} is older than the target {_TARGET}"
    return None


class RuntimeIsCurrent(Rule):
    """Functions and layers run on the target Python (or a newer, supported runtime)."""

    id = "TAP-LAMBDA-2"
    slug = "lambda-runtime"
    severity = "error"
    title = f"Functions and layers use {_TARGET} or newer, and no deprecated runtime"
    explanation = (
        "Why: a deprecated runtime gets no security patches and, after AWS's block dates, "
        "can no longer be created or updated, so a deploy fails months after the code was "
        f"written (seed 004 #8 used python3.9). The project targets {_TARGET}: older Python "
        "runtimes are findings; other runtimes are findings once past the deprecation date "
        "of AWS's Lambda runtimes table. Layers are judged by their compatible runtimes: "
        "a layer none of whose runtimes is acceptable cannot serve a current function."
    )
    fix = f"runtime=lambda_.Runtime.PYTHON_{TARGET_PYTHON[0]}_{TARGET_PYTHON[1]} (or newer)"
    seeds = ("004 #8",)
    resource_types = (
        "AWS::Lambda::Function",
        "AWS::Serverless::Function",
        "AWS::Lambda::LayerVersion",
        "AWS::Serverless::LayerVersion",
    )

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        if res.type.endswith("LayerVersion"):
            yield from self._layer(res, ctx)
            return
        runtime = ctx.resolve(res.properties.get("Runtime"))
        if isinstance(runtime, str):
            problem = runtime_problem(runtime)
            if problem:
                yield self.violation(res, "Properties/Runtime", f"runtime {problem}")

    def _layer(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        key = "CompatibleRuntimes"
        runtimes = ctx.resolve(res.properties.get(key))
        if not isinstance(runtimes, list) or not runtimes:
            return
        if not all(isinstance(r, str) for r in runtimes):
            return
        problems = [runtime_problem(r) for r in runtimes]
        if all(problems):
            yield self.violation(
                res,
                f"Properties/{key}",
                "no compatible runtime is current: " + "; ".join(p for p in problems if p),
                fix=f"compatible_runtimes=[lambda_.Runtime.PYTHON_{TARGET_PYTHON[0]}_"
                f"{TARGET_PYTHON[1]}] (build the layer for it)",
            )
