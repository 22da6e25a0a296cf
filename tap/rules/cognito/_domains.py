"""Names in namespaces that every AWS account shares: the one table of them.

``global-name-collision`` (TAP-COGNITO-1) and ``resource-name-format``'s reserved words
(TAP-GEN-30) read the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.model import Resource
    from tap.rules.resolve import Text

__all__ = ["GLOBAL_NAMES", "GlobalName", "global_names"]


@dataclass(frozen=True)
class GlobalName:
    type: str
    property_path: str  # under Properties, slash-separated
    what: str  # what the name is, for messages
    namespace: str  # the shared namespace, for messages
    doc: str  # the AWS documentation page stating it
    reserved: tuple[str, ...] = ()  # words the service refuses in the name
    prefix_only: bool = False  # Cognito: only prefix domains (no '.') are in the namespace


GLOBAL_NAMES: tuple[GlobalName, ...] = (
    GlobalName(
        "AWS::Cognito::UserPoolDomain",
        "Domain",
        "Cognito prefix domain",
        "<prefix>.auth.<region>.amazoncognito.com, shared by every account in the region",
        "Amazon Cognito Developer Guide, 'Using the Amazon Cognito prefix domain for "
        "managed login' (cognito-user-pools-assign-domain-prefix.html)",
        reserved=("aws", "amazon", "cognito"),
        prefix_only=True,
    ),
    GlobalName(
        "AWS::ElasticBeanstalk::Environment",
        "CNAMEPrefix",
        "Elastic Beanstalk CNAME prefix",
        "<prefix>.<region>.elasticbeanstalk.com, shared by every account in the region",
        "AWS Elastic Beanstalk Developer Guide, 'Your Elastic Beanstalk environment's "
        "domain name' (customdomains.html)",
    ),
    GlobalName(
        "AWS::Connect::Instance",
        "InstanceAlias",
        "Amazon Connect instance alias",
        "<alias>.my.connect.aws, unique across all of Amazon Connect",
        "Amazon Connect Administrator Guide, 'Create an Amazon Connect instance' "
        "(amazon-connect-instances.html)",
    ),
)

_BY_TYPE = {g.type: g for g in GLOBAL_NAMES}


def global_names(res: Resource, ctx: Context) -> Iterator[tuple[GlobalName, Text]]:
    """The resource's explicit names in a shared namespace, resolved."""
    spec = _BY_TYPE.get(res.type)
    if spec is None:
        return
    value = res.properties.get(spec.property_path)
    if value is None:
        return
    text = ctx.text(value)
    if text is None or text.has_unknown:
        return
    if spec.prefix_only and "." in "".join(text.literal_parts):
        return  # a custom domain (auth.example.com) is the owner's own name
    yield spec, text
