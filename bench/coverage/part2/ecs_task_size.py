"""``ecs-task-size``: a Fargate CPU/memory pair Fargate does not offer."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecs as ecs

from bench.coverage.cases import Case


def _task(memory: str):
    def build(stack: cdk.Stack) -> None:
        task = ecs.FargateTaskDefinition(stack, "Task", cpu=256, memory_limit_mib=512)
        task.add_container(
            "App", image=ecs.ContainerImage.from_registry("public.ecr.aws/nginx/nginx:latest")
        )
        # FargateTaskDefinition refuses the pair itself: the escape hatch writes it
        task.node.default_child.add_property_override("Memory", memory)

    return build


CASES = (
    Case(
        "fargate-cpu-memory-pair",
        "ecs-task-size",
        "Part 2",
        "Fargate task with 256 CPU units and 4096 MiB (256 takes 512-2048 MiB)",
        _task("4096"),
        _task("2048"),
        ("Task",),
    ),
)
