"""Reports: the one place that turns findings into text, one module per format.

Each format module exposes ``render(report: Report, **options) -> str``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tap.rules.engine import Report

__all__ = ["FORMATS", "render"]

# format name → module under tap.reports (imported lazily: the plugin needs none of them)
FORMATS = {
    "text": "text",
    "json": "json_report",
    "markdown": "markdown",
    "sarif": "sarif",
}


def render(report: Report, fmt: str, **options: Any) -> str:
    """Render ``report`` in ``fmt`` (one of :data:`FORMATS`)."""
    module = importlib.import_module(f"tap.reports.{FORMATS[fmt]}")
    fn: Callable[..., str] = module.render
    return fn(report, **options)
