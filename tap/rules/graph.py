"""Reference and dependency graph of one template.

An edge ``a → b`` means CloudFormation creates ``b`` before ``a``: ``a`` references ``b``
(``Ref``, ``Fn::GetAtt``, ``Fn::Sub``) or names it in ``DependsOn``. Built once per stack,
linear in the template's size.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from tap.rules.resolve import iter_references

if TYPE_CHECKING:
    from tap.rules.model import StackTemplate

__all__ = ["Graph"]


class Graph:
    def __init__(self, stack: StackTemplate) -> None:
        resources = stack.resources
        self.references: dict[str, set[str]] = {}
        self.explicit: dict[str, set[str]] = {}
        self.referenced_by: dict[str, set[str]] = defaultdict(set)
        for lid, res in resources.items():
            refs = {r for r in iter_references(res.raw) if r in resources and r != lid}
            deps = {d for d in res.depends_on if d in resources}
            self.references[lid] = refs
            self.explicit[lid] = deps
            for target in refs | deps:
                self.referenced_by[target].add(lid)
        self._closure: dict[str, frozenset[str]] = {}

    def direct(self, lid: str) -> set[str]:
        """Resources ``lid`` waits for directly (references and ``DependsOn``)."""
        return self.references.get(lid, set()) | self.explicit.get(lid, set())

    def ancestors(self, lid: str) -> frozenset[str]:
        """Every resource created before ``lid`` (transitive), memoized."""
        if lid in self._closure:
            return self._closure[lid]
        seen: set[str] = set()
        todo = list(self.direct(lid))
        while todo:
            cur = todo.pop()
            if cur in seen:
                continue
            seen.add(cur)
            if cur in self._closure:
                seen |= self._closure[cur]
                continue
            todo.extend(self.direct(cur))
        result = frozenset(seen)
        self._closure[lid] = result
        return result

    def depends_on(self, lid: str, other: str) -> bool:
        """True when CloudFormation creates ``other`` before ``lid``."""
        return other in self.ancestors(lid)

    def users_of(self, lid: str) -> set[str]:
        """Resources that reference or depend on ``lid`` directly."""
        return self.referenced_by.get(lid, set())
