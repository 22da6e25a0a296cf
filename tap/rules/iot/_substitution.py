"""Find ``Fn::Sub`` variables CloudFormation cannot resolve, and escapes outside ``Fn::Sub``.

Works on the RAW template value: the resolver turns ``${!x}`` into ``${x}``, which hides
exactly the difference these rules are about.

CloudFormation's ``Fn::Sub`` resolves ``${Name}`` from the variable map, a template
parameter, a resource's logical id (``Ref``), ``LogicalId.Attribute`` (``Fn::GetAtt``) or a
pseudo parameter; any other name fails template validation, and ``${!Name}`` is the
escape that renders the literal ``${Name}``. In IoT resources the only other consumer of
``${...}`` is IoT itself (substitution templates, policy variables), so an unresolvable
name there is an IoT expression that lost its escape.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tap.rules.resolve import PSEUDO_PARAMETERS

__all__ = ["SubProblem", "iter_sub_problems"]

_VAR = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True, slots=True)
class SubProblem:
    path: str
    name: str
    escaped_outside_sub: bool
    """True for a ``${!name}`` in a plain string: IoT receives the ``!`` verbatim."""


def _defined(name: str, local: dict[str, Any], template: dict[str, Any]) -> bool:
    if name in local or name in PSEUDO_PARAMETERS:
        return True
    if name in (template.get("Parameters") or {}):
        return True
    resources = template.get("Resources") or {}
    if name in resources:
        return True
    head, dot, _ = name.partition(".")
    return bool(dot) and head in resources


def iter_sub_problems(value: Any, path: str, template: dict[str, Any]) -> Iterator[SubProblem]:
    """Unresolvable ``Fn::Sub`` variables and stray ``${!...}`` escapes under ``value``."""
    todo: list[tuple[Any, str]] = [(value, path)]
    while todo:
        node, where = todo.pop()
        if isinstance(node, dict):
            if len(node) == 1 and "Fn::Sub" in node:
                arg = node["Fn::Sub"]
                text, local = (arg, {}) if isinstance(arg, str) else (None, {})
                if isinstance(arg, list) and arg and isinstance(arg[0], str):
                    text = arg[0]
                    local = arg[1] if len(arg) > 1 and isinstance(arg[1], dict) else {}
                    todo.extend((v, f"{where}/Fn::Sub/1/{k}") for k, v in local.items())
                for m in _VAR.finditer(text or ""):
                    name = m.group(1)
                    if not name.startswith("!") and not _defined(name, local, template):
                        yield SubProblem(where, name, escaped_outside_sub=False)
                continue
            todo.extend((v, f"{where}/{k}") for k, v in node.items())
        elif isinstance(node, list):
            todo.extend((v, f"{where}/{i}") for i, v in enumerate(node))
        elif isinstance(node, str) and "${!" in node:
            for m in _VAR.finditer(node):
                if m.group(1).startswith("!"):
                    yield SubProblem(where, m.group(1)[1:], escaped_outside_sub=True)
