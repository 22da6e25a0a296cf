"""Class ``ecs-task-size``: Fargate task definitions use a CPU/memory pair Fargate offers
(TAP-ECS-1) and their containers fit in the task (TAP-ECS-2), from the Amazon ECS
Developer Guide's task size table."""

from __future__ import annotations

from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_ecs_patterns as ecs_patterns

from tests.rules.conftest import of_class

SLUG = "ecs-task-size"
IMAGE = ecs.ContainerImage.from_registry("public.ecr.aws/nginx/nginx:latest")


def test_ecs_task_size_invalid_fargate_pair_is_flagged(synth):
    # GIVEN CPU 256 with 4 GB (256 takes 512, 1024 or 2048 MiB), through the L1 escape
    # hatch: FargateTaskDefinition refuses the pair itself
    def build(stack):
        task = ecs.FargateTaskDefinition(stack, "Task", cpu=256, memory_limit_mib=512)
        task.add_container("App", image=IMAGE)
        task.node.default_child.add_property_override("Memory", "4096")

    findings = of_class(synth(build), SLUG)

    assert [(f.rule_id, f.property_path) for f in findings] == [("TAP-ECS-1", "Properties/Memory")]
    assert findings[0].logical_id.startswith("Task")
    assert "4096 MiB does not pair with CPU 256" in findings[0].message


def test_ecs_task_size_windows_below_one_vcpu_is_flagged(synth):
    def build(stack):
        task = ecs.FargateTaskDefinition(
            stack,
            "Task",
            cpu=1024,
            memory_limit_mib=2048,
            runtime_platform=ecs.RuntimePlatform(
                operating_system_family=ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE,
                cpu_architecture=ecs.CpuArchitecture.X86_64,
            ),
        )
        task.add_container("App", image=IMAGE)
        task.node.default_child.add_property_override("Cpu", "512")

    findings = of_class(synth(build), SLUG)

    assert [(f.rule_id, f.property_path) for f in findings] == [("TAP-ECS-1", "Properties/Cpu")]
    assert "Windows containers on Fargate take 1024, 2048 or 4096" in findings[0].message


def test_ecs_task_size_containers_over_the_task_are_flagged(synth):
    # GIVEN containers raised past the task through the escape hatch (CDK refuses a CPU sum
    # over the task's in add_container)
    def build(stack):
        task = ecs.FargateTaskDefinition(stack, "Task", cpu=512, memory_limit_mib=1024)
        task.add_container("App", image=IMAGE, cpu=256, memory_reservation_mib=512)
        task.add_container("Sidecar", image=IMAGE, cpu=256, memory_limit_mib=512)
        task.node.default_child.add_property_override("ContainerDefinitions.0.Cpu", 384)
        task.node.default_child.add_property_override(
            "ContainerDefinitions.0.MemoryReservation", 768
        )

    findings = of_class(synth(build), SLUG)

    assert sorted((f.rule_id, f.message) for f in findings) == [
        ("TAP-ECS-2", "containers ask for 640 CPU units in total; the task has 512"),
        ("TAP-ECS-2", "containers reserve 1280 MiB of memory in total; the task has 1024 MiB"),
    ]


def test_ecs_task_size_valid_tasks_pass(synth):
    # GIVEN CDK defaults and documented pairs, with containers that fit
    def build(stack):
        ecs.FargateTaskDefinition(stack, "Default").add_container("App", image=IMAGE)
        task = ecs.FargateTaskDefinition(stack, "Large", cpu=4096, memory_limit_mib=30720)
        task.add_container("App", image=IMAGE, cpu=3072, memory_limit_mib=20480)
        task.add_container("Sidecar", image=IMAGE, cpu=1024, memory_reservation_mib=2048)
        ecs.FargateTaskDefinition(stack, "Big", cpu=8192, memory_limit_mib=16384).add_container(
            "App", image=IMAGE
        )
        ecs.Ec2TaskDefinition(stack, "Ec2").add_container("App", image=IMAGE, memory_limit_mib=4096)
        ecs_patterns.ApplicationLoadBalancedFargateService(
            stack,
            "Web",
            cpu=512,
            memory_limit_mib=1024,
            task_image_options=ecs_patterns.ApplicationLoadBalancedTaskImageOptions(image=IMAGE),
        )

    # THEN no ecs-task-size finding
    assert of_class(synth(build), SLUG) == []
