"""Build hook of the ``tap-rules`` distribution; the metadata are in pyproject.toml.

The wheel ships the rule pack only. ``pyproject.toml`` selects its packages (``tap``,
``tap.rules*``, ``tap.reports*``); this hook also leaves out the pipeline's own modules that
sit in the ``tap`` package itself (``tap/config.py``, ``props.py``, ``stack.py``): they import
``tap.pipeline``, which does not ship, so a shipped copy could only fail on import.
"""

from __future__ import annotations

from typing import Any

from setuptools import setup
from setuptools.command.build_py import build_py

PIPELINE_MODULES = frozenset({"config", "props", "stack"})


class BuildRulePackOnly(build_py):
    """``build_py`` without the pipeline modules of the top-level ``tap`` package."""

    def find_package_modules(self, package: str, package_dir: str) -> Any:
        modules = super().find_package_modules(package, package_dir)
        if package != "tap":
            return modules
        return [m for m in modules if m[1] not in PIPELINE_MODULES]


setup(cmdclass={"build_py": BuildRulePackOnly})
