"""A task's containers fit in the task's CPU and memory (``ecs-task-size``).

Only literal values are summed; a task definition without task-level CPU or memory (EC2
tasks may omit them) is not judged on that resource.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule
from tap.rules.ecs._size import cpu_units, memory_mib

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["ContainersFitTask"]


def _sum(ctx: Context, containers: list[Any], *keys: str) -> int | None:
    """Sum over containers of the first of ``keys`` each sets; ``None`` if a value is not
    literal. Containers that set none of them count 0."""
    total = 0
    for container in containers:
        if not isinstance(container, dict):
            continue
        for key in keys:
            if key in container:
                value = ctx.resolve(container[key])
                if isinstance(value, bool) or not isinstance(value, int | str):
                    return None
                if isinstance(value, str):
                    if not value.isdigit():
                        return None
                    value = int(value)
                total += value
                break
    return total


class ContainersFitTask(Rule):
    """The containers' CPU and reserved memory sum to no more than the task's."""

    id = "TAP-ECS-2"
    slug = "ecs-task-size"
    severity = "error"
    title = "A task's containers fit in its CPU and memory"
    explanation = (
        "Why: ECS refuses a task definition whose containers ask for more than the task has "
        "(ClientException from RegisterTaskDefinition, e.g. 'Invalid 'cpu' setting for "
        "task.'): the total amount of memory reserved for all containers within a task must "
        "be lower than the task memory value, and the containers' cpu units must fit in the "
        "task's. AWS documentation: Amazon ECS Developer Guide, 'Amazon ECS task definition "
        "parameters': Task size, and Container definitions > memory / cpu."
    )
    fix = (
        "In CDK: raise the task's cpu/memory_limit_mib (to a valid Fargate pair), or lower "
        "the containers' cpu, memory_limit_mib and memory_reservation_mib in "
        "task_definition.add_container(...)."
    )
    resource_types = ("AWS::ECS::TaskDefinition",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        containers = ctx.resolve(res.properties.get("ContainerDefinitions"))
        if not isinstance(containers, list) or not containers:
            return
        task_cpu = cpu_units(ctx, res.properties.get("Cpu"))
        task_memory = memory_mib(ctx, res.properties.get("Memory"))
        if task_cpu is not None:
            cpu = _sum(ctx, containers, "Cpu")
            if cpu is not None and cpu > task_cpu:
                yield self.violation(
                    res,
                    "Properties/ContainerDefinitions",
                    f"containers ask for {cpu} CPU units in total; the task has {task_cpu}",
                )
        if task_memory is not None:
            memory = _sum(ctx, containers, "MemoryReservation", "Memory")
            if memory is not None and memory > task_memory:
                yield self.violation(
                    res,
                    "Properties/ContainerDefinitions",
                    f"containers reserve {memory} MiB of memory in total; the task has "
                    f"{task_memory} MiB",
                )
