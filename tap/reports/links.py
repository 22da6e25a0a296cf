"""Where a report sends its reader for a rule's documentation: one place, configurable.

A report is read far from this repository (a pull-request comment in another project, a
code-scanning alert), so rule help never points into the user's repository: each format
embeds the rule's explanation and fix, and links the public ``RULES.md`` of the rule pack
at the version that produced the report. ``--docs-url`` (or :func:`rule_url`'s ``docs_url``)
points elsewhere: a mirror, an internal wiki, a fork's copy.
"""

from __future__ import annotations

import tap

__all__ = ["DOCS_URL", "REPOSITORY_URL", "docs_page", "rule_url"]

REPOSITORY_URL = "https://github.com/tap-project/tap"
"""The rule pack's public repository: the one place to change if it moves."""

DOCS_URL = f"{REPOSITORY_URL}/blob/v{tap.__version__}/RULES.md"
"""RULES.md of the released version that wrote the report: stable, whatever main becomes."""


def docs_page(docs_url: str | None = None) -> str:
    """The rules page: ``docs_url`` when given (a trailing ``#...`` is dropped), else ours."""
    return (docs_url or DOCS_URL).split("#", 1)[0]


def rule_url(rule_id: str, docs_url: str | None = None) -> str:
    """The link to one tap rule's section (``RULES.md#tap-s3-1``)."""
    return f"{docs_page(docs_url)}#{rule_id.lower()}"
