"""Names in namespaces that every AWS account shares are not fixed literals
(``global-name-collision``).

A Cognito prefix domain, an Elastic Beanstalk CNAME prefix or an Amazon Connect instance
alias must be unique across all accounts (the table in :mod:`tap.rules.cognito._domains`,
from each service's documentation). A fixed literal collides with every other deployment of
the same app: the second account, the second region, the next environment that forgot the
suffix, or a stranger who took the name first. A name with any deploy-time part (the account
id, the stack name, a parameter) is left alone.
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

__all__ = ["GlobalNamesNotFixed"]


class GlobalNamesNotFixed(Rule):
    """Cognito prefix domains, Elastic Beanstalk CNAME prefixes and Amazon Connect instance
    aliases include a deploy-time part (account id, stack name), not only literals."""

    id = "TAP-COGNITO-1"
    slug = "global-name-collision"
    severity = "error"
    title = "Names in namespaces shared by all accounts are not fixed literals"
    explanation = (
        "Why: these names are global: Cognito answers 'Domain already associated with "
        "another user pool.' (InvalidParameterException) and the stack fails when any "
        "account already holds the prefix; a fixed literal also makes the app deployable "
        "once only (a second account, region or environment collides). AWS documentation: "
        + "; ".join(g.doc for g in GLOBAL_NAMES)
        + "."
    )
    fix = (
        "In CDK: build the name from the account (and region/suffix): "
        "user_pool.add_domain('Domain', cognito_domain=cognito.CognitoDomainOptions("
        "domain_prefix=f'tap-auth-{suffix}-{Aws.ACCOUNT_ID}')), or use a custom domain you "
        "own (custom_domain=...)."
    )
    resource_types = tuple(g.type for g in GLOBAL_NAMES)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        for spec, text in global_names(res, ctx):
            if text.is_literal:
                yield self.violation(
                    res,
                    f"Properties/{spec.property_path}",
                    f"{spec.what} {str(text)!r} is a fixed literal in {spec.namespace}",
                )
