"""Names in shared AWS namespaces avoid the words the service reserves
(``resource-name-format``).

Widens ``resource-name-format`` (TAP-GEN-4 checks characters and lengths in
``general/resource_name_format.py``) with the reserved words of RULES-SPEC Part 2: a Cognito
prefix domain can't contain ``aws``, ``amazon`` or ``cognito``. The words come from the
table in :mod:`tap.rules.cognito._domains` (one table for shared namespaces). Only literal
parts are read: a word split across a token is not guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.cognito._domains import GLOBAL_NAMES, global_names

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["NoReservedWordsInNames"]


class NoReservedWordsInNames(Rule):
    """Cognito prefix domains contain none of the reserved words ``aws``, ``amazon`` and
    ``cognito``."""

    id = "TAP-GEN-30"
    slug = "resource-name-format"
    severity = "error"
    title = "Names avoid the words their service reserves"
    explanation = (
        "Why: Amazon Cognito refuses a prefix domain that contains a reserved word when "
        "CloudFormation creates the domain ('InvalidParameterException: Domain cannot "
        "contain reserved word: cognito' and the like); the prefix can't contain the text "
        "aws, amazon, or cognito. AWS documentation: Amazon Cognito Developer Guide, 'Using "
        "the Amazon Cognito prefix domain for managed login' "
        "(cognito-user-pools-assign-domain-prefix.html)."
    )
    fix = (
        "In CDK: choose a domain_prefix without 'aws', 'amazon' or 'cognito' (e.g. "
        "f'tap-login-{suffix}-{Aws.ACCOUNT_ID}' rather than 'tap-cognito-...')."
    )
    resource_types = tuple(g.type for g in GLOBAL_NAMES if g.reserved)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        for spec, text in global_names(res, ctx):
            literal = " ".join(text.literal_parts).lower()
            found = [w for w in spec.reserved if w in literal]
            if found:
                yield self.violation(
                    res,
                    f"Properties/{spec.property_path}",
                    f"{spec.what} {str(text)!r} contains the reserved word"
                    f"{'s' if len(found) > 1 else ''} {', '.join(repr(w) for w in found)}",
                )
