"""AWS region names, from botocore's endpoint data (every partition).

Computed, not hard-coded, so a new region is known as soon as botocore is upgraded; the
same data :func:`tap.rules.resolve.longest_region_name` reads.

Start-up (issue 10): importing ``botocore.session`` costs ~0.2 s per process, so the names
are read from botocore's own ``data/endpoints.json`` without importing botocore (its session
is asked only when the user may have overridden that file), and kept in the on-disk cache
(:mod:`tap.rules.common.cache`) by botocore version.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

__all__ = ["longest_region_name", "region_names", "region_pattern", "shortest_region_name"]


@cache
def _ordered_region_names() -> tuple[str, ...]:
    """Region names in botocore's order (partitions, then regions, as in its data)."""
    import os

    from tap.rules.common.cache import DiskCache, dist_version

    # Kept on disk by botocore version: importing botocore's session costs ~0.2 s per
    # process (docs/benchmarks.md, "Start-up").
    data_path = os.environ.get("AWS_DATA_PATH", "")
    disk = DiskCache("regions", f"botocore {dist_version('botocore')}|{data_path}")
    stored = disk.get("names")
    if isinstance(stored, list) and stored and all(isinstance(n, str) for n in stored):
        return tuple(stored)
    data = _builtin_endpoints()
    if data is None:
        import botocore.session

        data = botocore.session.get_session().get_data("endpoints")
    names = tuple(r for p in data["partitions"] for r in p.get("regions", {}))
    disk.put("names", list(names))
    return names


def _builtin_endpoints() -> dict[str, Any] | None:
    """botocore's own ``data/endpoints.json``, read without importing botocore; ``None``
    when the user may have overridden it (see :func:`bundled_data_dir`), where only
    botocore's loader knows the answer."""
    from tap.rules.common.botocore_data import bundled_data_dir

    data_dir = bundled_data_dir()
    if data_dir is None:
        return None
    try:
        data = json.loads((data_dir / "endpoints.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and isinstance(data.get("partitions"), list):
        return data
    return None


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
