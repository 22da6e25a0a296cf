"""policy-size-limit: IAM identity policies fit IAM's size quotas.

IAM's quotas ('IAM and AWS STS quotas'): a managed policy at most 6,144 characters; the
inline policies of one role at most 10,240 in aggregate, of a user 2,048, of a group 5,120;
white space not counted. Inline policies are the principal's own ``Policies`` and the
``AWS::IAM::Policy`` / ``RolePolicy`` / ``UserPolicy`` / ``GroupPolicy`` resources attached
to it by reference. Sizes are counted as :mod:`tap.rules.iam._size` documents (compact JSON,
tokens estimated from below), so a finding is over the quota whatever the tokens become.
CDK splits a role's oversized default policy into managed policies itself; a standalone
``iam.Policy``, a user's or a group's policies are not split.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.iam._size import raw_size
from tap.rules.resolve import as_list, referenced_id

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation

__all__ = ["IdentityPoliciesFitQuotas"]

MANAGED_POLICY_QUOTA = 6_144
INLINE_QUOTAS = {"AWS::IAM::Role": 10_240, "AWS::IAM::User": 2_048, "AWS::IAM::Group": 5_120}
# attachment resource type → the properties naming the principals it is attached to
_ATTACHMENTS = {
    "AWS::IAM::Policy": ("Roles", "Users", "Groups"),
    "AWS::IAM::RolePolicy": ("RoleName",),
    "AWS::IAM::UserPolicy": ("UserName",),
    "AWS::IAM::GroupPolicy": ("GroupName",),
}


class IdentityPoliciesFitQuotas(Rule):
    """Managed policies and each role's, user's and group's inline policies fit IAM's quotas."""

    id = "TAP-IAM-20"
    slug = "policy-size-limit"
    severity = "error"
    title = "IAM policies fit IAM's size quotas"
    explanation = (
        "Why: IAM refuses a managed policy over 6,144 characters and inline policies over "
        "10,240 characters per role (2,048 per user, 5,120 per group) in aggregate, white "
        "space not counted (IAM User Guide, 'IAM and AWS STS quotas'): 'Maximum policy size "
        "of 10240 bytes exceeded for role ...' (LimitExceeded), and the stack rolls back."
    )
    fix = (
        "In CDK: grant on fewer, wildcarded resources (one statement per service with "
        "resources=[...] lists instead of a statement per resource); split the permissions "
        "into several iam.ManagedPolicy attached to the role; let the role's default policy "
        "take the grants (role.add_to_policy / resource.grant_*: CDK splits it into overflow "
        "managed policies)."
    )
    resource_types = ("AWS::IAM::ManagedPolicy", *INLINE_QUOTAS, *_ATTACHMENTS)

    def check_stack(self, ctx: Context) -> Iterable[Violation]:
        for res in ctx.stack.of_type("AWS::IAM::ManagedPolicy"):
            size = raw_size(res.properties.get("PolicyDocument"), ctx.resolver)
            if size > MANAGED_POLICY_QUOTA:
                yield self.violation(
                    res,
                    "Properties/PolicyDocument",
                    f"managed policy of at least {size:,} characters (white space excluded); "
                    f"IAM's quota is {MANAGED_POLICY_QUOTA:,}",
                )
        yield from self._inline(ctx)

    def _inline(self, ctx: Context) -> Iterator[Violation]:
        parts: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for res in ctx.stack.of_type(*INLINE_QUOTAS):
            for i, pol in enumerate(as_list(res.properties.get("Policies"))):
                if isinstance(pol, dict):
                    size = raw_size(pol.get("PolicyDocument"), ctx.resolver)
                    parts[res.logical_id].append((f"Policies/{i}", size))
        for res in ctx.stack.of_type(*_ATTACHMENTS):
            size = raw_size(res.properties.get("PolicyDocument"), ctx.resolver)
            for key in _ATTACHMENTS[res.type]:
                for value in as_list(ctx.resolve(res.properties.get(key))):
                    lid = referenced_id(value)
                    if lid is not None and lid in ctx.stack.resources:
                        parts[lid].append((res.logical_id, size))
        for lid, sizes in parts.items():
            principal = ctx.resource(lid)
            quota = INLINE_QUOTAS.get(principal.type) if principal is not None else None
            total = sum(s for _, s in sizes)
            if quota is None or total <= quota:
                continue
            kind = principal.type.rsplit(":", 1)[-1].lower() if principal else "principal"
            detail = ", ".join(f"{name} {size:,}" for name, size in sorted(sizes))
            yield self.violation(
                lid,
                "Properties/Policies",
                f"the {kind}'s inline policies total at least {total:,} characters (white "
                f"space excluded: {detail}); IAM's quota is {quota:,} per {kind}",
            )
