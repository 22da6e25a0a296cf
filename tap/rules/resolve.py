"""The one intrinsic-function resolver of the rule pack.

CloudFormation values are JSON with intrinsic functions (``Ref``, ``Fn::GetAtt``,
``Fn::Join``, ``Fn::Sub``, ``Fn::Select``, ``Fn::Split``, ``Fn::If``, ...). Rules need
to reason about the *resolved* value without deploying: a bucket name built with
``Fn::Join`` from ``AWS::AccountId`` and a literal is still a name whose literal parts
can be checked and whose worst-case length can be computed.

Resolution never guesses. A string that depends on something only known at deploy time
becomes a :class:`Text` whose parts are literals and :class:`Token` s; anything that
cannot be followed at all (an unresolvable ``Fn::If``, ``Fn::GetAZs``, a split of a
token) becomes a :class:`Text` holding an ``Unknown`` token. Rules must treat unknown
as unknown: neither a silent pass nor a false alarm.

Example
-------
>>> r = Resolver({"Resources": {}})
>>> t = r.text({"Fn::Join": ["-", ["logs", {"Ref": "AWS::AccountId"}]]})
>>> t.worst_case()
'logs-123456789012'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = [
    "NO_VALUE",
    "PSEUDO_PARAMETERS",
    "Resolver",
    "Text",
    "Token",
    "as_bool",
    "as_list",
    "is_unknown",
    "iter_references",
    "longest_region_name",
    "reference_set",
    "referenced_id",
]

# Worst-case values for names: an account id is always 12 digits; the region is the
# longest name botocore knows (computed, not hard-coded, so it follows new regions).
WORST_CASE_ACCOUNT = "123456789012"

PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::Region",
        "AWS::Partition",
        "AWS::URLSuffix",
        "AWS::StackName",
        "AWS::StackId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
    }
)

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")

MAX_DEPTH = 150
"""Deepest nesting the resolver follows (templates are refused deeper than 100 levels at
load time: this bounds self-referring mappings and conditions, and direct callers)."""


@cache
def longest_region_name() -> str:
    """The longest region name in botocore's endpoint data (all partitions)."""
    from tap.rules.common import regions  # botocore's data, cached on disk (start-up)

    return regions.longest_region_name()


class _NoValue:
    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()
"""``Ref: AWS::NoValue``: the property is removed."""


@dataclass(frozen=True, slots=True)
class Token:
    """A value known only at deploy time.

    ``kind`` is a pseudo parameter name (``AWS::AccountId``), ``Ref`` (``name`` = logical
    id), ``GetAtt`` (``name``, ``attr``), ``Param`` (template parameter ``name``),
    ``Import`` or ``Unknown`` (``name`` = why it could not be followed).
    """

    kind: str
    name: str = ""
    attr: str = ""

    def __str__(self) -> str:
        if self.kind == "GetAtt":
            return f"${{{self.name}.{self.attr}}}"
        if self.kind in ("Ref", "Param"):
            return f"${{{self.name}}}"
        if self.kind == "Unknown":
            return f"${{?{self.name}}}"
        if self.kind == "Import":
            return f"${{Import:{self.name}}}"
        return f"${{{self.kind}}}"

    @property
    def is_unknown(self) -> bool:
        return self.kind == "Unknown"


@dataclass(frozen=True, slots=True)
class Text:
    """A string made of literal parts and tokens."""

    parts: tuple[str | Token, ...]

    @classmethod
    def of(cls, *parts: str | Token | Text) -> Text:
        flat: list[str | Token] = []
        for part in parts:
            items = part.parts if isinstance(part, Text) else (part,)
            for item in items:
                if isinstance(item, str):
                    if not item:
                        continue
                    if flat and isinstance(flat[-1], str):
                        flat[-1] = flat[-1] + item
                        continue
                flat.append(item)
        return cls(tuple(flat))

    @property
    def tokens(self) -> list[Token]:
        return [p for p in self.parts if isinstance(p, Token)]

    @property
    def is_literal(self) -> bool:
        return not self.tokens

    @property
    def has_unknown(self) -> bool:
        return any(t.is_unknown for t in self.tokens)

    @property
    def literal_parts(self) -> list[str]:
        return [p for p in self.parts if isinstance(p, str)]

    def has_token(self, kind: str) -> bool:
        return any(t.kind == kind for t in self.tokens)

    def render(
        self,
        values: Mapping[str, str] | None = None,
        *,
        default: str | None = None,
    ) -> str | None:
        """Substitute tokens by kind (``values['AWS::Region']``) or by ``default``.

        Returns ``None`` when a token has neither: the value is not knowable.
        """
        out: list[str] = []
        values = values or {}
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            elif part.kind in values:
                out.append(values[part.kind])
            elif default is not None:
                out.append(default)
            else:
                return None
        return "".join(out)

    def worst_case(self) -> str | None:
        """The value with the longest account id and region name; ``None`` if other
        tokens (references, parameters, unknowns) make it unknowable."""
        return self.render(
            {
                "AWS::AccountId": WORST_CASE_ACCOUNT,
                "AWS::Region": longest_region_name(),
                "AWS::Partition": "aws",
                "AWS::URLSuffix": "amazonaws.com",
            }
        )

    def __str__(self) -> str:
        return "".join(str(p) for p in self.parts)


def is_unknown(value: Any) -> bool:
    """True for a value the resolver could not follow (wholly or in part)."""
    return isinstance(value, Text) and value.has_unknown


def _unknown(reason: str) -> Text:
    return Text((Token("Unknown", reason),))


def _collapse(text: Text) -> str | Text:
    """A text of literal parts only as one string (every Fn::Join and Fn::Sub ends here)."""
    for part in text.parts:
        if not isinstance(part, str):
            return text
    return "".join(text.literal_parts)


class Resolver:
    """Resolves intrinsic functions of one template.

    Parameters
    ----------
    template:
        The template dict.
    region, account:
        Concrete values when the stack's environment is concrete; pseudo parameters
        stay tokens otherwise.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        region: str | None = None,
        account: str | None = None,
    ) -> None:
        self._resources = _section(template, "Resources")
        self._parameters = _section(template, "Parameters")
        self._conditions = _section(template, "Conditions")
        self._mappings = _section(template, "Mappings")
        self._depth = 0
        self._pseudo: dict[str, str] = {}
        if region:
            self._pseudo["AWS::Region"] = region
        if account:
            self._pseudo["AWS::AccountId"] = account
        self._condition_cache: dict[str, bool | None] = {}
        self._refs: dict[str, Any] = {}
        self._attributes: dict[tuple[str, str], Text] = {}

    # -- public API -------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """Resolve every intrinsic in ``value`` (recursively).

        Nesting deeper than :data:`MAX_DEPTH` (crafted input, or a mapping or condition
        that refers to itself) resolves to an unknown value instead of recursing on."""
        kind = type(value)
        if kind is not dict and kind is not list and not isinstance(value, dict | list):
            return value
        if self._depth >= MAX_DEPTH:
            return _unknown("nested too deeply")
        self._depth += 1
        try:
            return self._resolve(value)
        finally:
            self._depth -= 1

    def _resolve(self, value: Any) -> Any:
        # Every rule resolves through here: strings, the most common values, are kept as
        # they are without a call (resolve returns any scalar unchanged).
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, arg),) = value.items()
                handler = _INTRINSICS.get(key)
                if handler is not None:
                    return handler(self, arg)
            out = {}
            for k, v in value.items():
                if type(v) is str:
                    out[k] = v
                    continue
                r = self.resolve(v)
                if r is not NO_VALUE:
                    out[k] = r
            return out
        if isinstance(value, list):
            items = []
            for v in value:
                if type(v) is str:
                    items.append(v)
                    continue
                r = self.resolve(v)
                if r is not NO_VALUE:
                    items.append(r)
            return items
        return value

    def text(self, value: Any) -> Text | None:
        """Resolve ``value`` as a string; ``None`` when it is not string-like."""
        r = self.resolve(value)
        if isinstance(r, Text):
            return r
        if isinstance(r, bool):
            return Text((str(r).lower(),))
        if isinstance(r, str | int | float):
            return Text((str(r),))
        return None

    def condition(self, name: str) -> bool | None:
        """Evaluate a named condition; ``None`` when it depends on deploy-time values."""
        if name not in self._condition_cache:
            self._condition_cache[name] = None  # guards against cycles
            if self._depth >= MAX_DEPTH:
                return None
            self._depth += 1
            try:
                self._condition_cache[name] = self._eval_condition(self._conditions.get(name))
            finally:
                self._depth -= 1
        return self._condition_cache[name]

    # -- intrinsics -------------------------------------------------------------------

    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return _unknown("Ref of a non-string")
        # A reference resolves to an immutable value (a string, a Text, NO_VALUE) that
        # depends on the name alone: each name is resolved once per template.
        found = self._refs.get(name)
        if found is None:
            found = self._refs[name] = self._ref_of(name)
        return found

    def _ref_of(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._pseudo:
            return self._pseudo[name]
        if name in PSEUDO_PARAMETERS:
            return Text((Token(name),))
        if name in self._parameters:
            return Text((Token("Param", name),))
        if name in self._resources:
            return Text((Token("Ref", name),))
        return _unknown(f"Ref to undefined {name}")

    def _getatt(self, arg: Any) -> Any:
        if isinstance(arg, str):
            lid, _, attr = arg.partition(".")
        elif isinstance(arg, list) and len(arg) == 2:
            lid, attr = arg[0], self.resolve(arg[1])
            if not isinstance(lid, str) or not isinstance(attr, str):
                return _unknown("GetAtt with a computed attribute")
        else:
            return _unknown("malformed Fn::GetAtt")
        return self._attribute(lid, attr)

    def _attribute(self, lid: str, attr: str) -> Text:
        """``${lid.attr}`` (immutable: made once per attribute of the template)."""
        found = self._attributes.get((lid, attr))
        if found is None:
            found = self._attributes[(lid, attr)] = Text((Token("GetAtt", lid, attr),))
        return found

    def _join(self, arg: Any) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            return _unknown("malformed Fn::Join")
        delim, items = self.resolve(arg[0]), self.resolve(arg[1])
        if not isinstance(delim, str) or not isinstance(items, list):
            return _unknown("Fn::Join of a list known only at deploy time")
        parts: list[str | Text] = []
        for i, item in enumerate(items):
            if i:
                parts.append(delim)
            if type(item) is str or isinstance(item, Text | str):
                parts.append(item)
            elif isinstance(item, bool):
                parts.append(str(item).lower())
            elif isinstance(item, int | float):
                parts.append(str(item))
            else:
                return _unknown("Fn::Join of a non-string element")
        return _collapse(Text.of(*parts))

    def _sub(self, arg: Any) -> Any:
        if isinstance(arg, str):
            template, variables = arg, {}
        elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            template, variables = arg[0], arg[1] if isinstance(arg[1], dict) else {}
        else:
            return _unknown("malformed Fn::Sub")
        parts: list[str | Text] = []
        pos = 0
        for m in _SUB_VAR.finditer(template):
            parts.append(template[pos : m.start()])
            pos = m.end()
            name = m.group(1)
            if name.startswith("!"):
                parts.append("${" + name[1:] + "}")
                continue
            if name in variables:
                value = self.resolve(variables[name])
            elif "." in name and name.split(".", 1)[0] in self._resources:
                lid, attr = name.split(".", 1)
                value = self._attribute(lid, attr)
            else:
                value = self._ref(name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str | Text):
                return _unknown(f"Fn::Sub variable {name} is not a string")
            parts.append(value)
        parts.append(template[pos:])
        return _collapse(Text.of(*parts))

    def _select(self, arg: Any) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            return _unknown("malformed Fn::Select")
        index, items = self.resolve(arg[0]), self.resolve(arg[1])
        try:
            index = int(index)
        except (TypeError, ValueError):
            return _unknown("Fn::Select with a computed index")
        if not isinstance(items, list):
            return _unknown("Fn::Select from a list known only at deploy time")
        if not 0 <= index < len(items):
            return _unknown("Fn::Select index out of range")
        return items[index]

    def _split(self, arg: Any) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            return _unknown("malformed Fn::Split")
        delim, source = self.resolve(arg[0]), self.resolve(arg[1])
        if isinstance(delim, str) and isinstance(source, str):
            return source.split(delim)
        return _unknown("Fn::Split of a value known only at deploy time")

    def _if(self, arg: Any) -> Any:
        if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
            return _unknown("malformed Fn::If")
        chosen = self.condition(arg[0])
        if chosen is None:
            return _unknown(f"condition {arg[0]} is decided at deploy time")
        return self.resolve(arg[1] if chosen else arg[2])

    def _find_in_map(self, arg: Any) -> Any:
        if not (isinstance(arg, list) and len(arg) >= 3):
            return _unknown("malformed Fn::FindInMap")
        keys = [self.resolve(a) for a in arg[:3]]
        if not all(isinstance(k, str) for k in keys):
            return _unknown("Fn::FindInMap with a computed key")
        try:
            return self.resolve(self._mappings[keys[0]][keys[1]][keys[2]])
        except (KeyError, TypeError):
            return _unknown(f"Fn::FindInMap {'/'.join(keys)} is not defined")

    def _to_json_string(self, arg: Any) -> Any:
        value = self.resolve(arg)
        if _contains_text(value):
            return _unknown("Fn::ToJsonString of deploy-time values")
        return json.dumps(value, separators=(",", ":"))

    def _base64(self, arg: Any) -> Any:
        # Rules read the content that will be encoded (user data, scripts).
        return self.resolve(arg)

    def _length(self, arg: Any) -> Any:
        value = self.resolve(arg)
        return len(value) if isinstance(value, list) else _unknown("Fn::Length")

    def _eval_condition(self, expr: Any) -> bool | None:
        if not isinstance(expr, dict) or len(expr) != 1 or self._depth >= MAX_DEPTH:
            return None
        self._depth += 1
        try:
            return self._eval_condition_expr(expr)
        finally:
            self._depth -= 1

    def _eval_condition_expr(self, expr: dict[str, Any]) -> bool | None:
        ((key, arg),) = expr.items()
        if key == "Condition" and isinstance(arg, str):
            return self.condition(arg)
        if key == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            a, b = (self.resolve(v) for v in arg)
            if isinstance(a, Text) or isinstance(b, Text):
                return True if a == b else None
            return str(a) == str(b)
        if key == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            inner = self._eval_condition(arg[0])
            return None if inner is None else not inner
        if key in ("Fn::And", "Fn::Or") and isinstance(arg, list):
            values = [self._eval_condition(a) for a in arg]
            decisive = key == "Fn::Or"  # True decides an Or, False decides an And
            if decisive in values:
                return decisive
            return None if None in values else not decisive
        return None


def _section(template: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = template.get(key)
    return value if isinstance(value, Mapping) else {}


def _contains_text(value: Any) -> bool:
    todo = [value]
    while todo:
        v = todo.pop()
        if isinstance(v, Text):
            return True
        if isinstance(v, dict):
            todo.extend(v.values())
        elif isinstance(v, list):
            todo.extend(v)
    return False


_INTRINSICS = {
    "Ref": Resolver._ref,
    "Fn::GetAtt": Resolver._getatt,
    "Fn::Join": Resolver._join,
    "Fn::Sub": Resolver._sub,
    "Fn::Select": Resolver._select,
    "Fn::Split": Resolver._split,
    "Fn::If": Resolver._if,
    "Fn::FindInMap": Resolver._find_in_map,
    "Fn::ToJsonString": Resolver._to_json_string,
    "Fn::Base64": Resolver._base64,
    "Fn::Length": Resolver._length,
    "Fn::GetAZs": lambda self, arg: _unknown("Fn::GetAZs"),
    "Fn::Cidr": lambda self, arg: _unknown("Fn::Cidr"),
    "Fn::ImportValue": lambda self, arg: Text((Token("Import", str(arg)),)),
    "Fn::Transform": lambda self, arg: _unknown("Fn::Transform"),
}


def _intrinsic_refs(key: str, arg: Any) -> tuple[list[str], list[Any]] | None:
    """Names referenced by one intrinsic and the sub-values still to walk; ``None`` when
    ``key`` is not a referencing intrinsic."""
    if key == "Ref":
        return ([arg], []) if isinstance(arg, str) else ([], [arg])
    if key == "Fn::GetAtt":
        if isinstance(arg, str):
            return [arg.split(".", 1)[0]], []
        if isinstance(arg, list) and arg and isinstance(arg[0], str):
            return [arg[0]], list(arg[1:])
        return [], [arg]
    if key == "Fn::Sub":
        template = arg[0] if isinstance(arg, list) and arg else arg
        local = arg[1] if isinstance(arg, list) and len(arg) > 1 else {}
        local = local if isinstance(local, dict) else {}
        names = []
        if isinstance(template, str):
            names = [
                m.group(1).split(".", 1)[0]
                for m in _SUB_VAR.finditer(template)
                if not m.group(1).startswith("!") and m.group(1) not in local
            ]
        return names, (list(arg[1:]) if isinstance(arg, list) else [])
    return None


def as_bool(value: Any) -> bool | None:
    """A boolean property as CloudFormation reads it: ``true``/``false`` or their strings in
    any case; ``None`` for anything else (a token, a wrong type)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def as_list(value: Any) -> list[Any]:
    """A property that takes one value or a list of them, as a list (``None``: empty)."""
    return value if isinstance(value, list) else [] if value is None else [value]


def referenced_id(value: Any, kinds: tuple[str, ...] = ("Ref", "GetAtt")) -> str | None:
    """The name a resolved value is nothing but a reference to (``{"Ref": "X"}`` or
    ``{"Fn::GetAtt": ["X", "Arn"]}`` → ``"X"``), for the token ``kinds`` given; else ``None``."""
    if isinstance(value, Text) and len(value.parts) == 1 and isinstance(value.parts[0], Token):
        tok = value.parts[0]
        return tok.name if tok.kind in kinds else None
    return None


def iter_references(value: Any) -> Iterator[str]:
    """Names referenced by ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub`` in a raw value
    (logical ids, parameters and pseudo parameters alike; callers filter)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            found = _intrinsic_refs(*next(iter(v.items()))) if len(v) == 1 else None
            if found is None:
                stack.extend(v.values())
            else:
                yield from found[0]
                stack.extend(found[1])
        elif isinstance(v, list):
            stack.extend(v)


def reference_set(value: Any) -> set[str]:
    """The names :func:`iter_references` yields, as a set. The dependency graph reads every
    resource of every stack with it: a recursive walk (values are at most 100 levels deep
    once loaded) that never descends into a string is a third cheaper than the generator."""
    out: set[str] = set()
    _collect_references(value, out)
    return out


def _collect_references(value: Any, out: set[str]) -> None:
    kind = type(value)
    if kind is dict or (kind is not list and kind is not str and isinstance(value, dict)):
        if len(value) == 1 and _collect_intrinsic(value, out):
            return
        items = value.values()
    elif kind is list or (kind is not str and isinstance(value, list)):
        items = value
    else:
        return
    for item in items:
        if type(item) is not str:
            _collect_references(item, out)


def _collect_intrinsic(value: dict[Any, Any], out: set[str]) -> bool:
    """Add the names a one-key object references; ``False`` when its value is to be walked
    as any other (not a referencing intrinsic, or a ``Ref`` of a non-string)."""
    ((key, arg),) = value.items()
    if key == "Ref":
        if isinstance(arg, str):
            out.add(arg)
            return True
        return False
    if key != "Fn::GetAtt" and key != "Fn::Sub":
        return False
    found = _intrinsic_refs(key, arg)
    if found is not None:
        out.update(found[0])
        for item in found[1]:
            _collect_references(item, out)
    return True
