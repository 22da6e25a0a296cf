"""The failure catalogue of RULES-SPEC Part 2: deploy-time failures that CDK users reported.

One module per class slug (``schedule_expression.py`` for ``schedule-expression``), each with a
``CASES`` tuple of :class:`bench.coverage.cases.Case`; :func:`collect` gathers them in module
name order, and ``bench/coverage/cases.py``'s ``CASES`` holds Parts 1 and 2 alike. Nothing is
imported here at import time: the case modules build on ``cases.py``'s helpers, so
``cases.py`` calls :func:`collect` (importing this package first works too).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

__all__ = ["collect"]


def collect() -> tuple[Any, ...]:
    """Every Part 2 case, module by module."""
    cases: list[Any] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        cases.extend(getattr(module, "CASES", ()))
    return tuple(cases)
