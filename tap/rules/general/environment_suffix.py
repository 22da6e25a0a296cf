"""Explicit physical names carry the environment suffix (``environment-suffix``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.common.names import NAME_SPECS, ExplicitName, explicit_names
from tap.rules.resolve import Text

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["NamesCarrySuffix", "contains_suffix"]

# Tokens whose value is fixed per account/region: a name made of these and literals is
# fully known, so a missing suffix is certain. Any other token (a parameter, an attribute,
# AWS::StackName, an import) may carry the suffix: unknown, no finding.
_KNOWN_TOKENS = frozenset({"AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix"})
# Names unique in the account or the partition collide between environments; names of
# scope "none" (API names, named queries) and "parent" (inline policies) do not.
_COLLIDING = frozenset({"global", "account", "region"})


class NamesCarrySuffix(Rule):
    """Every explicit physical name contains the environment suffix."""

    id = "TAP-GEN-3"
    slug = "environment-suffix"
    severity = "error"
    title = "Explicit physical names contain the environment suffix"
    explanation = (
        "Why: an explicit name (bucket, table, function, stream, topic, queue, role, IoT "
        "rule, workgroup, Glue database, log group, alarm, ...) is unique in its account "
        "or partition, so two environments deploying the same name collide and the second "
        "deployment fails (seed 004 #2). The suffix belongs in the physical name: putting "
        "it in the construct id (seed 004's f'Bucket{suffix}') only changes the logical "
        "id, which CloudFormation never uses as the name, and replaces every resource on "
        "the next deploy. Names CloudFormation generates need no suffix."
    )
    fix = (
        'In CDK: put the suffix in the name property, e.g. table_name=f"tap-aggregates-'
        '{props.suffix}", separated by - or _ (or omit the name and let CloudFormation '
        "generate it); keep construct ids stable."
    )
    seeds = ("004 #2", "003")
    requires = ("suffix",)
    resource_types = tuple(NAME_SPECS)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        suffix = ctx.environment.suffix
        if not suffix:
            return
        names = list(explicit_names(res, ctx))
        if res.type == "AWS::Glue::Table":
            # A table is unique in its database: a suffixed database is enough.
            database = ctx.text(res.properties.get("DatabaseName"))
            if database is None or _verdict(database, suffix) is not False:
                return
            names = [n for n in names if n.spec.path == ("TableInput", "Name")]
        else:
            names = [n for n in names if n.spec.scope in _COLLIDING]
        for name in names:
            if _verdict(name.text, suffix) is False:
                yield self.violation(res, name.property_path, _message(res, name, suffix))


def _verdict(text: Text, suffix: str) -> bool | None:
    """True: carries the suffix; False: certainly not; None: not knowable."""
    if contains_suffix(text, suffix):
        return True
    if any(t.kind not in _KNOWN_TOKENS for t in text.tokens):
        return None
    return False


def contains_suffix(text: Text, suffix: str) -> bool:
    """Whether a literal part of ``text`` holds ``suffix`` as a word of its own.

    A word ends at the string's edges, at a token, at a character that is not a letter or
    digit, or at a camel-case step: with suffix ``dev``, ``tap-dev``, ``tap_dev_x``,
    ``TapDevTable`` and ``devTable`` carry it; ``tapdevtable``, ``devices`` and ``dev1``
    do not. Case is ignored.
    """
    want = suffix.lower()
    for part in text.literal_parts:
        low = part.lower()
        start = low.find(want)
        while start != -1:
            end = start + len(want)
            if _edge(part, start - 1, start) and _edge(part, end - 1, end):
                return True
            start = low.find(want, start + 1)
    return False


def _edge(part: str, left: int, right: int) -> bool:
    """Whether a word boundary lies between ``part[left]`` and ``part[right]``."""
    if left < 0 or right >= len(part):
        return True
    a, b = part[left], part[right]
    if not a.isalnum() or not b.isalnum():
        return True
    return a.islower() and b.isupper()


def _message(res: Resource, name: ExplicitName, suffix: str) -> str:
    message = (
        f"{name.spec.property_name} {str(name.text)!r} does not contain the environment "
        f"suffix {suffix!r}"
    )
    if suffix.lower() in res.logical_id.lower():
        message += (
            " (the suffix is in the construct id, which changes the logical id, not the name)"
        )
    return message
