"""cfn-lint's knowledge read as data, without importing cfn-lint.

Importing any ``cfnlint`` module runs its package ``__init__``, which imports the linter
(sympy, networkx: ~0.4 s, see docs/benchmarks.md "Start-up"). Rules that only need one of its
data files or constants read them from the installed package's folder instead: the files are
the same, and so is the knowledge; only the import is saved.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["cfnlint_assignment", "cfnlint_constant", "cfnlint_file"]


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
def _module_source(module: str) -> str:
    return cfnlint_file(*module.split(".")).with_suffix(".py").read_text(encoding="utf-8")


def cfnlint_assignment(module: str, name: str) -> ast.expr:
    """The expression assigned to ``name`` at the top level of cfn-lint's ``module`` (its
    source parsed, never imported). Raises ``LookupError`` when there is none.

    Only that statement is parsed when it can be cut out of the source (its first line at
    column 0, then its indented or closing lines): ~10x cheaper than parsing the module."""
    source = _module_source(module)
    body: list[ast.stmt] = []
    match = re.search(rf"^{re.escape(name)}\s*[:=]", source, re.MULTILINE)
    if match:
        lines = source[match.start() :].split("\n")
        end = 1
        while end < len(lines) and (lines[end][:1] in (" ", "\t", ")", "]", "}") or not lines[end]):
            end += 1
        try:
            body = ast.parse("\n".join(lines[:end])).body
        except SyntaxError:
            body = []
    if not body:
        body = ast.parse(source, filename=module).body
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == name:
            return value
    raise LookupError(f"cfnlint.{module}.{name} is not assigned at top level")


@cache
def cfnlint_constant(module: str, name: str) -> Any:
    """The literal value of a module-level constant of cfn-lint (``frozenset([...])``,
    ``[...]``, ``{...}``), read from its source: ``cfnlint_constant("helpers",
    "TEMPLATED_PROPERTY_CFN_PATHS")``. Raises ``LookupError`` when it is not a literal there."""
    value = cfnlint_assignment(module, name)
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in ("frozenset", "set", "tuple", "list")
        and len(value.args) == 1
    ):
        return {"frozenset": frozenset, "set": set, "tuple": tuple, "list": list}[value.func.id](
            ast.literal_eval(value.args[0])
        )
    try:
        return ast.literal_eval(value)
    except ValueError as exc:
        raise LookupError(f"cfnlint.{module}.{name} is not a literal constant") from exc
