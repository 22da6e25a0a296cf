"""policy-size-limit: resource policies fit their service's size quota.

The quotas: a Lambda function's resource-based policy 20 KB ('Lambda quotas'), an S3 bucket
policy 20 KB ('Bucket policies for Amazon S3'), an SQS queue policy 8,192 bytes ('Amazon SQS
policy quotas'), an SNS topic policy 30 KB ('Amazon SNS API permissions: Actions and resources
reference', policy quotas). Bucket, queue and topic policies are counted as their
documents; a function's policy is the sum of the statements Lambda writes for each
``AWS::Lambda::Permission`` on it (``Sid``, ``Effect``, ``Principal``, ``Action``,
``Resource``, ``Condition``), inside ``{"Version":"2012-10-17","Id":"default",
"Statement":[...]}``. Tokens, including each statement's id and the function's name, are
estimated from below (:mod:`tap.rules.iam._size`): a finding is over the quota whatever they
become.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule
from tap.rules.iam._size import raw_size
from tap.rules.resolve import Text, Token, iter_references

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["ResourcePoliciesFitQuotas"]

KB = 1024
DOCUMENT_QUOTAS = {
    "AWS::S3::BucketPolicy": (20 * KB, "bucket policy", "S3"),
    "AWS::SQS::QueuePolicy": (8_192, "queue policy", "SQS"),
    "AWS::SNS::TopicPolicy": (30 * KB, "topic policy", "SNS"),
}
FUNCTION_POLICY_QUOTA = 20 * KB
_FUNCTIONS = frozenset({"AWS::Lambda::Function", "AWS::Lambda::Alias", "AWS::Lambda::Version"})
_UNKNOWN = Text((Token("Unknown", "estimate"),))
_FUNCTION_ARN = Text.of(
    "arn:",
    Text((Token("AWS::Partition"),)),
    ":lambda:",
    Text((Token("AWS::Region"),)),
    ":",
    Text((Token("AWS::AccountId"),)),
    ":function:",
    _UNKNOWN,
)
_WRAPPER = 2 + len('"Version":"2012-10-17","Id":"default","Statement":[]')


def _principal(value: Any) -> dict[str, Any]:
    if isinstance(value, str) and value.endswith(".amazonaws.com"):
        return {"Service": value}
    return {"AWS": value if value is not None else _UNKNOWN}


def _statement(perm: Resource) -> dict[str, Any]:
    """The statement Lambda stores for an ``AWS::Lambda::Permission`` (raw template values,
    sized by :func:`raw_size`)."""
    props = perm.properties
    conditions: dict[str, dict[str, Any]] = {}
    for key, (op, name) in {
        "SourceArn": ("ArnLike", "AWS:SourceArn"),
        "SourceAccount": ("StringEquals", "AWS:SourceAccount"),
        "PrincipalOrgID": ("StringEquals", "aws:PrincipalOrgID"),
        "FunctionUrlAuthType": ("StringEquals", "lambda:FunctionUrlAuthType"),
    }.items():
        if key in props:
            conditions.setdefault(op, {})[name] = props[key]
    statement: dict[str, Any] = {
        "Sid": _UNKNOWN,
        "Effect": "Allow",
        "Principal": _principal(props.get("Principal")),
        "Action": props.get("Action"),
        "Resource": _FUNCTION_ARN,
    }
    if conditions:
        statement["Condition"] = conditions
    return statement


class ResourcePoliciesFitQuotas(Rule):
    """Function, bucket, queue and topic policies fit their service's size quota."""

    id = "TAP-IAM-21"
    slug = "policy-size-limit"
    severity = "error"
    title = "Resource policies (function, bucket, queue, topic) fit their size quotas"
    explanation = (
        "Why: each service refuses a resource policy over its quota: Lambda 20 KB per "
        "function ('Lambda quotas'; 'The final policy size (20539) is bigger than the limit "
        "(20480)', typically one function behind many API Gateway methods, each adding two "
        "permissions), S3 20 KB per bucket policy ('Policies have to be less than 20 KB'), "
        "SQS 8,192 bytes ('Amazon SQS policy quotas'), SNS 30 KB ('Amazon SNS API "
        "permissions' policy quotas). The resource fails to create and the stack rolls back."
    )
    fix = (
        "In CDK: for API Gateway, one permission for the whole API: apigw.LambdaIntegration("
        "fn, scope_permission_to_method=False, allow_test_invoke=False) or "
        "apigw.LambdaRestApi(handler=fn); else merge statements (one statement with a list of "
        "principals or source ARNs, wildcards), or split the function/bucket/queue/topic."
    )
    resource_types = (*DOCUMENT_QUOTAS, "AWS::Lambda::Permission")

    def check_stack(self, ctx: Context) -> Iterable[Violation]:
        for res in ctx.stack.of_type(*DOCUMENT_QUOTAS):
            quota, what, service = DOCUMENT_QUOTAS[res.type]
            size = raw_size(res.properties.get("PolicyDocument"), ctx.resolver)
            if size > quota:
                yield self.violation(
                    res,
                    "Properties/PolicyDocument",
                    f"{what} of at least {size:,} bytes; {service}'s quota is {quota:,}",
                )
        yield from self._functions(ctx)

    def _functions(self, ctx: Context) -> Iterator[Violation]:
        sizes: dict[str, list[int]] = defaultdict(list)
        for perm in ctx.stack.of_type("AWS::Lambda::Permission"):
            refs = {
                r
                for r in iter_references(perm.properties.get("FunctionName"))
                if r in ctx.stack.resources
            }
            fn = ctx.resource(refs.pop()) if len(refs) == 1 else None
            if fn is not None and fn.type in _FUNCTIONS:
                sizes[fn.logical_id].append(raw_size(_statement(perm), ctx.resolver))
        for lid, parts in sizes.items():
            total = _WRAPPER + sum(parts) + len(parts) - 1
            if total > FUNCTION_POLICY_QUOTA:
                yield self.violation(
                    lid,
                    "Properties",
                    f"{len(parts)} AWS::Lambda::Permission resources make a resource-based "
                    f"policy of at least {total:,} bytes; Lambda's quota is "
                    f"{FUNCTION_POLICY_QUOTA:,}",
                )
