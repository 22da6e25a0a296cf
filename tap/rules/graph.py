"""Reference and dependency graph of one template.

An edge ``a → b`` means CloudFormation creates ``b`` before ``a``: ``a`` references ``b``
(``Ref``, ``Fn::GetAtt``, ``Fn::Sub``) or names it in ``DependsOn``. Built once per stack,
linear in the template's size.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property
from typing import TYPE_CHECKING

from tap.rules.resolve import reference_set

if TYPE_CHECKING:
    from tap.rules.model import StackTemplate

__all__ = ["Graph"]

_NONE: set[str] = set()


class Graph:
    def __init__(self, stack: StackTemplate) -> None:
        resources = stack.resources
        self.references: dict[str, set[str]] = {}
        self.explicit: dict[str, set[str]] = {}
        self._direct: dict[str, set[str]] = {}
        for lid, res in resources.items():
            found = reference_set(res.raw)
            found.discard(lid)
            refs = {r for r in found if r in resources}
            deps = {d for d in res.depends_on if d in resources}
            self.references[lid] = refs
            self.explicit[lid] = deps
            self._direct[lid] = refs | deps if deps else refs
        self._closure: dict[str, frozenset[str]] = {}

    @cached_property
    def referenced_by(self) -> dict[str, set[str]]:
        """Resource → the resources that reference or depend on it directly."""
        users: dict[str, set[str]] = defaultdict(set)
        for lid, targets in self._direct.items():
            for target in targets:
                users[target].add(lid)
        return users

    def direct(self, lid: str) -> set[str]:
        """Resources ``lid`` waits for directly (references and ``DependsOn``); the set is
        the graph's own: read it, do not change it."""
        return self._direct.get(lid, _NONE)

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
