"""AWS region names, from botocore's endpoint data (every partition).

Computed, not hard-coded, so a new region is known as soon as botocore is upgraded; the
same data :func:`tap.rules.resolve.longest_region_name` reads.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["region_names", "region_pattern", "shortest_region_name"]


@cache
def region_names() -> frozenset[str]:
    """Every region name botocore knows (``us-east-1``, ``cn-north-1``, ``us-gov-west-1``)."""
    import botocore.session

    data = botocore.session.get_session().get_data("endpoints")
    return frozenset(r for p in data["partitions"] for r in p.get("regions", {}))


@cache
def shortest_region_name() -> str:
    """The shortest region name: a lower bound on the length of ``${AWS::Region}``."""
    return min(sorted(region_names()), key=len)


@cache
def region_pattern() -> re.Pattern[str]:
    """Matches a whole region name, not part of a longer word (``us-east-1`` but not
    ``us-east-10`` nor ``xus-east-1``)."""
    names = sorted(region_names(), key=len, reverse=True)
    alternation = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?<![a-z0-9-])(?:{alternation})(?![a-z0-9])")
