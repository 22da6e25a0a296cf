"""The tap rule pack: the seeds' failure classes, enforced on synthesized templates.

One engine (:func:`tap.rules.engine.evaluate`) behind three doors: the CDK validation
plugin (:mod:`tap.rules.plugin`), the command line (``python -m tap.rules check``) and
the tests.
"""

from __future__ import annotations

from tap.rules.engine import Options, Report, evaluate, evaluate_paths
from tap.rules.finding import Finding, Violation
from tap.rules.model import InputError, load_path

__all__ = [
    "Finding",
    "InputError",
    "Options",
    "Report",
    "Violation",
    "evaluate",
    "evaluate_paths",
    "load_path",
]
