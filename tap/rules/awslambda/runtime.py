"""lambda-runtime: functions and layers run on a runtime AWS still supports.

The schedule is data, not code: cfn-lint's ``LmbdRuntimeLifecycle.json`` (cfn-lint 1.58.0,
pinned in requirements.txt; cfn-lint keeps it in step with the "Supported runtimes" and
"Deprecated runtimes" tables of AWS's Lambda runtime deprecation policy,
https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html). Per runtime it holds
the deprecation date (no more security patches), the create-block and update-block dates,
and the successor. Checked against that page on 2026-11-29: python3.10 deprecated
2026-10-31, python3.11 2027-06-30, python3.12 2028-10-31, nodejs20.x 2026-04-30,
nodejs22.x 2027-04-30.

Settings (``[tool.tap-rules.settings.lambda-runtime]``):

- ``horizon_days`` (default :data:`HORIZON_DAYS`): a runtime AWS deprecates within this
  many days is a warning, so the upgrade is planned before the date; once past, an error.
- ``target``: the runtime a team has chosen per language, e.g. ``{"python": "python3.12"}``;
  an older runtime of that language is an error even while AWS supports it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule
from tap.rules.common.cfnlint_data import cfnlint_file

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Severity, Violation
    from tap.rules.model import Resource

__all__ = ["HORIZON_DAYS", "Lifecycle", "RuntimeIsCurrent", "lifecycle", "runtime_problem"]

HORIZON_DAYS = 90
"""Default warning horizon: one quarter, the time a team needs to schedule, test and ship a
runtime upgrade before AWS stops patching the old runtime."""

_SCHEDULE = ("data", "AdditionalSpecs", "LmbdRuntimeLifecycle.json")  # of cfn-lint
_VERSION = re.compile(r"^([a-z]+?)(\d+(?:\.\d+)*)(?:\.x)?$")


@dataclass(frozen=True, slots=True)
class Lifecycle:
    deprecated: dt.date | None
    create_block: dt.date | None
    successor: str | None


@cache
def _schedule() -> dict[str, Lifecycle]:
    # Read as data: importing cfnlint.data would import the whole linter (start-up).
    raw = json.loads(cfnlint_file(*_SCHEDULE).read_text(encoding="utf-8"))
    return {
        runtime: Lifecycle(
            _date(entry.get("deprecated")),
            _date(entry.get("create-block")),
            entry.get("successor"),
        )
        for runtime, entry in raw.items()
        if isinstance(entry, dict)
    }


def _date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def lifecycle(runtime: str) -> Lifecycle | None:
    """AWS's published schedule of ``runtime``, or ``None`` for a runtime it does not list."""
    return _schedule().get(runtime)


def _family(runtime: str) -> tuple[str, tuple[int, ...]] | None:
    """``python3.11`` → ``("python", (3, 11))``; ``nodejs20.x`` → ``("nodejs", (20,))``."""
    m = _VERSION.match(runtime)
    if not m:
        return None
    return m.group(1), tuple(int(p) for p in m.group(2).split("."))


def runtime_problem(
    runtime: str,
    today: dt.date | None = None,
    *,
    horizon_days: int = HORIZON_DAYS,
    target: Mapping[str, str] | None = None,
) -> tuple[Severity, str] | None:
    """``(severity, why)`` when ``runtime`` is not acceptable, or ``None``."""
    today = today or dt.date.today()
    life = lifecycle(runtime)
    after = f"; move to {life.successor}" if life and life.successor else ""
    if life and life.deprecated:
        if life.deprecated <= today:
            blocked = (
                f", creating functions blocked since {life.create_block.isoformat()}"
                if life.create_block and life.create_block <= today
                else ""
            )
            return "error", (
                f"{runtime} is deprecated since {life.deprecated.isoformat()} (no security "
                f"patches{blocked}){after}"
            )
        left = (life.deprecated - today).days
        if left <= horizon_days:
            return "warning", (
                f"{runtime} is deprecated on {life.deprecated.isoformat()}, in {left} days "
                f"(horizon {horizon_days} days){after}"
            )
    have = _family(runtime)
    wanted = (target or {}).get(have[0]) if have else None
    want = _family(wanted) if isinstance(wanted, str) else None
    if have and want and have[0] == want[0] and have[1] < want[1]:
        return "error", f"{runtime} is older than the target {wanted}"
    return None


class RuntimeIsCurrent(Rule):
    """Functions and layers run on a runtime AWS supports (and on the team's target)."""

    id = "TAP-LAMBDA-2"
    slug = "lambda-runtime"
    severity = "error"
    title = "Functions and layers use a supported runtime, not one AWS has deprecated"
    explanation = (
        "Why: a deprecated runtime gets no security patches and, after AWS's block dates, "
        "can no longer be created or updated, so a deploy fails months after the code was "
        "written (seed 004 #8 used python3.9). Judged against AWS's published schedule "
        "(Lambda runtime deprecation policy, as data in cfn-lint): deprecated is an error; "
        f"deprecated within horizon_days (default {HORIZON_DAYS}) is a warning. A team may set "
        'target (e.g. {"python": "python3.12"}): an older runtime of that language is then '
        "an error. Layers are judged by their compatible runtimes: a layer none of whose "
        "runtimes is acceptable cannot serve a current function."
    )
    fix = (
        "runtime=lambda_.Runtime.PYTHON_3_12 (or newer; the successor the message names), "
        "or set [tool.tap-rules.settings.lambda-runtime] horizon_days / target"
    )
    seeds = ("004 #8",)
    resource_types = (
        "AWS::Lambda::Function",
        "AWS::Serverless::Function",
        "AWS::Lambda::LayerVersion",
        "AWS::Serverless::LayerVersion",
    )

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        horizon = ctx.setting(self, "horizon_days", HORIZON_DAYS)
        if not isinstance(horizon, int) or isinstance(horizon, bool):
            horizon = HORIZON_DAYS
        target = ctx.setting(self, "target", None)
        if not isinstance(target, Mapping):
            target = None

        def judge(runtime: str) -> tuple[Severity, str] | None:
            return runtime_problem(runtime, horizon_days=horizon, target=target)

        if res.type.endswith("LayerVersion"):
            yield from self._layer(res, ctx, judge)
            return
        runtime = ctx.resolve(res.properties.get("Runtime"))
        if isinstance(runtime, str):
            problem = judge(runtime)
            if problem:
                severity, why = problem
                yield self.violation(res, "Properties/Runtime", f"runtime {why}", severity=severity)

    def _layer(self, res: Resource, ctx: Context, judge: Any) -> Iterator[Violation]:
        key = "CompatibleRuntimes"
        runtimes = ctx.resolve(res.properties.get(key))
        if not isinstance(runtimes, list) or not runtimes:
            return
        if not all(isinstance(r, str) for r in runtimes):
            return
        problems = [judge(r) for r in runtimes]
        if all(problems):
            # The layer is as good as its best runtime: an error only if every one is.
            severity: Severity = (
                "error" if all(p[0] == "error" for p in problems if p) else "warning"
            )
            yield self.violation(
                res,
                f"Properties/{key}",
                "no compatible runtime is current: " + "; ".join(p[1] for p in problems if p),
                fix="compatible_runtimes=[lambda_.Runtime.PYTHON_3_12] (build the layer for it)",
                severity=severity,
            )
