"""The strings a resource's properties resolve to that may name an account or a region, with
the property path each sits at.

The hard-coded-value rules read *resolved* values: a literal inside ``Fn::Sub`` or one
part of an ``Fn::Join`` counts, a ``${AWS::AccountId}`` token does not. Each value is
rendered with every token replaced by ``TOKEN_MARK`` (a NUL character, never in a
template's text) so that patterns can see the literal context around a token without
mistaking the token for a literal.

Only the values the hard-coded-value rules can report are kept: every number, and every
string whose rendering holds 12 digits in a row (an account id, for ``hardcoded-account-id``)
or ``arn:``, ``amazonaws`` or ``.aws`` (an ARN or an AWS host name, where
``hardcoded-region`` looks). Both rules skip any other value before their own patterns; most
values are such (names, handlers, runtimes), and are not kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tap.rules.resolve import NO_VALUE, Text

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.model import Resource

__all__ = ["TOKEN_MARK", "Leaf", "leaves"]

TOKEN_MARK = "\x00"
_SHARED_KEY = "general.literals"
_TWELVE_DIGITS = re.compile(r"\d{12}").search


def may_name_account_or_region(text: str) -> bool:
    """Whether a rendered value is one :func:`leaves` keeps (see the module docstring)."""
    return "arn:" in text or "amazonaws" in text or ".aws" in text or bool(_TWELVE_DIGITS(text))


_Where = tuple[Any, str | int] | None
"""Where a value sits, built one link per level on the walk (``(parent, key or index)``,
``None`` for ``Properties``); the path and keys are spelled out only for the few values a
rule reports, not for every value walked."""


class Leaf:
    """One scalar of a resource's resolved properties (read-only by convention)."""

    __slots__ = ("_keys", "_path", "_where", "is_number", "rendered", "value")

    value: str | int | float | Text
    rendered: str
    """The value as text, each token replaced by :data:`TOKEN_MARK` (computed once: both
    hard-coded-value rules read it for every leaf)."""
    is_number: bool

    def __init__(
        self, where: _Where, value: str | int | float | Text, rendered: str, is_number: bool
    ) -> None:
        self._where = where
        self._path: str | None = None
        self._keys: tuple[str, ...] | None = None
        self.value = value
        self.rendered = rendered
        self.is_number = is_number

    def _steps(self) -> list[str | int]:
        steps: list[str | int] = []
        where = self._where
        while where is not None:
            where, step = where
            steps.append(step)
        steps.reverse()
        return steps

    @property
    def path(self) -> str:
        """Slash-separated from the resource: ``Properties/Environment/Variables/ACCOUNT``."""
        if self._path is None:
            self._path = "/".join(["Properties", *map(str, self._steps())])
        return self._path

    @property
    def keys(self) -> tuple[str, ...]:
        """The object keys from ``Properties`` down to the value (list indexes left out)."""
        if self._keys is None:
            self._keys = tuple(s for s in self._steps() if type(s) is str)
        return self._keys

    def __repr__(self) -> str:
        return f"Leaf({self.path!r}, {self.keys!r}, {self.value!r})"

    @property
    def shown(self) -> str:
        """The value for a message (tokens as ``${AWS::AccountId}``), shortened."""
        text = str(self.value)
        return text if len(text) <= 160 else text[:157] + "..."


def leaves(res: Resource, ctx: Context) -> list[Leaf]:
    """Every number of ``res``'s resolved properties, and every string that may name an
    account or a region (:func:`may_name_account_or_region`); computed once per stack."""
    cache: dict[str, list[Leaf]] = ctx.shared.setdefault(_SHARED_KEY, {})
    found = cache.get(res.logical_id)
    if found is None:
        found = []
        _walk_raw(res.properties, None, ctx.stack.resolver.resolve, found)
        cache[res.logical_id] = found
    return found


def _walk_raw(value: Any, where: _Where, resolve: Callable[[Any], Any], out: list[Leaf]) -> None:
    # Raw template values are walked key by key (so that paths point at the property); an
    # intrinsic is resolved where it stands and its result walked further. Exact type checks
    # first: the values come from json.load (a YAML template's nodes are subclasses). Object
    # keys are kept as strings, list indexes as ints (they are not keys).
    kind = type(value)
    if kind is str:
        if "arn:" in value or "amazonaws" in value or ".aws" in value or _TWELVE_DIGITS(value):
            out.append(Leaf(where, value, value, False))
    elif kind is dict or isinstance(value, dict):
        if len(value) == 1:
            key = next(iter(value))
            if key == "Ref" or key.startswith("Fn::"):
                _walk_resolved(resolve(value), where, out)
                return
        for key, item in value.items():
            _walk_raw(item, (where, key if type(key) is str else str(key)), resolve, out)
    elif kind is list or isinstance(value, list):
        for index, item in enumerate(value):
            _walk_raw(item, (where, index), resolve, out)
    else:
        _scalar(value, where, out)


def _walk_resolved(value: Any, where: _Where, out: list[Leaf]) -> None:
    kind = type(value)
    if kind is str or kind is Text:
        _text(value, where, out)
    elif kind is dict or isinstance(value, dict):
        for key, item in value.items():
            _walk_resolved(item, (where, key if type(key) is str else str(key)), out)
    elif kind is list or isinstance(value, list):
        for index, item in enumerate(value):
            _walk_resolved(item, (where, index), out)
    else:
        _scalar(value, where, out)


def _scalar(value: Any, where: _Where, out: list[Leaf]) -> None:
    if value is NO_VALUE or value is None or isinstance(value, bool):
        return
    if isinstance(value, str | Text):
        _text(value, where, out)
    elif isinstance(value, int | float):
        out.append(Leaf(where, value, str(value), True))


def _text(value: str | Text, where: _Where, out: list[Leaf]) -> None:
    if isinstance(value, Text):
        rendered = "".join(p if isinstance(p, str) else TOKEN_MARK for p in value.parts)
    else:
        rendered = str(value)
    if may_name_account_or_region(rendered):
        out.append(Leaf(where, value, rendered, False))
