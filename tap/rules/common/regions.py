"""AWS region names, from botocore's endpoint data (every partition).

Computed, not hard-coded, so a new region is known as soon as botocore is upgraded; the
same data :func:`tap.rules.resolve.longest_region_name` reads.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["longest_region_name", "region_names", "region_pattern", "shortest_region_name"]


@cache
def _ordered_region_names() -> tuple[str, ...]:
    """Region names in botocore's order (partitions, then regions, as in its data)."""
    from tap.rules.common.cache import DiskCache, dist_version

    # Kept on disk by botocore version: importing botocore's session costs ~0.2 s per
    # process (docs/benchmarks.md, "Start-up").
    disk = DiskCache("regions", f"botocore {dist_version('botocore')}")
    stored = disk.get("names")
    if isinstance(stored, list) and stored and all(isinstance(n, str) for n in stored):
        return tuple(stored)
    import botocore.session

    data = botocore.session.get_session().get_data("endpoints")
    names = tuple(r for p in data["partitions"] for r in p.get("regions", {}))
    disk.put("names", list(names))
    return names


@cache
def region_names() -> frozenset[str]:
    """Every region name botocore knows (``us-east-1``, ``cn-north-1``, ``us-gov-west-1``)."""
    return frozenset(_ordered_region_names())


@cache
def longest_region_name() -> str:
    """The longest region name (the first of that length in botocore's data)."""
    return max(_ordered_region_names(), key=len)


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
