"""lambda-handler: the handler a function names exists in its staged code."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from tap.rules.base import Rule

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

_NODE_SUFFIXES = (".js", ".mjs", ".cjs")


def top_level_names(tree: ast.Module) -> set[str]:
    """Names a module defines at top level: ``def``/``async def``/``class``, assignments
    (``handler = Logger().inject_lambda_context(_handler)``) and imports (re-exports),
    including those inside top-level ``if``/``try`` blocks."""
    names: set[str] = set()
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        st = todo.pop()
        if isinstance(st, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(st.name)
        elif isinstance(st, ast.Assign):
            for t in st.targets:
                names.update(n.id for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(st, ast.AnnAssign | ast.AugAssign) and isinstance(st.target, ast.Name):
            names.add(st.target.id)
        elif isinstance(st, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in st.names)
        elif isinstance(st, ast.If | ast.Try | ast.TryStar | ast.With):
            for attr in ("body", "orelse", "finalbody"):
                todo.extend(getattr(st, attr, []) or [])
            for h in getattr(st, "handlers", []) or []:
                todo.extend(h.body)
    return names


@lru_cache(maxsize=256)
def _module_names(source: str) -> frozenset[str] | SyntaxError | None:
    """Top-level names of a module's source, or its syntax error; ``None`` when Python's
    parser cannot build it (nested too deeply: it may still run, so it is not judged). By
    content, so a module staged by many functions (or stacks) is parsed once per process."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings of user code are not ours to show
            return frozenset(top_level_names(ast.parse(source)))
    except SyntaxError as exc:
        return exc
    except (RecursionError, MemoryError):
        return None


class HandlerExists(Rule):
    """The handler a function names exists in its staged code."""

    id = "TAP-LAMBDA-1"
    slug = "lambda-handler"
    severity = "error"
    title = "A function's handler exists in its staged code"
    explanation = (
        "Why: CloudFormation deploys a function whose handler does not exist; every "
        "invocation then fails with Runtime.ImportModuleError or HandlerNotFound. Seeds "
        "000 #6 and 004 #6 staged code from the wrong path. The rule reads the staged "
        "asset (or the inline ZipFile code, module ``index``) and parses, never imports, "
        "the module the handler names: ``pkg.mod.func`` needs ``pkg/mod.py`` (or "
        "``pkg/mod/__init__.py``) defining ``func`` at top level (def, async def, or an "
        "assignment such as a Powertools-decorated handler). Node.js handlers get a light "
        "check (``dir/file.func`` → ``dir/file.js|.mjs|.cjs`` exists and mentions "
        "``func``). Container images, other runtimes (their handler is a class or a "
        "binary name) and code not staged in the assembly are not checked."
    )
    fix = (
        "Point Code.from_asset at the folder that holds the handler module (resolve it "
        "from __file__, not the working directory) and match handler='module.function'"
    )
    seeds = ("000 #6", "004 #6")
    resource_types = ("AWS::Lambda::Function",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        props = res.properties
        if ctx.resolve(props.get("PackageType")) == "Image":
            return
        handler = ctx.resolve(props.get("Handler"))
        runtime = ctx.resolve(props.get("Runtime"))
        if not isinstance(handler, str) or not isinstance(runtime, str):
            return
        module, sep, func = handler.rpartition(".")
        if not sep or not module or not func:
            yield self.violation(
                res, "Properties/Handler", f"handler {handler!r} is not 'module.function'"
            )
            return
        code = props.get("Code")
        inline = ctx.resolve(code.get("ZipFile")) if isinstance(code, dict) else None
        if runtime.startswith("python"):
            yield from self._python(res, ctx, handler, module, func, inline)
        elif runtime.startswith("nodejs"):
            yield from self._node(res, ctx, handler, module, func, inline)

    def _python(
        self, res: Resource, ctx: Context, handler: str, module: str, func: str, inline: object
    ) -> Iterator[Violation]:
        if isinstance(inline, str):
            where, source = "the inline code (module index)", inline
            if module != "index":
                yield self.violation(
                    res,
                    "Properties/Handler",
                    f"handler {handler!r}: inline code is the module 'index', not {module!r}",
                )
                return
        else:
            root = ctx.stack.asset_dir(res)
            if root is None or not root.is_dir():
                return
            rel = Path(*module.split("."))
            candidates = [root / rel.with_suffix(".py"), root / rel / "__init__.py"]
            try:
                path = next((p for p in candidates if p.is_file()), None)
            except OSError:  # a handler name too long for a file name (issue 9): not read
                return
            if path is None:
                found = sorted(p.relative_to(root).as_posix() for p in root.glob("*.py"))[:8]
                yield self.violation(
                    res,
                    "Properties/Handler",
                    f"handler {handler!r}: {rel.with_suffix('.py').as_posix()} is not in the "
                    f"staged asset (its top-level modules: {', '.join(found) or 'none'})",
                )
                return
            where = path.relative_to(root).as_posix()
            try:
                source = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return
        names = _module_names(source)
        if names is None:
            return  # too deeply nested for the parser to judge: silent, never a guess
        if isinstance(names, SyntaxError):
            yield self.violation(
                res,
                "Properties/Handler",
                f"handler {handler!r}: {where} does not parse (line {names.lineno}: {names.msg})",
            )
            return
        if func not in names:
            yield self.violation(
                res,
                "Properties/Handler",
                f"handler {handler!r}: {where} defines no top-level {func!r}",
            )

    def _node(
        self, res: Resource, ctx: Context, handler: str, module: str, func: str, inline: object
    ) -> Iterator[Violation]:
        if isinstance(inline, str):
            if func not in inline:
                yield self.violation(
                    res, "Properties/Handler", f"handler {handler!r}: inline code has no {func!r}"
                )
            return
        root = ctx.stack.asset_dir(res)
        if root is None or not root.is_dir():
            return
        try:
            path = next(
                (
                    root / f"{module}{s}"
                    for s in _NODE_SUFFIXES
                    if (root / f"{module}{s}").is_file()
                ),
                None,
            )
        except OSError:  # a handler name too long for a file name (issue 9): not read
            return
        if path is None:
            yield self.violation(
                res,
                "Properties/Handler",
                f"handler {handler!r}: {module}.js/.mjs/.cjs is not in the staged asset",
            )
            return
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        if func not in text:
            yield self.violation(
                res,
                "Properties/Handler",
                f"handler {handler!r}: {path.name} never mentions {func!r}",
            )
