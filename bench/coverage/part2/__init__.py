"""The failure catalogue of RULES-SPEC Part 2: deploy-time failures that CDK users reported.

One module per class slug (``schedule_expression.py`` for ``schedule-expression``), each with a
``CASES`` tuple of :class:`bench.coverage.cases.Case`; this package collects them in module
name order, so ``bench/coverage/cases.py``'s ``CASES`` holds Parts 1 and 2 alike.
"""

from __future__ import annotations

import importlib
import pkgutil

__all__ = ["PART2_CASES"]


def _collect() -> tuple:
    cases: list = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        cases.extend(getattr(module, "CASES", ()))
    return tuple(cases)


PART2_CASES = _collect()
