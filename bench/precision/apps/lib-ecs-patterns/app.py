"""aws-cdk-lib's ECS patterns: a load-balanced Fargate service and a queue-processing service,
as the aws_ecs_patterns module README shows them.

Source: aws-cdk-lib 2.275.0 (PyPI; Apache-2.0; aws/aws-cdk,
packages/aws-cdk-lib/aws-ecs-patterns/README.md). Every resource below is the library's;
this driver only passes the props the README examples pass. Offline: a public registry
image (no Docker build), no lookups (the VPC is created, not looked up).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_ecs_patterns as ecs_patterns

app = cdk.App()
stack = cdk.Stack(app, "LibEcsPatternsStack")
vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
ecs_patterns.ApplicationLoadBalancedFargateService(
    stack,
    "Service",
    cluster=cluster,
    memory_limit_mib=1024,
    desired_count=1,
    cpu=512,
    task_image_options=ecs_patterns.ApplicationLoadBalancedTaskImageOptions(
        image=ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample"),
    ),
    min_healthy_percent=100,
)
ecs_patterns.QueueProcessingFargateService(
    stack,
    "QueueProcessingService",
    cluster=cluster,
    memory_limit_mib=512,
    image=ecs.ContainerImage.from_registry("test"),
    command=["-c", "4", "amazon.com"],
    enable_logging=False,
    environment={"TEST_ENVIRONMENT_VARIABLE1": "test environment variable 1 value"},
    max_scaling_capacity=5,
    container_name="test",
    min_healthy_percent=100,
)
app.synth()
