"""cfn-lint's knowledge read as data, without importing cfn-lint.

Importing any ``cfnlint`` module runs its package ``__init__``, which imports the linter
(sympy, networkx: ~0.4 s, see docs/benchmarks.md "Start-up"). Rules that only need one of its
data files or constants read them from the installed package's folder instead: the files are
the same, and so is the knowledge; only the import is saved.
"""

from __future__ import annotations

import ast
import importlib.util
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["cfnlint_constant", "cfnlint_file"]


@cache
def _package_dir() -> Path:
    spec = importlib.util.find_spec("cfnlint")  # a top-level spec imports nothing
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("cfn-lint is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def cfnlint_file(*parts: str) -> Path:
    """A file of the installed cfn-lint package, e.g.
    ``cfnlint_file("data", "AdditionalSpecs", "LmbdRuntimeLifecycle.json")``."""
    return _package_dir().joinpath(*parts)


@cache
def cfnlint_constant(module: str, name: str) -> Any:
    """The literal value of a module-level constant of cfn-lint (``frozenset([...])``,
    ``[...]``, ``{...}``), read from its source: ``cfnlint_constant("helpers",
    "TEMPLATED_PROPERTY_CFN_PATHS")``. Raises ``LookupError`` when it is not a literal there."""
    source = _package_dir().joinpath(*module.split(".")).with_suffix(".py")
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
        ):
            value = node.value
            if (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id in ("frozenset", "set", "tuple", "list")
                and len(value.args) == 1
            ):
                return {"frozenset": frozenset, "set": set, "tuple": tuple, "list": list}[
                    value.func.id
                ](ast.literal_eval(value.args[0]))
            return ast.literal_eval(value)
    raise LookupError(f"cfnlint.{module}.{name} is not a literal constant")
