"""Which stores CDK's auto-delete custom resources empty before the stack deletes them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tap.rules.resolve import Token

if TYPE_CHECKING:
    from tap.rules.base import Context

__all__ = ["emptied_by"]


def emptied_by(ctx: Context, custom_type: str, name_property: str) -> set[str]:
    """Logical ids (and literal names) of the stores that a ``custom_type`` custom resource
    (``Custom::S3AutoDeleteObjects`` / ``BucketName``, ``Custom::ECRAutoDeleteImages`` /
    ``RepositoryName``) empties."""
    out: set[str] = set()
    for cr in ctx.stack.of_type(custom_type):
        name = ctx.text(cr.properties.get(name_property))
        if name is None:
            continue
        if name.is_literal:
            out.add(str(name))
        out.update(t.name for t in name.tokens if isinstance(t, Token) and t.kind == "Ref")
    return out
