"""In an ephemeral environment an ECR repository deleted with the stack is emptied first
(``removal-policy``).

Widens ``removal-policy`` (``general/removal_policy.py``: TAP-GEN-10 flags a repository
that is retained; TAP-GEN-11 empties buckets): a repository whose DeletionPolicy is Delete
needs ``EmptyOnDelete`` (or CDK's older ``Custom::ECRAutoDeleteImages``), as a bucket needs
auto-delete. Retained repositories are TAP-GEN-10's finding, not this rule's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.common.auto_delete import emptied_by

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation

__all__ = ["EphemeralRepositoryEmptyOnDelete"]


class EphemeralRepositoryEmptyOnDelete(Rule):
    """In an ephemeral environment every ECR repository deleted with the stack has
    ``EmptyOnDelete``."""

    id = "TAP-ECR-1"
    slug = "removal-policy"
    severity = "error"
    title = "Ephemeral ECR repositories are emptied on delete"
    explanation = (
        "Why: CloudFormation cannot delete a repository that still holds images: the stack "
        "deletion fails with 'The repository with name ... cannot be deleted because it "
        "still contains images' (RepositoryNotEmptyException) and leaves the repository "
        "behind. AWS documentation: CloudFormation User Guide, AWS::ECR::Repository, "
        "EmptyOnDelete: 'If true, deleting the repository force deletes the contents of the "
        "repository. If false, the repository must be empty before attempting to delete it.'"
    )
    fix = "In CDK: ecr.Repository(..., removal_policy=RemovalPolicy.DESTROY, empty_on_delete=True)."
    resource_types = ("AWS::ECR::Repository",)
    requires = ("ephemeral",)

    def check_stack(self, ctx: Context) -> Iterable[Violation]:
        if not ctx.environment.ephemeral:
            return
        emptied: set[str] | None = None
        for res in ctx.stack.of_type(*self.resource_types):
            raw = res.deletion_policy
            policy = "Delete" if raw is None else ctx.resolve(raw)
            if policy != "Delete":
                continue  # retained (TAP-GEN-10) or decided at deploy time
            if ctx.resolve(res.properties.get("EmptyOnDelete")) in (True, "true"):
                continue
            if emptied is None:
                emptied = emptied_by(ctx, "Custom::ECRAutoDeleteImages", "RepositoryName")
            name = ctx.text(res.properties.get("RepositoryName"))
            if res.logical_id in emptied or (name is not None and str(name) in emptied):
                continue
            yield self.violation(
                res,
                "Properties/EmptyOnDelete",
                "repository is deleted with the stack in an ephemeral environment but "
                "EmptyOnDelete is not true: deletion fails once it holds images",
            )
