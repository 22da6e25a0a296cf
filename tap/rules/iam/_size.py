"""The size a service counts for a policy document or an environment: compact JSON, tokens
estimated. No rules here.

IAM counts a policy's characters without white space ('IAM and AWS STS quotas'); Lambda,
S3, SQS and SNS count the bytes of the JSON they store, which is compact. Both are the length
of ``json.dumps(value, separators=(",", ":"))``. A value only known at deploy time is
estimated from below, so a size over the quota is over it whatever the tokens become:

- ``AWS::AccountId`` 12 characters, ``AWS::Region`` 9 (``us-east-1``, the shortest region
  names), ``AWS::Partition`` 3, ``AWS::URLSuffix`` 13;
- any other token (a resource's name or ARN, a parameter, an import) ``TOKEN_ESTIMATE``
  characters: CloudFormation's generated names are ``<stack>-<logical id>-<suffix>``, longer
  than that, and an ARN longer still.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from tap.rules.resolve import Text

if TYPE_CHECKING:
    from tap.rules.resolve import Resolver

__all__ = ["TOKEN_ESTIMATE", "json_size", "raw_size"]

TOKEN_ESTIMATE = 20
_PSEUDO = {
    "AWS::AccountId": 12,
    "AWS::Region": 9,
    "AWS::Partition": 3,
    "AWS::URLSuffix": 13,
}


def _str_size(value: str) -> int:
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return len(value)  # nothing to escape: the common case, without json.dumps
    return len(json.dumps(value, ensure_ascii=False).encode()) - 2


def json_size(value: Any) -> int:
    """Compact-JSON length (UTF-8 bytes) of a resolved value, tokens estimated from below."""
    if isinstance(value, Text):
        total = 2
        for part in value.parts:
            if isinstance(part, str):
                total += _str_size(part)
            else:
                total += _PSEUDO.get(part.kind, TOKEN_ESTIMATE)
        return total
    if isinstance(value, dict):
        items = [_str_size(str(k)) + 3 + json_size(v) for k, v in value.items()]
        return 2 + sum(items) + max(len(items) - 1, 0)
    if isinstance(value, list):
        items = [json_size(v) for v in value]
        return 2 + sum(items) + max(len(items) - 1, 0)
    if isinstance(value, str):
        return _str_size(value) + 2
    return len(json.dumps(value))


_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


def _inner(value: Any, resolver: Resolver) -> int | None:
    """Size of a string-valued intrinsic without its quotes; ``None``: not a string."""
    size = _raw_size(value, resolver)
    return size - 2 if isinstance(value, str) or _is_string_intrinsic(value) else None


def _is_string_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _STRINGY


def _token(name: str) -> int:
    return _PSEUDO.get(name, TOKEN_ESTIMATE)


def _sub_size(template: str, local: dict[str, Any], resolver: Resolver) -> int | None:
    total = 0
    last = 0
    for m in _SUB_VAR.finditer(template):
        total += _str_size(template[last : m.start()])
        last = m.end()
        var = m.group(1)
        if var.startswith("!"):
            total += _str_size("${" + var[1:] + "}")
        elif var in local:
            inner = _inner(local[var], resolver)
            if inner is None:
                return None
            total += inner
        else:
            total += _token(var.split(".", 1)[0] if "." in var else var)
    return total + _str_size(template[last:]) + 2


def _intrinsic_size(key: str, arg: Any, resolver: Resolver) -> int | None:
    """Size of one ``Ref``/``Fn::GetAtt``/``Fn::Join``/``Fn::Sub`` where it stands;
    ``None`` when it needs resolving."""
    if key == "Ref" and isinstance(arg, str):
        return _token(arg) + 2
    if key == "Fn::GetAtt":
        return TOKEN_ESTIMATE + 2
    if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
        delim, parts = arg
        if isinstance(delim, str) and isinstance(parts, list):
            sizes = [_inner(p, resolver) for p in parts]
            if all(s is not None for s in sizes):
                joins = _str_size(delim) * max(len(parts) - 1, 0)
                return 2 + sum(s for s in sizes if s is not None) + joins
    if key == "Fn::Sub":
        template, local = (arg, {}) if isinstance(arg, str) else (list(arg) + [None])[:2]
        if isinstance(template, str) and isinstance(local or {}, dict):
            return _sub_size(template, local or {}, resolver)
    return None


def raw_size(value: Any, resolver: Resolver) -> int:
    """:func:`_raw_size`, or 0 for a value nested too deeply to walk: a size is a low
    estimate (a finding means the quota is exceeded whatever the unknowns), so an unknown
    size may hide a finding but never makes one."""
    try:
        return _raw_size(value, resolver)
    except RecursionError:
        return 0


def _raw_size(value: Any, resolver: Resolver) -> int:
    """:func:`json_size` of ``resolver.resolve(value)``, computed on the raw template value:
    ``Ref``, ``Fn::GetAtt``, ``Fn::Join`` and ``Fn::Sub`` are sized where they stand (no
    resolution); other intrinsics are resolved first. Linear in the value's size."""
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key in _INTRINSIC_KEYS:
                size = _intrinsic_size(key, arg, resolver)
                return json_size(resolver.resolve(value)) if size is None else size
        items = [_str_size(str(k)) + 3 + _raw_size(v, resolver) for k, v in value.items()]
        return 2 + sum(items) + max(len(items) - 1, 0)
    if isinstance(value, Text):
        return json_size(value)
    if isinstance(value, list):
        items = [_raw_size(v, resolver) for v in value]
        return 2 + sum(items) + max(len(items) - 1, 0)
    return json_size(value)


_STRINGY = frozenset({"Ref", "Fn::GetAtt", "Fn::Join", "Fn::Sub"})
_INTRINSIC_KEYS = frozenset(
    {
        "Ref",
        "Fn::GetAtt",
        "Fn::Join",
        "Fn::Sub",
        "Fn::Select",
        "Fn::Split",
        "Fn::If",
        "Fn::FindInMap",
        "Fn::ToJsonString",
        "Fn::Base64",
        "Fn::Length",
        "Fn::GetAZs",
        "Fn::Cidr",
        "Fn::ImportValue",
        "Fn::Transform",
    }
)
