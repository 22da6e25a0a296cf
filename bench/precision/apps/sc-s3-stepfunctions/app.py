"""S3ToStepfunctions, instantiated the way the pattern's documentation shows it.

Source: the construct library aws-solutions-constructs.aws-s3-stepfunctions 2.105.0
(PyPI; Apache-2.0; awslabs/aws-solutions-constructs,
the pattern's README.adoc). Every resource below is the library's; this driver only passes
the props its README example passes. Offline: function code from the local lambda/
folder (no bundling), no lookups, environment-agnostic stack.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_stepfunctions as sfn
from aws_solutions_constructs.aws_s3_stepfunctions import S3ToStepfunctions

app = cdk.App()
stack = cdk.Stack(app, "ScS3StepfunctionsStack")
start_state = sfn.Pass(stack, "StartState")
S3ToStepfunctions(
    stack,
    "test-s3-stepfunctions-construct",
    state_machine_props=sfn.StateMachineProps(
        definition_body=sfn.DefinitionBody.from_chainable(start_state)
    ),
)
app.synth()
