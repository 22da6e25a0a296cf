"""EventBridge Pipes: SQS source to SQS target, as the pipes modules' READMEs show them.

Source: aws-cdk.aws-pipes-alpha, aws-cdk.aws-pipes-sources-alpha and
aws-cdk.aws-pipes-targets-alpha 2.275.0a0 (PyPI; Apache-2.0; aws/aws-cdk,
packages/@aws-cdk/aws-pipes-*-alpha/README.md). Every resource below is the modules'; this
driver only passes the props the README examples pass. Offline: no lookups.
"""

from __future__ import annotations

import aws_cdk as cdk
import aws_cdk.aws_pipes_alpha as pipes
import aws_cdk.aws_pipes_sources_alpha as sources
import aws_cdk.aws_pipes_targets_alpha as targets
from aws_cdk import aws_sqs as sqs

app = cdk.App()
stack = cdk.Stack(app, "AlphaPipesStack")
source_queue = sqs.Queue(stack, "SourceQueue")
target_queue = sqs.Queue(stack, "TargetQueue")
pipes.Pipe(
    stack,
    "Pipe",
    source=sources.SqsSource(source_queue),
    target=targets.SqsTarget(target_queue),
    log_level=pipes.LogLevel.ERROR,
    log_destinations=[],
)
app.synth()
