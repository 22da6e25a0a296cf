"""API Gateway deployments are created after every method of their REST API."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

_SHARED_KEY = "apigateway.methods_by_api"


def _api_id(value: Any) -> str | None:
    """The logical id of the RestApi a ``RestApiId`` refers to (``Ref``), if in the stack."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str):
        return value["Ref"]
    return None


def _methods_by_api(ctx: Context) -> dict[str, list[Resource]]:
    index = ctx.shared.get(_SHARED_KEY)
    if index is None:
        index = defaultdict(list)
        for method in ctx.stack.of_type("AWS::ApiGateway::Method"):
            api = _api_id(method.properties.get("RestApiId"))
            if api is not None:
                index[api].append(method)
        ctx.shared[_SHARED_KEY] = index
    return index


class DeploymentAfterMethods(Rule):
    """An API Gateway deployment depends on every method (and so integration) of its API."""

    id = "TAP-APIGW-1"
    slug = "apigw-deployment-order"
    severity = "error"
    title = "API Gateway deployments depend on every method of their API"
    explanation = (
        "Why: a deployment snapshots the API as it is when CloudFormation creates it. "
        "Without a dependency on each AWS::ApiGateway::Method (the method carries its "
        "integration), CloudFormation may create the deployment first: it fails with 'The "
        "REST API doesn't contain any methods' / 'No integration defined for method', or "
        "silently deploys a stage without the routes created after it (seed 002 #3: the "
        "deployment depended on the methods but not on the integrations). The dependency "
        "may be direct (DependsOn) or transitive."
    )
    fix = (
        "In CDK: use the L2 apigateway.RestApi/LambdaRestApi, whose deployment depends on "
        "every method; with L1 constructs call deployment.add_resource_dependency(method) for each "
        "CfnMethod of the API (integrations are part of the method in CloudFormation)."
    )
    seeds = ("002 #3",)
    resource_types = ("AWS::ApiGateway::Deployment",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        api = _api_id(res.properties.get("RestApiId"))
        if api is None:
            return  # an imported or parameterised API: its methods are not in this stack
        missing = [
            m
            for m in _methods_by_api(ctx).get(api, ())
            if not ctx.graph.depends_on(res.logical_id, m.logical_id)
        ]
        if missing:
            names = ", ".join(
                f"{m.logical_id} ({m.properties.get('HttpMethod', '?')})" for m in missing
            )
            yield self.violation(
                res,
                "DependsOn",
                f"deployment of {api} does not depend on method(s) {names}: CloudFormation "
                "may deploy the API before they and their integrations exist",
            )
