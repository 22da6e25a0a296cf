"""lambda-environment: a function's environment fits 4 KB and uses no reserved key.

Lambda measures the variables as the JSON it stores (``String measured: {"KEY":"value"}``),
counted here as compact JSON with tokens estimated from below (:mod:`tap.rules.iam._size`):
a finding is over 4 KB whatever the tokens become. The reserved keys are those of the Lambda
Developer Guide's 'Defined runtime environment variables' that cannot be set in a function's
configuration (``TZ`` and ``AWS_LAMBDA_EXEC_WRAPPER``, ``LANG``, ``PATH``... can be).
CDK's ``add_environment`` already refuses some reserved keys; ``environment=`` and escape
hatches do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.iam._size import raw_size

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["EnvironmentFitsLambda"]

ENVIRONMENT_QUOTA = 4 * 1024
RESERVED_KEYS = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)


class EnvironmentFitsLambda(Rule):
    """A function's environment variables total at most 4 KB and use no reserved key."""

    id = "TAP-LAMBDA-20"
    slug = "lambda-environment"
    severity = "error"
    title = "Function environments fit 4 KB and set no reserved variable"
    explanation = (
        "Why: Lambda refuses the function's configuration when its environment variables "
        "exceed 4 KB in total ('Lambda quotas'): 'Lambda was unable to configure your "
        "environment variables because the environment variables you have provided exceeded "
        "the 4KB limit. String measured: {...}'; and when a key is one the runtime reserves "
        "(AWS Lambda Developer Guide, 'Defined runtime environment variables': 'The keys for "
        "these environment variables are reserved and cannot be set in your function "
        "configuration'): 'Lambda was unable to configure your environment variables because "
        "the environment variables you have provided contains reserved keys that are "
        "currently not supported for modification. Reserved keys used in this request: "
        "AWS_REGION'."
    )
    fix = (
        "In CDK: read the region and the function's own facts from the runtime (os.environ"
        "['AWS_REGION'] is set for you) instead of environment=; keep large configuration "
        "out of the environment: an SSM parameter (ssm.StringParameter, grant_read) or a "
        "Secrets Manager secret, read at cold start, with only its name in environment=."
    )
    resource_types = ("AWS::Lambda::Function",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        env = res.properties.get("Environment")
        variables = env.get("Variables") if isinstance(env, dict) else None
        if isinstance(variables, dict) and len(variables) == 1 and "Fn::If" in variables:
            variables = ctx.resolve(variables)
        if not isinstance(variables, dict):
            return
        for key in variables:
            if key in RESERVED_KEYS:
                yield self.violation(
                    res,
                    f"Properties/Environment/Variables/{key}",
                    f"environment variable {key} is reserved by the Lambda runtime",
                )
        size = raw_size(variables, ctx.resolver)
        if size > ENVIRONMENT_QUOTA:
            yield self.violation(
                res,
                "Properties/Environment/Variables",
                f"{len(variables)} environment variables of at least {size:,} bytes; "
                f"Lambda's quota is {ENVIRONMENT_QUOTA:,} in total",
            )
