"""What a bucket of the stack allows: Object Ownership, Block Public Access, its policy.
No rules here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tap.rules.iam._policy import parse_statements, principal_services
from tap.rules.resolve import Text, as_bool

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.model import Resource

# Canned ACLs a bucket whose Object Ownership is BucketOwnerEnforced still accepts: they
# grant nothing beyond the owner's full control ("Troubleshooting" of S3 Object Ownership).
OWNER_ONLY_ACLS = frozenset({"Private", "BucketOwnerFullControl"})
PUBLIC_ACLS = frozenset({"PublicRead", "PublicReadWrite", "AuthenticatedRead"})
ENFORCED = "BucketOwnerEnforced"


def ref_target(ctx: Context, value: Any) -> str | None:
    """The logical id a ``Ref``/``Fn::GetAtt`` points at, when it is the whole value."""
    text = value if isinstance(value, Text) else ctx.text(value)
    if text is not None and len(text.parts) == 1 and not isinstance(text.parts[0], str):
        tok = text.parts[0]
        if tok.kind in ("Ref", "GetAtt") and tok.name in ctx.stack.resources:
            return tok.name
    return None


def stack_bucket(ctx: Context, value: Any) -> Resource | None:
    """The stack's ``AWS::S3::Bucket`` a value refers to (Ref, or GetAtt of any attribute)."""
    lid = ref_target(ctx, value)
    res = ctx.resource(lid) if lid else None
    return res if res is not None and res.type == "AWS::S3::Bucket" else None


def object_ownership(ctx: Context, bucket: Resource) -> str | None:
    """The bucket's Object Ownership; S3's default ``BucketOwnerEnforced`` when the template
    sets none (the default for new buckets since April 2023); ``None`` when unknowable."""
    controls = ctx.resolve(bucket.properties.get("OwnershipControls"))
    if controls is None:
        return ENFORCED
    rules = controls.get("Rules") if isinstance(controls, dict) else None
    if isinstance(rules, list) and rules and isinstance(rules[0], dict):
        value = rules[0].get("ObjectOwnership")
        return value if isinstance(value, str) else None
    return None


def blocks(ctx: Context, bucket: Resource, setting: str) -> bool | None:
    """Whether the bucket's Block Public Access ``setting`` (``BlockPublicPolicy``...) is on:
    absent settings are on (S3's default for new buckets); ``None`` when unknowable."""
    config = ctx.resolve(bucket.properties.get("PublicAccessBlockConfiguration"))
    if config is None:
        return True
    if not isinstance(config, dict):
        return None
    return as_bool(config.get(setting, False))


def canned_acl(ctx: Context, bucket: Resource) -> str | None:
    text = ctx.text(bucket.properties.get("AccessControl"))
    return str(text) if text is not None and text.is_literal else None


def policies_by_bucket(ctx: Context) -> dict[str, list[Resource]]:
    """Bucket logical id → the ``AWS::S3::BucketPolicy`` resources of the stack on it."""
    key = "s3.policies_by_bucket"
    if key not in ctx.shared:
        out: dict[str, list[Resource]] = {}
        for pol in ctx.stack.of_type("AWS::S3::BucketPolicy"):
            lid = ref_target(ctx, pol.properties.get("Bucket"))
            if lid is not None:
                out.setdefault(lid, []).append(pol)
        ctx.shared[key] = out
    result: dict[str, list[Resource]] = ctx.shared[key]
    return result


def policy_allows_service(ctx: Context, bucket_lid: str, service: str) -> bool | None:
    """Whether a bucket policy of the stack allows ``service`` something (``None``: a policy
    the resolver cannot read)."""
    unknown = False
    for pol in policies_by_bucket(ctx).get(bucket_lid, ()):
        statements = parse_statements(ctx.resolve(pol.properties.get("PolicyDocument")))
        if statements is None:
            unknown = True
            continue
        for st in statements:
            if st.effect != "Allow":
                continue
            services = principal_services(st.principal)
            if services is None:
                unknown = True
            elif any(s.startswith(service) for s in services):
                return True
    return None if unknown else False
