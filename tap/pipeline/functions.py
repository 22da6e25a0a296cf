"""Defaults of the pipeline's Python functions: code assets, Powertools layer, role, logs.

Powertools for AWS Lambda comes from the layer AWS publishes, found through AWS's public SSM
parameter ``/aws/service/powertools/python/x86_64/python3.12/latest``. The parameter is
resolved by CloudFormation at deploy time (a stack parameter of type
``AWS::SSM::Parameter::Value<String>``): synthesis needs no AWS account and no Docker, the
function assets stay plain source folders that the rule pack can read, and each deployment
picks up the layer matching the runtime in the deployment's region.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from tap.pipeline.common import acknowledge_nag, log_group

if TYPE_CHECKING:
    from aws_cdk import aws_logs as logs

    from tap.props import TapStackProps

__all__ = ["PythonFunction", "LAMBDA_ROOT", "RUNTIME", "POWERTOOLS_LAYER_PARAMETER"]

#: Function code lives in <repo>/lambda/<name>/, resolved from this file (independent of cwd).
LAMBDA_ROOT = Path(__file__).resolve().parents[2] / "lambda"
RUNTIME = lambda_.Runtime.PYTHON_3_12
POWERTOOLS_LAYER_PARAMETER = "/aws/service/powertools/python/x86_64/python3.12/latest"
_ASSET_EXCLUDES = ["__pycache__", "*.pyc", "tests", "test_*.py", ".pytest_cache"]


def powertools_layer(scope: Construct) -> lambda_.ILayerVersion:
    """The public Powertools layer (one per stack: the SSM lookup is shared)."""
    stack = Stack.of(scope)
    existing = stack.node.try_find_child("PowertoolsLayer")
    if existing is not None:
        return existing  # type: ignore[return-value]
    arn = ssm.StringParameter.value_for_string_parameter(stack, POWERTOOLS_LAYER_PARAMETER)
    return lambda_.LayerVersion.from_layer_version_arn(stack, "PowertoolsLayer", arn)


class PythonFunction(Construct):
    """A Python 3.12 function with its own role, explicit log group and X-Ray tracing.

    The role starts empty apart from writing to its own log group (no
    ``AWSLambdaBasicExecutionRole`` managed policy, whose ``logs:*`` reach every group).

    Attributes
    ----------
    function, role, log_group:
        What was created.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: TapStackProps,
        code_dir: str,
        function_name: str,
        description: str,
        environment: dict[str, str],
        timeout: Duration,
        memory_size: int = 256,
    ) -> None:
        super().__init__(scope, construct_id)
        self._log_group = log_group(
            self, "LogGroup", name=f"/aws/lambda/{function_name}", props=props
        )
        self._role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{function_name} execution role",
        )
        self._log_group.grant_write(self._role)
        self._function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            description=description,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.X86_64,
            handler="app.handler",
            code=lambda_.Code.from_asset(str(LAMBDA_ROOT / code_dir), exclude=_ASSET_EXCLUDES),
            layers=[powertools_layer(self)],
            environment=environment,
            timeout=timeout,
            memory_size=memory_size,
            role=self._role,
            log_group=self._log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            tracing=lambda_.Tracing.ACTIVE,
        )
        acknowledge_nag(
            self._function,
            "AwsSolutions-L1",
            "Python 3.12 is the project's fixed target runtime (DEVELOPERS.md): the same "
            "interpreter runs the function code locally and in tests, and the Powertools layer "
            "is selected for it. It is a supported, non-deprecated Lambda runtime.",
        )
        # Active tracing adds xray:PutTraceSegments/PutTelemetryRecords, which support no
        # resource-level permissions (Service Authorization Reference: resource "*").
        acknowledge_nag(
            self._role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) and any "
            "statement documented next to this role only support Resource '*'.",
        )

    @property
    def function(self) -> lambda_.Function:
        return self._function

    @property
    def role(self) -> iam.Role:
        return self._role

    @property
    def log_group(self) -> logs.LogGroup:
        return self._log_group
