"""circular-dependency: no resource waits, through others, for itself.

CloudFormation orders resources by their ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub`` references
and their ``DependsOn``; a cycle among them fails validation before anything is created. The
edges are those of the engine's dependency graph (:mod:`tap.rules.graph`), built once per
stack; the cycles are its strongly connected components (Tarjan's algorithm, iterative,
linear in resources and edges). cfn-lint's E3004 finds the same cycles on the same edges with
networkx over its own parse of the template: reusing it would parse every template twice and
import cfn-lint and networkx on each run, for no extra knowledge. One finding per component,
on its first resource in template order, naming one cycle in order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.graph import Graph

__all__ = ["NoCircularDependency"]


class _Tarjan:
    """Tarjan's strongly connected components, iterative (no recursion limit)."""

    def __init__(self, order: list[str], graph: Graph) -> None:
        self.position = {lid: i for i, lid in enumerate(order)}
        self.graph = graph
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.on_stack: set[str] = set()
        self.stack: list[str] = []

    def _visit(self, lid: str) -> tuple[str, Iterator[str]]:
        self.index[lid] = self.low[lid] = len(self.index)
        self.stack.append(lid)
        self.on_stack.add(lid)
        # edge order does not change the components; members are sorted when yielded
        return lid, iter(self.graph.direct(lid))

    def _pop(self, node: str) -> list[str]:
        members = []
        while True:
            top = self.stack.pop()
            self.on_stack.discard(top)
            members.append(top)
            if top == node:
                return sorted(members, key=self.position.__getitem__)

    def components(self, root: str) -> Iterator[list[str]]:
        work = [self._visit(root)]
        while work:
            node, edges = work[-1]
            nxt = next((n for n in edges if n not in self.index or n in self.on_stack), None)
            if nxt is not None:
                if nxt in self.index:
                    self.low[node] = min(self.low[node], self.index[nxt])
                else:
                    work.append(self._visit(nxt))
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                self.low[parent] = min(self.low[parent], self.low[node])
            if self.low[node] == self.index[node]:
                yield self._pop(node)


def acyclic(order: list[str], graph: Graph) -> bool:
    """True when no resource waits for itself, even directly (Kahn's algorithm: peel off the
    resources nothing waits for until none is left). Most stacks are acyclic: this settles
    them at about half the cost of the components."""
    waiting = dict.fromkeys(order, 0)
    for lid in order:
        for target in graph.direct(lid):
            waiting[target] += 1
    free = [lid for lid, n in waiting.items() if n == 0]
    peeled = 0
    while free:
        lid = free.pop()
        peeled += 1
        for target in graph.direct(lid):
            waiting[target] -= 1
            if waiting[target] == 0:
                free.append(target)
    return peeled == len(waiting)


def strongly_connected(order: list[str], graph: Graph) -> Iterator[list[str]]:
    """Components of more than one resource, members in template order."""
    if acyclic(order, graph):
        return
    tarjan = _Tarjan(order, graph)
    for root in order:
        if root not in tarjan.index:
            yield from (c for c in tarjan.components(root) if len(c) > 1)


def shortest_cycle(start: str, members: set[str], graph: Graph) -> list[str]:
    """A shortest cycle through ``start`` inside its component: [start, ..., start]."""
    parent: dict[str, str] = {}
    todo = deque([start])
    while todo:
        cur = todo.popleft()
        for nxt in sorted(graph.direct(cur)):
            if nxt not in members:
                continue
            if nxt == start:
                path = [cur]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if nxt not in parent:
                parent[nxt] = cur
                todo.append(nxt)
    return [start, start]


def reference_path(raw: dict[str, Any], target: str) -> str:
    """Where a resource's definition refers to ``target`` (first hit), as a property path."""
    depends: Any = raw.get("DependsOn")
    if target in (depends if isinstance(depends, list) else [depends]):
        return "DependsOn"
    todo: list[tuple[Any, str]] = [(raw.get(k), k) for k in raw if k != "DependsOn"]
    while todo:
        value, path = todo.pop(0)
        if isinstance(value, dict):
            if len(value) == 1:
                key, arg = next(iter(value.items()))
                if key == "Ref" and arg == target:
                    return path
                if key == "Fn::GetAtt" and (
                    (isinstance(arg, list) and arg and arg[0] == target)
                    or (isinstance(arg, str) and arg.split(".", 1)[0] == target)
                ):
                    return path
                if key == "Fn::Sub":
                    text = arg[0] if isinstance(arg, list) and arg else arg
                    if isinstance(text, str) and (
                        "${" + target + "}" in text or "${" + target + "." in text
                    ):
                        return path
            todo.extend((v, f"{path}/{k}") for k, v in value.items())
        elif isinstance(value, list):
            todo.extend((v, f"{path}/{i}") for i, v in enumerate(value))
    return "Properties"


def _fn_path(path: str) -> str:
    # intrinsic keys are not property names: stop the path at the property holding them
    parts = path.split("/")
    for i, part in enumerate(parts):
        if part.startswith("Fn::") or part == "Ref":
            return "/".join(parts[:i])
    return path


class NoCircularDependency(Rule):
    """Resources do not depend on themselves through references and DependsOn."""

    id = "TAP-CFN-20"
    slug = "circular-dependency"
    severity = "error"
    title = "Resources have no circular dependency"
    explanation = (
        "Why: CloudFormation creates a resource after everything it references (Ref, "
        "Fn::GetAtt, Fn::Sub) or names in DependsOn; a cycle has no order, and the template "
        "fails validation: 'Circular dependency between resources: [A, B, C]' (AWS "
        "CloudFormation User Guide, 'DependsOn attribute' and 'Troubleshooting "
        "CloudFormation': circular dependency errors)."
    )
    fix = (
        "In CDK: break one edge of the cycle: pass a value at run time instead of a reference "
        "(a Lambda trigger reads the user pool id from its event, not from an environment "
        'variable), build an ARN from a literal name (f"arn:{Aws.PARTITION}:...:{name}") '
        "instead of resource.attr_arn, or move the policy/permission that closes the loop into "
        "its own resource (iam.Policy, CfnPermission) and drop an add_dependency."
    )

    def check_stack(self, ctx: Context) -> Iterable[Violation]:
        order = list(ctx.stack.resources)
        graph = ctx.graph
        for members in strongly_connected(order, graph):
            start = members[0]
            cycle = shortest_cycle(start, set(members), graph)
            res = ctx.resource(start)
            path = reference_path(res.raw, cycle[1]) if res is not None else "Properties"
            others = [m for m in members if m not in cycle]
            also = (
                f"; {len(others)} more resources in the same loop: {', '.join(others)}"
                if others
                else ""
            )
            yield self.violation(
                start,
                _fn_path(path),
                f"circular dependency: {' → '.join(cycle)}{also}",
            )
