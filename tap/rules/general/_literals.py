"""Every string a resource's properties resolve to, with the property path it sits at.

The hard-coded-value rules read *resolved* values: a literal inside ``Fn::Sub`` or one
part of an ``Fn::Join`` counts, a ``${AWS::AccountId}`` token does not. Each value is
rendered with every token replaced by ``TOKEN_MARK`` (a NUL character, never in a
template's text) so that patterns can see the literal context around a token without
mistaking the token for a literal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tap.rules.resolve import NO_VALUE, Text

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.model import Resource

__all__ = ["TOKEN_MARK", "Leaf", "leaves"]

TOKEN_MARK = "\x00"
_SHARED_KEY = "general.literals"


@dataclass(frozen=True, slots=True)
class Leaf:
    """One scalar of a resource's resolved properties."""

    path: str
    """Slash-separated from the resource: ``Properties/Environment/Variables/ACCOUNT``."""
    keys: tuple[str, ...]
    """The object keys from ``Properties`` down to the value (list indexes left out)."""
    value: str | int | float | Text

    @property
    def rendered(self) -> str:
        """The value as text, each token replaced by :data:`TOKEN_MARK`."""
        if isinstance(self.value, Text):
            return "".join(p if isinstance(p, str) else TOKEN_MARK for p in self.value.parts)
        return str(self.value)

    @property
    def shown(self) -> str:
        """The value for a message (tokens as ``${AWS::AccountId}``), shortened."""
        text = str(self.value)
        return text if len(text) <= 160 else text[:157] + "..."

    @property
    def is_number(self) -> bool:
        return isinstance(self.value, int | float) and not isinstance(self.value, bool)


def leaves(res: Resource, ctx: Context) -> list[Leaf]:
    """Every scalar of ``res``'s properties, resolved; computed once per stack."""
    cache: dict[str, list[Leaf]] = ctx.shared.setdefault(_SHARED_KEY, {})
    found = cache.get(res.logical_id)
    if found is None:
        found = []
        _walk(res.properties, "Properties", (), ctx, found, raw=True)
        cache[res.logical_id] = found
    return found


def _is_intrinsic(value: dict[str, Any]) -> bool:
    if len(value) != 1:
        return False
    key = next(iter(value))
    return key == "Ref" or key.startswith("Fn::")


def _walk(
    value: Any, path: str, keys: tuple[str, ...], ctx: Context, out: list[Leaf], *, raw: bool
) -> None:
    # Raw template values are walked key by key (so that paths point at the property);
    # an intrinsic is resolved where it stands and its result walked further.
    if raw and isinstance(value, dict) and _is_intrinsic(value):
        _walk(ctx.resolve(value), path, keys, ctx, out, raw=False)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{path}/{key}", (*keys, str(key)), ctx, out, raw=raw)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}/{index}", keys, ctx, out, raw=raw)
    elif value is NO_VALUE or value is None or isinstance(value, bool):
        return
    elif isinstance(value, str | int | float | Text):
        out.append(Leaf(path, keys, value))
