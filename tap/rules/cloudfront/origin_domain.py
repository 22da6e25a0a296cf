"""CloudFront origins name a host, not a URL (``cloudfront-origin-domain``).

The mistake CDK users report: a Lambda function URL, an API's ``url`` or a bucket's website
URL handed to ``origins.HttpOrigin`` as is. The template shows it two ways: literal parts
with a scheme, a path or a port (``https://`` ... ``/prod/``), or a token that is a URL by
definition (``Fn::GetAtt`` of ``AWS::Lambda::Url.FunctionUrl``,
``AWS::S3::Bucket.WebsiteURL``). CDK's own origins split such URLs with
``Fn::Select``/``Fn::Split``, which the resolver cannot follow: those stay unjudged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource
    from tap.rules.resolve import Text

__all__ = ["OriginDomainIsHostName"]

# Attributes whose value is a URL ("https://....on.aws/", "http://bucket.s3-website-...",
# an HTTP API's "https://<id>.execute-api.<region>.amazonaws.com").
_URL_ATTRIBUTES = {
    ("AWS::Lambda::Url", "FunctionUrl"),
    ("AWS::S3::Bucket", "WebsiteURL"),
    ("AWS::ApiGatewayV2::Api", "ApiEndpoint"),
}


def _url_problem(ctx: Context, text: Text) -> str | None:
    literal = "".join(text.literal_parts)
    if "://" in literal:
        return "has a scheme (://)"
    if "/" in literal:
        return "has a path (/)"
    if ":" in literal:
        return "has a port or a colon (:)"
    if any(c.isspace() for c in literal):
        return "has white space"
    for token in text.tokens:
        if token.kind != "GetAtt":
            continue
        target = ctx.resource(token.name)
        if target is not None and (target.type, token.attr) in _URL_ATTRIBUTES:
            return f"is {target.type}'s {token.attr}, a URL, not a host name"
    return None


class OriginDomainIsHostName(Rule):
    """Every CloudFront origin's ``DomainName`` is a bare host name: no scheme, path or
    port."""

    id = "TAP-CDN-1"
    slug = "cloudfront-origin-domain"
    severity = "error"
    title = "CloudFront origin domain names are host names, not URLs"
    explanation = (
        "Why: CloudFront refuses the distribution at deploy time: 'The parameter origin name "
        "must be a domain name.' or 'The parameter origin name cannot contain a colon.' "
        "(InvalidArgument). A function URL, a REST API's url or a bucket's website URL "
        "carries a scheme and a path. AWS documentation: CloudFront Developer Guide, "
        "'Distribution settings reference', Origin domain "
        "(DownloadDistValuesDomainName in distribution-web-values-specify.html): the DNS "
        "domain name of the origin; the path goes in Origin path."
    )
    fix = (
        "In CDK: use the origin class that splits the URL for you: "
        "origins.FunctionUrlOrigin(fn_url), origins.RestApiOrigin(api), "
        "origins.S3StaticWebsiteOrigin(bucket), or HttpOrigin(Fn.select(2, Fn.split('/', "
        "url)), origin_path='/prod')."
    )
    resource_types = ("AWS::CloudFront::Distribution",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        config = res.properties.get("DistributionConfig")
        origins = config.get("Origins") if isinstance(config, dict) else None
        if not isinstance(origins, list):
            return
        for i, origin in enumerate(origins):
            if not isinstance(origin, dict):
                continue
            text = ctx.text(origin.get("DomainName"))
            if text is None or text.has_unknown:
                continue
            problem = _url_problem(ctx, text)
            if problem:
                yield self.violation(
                    res,
                    f"Properties/DistributionConfig/Origins/{i}/DomainName",
                    f"origin {origin.get('Id', i)!s} DomainName {str(text)!r} {problem}",
                )
