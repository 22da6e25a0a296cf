"""Where a report sends its reader for a rule's documentation: one place, configurable.

A report is read far from this repository (a pull-request comment in another project, a
code-scanning alert), so rule help never points into the user's repository: each format
embeds the rule's explanation and fix, so the report stands on its own. A link to the rules'
documentation is added only where one is configured: ``--docs-url`` (the ``docs-url`` key of
the configuration file) or the environment variable ``TAP_RULES_DOCS_URL`` (this project's
own workflow sets it to the ``RULES.md`` of the commit under review). The rule pack has no
public documentation site yet, so there is no default: a link that may not resolve is worse
than none.
"""

from __future__ import annotations

import os

__all__ = ["DOCS_URL", "DOCS_URL_ENV", "docs_page", "rule_url"]

DOCS_URL: str | None = None
"""The rule pack's public documentation page, once it has one (``None``: no link)."""

DOCS_URL_ENV = "TAP_RULES_DOCS_URL"


def docs_page(docs_url: str | None = None) -> str | None:
    """The rules page: ``docs_url``, else ``$TAP_RULES_DOCS_URL``, else :data:`DOCS_URL`
    (a trailing ``#...`` is dropped); ``None`` when none is configured."""
    page = docs_url or os.environ.get(DOCS_URL_ENV) or DOCS_URL
    return page.split("#", 1)[0] if page else None


def rule_url(rule_id: str, docs_url: str | None = None) -> str | None:
    """The link to one tap rule's section (``RULES.md#tap-s3-1``), or ``None``."""
    page = docs_page(docs_url)
    return f"{page}#{rule_id.lower()}" if page else None
