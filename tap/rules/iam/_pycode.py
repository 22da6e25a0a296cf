"""Find the AWS SDK calls of a Python Lambda asset, by parsing (never importing) its code.

A small flow-insensitive points-to analysis over the ``.py`` files of the asset (given the
function's ``Handler``: only its module and the asset modules it reaches by imports, see
:func:`find_sdk_calls`): values
are SDK objects (``boto3`` module, sessions, clients, resources, collections), functions,
classes and their instances, tuples, dicts and string constants. Assignments, returns,
call arguments (to functions, constructors and methods of the asset, across modules),
``self.x`` attributes, module-level dicts and lazy getters all propagate values; the
analysis repeats until nothing new is learned. A method call on a client or resource is
recorded as an SDK call at its ``file:line``; calls on anything not known to be an SDK
object are ignored (unknown receivers stay silent).

Import styles: ``import boto3``, ``import boto3 as b``, ``import boto3.session``,
``from boto3 import client, resource, Session``, ``from boto3.session import Session``,
``boto3.session.Session().client(...)``, ``boto3.Session(...).resource(...)``, and the
asset's own modules (``import store``, ``from store import Store``, relative imports).

Code nested too deeply for the parser or for this (recursive) analysis raises
:class:`CodeNotAnalysed` with the file's name; callers treat it as "not judged".

Start-up (issue 10): parsing and analysing the handlers of a stack costs ~0.15 s and the
client models need botocore's session (~0.2 s to import), in every process. An analysis is
kept on disk (:mod:`tap.rules.common.cache`) by a digest of the asset's paths and sources,
under a version key of this module's and ``_boto``'s source and the botocore/boto3
versions: an unchanged asset is neither parsed nor mapped again.
"""

from __future__ import annotations

import ast
import hashlib
import os
import warnings
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tap.rules.common.cache import DiskCache, code_cache
from tap.rules.iam import _boto

__all__ = [
    "CodeNotAnalysed",
    "SdkCall",
    "find_sdk_calls",
    "find_sdk_calls_in_sources",
    "handler_module",
    "read_sources",
]

Value = tuple[Any, ...]
Key = tuple[Any, ...]

MAX_ROUNDS = 12
MAX_FILES = 400
MAX_FILE_BYTES = 1_000_000
MAX_WALK_ENTRIES = 50_000
MAX_DEPTH = 32

_COLLECTION_METHODS = {"all", "filter", "limit", "page_size"}


@dataclass(frozen=True, slots=True)
class SdkCall:
    """One SDK call: ``service`` (botocore name) and the operations it performs."""

    file: str
    line: int
    service: str
    method: str
    operations: tuple[str, ...]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class _Func:
    mod: str
    qual: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    cls: str | None  # qualname of the class when a method
    locals: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)
    parent: str | None = None  # qualname of the enclosing function

    @property
    def params(self) -> list[str]:
        a = self.node.args
        return [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]

    @property
    def kind(self) -> str:
        for dec in self.node.decorator_list:
            if isinstance(dec, ast.Name) and dec.id in ("staticmethod", "classmethod"):
                return dec.id
        return "method" if self.cls else "function"


@dataclass
class _Class:
    mod: str
    qual: str
    node: ast.ClassDef
    methods: dict[str, str] = field(default_factory=dict)  # name → function qualname


@dataclass
class _Unit:
    mod: str
    body: list[ast.stmt]
    func: _Func | None = None
    cls: _Class | None = None


class _Analysis:
    def __init__(self, files: dict[str, ast.Module]) -> None:
        self.modules = files  # module name → tree
        self.paths: dict[str, str] = {}
        self.env: dict[Key, set[Value]] = defaultdict(set)
        self.funcs: dict[tuple[str, str], _Func] = {}
        self.classes: dict[tuple[str, str], _Class] = {}
        self.units: list[_Unit] = []
        self.calls: set[SdkCall] = set()
        self.changed = False
        self.unit: _Unit | None = None

    # -- setup ------------------------------------------------------------------------

    def collect(self) -> None:
        for mod, tree in self.modules.items():
            self.units.append(_Unit(mod, tree.body))
            self._collect_body(mod, tree.body, prefix="", cls=None, parent=None)
        for fn in self.funcs.values():
            if fn.kind == "method" and fn.params:
                self.env[("l", fn.mod, fn.qual, fn.params[0])].add(("inst", fn.mod, fn.cls))
            elif fn.kind == "classmethod" and fn.params:
                self.env[("l", fn.mod, fn.qual, fn.params[0])].add(("class", fn.mod, fn.cls))

    def _collect_body(
        self, mod: str, body: list[ast.stmt], prefix: str, cls: _Class | None, parent: str | None
    ) -> None:
        for node in _walk_defs(body):
            qual = prefix + node.name
            if isinstance(node, ast.ClassDef):
                c = _Class(mod, qual, node)
                self.classes[(mod, qual)] = c
                self.units.append(_Unit(mod, node.body, cls=c))
                self._collect_body(mod, node.body, qual + ".", c, parent)
            else:
                fn = _Func(mod, qual, node, cls.qual if cls else None, parent=parent)
                _scan_scope(fn)
                self.funcs[(mod, qual)] = fn
                if cls is not None:
                    cls.methods[node.name] = qual
                self.units.append(_Unit(mod, node.body, func=fn))
                self._collect_body(mod, node.body, qual + ".", None, qual)

    # -- environment --------------------------------------------------------------------

    def add(self, key: Key, values: Iterable[Value]) -> None:
        target = self.env[key]
        before = len(target)
        target.update(values)
        if len(target) != before:
            self.changed = True

    def name_key(self, name: str, unit: _Unit) -> Key:
        fn = unit.func
        while fn is not None:
            if name in fn.globals:
                break
            if name in fn.locals:
                return ("l", fn.mod, fn.qual, name)
            fn = self.funcs.get((fn.mod, fn.parent)) if fn.parent else None
        if unit.cls is not None and unit.func is None:
            if any(_assigns(s, name) for s in unit.cls.node.body):
                return ("attr", unit.mod, unit.cls.qual, name)
        return ("g", unit.mod, name)

    def lookup(self, name: str, unit: _Unit) -> set[Value]:
        return self.env.get(self.name_key(name, unit), set())

    # -- the fixed point ----------------------------------------------------------------

    def run(self) -> None:
        self.collect()
        for _ in range(MAX_ROUNDS):
            self.changed = False
            for unit in self.units:
                self.unit = unit
                self.stmts(unit.body)
            if not self.changed:
                break

    # -- statements ---------------------------------------------------------------------

    def stmts(self, body: list[ast.stmt]) -> None:
        for st in body:
            self.stmt(st)

    def stmt(self, st: ast.stmt) -> None:  # noqa: C901 - one branch per statement kind
        unit = self.unit
        assert unit is not None
        if isinstance(st, ast.Assign):
            vals = self.eval(st.value)
            for t in st.targets:
                self.assign(t, vals)
        elif isinstance(st, ast.AnnAssign) and st.value is not None:
            self.assign(st.target, self.eval(st.value))
        elif isinstance(st, ast.AugAssign):
            self.eval(st.value)
        elif isinstance(st, ast.Expr):
            self.eval(st.value)
        elif isinstance(st, ast.Return) and st.value is not None:
            vals = self.eval(st.value)
            if unit.func is not None:
                self.add(("ret", unit.mod, unit.func.qual), vals)
        elif isinstance(st, ast.For | ast.AsyncFor):
            self.assign(st.target, self.iterate(self.eval(st.iter), st.iter))
            self.stmts(st.body)
            self.stmts(st.orelse)
        elif isinstance(st, ast.With | ast.AsyncWith):
            for item in st.items:
                vals = self.eval(item.context_expr)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, vals)
            self.stmts(st.body)
        elif isinstance(st, ast.If | ast.While):
            self.eval(st.test)
            self.stmts(st.body)
            self.stmts(st.orelse)
        elif isinstance(st, ast.Try | ast.TryStar):
            self.stmts(st.body)
            for h in st.handlers:
                self.stmts(h.body)
            self.stmts(st.orelse)
            self.stmts(st.finalbody)
        elif isinstance(st, ast.Match):
            self.eval(st.subject)
            for case in st.cases:
                self.stmts(case.body)
        elif isinstance(st, ast.Import):
            for alias in st.names:
                self.import_module(alias.name, alias.asname)
        elif isinstance(st, ast.ImportFrom):
            self.import_from(st)
        elif isinstance(st, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            self.bind_def(st)

    def bind_def(self, st: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        unit = self.unit
        assert unit is not None
        prefix = ""
        if unit.func is not None:
            prefix = unit.func.qual + "."
        elif unit.cls is not None:
            prefix = unit.cls.qual + "."
        qual = prefix + st.name
        kind = "class" if isinstance(st, ast.ClassDef) else "func"
        if unit.cls is not None and unit.func is None:
            return  # methods are reached through the class
        self.add(self.name_key(st.name, unit), {(kind, unit.mod, qual)})

    def import_module(self, name: str, asname: str | None) -> None:
        unit = self.unit
        assert unit is not None
        top = name.split(".", 1)[0]
        if top == "boto3":
            value: Value = ("boto3",)
            if asname and name == "boto3.session":
                value = ("boto3.session",)
            self.add(self.name_key(asname or "boto3", unit), {value})
        elif name in self.modules:
            bound = name if asname else top
            self.add(self.name_key(asname or top, unit), {("module", bound)})

    def import_from(self, st: ast.ImportFrom) -> None:
        unit = self.unit
        assert unit is not None
        base = st.module or ""
        if st.level:
            parts = unit.mod.split(".")
            is_pkg = self.paths.get(unit.mod, "").endswith("__init__.py")
            keep = len(parts) - st.level + (1 if is_pkg else 0)
            base = ".".join([*parts[: max(keep, 0)], *([base] if base else [])])
        for alias in st.names:
            local = alias.asname or alias.name
            key = self.name_key(local, unit)
            if base == "boto3":
                if alias.name in ("client", "resource"):
                    self.add(key, {("boto3.fn", alias.name)})
                elif alias.name == "Session":
                    self.add(key, {("SessionClass",)})
                elif alias.name == "session":
                    self.add(key, {("boto3.session",)})
            elif base == "boto3.session" and alias.name == "Session":
                self.add(key, {("SessionClass",)})
            elif f"{base}.{alias.name}".strip(".") in self.modules:
                self.add(key, {("module", f"{base}.{alias.name}".strip("."))})
            elif base in self.modules:
                self.add(key, set(self.env.get(("g", base, alias.name), set())))

    # -- assignment targets -------------------------------------------------------------

    def assign(self, target: ast.expr, vals: set[Value]) -> None:
        unit = self.unit
        assert unit is not None
        if isinstance(target, ast.Name):
            self.add(self.name_key(target.id, unit), vals)
        elif isinstance(target, ast.Tuple | ast.List):
            for i, elt in enumerate(target.elts):
                if isinstance(elt, ast.Starred):
                    continue
                part: set[Value] = set()
                for v in vals:
                    if v[0] == "tuple" and i < len(v[1]):
                        part |= v[1][i]
                self.assign(elt, part)
        elif isinstance(target, ast.Attribute):
            for key in self.attr_keys(self.eval(target.value), target.attr):
                self.add(key, vals)
        elif isinstance(target, ast.Subscript):
            if isinstance(target.value, ast.Name):
                self.add(("sub",) + self.name_key(target.value.id, unit), vals)
            self.eval(target.slice)

    def attr_keys(self, receivers: set[Value], attr: str) -> list[Key]:
        keys = [("attr", v[1], v[2], attr) for v in receivers if v[0] in ("inst", "class")]
        return keys or [("field", attr)]

    # -- expressions --------------------------------------------------------------------

    def iterate(self, vals: set[Value], node: ast.expr) -> set[Value]:
        out: set[Value] = set()
        for v in vals:
            if v[0] == "tuple":
                for part in v[1]:
                    out |= part
            elif v[0] == "collection":
                if not isinstance(node, ast.Call):  # a called collection recorded itself
                    self.record(node, v[1], "__iter__", (v[3],))
                out.add(("resource", v[1], v[2]))
        return out

    def eval(self, node: ast.expr | None) -> set[Value]:  # noqa: C901 - one branch per kind
        if node is None:
            return set()
        unit = self.unit
        assert unit is not None
        if isinstance(node, ast.Name):
            return set(self.lookup(node.id, unit))
        if isinstance(node, ast.Constant):
            return {("str", node.value)} if isinstance(node.value, str) else set()
        if isinstance(node, ast.Attribute):
            return self.attribute(self.eval(node.value), node.attr)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Tuple | ast.List):
            parts = tuple(frozenset(self.eval(e)) for e in node.elts)
            return {("tuple", parts)}
        if isinstance(node, ast.Dict):
            items = tuple(
                (
                    k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None,
                    frozenset(self.eval(v)),
                )
                for k, v in zip(node.keys, node.values, strict=True)
            )
            return {("dict", items)}
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.IfExp):
            self.eval(node.test)
            return self.eval(node.body) | self.eval(node.orelse)
        if isinstance(node, ast.BoolOp):
            out: set[Value] = set()
            for v in node.values:
                out |= self.eval(v)
            return out
        if isinstance(node, ast.NamedExpr):
            vals = self.eval(node.value)
            self.assign(node.target, vals)
            return vals
        if isinstance(node, ast.Await | ast.Starred):
            return self.eval(node.value)
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            for gen in node.generators:
                self.assign(gen.target, self.iterate(self.eval(gen.iter), gen.iter))
                for cond in gen.ifs:
                    self.eval(cond)
            if isinstance(node, ast.DictComp):
                self.eval(node.key)
                return {("dict", ((None, frozenset(self.eval(node.value))),))}
            return {("tuple", (frozenset(self.eval(node.elt)),))}
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.eval(child)
        return set()

    def subscript(self, node: ast.Subscript) -> set[Value]:
        unit = self.unit
        assert unit is not None
        base = self.eval(node.value)
        self.eval(node.slice)
        key = node.slice.value if isinstance(node.slice, ast.Constant) else None
        out: set[Value] = set()
        if isinstance(node.value, ast.Name):
            out |= self.env.get(("sub",) + self.name_key(node.value.id, unit), set())
        for v in base:
            if v[0] == "dict":
                for k, vals in v[1]:
                    if key is None or k is None or k == key:
                        out |= vals
            elif v[0] == "tuple":
                if isinstance(key, int) and -len(v[1]) <= key < len(v[1]):
                    out |= v[1][key]
                elif not isinstance(key, int):
                    for part in v[1]:
                        out |= part
        return out

    def attribute(self, receivers: set[Value], attr: str) -> set[Value]:  # noqa: C901
        out: set[Value] = set()
        known = False
        for v in receivers:
            kind = v[0]
            if kind == "boto3":
                known = True
                if attr in ("client", "resource"):
                    out.add(("boto3.fn", attr))
                elif attr == "session":
                    out.add(("boto3.session",))
                elif attr == "Session":
                    out.add(("SessionClass",))
            elif kind == "boto3.session":
                known = True
                if attr == "Session":
                    out.add(("SessionClass",))
            elif kind == "session":
                known = True
                if attr in ("client", "resource"):
                    out.add(("session.fn", attr))
            elif kind == "client":
                known = True
                if attr not in ("meta", "exceptions"):
                    out.add(("method", "client", v[1], attr))
            elif kind == "resource":
                known = True
                out |= self.resource_attr(v, attr)
            elif kind == "meta":
                known = True
                if attr == "client":
                    out.add(("client", v[1]))
            elif kind == "collection":
                known = True
                if attr in _COLLECTION_METHODS:
                    out.add(("collmethod",) + v[1:])
                elif attr in v[4]:
                    out.add(("batchaction", v[1], v[4][attr]))
            elif kind == "batch_writer":
                known = True
            elif kind in ("inst", "class"):
                known = True
                out |= self.member(v[1], v[2], attr, bound=kind == "inst")
            elif kind == "module":
                known = True
                out |= self.env.get(("g", v[1], attr), set())
                sub = f"{v[1]}.{attr}"
                if sub in self.modules:
                    out.add(("module", sub))
            elif kind == "dict" and attr in ("get", "setdefault"):
                known = True
                out.add(("dictget", v[1]))
        if not known:
            out |= self.env.get(("field", attr), set())
        return out

    def resource_attr(self, v: Value, attr: str) -> set[Value]:
        model = _boto.ResourceModel(v[1], v[2])
        if attr == "meta":
            return {("meta", v[1])}
        sub = model.sub_resource(attr)
        if sub is not None:
            return {("resmaker", v[1], sub.name)}
        coll = model.collection(attr)
        if coll is not None:
            op, batch, item = coll
            return {("collection", v[1], item, op, _FrozenDict(batch))}
        return {("method", "resource", v[1], v[2], attr)}

    def member(self, mod: str, cls: str, attr: str, *, bound: bool) -> set[Value]:
        out: set[Value] = set()
        seen: set[tuple[str, str]] = set()
        todo = [(mod, cls)]
        while todo:
            m, c = todo.pop()
            if (m, c) in seen or (m, c) not in self.classes:
                continue
            seen.add((m, c))
            klass = self.classes[(m, c)]
            out |= self.env.get(("attr", m, c, attr), set())
            if attr in klass.methods:
                qual = klass.methods[attr]
                out.add(("bound", m, qual, mod, cls) if bound else ("func", m, qual))
            for base in klass.node.bases:
                for b in self.eval(base):
                    if b[0] == "class":
                        todo.append((b[1], b[2]))
        return out

    # -- calls --------------------------------------------------------------------------

    def call(self, node: ast.Call) -> set[Value]:  # noqa: C901 - one branch per callee kind
        funcs = self.eval(node.func)
        args = [self.eval(a) for a in node.args]
        kwargs = {k.arg: self.eval(k.value) for k in node.keywords if k.arg}
        for k in node.keywords:
            if not k.arg:
                self.eval(k.value)
        out: set[Value] = set()
        for f in funcs:
            kind = f[0]
            if kind in ("boto3.fn", "session.fn"):
                names = args[0] if args else kwargs.get("service_name", set())
                for s in names:
                    if s[0] == "str" and _boto.known_service(s[1]):
                        out.add(("client", s[1]) if f[1] == "client" else ("resource", s[1], None))
            elif kind == "SessionClass":
                out.add(("session",))
            elif kind == "method":
                out |= self.sdk_method(node, f, args, kwargs)
            elif kind == "resmaker":
                out.add(("resource", f[1], f[2]))
            elif kind == "collmethod":
                self.record(node, f[1], _attr_name(node), (f[3],))
                out.add(("collection",) + f[1:])
            elif kind == "batchaction":
                self.record(node, f[1], _attr_name(node), (f[2],))
            elif kind == "func":
                out |= self.invoke(f[1], f[2], args, kwargs, self_value=None)
            elif kind == "bound":
                out |= self.invoke(f[1], f[2], args, kwargs, self_value=("inst", f[3], f[4]))
            elif kind == "class":
                init = self.member(f[1], f[2], "__init__", bound=True)
                for i in init:
                    if i[0] == "bound":
                        self.invoke(i[1], i[2], args, kwargs, self_value=("inst", f[1], f[2]))
                out.add(("inst", f[1], f[2]))
            elif kind == "dictget":
                key = _const(node.args[0]) if node.args else None
                for k, vals in f[1]:
                    if key is None or k is None or k == key:
                        out |= vals
                if len(args) > 1:
                    out |= args[1]
        return out

    def invoke(
        self,
        mod: str,
        qual: str,
        args: list[set[Value]],
        kwargs: dict[str, set[Value]],
        *,
        self_value: Value | None,
    ) -> set[Value]:
        fn = self.funcs.get((mod, qual))
        if fn is None:
            return set()
        params = fn.params
        if self_value is not None and fn.kind == "method":
            params = params[1:]
        elif fn.kind == "classmethod":
            params = params[1:]
        for name, vals in zip(params, args, strict=False):
            self.add(("l", mod, qual, name), vals)
        for name, vals in kwargs.items():
            if name in fn.params:
                self.add(("l", mod, qual, name), vals)
        return set(self.env.get(("ret", mod, qual), set()))

    def sdk_method(
        self, node: ast.Call, f: Value, args: list[set[Value]], kwargs: dict[str, set[Value]]
    ) -> set[Value]:
        if f[1] == "client":
            self.client_method(node, f[2], f[3], args, kwargs)
            return set()
        _, _, service, resname, method = f
        if method == "batch_writer":
            self.record(node, service, method, ("BatchWriteItem",))
            return {("batch_writer", service)}
        if method in _boto.CLIENT_HELPERS:
            ops = _boto.CLIENT_HELPERS[method]
            if ops and service == "s3":
                self.record(node, service, method, ops)
            return set()
        op = _boto.ResourceModel(service, resname).action_operation(method)
        if op:
            self.record(node, service, method, (op,))
        return set()

    def client_method(
        self,
        node: ast.Call,
        service: str,
        method: str,
        args: list[set[Value]],
        kwargs: dict[str, set[Value]],
    ) -> None:
        lookups = {
            "get_paginator": ("operation_name", _boto.paginator_operation),
            "get_waiter": ("waiter_name", _boto.waiter_operation),
        }
        if method in lookups:
            kw, find = lookups[method]
            for name in _strs(args[0] if args else kwargs.get(kw, set())):
                op = find(service, name)
                if op:
                    self.record(node, service, method, (op,))
            return
        if method in _boto.CLIENT_HELPERS:
            ops = _boto.CLIENT_HELPERS[method]
            if ops and service == "s3":
                self.record(node, service, method, ops)
            return
        op = _boto.client_operation(service, method)
        if op:
            self.record(node, service, method, (op,))

    def record(self, node: ast.expr, service: str, method: str, ops: tuple[str, ...]) -> None:
        unit = self.unit
        assert unit is not None
        self.calls.add(
            SdkCall(self.paths.get(unit.mod, unit.mod), node.lineno, service, method, ops)
        )


class _FrozenDict(dict[str, str]):
    """A hashable mapping (batch actions of a collection)."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))


def _walk_defs(
    body: list[ast.stmt],
) -> Iterable[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    """Definitions directly in a body, including those nested in if/try/with blocks."""
    for st in body:
        if isinstance(st, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield st
        elif isinstance(st, ast.If | ast.Try | ast.TryStar | ast.With | ast.AsyncWith):
            for sub in ("body", "orelse", "finalbody"):
                yield from _walk_defs(getattr(st, sub, []) or [])
            for h in getattr(st, "handlers", []) or []:
                yield from _walk_defs(h.body)


def _scan_scope(fn: _Func) -> None:
    """Names local to a function: parameters and names it binds (not declared global)."""
    fn.locals.update(fn.params)
    a = fn.node.args
    fn.locals.update(p.arg for p in (a.vararg, a.kwarg) if p is not None)
    todo: list[ast.AST] = list(fn.node.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Global | ast.Nonlocal):
            fn.globals.update(node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            fn.locals.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            fn.locals.add(node.name)
            continue
        elif isinstance(node, ast.Import | ast.ImportFrom):
            fn.locals.update((al.asname or al.name).split(".")[0] for al in node.names)
        elif isinstance(node, ast.Lambda):
            continue
        todo.extend(ast.iter_child_nodes(node))
    fn.locals -= fn.globals


def _assigns(st: ast.stmt, name: str) -> bool:
    if isinstance(st, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in st.targets)
    if isinstance(st, ast.AnnAssign):
        return isinstance(st.target, ast.Name) and st.target.id == name
    return False


def _const(node: ast.expr) -> Any:
    return node.value if isinstance(node, ast.Constant) else None


def _strs(vals: set[Value]) -> list[str]:
    return [v[1] for v in vals if v[0] == "str"]


def _attr_name(node: ast.Call) -> str:
    return node.func.attr if isinstance(node.func, ast.Attribute) else "?"


def _module_name(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def read_sources(root: Path) -> dict[str, str]:
    """The ``.py`` files under ``root`` (``{relative path: source}``), vendored packages,
    hidden folders and ``__pycache__`` left out, bounded in count and size."""
    vendored = {p.name.split("-", 1)[0] for p in root.glob("*.dist-info")}
    sources: dict[str, str] = {}
    for path in _python_files(root):
        rel = path.relative_to(root)
        if len(rel.parts) > 1 and (
            rel.parts[0] in vendored
            or any(p.startswith(".") or p == "__pycache__" for p in rel.parts[:-1])
        ):
            continue
        try:
            if path.is_symlink() or path.stat().st_size > MAX_FILE_BYTES:
                continue
            sources[rel.as_posix()] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if len(sources) >= MAX_FILES:
            break
    return sources


def _python_files(root: Path) -> list[Path]:
    """The ``.py`` files under ``root``, sorted; the walk never follows symbolic links and
    stops after :data:`MAX_WALK_ENTRIES` directory entries or :data:`MAX_DEPTH` levels."""
    found: list[Path] = []
    seen = 0
    for folder, dirs, files in os.walk(root, followlinks=False):
        depth = len(Path(folder).relative_to(root).parts)
        seen += len(dirs) + len(files)
        if seen > MAX_WALK_ENTRIES:
            break
        if depth >= MAX_DEPTH:
            dirs[:] = []
        found.extend(Path(folder) / f for f in files if f.endswith(".py"))
    return sorted(found)


def find_sdk_calls(root: Path, handler: str | None = None) -> list[SdkCall]:
    """The AWS SDK calls in the ``.py`` files under ``root``, sorted by place.

    With ``handler`` (the function's ``Handler``, ``app.handler`` or ``src/app.handler``)
    only the handler's module and the asset modules it imports, transitively, count: one
    asset folder is often shared by several functions, and each runs only its own module
    and what that imports. A handler module that is not in the asset gives no calls.
    Raises :class:`CodeNotAnalysed` when the code is nested too deeply to analyse.
    """
    return find_sdk_calls_in_sources(read_sources(root), handler)


class CodeNotAnalysed(Exception):
    """The code could not be analysed (nesting too deep for the parser or the analysis)."""


# Analyses by source content: stacks copied from one construct (and functions sharing one
# asset) stage the same code, which is then parsed and analysed once per process. The key
# is a digest of every path and source and of the entry module, so an edited file is a new
# key.
_ANALYSES: dict[bytes, tuple[SdkCall, ...] | str] = {}
_MAX_ANALYSES = 256


def _digest(sources: dict[str, str], entry: str | None) -> bytes:
    h = hashlib.sha256()
    for part in (entry or "", *(x for item in sources.items() for x in item)):
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.digest()


def handler_module(handler: str) -> str:
    """The module a Python ``Handler`` names: ``src/app.handler`` → ``src.app``."""
    return handler.rpartition(".")[0].replace("/", ".").strip(".")


def find_sdk_calls_in_sources(sources: dict[str, str], handler: str | None = None) -> list[SdkCall]:
    """Every AWS SDK call in ``{relative path: source}`` (inline code: ``index.py``), or,
    with ``handler``, in the code reachable from the handler's module (see
    :func:`find_sdk_calls`)."""
    entry = handler_module(handler) if handler is not None else None
    key = _digest(sources, entry)
    found = _ANALYSES.get(key)
    if found is None:
        found = _from_disk(key.hex())
    if found is None:
        try:
            found = tuple(_analyse(sources, entry))
        except CodeNotAnalysed as e:
            found = str(e)  # not kept on disk: cheap to find again, and rare
        else:
            _disk().put(
                key.hex(),
                [[c.file, c.line, c.service, c.method, list(c.operations)] for c in found],
            )
        if len(_ANALYSES) >= _MAX_ANALYSES:
            _ANALYSES.clear()
        _ANALYSES[key] = found
    if isinstance(found, str):
        raise CodeNotAnalysed(found)
    return list(found)


def _parse(rel: str, text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings of user code are not ours to show
            return ast.parse(text, filename=rel)
    except (SyntaxError, ValueError):
        return None
    except (RecursionError, MemoryError) as e:
        raise CodeNotAnalysed(f"{rel}: nested too deeply to parse") from e


# On disk too (:mod:`tap.rules.common.cache`), keyed by the same digest, so a later process
# neither parses nor analyses the code again (~0.1 s for TapStack's two handlers, see
# docs/benchmarks.md "Start-up"). The version key holds this module's and _boto's source and
# the SDK versions whose models map calls to operations.
@cache
def _disk() -> DiskCache:
    return code_cache(
        "pycode", ("tap.rules.iam._pycode", "tap.rules.iam._boto"), ("botocore", "boto3")
    )


def _from_disk(key: str) -> tuple[SdkCall, ...] | None:
    stored = _disk().get(key)
    if not isinstance(stored, list):
        return None
    try:
        return tuple(
            SdkCall(str(f), int(line), str(svc), str(m), tuple(map(str, ops)))
            for f, line, svc, m, ops in stored
        )
    except (TypeError, ValueError):  # a corrupt entry: analyse again
        return None


def _analyse(sources: dict[str, str], entry: str | None) -> list[SdkCall]:
    files: dict[str, ast.Module] = {}
    paths: dict[str, str] = {}
    for rel, text in sources.items():
        mod = _module_name(Path(rel)) or "__init__"
        try:
            tree = _parse(rel, text)
        except CodeNotAnalysed:
            if entry is not None and mod != entry:
                continue  # not necessarily this function's code: judged without it
            raise
        if tree is None:
            continue
        files[mod] = tree
        paths[mod] = rel
    if entry is not None:
        keep = _reachable(files, paths, entry)
        files = {m: t for m, t in files.items() if m in keep}
        paths = {m: p for m, p in paths.items() if m in keep}
    analysis = _Analysis(files)
    analysis.paths = paths
    try:
        analysis.run()
    except RecursionError as e:
        where = ", ".join(sorted(paths.values())) or "the code"
        raise CodeNotAnalysed(f"{where}: nested too deeply to analyse") from e
    return sorted(analysis.calls, key=lambda c: (c.file, c.line, c.service, c.method))


_IMPORT_FUNCTIONS = {"import_module", "__import__"}


def _imported(tree: ast.Module, mod: str, is_pkg: bool) -> Iterable[str]:
    """Module names ``mod`` imports anywhere in its code (absolute, relative, and
    ``importlib.import_module("name")`` with a literal name); each with its parents."""
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = mod.split(".")
                keep = len(parts) - node.level + (1 if is_pkg else 0)
                base = ".".join([*parts[: max(keep, 0)], *([base] if base else [])])
            names = [base, *(f"{base}.{a.name}".strip(".") for a in node.names)]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            arg = node.args[0]
            if (
                fname in _IMPORT_FUNCTIONS
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
            ):
                names = [arg.value]
        for name in names:
            parts = name.split(".")
            for i in range(1, len(parts) + 1):
                yield ".".join(parts[:i])


def _reachable(files: dict[str, ast.Module], paths: dict[str, str], entry: str) -> set[str]:
    """The modules of ``files`` that running ``entry`` loads: itself, its parent packages
    and what they import, transitively (within the asset)."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        mod = todo.pop()
        if mod in seen or mod not in files:
            continue
        seen.add(mod)
        parts = mod.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        is_pkg = paths.get(mod, "").endswith("__init__.py")
        todo.extend(m for m in _imported(files[mod], mod, is_pkg) if m not in seen)
    return seen
