"""Resources CloudFront (and edge endpoints) use from one region are in us-east-1
(``region-bound-resource``).

CloudFront is global and reads some of its parts from US East (N. Virginia) only:
``CLOUDFRONT``-scope WAFv2 web ACLs and their rule groups, IP sets and regex pattern sets;
ACM certificates of distributions, of Cognito custom domains and of edge-optimized API
Gateway custom domains; Lambda@Edge function versions. A resource of the stack lives in the
stack's region; an ARN names its own. The stack's region is known from the assembly only for
an environment-specific stack (``env=Environment(region=...)``): when it is not known, a
resource of the stack is not judged (an environment-agnostic stack deployed to us-east-1 is
correct), while a literal ARN in another region still is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource
    from tap.rules.resolve import Text

__all__ = ["GlobalResourcesInUsEast1"]

HOME = "us-east-1"
_REGION = "\x01"  # marks ${AWS::Region} in an ARN
_ARN = re.compile(r"^arn:[^:]*:([a-z0-9-]+):([^:]*):")
_FUNCTION_TYPES = ("AWS::Lambda::Version", "AWS::Lambda::Function")
_WAF_TYPES = (
    "AWS::WAFv2::WebACL",
    "AWS::WAFv2::RuleGroup",
    "AWS::WAFv2::IPSet",
    "AWS::WAFv2::RegexPatternSet",
)


def _region_of(ctx: Context, text: Text | None, types: tuple[str, ...]) -> str | None:
    """The region a reference lives in: an ARN's region field, or the stack's region for a
    resource of the stack of one of ``types`` (``Ref``/``GetAtt``) or ``${AWS::Region}``;
    ``None`` if unknown (e.g. a custom resource reading an ARN from another region)."""
    if text is None or text.has_unknown:
        return None
    tokens = text.tokens
    if len(text.parts) == 1 and tokens and tokens[0].kind in ("Ref", "GetAtt"):
        target = ctx.resource(tokens[0].name)
        return ctx.stack.region if target is not None and target.type in types else None
    # tokens as markers without ':' (str() of ${AWS::Partition} would split the ARN)
    flat = "".join(
        p if isinstance(p, str) else (_REGION if p.kind == "AWS::Region" else "\x00")
        for p in text.parts
    )
    m = _ARN.match(flat)
    if m is None:
        return None
    region = m.group(2)
    if region == _REGION:
        return ctx.stack.region
    return region if re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d+", region) else None


def _behaviors(config: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    default = config.get("DefaultCacheBehavior")
    if isinstance(default, dict):
        yield "DefaultCacheBehavior", default
    for i, behavior in enumerate(config.get("CacheBehaviors") or []):
        if isinstance(behavior, dict):
            yield f"CacheBehaviors/{i}", behavior


class GlobalResourcesInUsEast1(Rule):
    """CLOUDFRONT-scope WAF resources, certificates of CloudFront and edge endpoints, and
    Lambda@Edge functions are in us-east-1."""

    id = "TAP-CDN-2"
    slug = "region-bound-resource"
    severity = "error"
    title = "CloudFront's web ACLs, certificates and Lambda@Edge functions are in us-east-1"
    explanation = (
        "Why: outside US East (N. Virginia) the service refuses them at deploy time. WAFv2: "
        "'Error reason: The scope is not valid., field: SCOPE_VALUE, parameter: CLOUDFRONT' "
        "(CLOUDFRONT scope exists only in us-east-1; AWS WAF Developer Guide, "
        "'Using AWS WAF with Amazon CloudFront'). ACM: 'The specified SSL certificate "
        "doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid "
        "certificate chain.' (CloudFront Developer Guide, 'Requirements for using SSL/TLS "
        "certificates with CloudFront': the certificate must be requested in us-east-1; the "
        "same holds for Cognito custom domains and edge-optimized API Gateway domains). "
        "Lambda@Edge: 'The function must be in region 'us-east-1'. ARN: ...' (CloudFront Developer "
        "Guide, 'Restrictions on Lambda@Edge'). A resource of an environment-agnostic stack "
        "is not judged: its region is chosen at deploy time."
    )
    fix = (
        "In CDK: put these resources in a stack with env=Environment(region='us-east-1') "
        "and pass them across with cross_region_references=True, or use "
        "cloudfront.experimental.EdgeFunction (which deploys to us-east-1 for you); for an "
        "imported certificate or function, import the us-east-1 one."
    )
    resource_types = (
        "AWS::CloudFront::Distribution",
        *_WAF_TYPES,
        "AWS::Cognito::UserPoolDomain",
        "AWS::ApiGateway::DomainName",
    )

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        if res.type == "AWS::CloudFront::Distribution":
            yield from self._distribution(res, ctx)
        else:
            yield from self._regional(res, ctx)

    def _regional(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        if res.type in _WAF_TYPES:
            scope = ctx.resolve(res.properties.get("Scope"))
            region = ctx.stack.region
            if scope == "CLOUDFRONT" and region is not None and region != HOME:
                yield self.violation(
                    res,
                    "Properties/Scope",
                    f"{res.type} has Scope CLOUDFRONT in a stack deployed to {region}: "
                    "the CLOUDFRONT scope exists only in us-east-1",
                )
            return
        if res.type == "AWS::Cognito::UserPoolDomain":
            custom = res.properties.get("CustomDomainConfig")
            if isinstance(custom, dict):
                yield from self._certificate(
                    res,
                    ctx,
                    custom.get("CertificateArn"),
                    "Properties/CustomDomainConfig/CertificateArn",
                    "Cognito custom domain",
                )
            return
        if res.type == "AWS::ApiGateway::DomainName":
            # CertificateArn is the edge-optimized certificate; regional ones use
            # RegionalCertificateArn and live in the API's region.
            yield from self._certificate(
                res,
                ctx,
                res.properties.get("CertificateArn"),
                "Properties/CertificateArn",
                "edge-optimized API Gateway domain",
            )

    def _distribution(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        config = res.properties.get("DistributionConfig")
        if not isinstance(config, dict):
            return
        viewer = config.get("ViewerCertificate")
        if isinstance(viewer, dict):
            yield from self._certificate(
                res,
                ctx,
                viewer.get("AcmCertificateArn"),
                "Properties/DistributionConfig/ViewerCertificate/AcmCertificateArn",
                "distribution",
            )
        waf = ctx.text(config.get("WebACLId"))
        region = _region_of(ctx, waf, ()) if waf is not None and "arn:" in str(waf) else None
        if region is not None and region != HOME:
            yield self.violation(
                res,
                "Properties/DistributionConfig/WebACLId",
                f"distribution uses web ACL {str(waf)!r} in {region}: CloudFront takes "
                "CLOUDFRONT-scope web ACLs from us-east-1 only",
            )
        yield from self._edge_functions(res, ctx, config)

    def _edge_functions(
        self, res: Resource, ctx: Context, config: dict[str, Any]
    ) -> Iterator[Violation]:
        for where, behavior in _behaviors(config):
            for j, assoc in enumerate(behavior.get("LambdaFunctionAssociations") or []):
                if not isinstance(assoc, dict):
                    continue
                arn = ctx.text(assoc.get("LambdaFunctionARN"))
                region = _region_of(ctx, arn, _FUNCTION_TYPES)
                if region is not None and region != HOME:
                    yield self.violation(
                        res,
                        f"Properties/DistributionConfig/{where}/LambdaFunctionAssociations/"
                        f"{j}/LambdaFunctionARN",
                        f"Lambda@Edge function {str(arn)!r} is in {region}: CloudFront "
                        "replicates Lambda@Edge functions from us-east-1 only",
                    )

    def _certificate(
        self, res: Resource, ctx: Context, value: Any, path: str, user: str
    ) -> Iterator[Violation]:
        if value is None:
            return
        arn = ctx.text(value)
        region = _region_of(ctx, arn, ("AWS::CertificateManager::Certificate",))
        if region is not None and region != HOME:
            yield self.violation(
                res,
                path,
                f"{user} uses ACM certificate {str(arn)!r} in {region}: CloudFront-served "
                "endpoints take certificates from us-east-1 only",
            )
