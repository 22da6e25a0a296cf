"""Fargate task definitions ask for a CPU and memory pair Fargate offers (``ecs-task-size``).

The pairs are the documented table (:mod:`tap.rules.ecs._size`). Only task definitions that
require ``FARGATE`` compatibility and whose CPU and memory are literals are judged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.ecs._size import FARGATE_SIZES, cpu_units, describe, fargate_memory_ok, memory_mib

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["FargateTaskSizeValid"]


class FargateTaskSizeValid(Rule):
    """Fargate task definitions use one of Fargate's CPU and memory combinations."""

    id = "TAP-ECS-1"
    slug = "ecs-task-size"
    severity = "error"
    title = "Fargate task definitions use a valid CPU and memory pair"
    explanation = (
        "Why: ECS refuses the task definition when CloudFormation registers it: "
        "'Invalid 'cpu' setting for task.' or 'No Fargate configuration exists for given "
        "values.' (ClientException). Each Fargate CPU value has its own memory range: 256 "
        "takes 512, 1024 or 2048 MiB; 1024 takes 2-8 GB; 4096 takes 8-30 GB in 1 GB steps. "
        "The CPU units cannot be less than 1 vCPU when you use Windows containers on "
        "Fargate, and 8 and 16 vCPU are Linux only. "
        "AWS documentation: Amazon ECS Developer Guide, 'Troubleshoot Amazon ECS task "
        "definition invalid CPU or memory errors' (task-cpu-memory-error.html) and 'Task "
        "size' in 'Amazon ECS task definition parameters'."
    )
    fix = (
        "In CDK: ecs.FargateTaskDefinition(cpu=..., memory_limit_mib=...) with a pair from "
        "the Fargate table, e.g. cpu=256 with 512/1024/2048, cpu=1024 with 2048-8192."
    )
    resource_types = ("AWS::ECS::TaskDefinition",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        compat = ctx.resolve(res.properties.get("RequiresCompatibilities"))
        if not isinstance(compat, list) or "FARGATE" not in compat:
            return
        cpu = cpu_units(ctx, res.properties.get("Cpu"))
        memory = memory_mib(ctx, res.properties.get("Memory"))
        if cpu is None:
            return
        if cpu not in FARGATE_SIZES:
            yield self.violation(
                res,
                "Properties/Cpu",
                f"Fargate task CPU {cpu} is not one of {', '.join(map(str, FARGATE_SIZES))}",
            )
            return
        family = ctx.resolve(
            (res.properties.get("RuntimePlatform") or {}).get("OperatingSystemFamily")
        )
        if isinstance(family, str) and family.upper().startswith("WINDOWS"):
            if not 1024 <= cpu <= 4096:
                yield self.violation(
                    res,
                    "Properties/Cpu",
                    f"Fargate Windows task CPU {cpu}: Windows containers on Fargate take "
                    "1024, 2048 or 4096 CPU units",
                )
                return
        if memory is not None and not fargate_memory_ok(cpu, memory):
            yield self.violation(
                res,
                "Properties/Memory",
                f"Fargate task memory {memory} MiB does not pair with CPU {cpu}: "
                f"CPU {cpu} takes {describe(cpu)}",
            )
