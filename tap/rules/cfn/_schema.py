"""cfn-lint's resource-schema validation, run per resource and cached.

Why not ``cfnlint.api.lint``: a full cfn-lint run builds a template graph and runs ~300
rules (best practices, cross-resource checks); on a 1,000-resource template that takes tens
of seconds. The failure class ``cfn-schema`` only needs what cfn-lint's E3002 family checks:
the resource's ``Properties`` against the CloudFormation registry schema of its type. So
this module reuses cfn-lint's own pieces directly:

- ``cfnlint.schema.PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, type)``: the
  registry schema, with cfn-lint's patches (loaded once per type, cached by cfn-lint);
- ``cfnlint.jsonschema.CfnTemplateValidator``: cfn-lint's JSON-schema validator, whose
  function filter treats every intrinsic (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::If``,
  ...) as a value known only at deploy time, exactly as cfn-lint's schema rules do, and
  whose ``type`` keyword is cfn-lint's lenient one (``"5"`` is a number, as CloudFormation
  accepts). ``Ref: AWS::NoValue`` and ``Fn::If`` are honoured for ``required``/``minItems``.

The cfn-lint keyword ``cfnLint`` (which dispatches to cfn-lint's non-schema rules) is not
added, so only schema keywords run.

Caching: results are cached by ``(region, type, shape)`` where the shape is the properties'
canonical form (nested tuples, keys sorted) with every intrinsic value replaced by a
numbered placeholder (equal intrinsics get equal numbers, so ``uniqueItems`` still sees
duplicates). The validator never looks inside an intrinsic, so two resources of one shape
are equally valid: replicated resources (the same construct instantiated N times,
referencing different resources) cost one validation. A cached shape *with* errors is
validated again, so messages always quote the resource's own values.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = ["DEFAULT_REGION", "SchemaError", "has_schema", "validate_properties"]

DEFAULT_REGION = "us-east-1"

# JSON-schema keyword → the cfn-lint rule that reports it (from cfn-lint's E3002
# ``Properties`` rule set, plus E1103 for ``format``). Keywords cfn-lint would report under
# E3002 itself (``const``, ``not``, ...) fall back to E3002.
CFN_LINT_RULE_BY_KEYWORD: dict[str, str] = {
    "additionalProperties": "E3002",
    "properties": "E3002",
    "required": "E3003",
    "requiredXor": "E3014",
    "anyOf": "E3017",
    "oneOf": "E3018",
    "dependentExcluded": "E3020",
    "dependentRequired": "E3021",
    "enum": "E3030",
    "enumCaseInsensitive": "E3030",
    "pattern": "E3031",
    "maxItems": "E3032",
    "minItems": "E3032",
    "maxLength": "E3033",
    "minLength": "E3033",
    "maximum": "E3034",
    "minimum": "E3034",
    "exclusiveMaximum": "E3034",
    "exclusiveMinimum": "E3034",
    "uniqueItems": "E3037",
    "requiredOr": "E3058",
    "maxUniqueItems": "E3065",
    "prefixItems": "E3008",
    "type": "E3012",
    "format": "E1103",
}

# cfn-lint extension keywords that look at other resources or at deploy-time semantics:
# not part of the resource's own schema, and they need cfn-lint's whole-template model.
_NOT_SCHEMA = frozenset({"cfnGather", "dynamicValidation", "cfnContext", "cfnLint"})

_MAX_CACHE = 20_000

# Intrinsics the validator treats as opaque (cfn-lint's ``_function_unknown``). Not here:
# ``Fn::If`` (its branches are validated, per condition) and ``Ref: AWS::NoValue`` (removes
# the property).
_OPAQUE = frozenset(
    {
        "Ref",
        "Fn::GetAtt",
        "Fn::Sub",
        "Fn::Join",
        "Fn::Select",
        "Fn::Split",
        "Fn::ImportValue",
        "Fn::FindInMap",
        "Fn::Base64",
        "Fn::GetAZs",
        "Fn::Cidr",
        "Fn::ToJsonString",
        "Fn::Length",
    }
)


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One schema violation: cfn-lint rule id, path below ``Properties``, message."""

    rule: str
    path: tuple[str, ...]
    message: str

    @property
    def property_path(self) -> str:
        return "/".join(("Properties", *self.path))


_results: dict[tuple[Any, ...], tuple[SchemaError, ...]] = {}


@cache
def _validator(region: str, resource_type: str) -> Any:
    """cfn-lint's validator bound to one type's schema; ``None`` for unknown types."""
    from cfnlint.context import Context
    from cfnlint.context.context import Path
    from cfnlint.helpers import FUNCTIONS
    from cfnlint.jsonschema import CfnTemplateValidator
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
    from cfnlint.schema.resolver import RefResolver

    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    except Exception:  # ResourceNotFoundError: the type does not exist in this region
        return None
    base = CfnTemplateValidator({})
    context = Context(
        regions=[region],
        functions=list(FUNCTIONS),
        strict_types=False,
        path=Path(cfn_path=deque(["Resources", resource_type, "Properties"])),
    )
    return base.evolve(
        schema=schema,
        context=context,
        resolver=RefResolver.from_schema(schema),
        function_filter=base.function_filter.evolve(
            add_cfn_lint_keyword=False, validate_dynamic_references=False
        ),
    )


def has_schema(region: str, resource_type: str) -> bool:
    """True when cfn-lint knows ``resource_type`` in ``region``."""
    return _validator(region, resource_type) is not None


def _convert(err: Any) -> SchemaError | None:
    if getattr(err, "unknown", False) or err.validator in _NOT_SCHEMA:
        return None
    validator = err.validator if isinstance(err.validator, str) else ""
    if validator.startswith("fn_") or validator == "ref":
        return None  # the intrinsic itself; cfn-lint's E1xxx function rules, not schema
    rule = CFN_LINT_RULE_BY_KEYWORD.get(validator, "E3002")
    return SchemaError(rule, tuple(str(p) for p in err.path), err.message)


# Tags of the shape's nested tuples. A leaf string stands for itself; other scalars are
# ``(type, value)`` (floats by ``repr``), so ``1``, ``1.0``, ``True`` and ``"1"`` stay
# apart exactly as in their JSON text.
_DICT, _LIST, _FN, _OTHER = "$dict", "$list", "$fn", "$other"


def _frozen(v: Any) -> Any:
    """A hashable form of a JSON value: equal forms for equal values (dict order aside)."""
    if isinstance(v, str):
        return v
    if isinstance(v, dict):
        return (_DICT, tuple(sorted((k, _frozen(x)) for k, x in v.items())))
    if isinstance(v, list):
        return (_LIST, tuple(_frozen(x) for x in v))
    return _scalar(v)


def _scalar(v: Any) -> Any:
    if isinstance(v, float):
        return (float, repr(v))
    if v is None or isinstance(v, int):  # bool is an int subclass: its type keeps it apart
        return (v.__class__, v)
    return (_OTHER, str(v))


def shape_key(value: Any) -> Any:
    """Canonical, hashable form of ``value`` with opaque intrinsics replaced by numbered
    placeholders (nested tuples: hashing them is cheaper than JSON text)."""
    numbers: dict[Any, int] = {}

    def norm(v: Any) -> Any:
        if isinstance(v, str):
            return v
        if isinstance(v, dict):
            if len(v) == 1:
                ((k, arg),) = v.items()
                if k in _OPAQUE and not (k == "Ref" and arg == "AWS::NoValue"):
                    return (_FN, numbers.setdefault(_frozen(v), len(numbers)))
            return (_DICT, tuple(sorted((k, norm(x)) for k, x in v.items())))
        if isinstance(v, list):
            return (_LIST, tuple(norm(x) for x in v))
        return _scalar(v)

    return norm(value)


_VALUE_KEYWORDS = frozenset(
    {"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependencies"}
)


@cache
def _split(region: str, resource_type: str) -> tuple[Any, dict[str, Any]] | None:
    """A validator for the root keywords only (each property's schema replaced by ``True``)
    and the property schemas; ``None`` when the root schema cannot be split that way."""
    validator = _validator(region, resource_type)
    schema = validator.schema if validator is not None else None
    if (
        not isinstance(schema, dict)
        or not isinstance(schema.get("properties"), dict)
        or "patternProperties" in schema
        or not isinstance(schema.get("additionalProperties", False), bool)
    ):
        return None
    root = {**schema, "properties": dict.fromkeys(schema["properties"], True)}
    return validator.evolve(schema=root), schema["properties"]


def _root_key(properties: dict[str, Any], schema: dict[str, Any]) -> Any:
    """What the root keywords can see: the property names, and the values only where the
    root schema inspects them (combinators) or they decide presence (Fn::If, NoValue)."""
    if any(k in schema for k in _VALUE_KEYWORDS):
        return shape_key(properties)
    return shape_key(
        {
            k: v if isinstance(v, dict) and ("Fn::If" in v or v.get("Ref") == "AWS::NoValue") else 0
            for k, v in properties.items()
        }
    )


def _cached(key: tuple[Any, ...], compute: Any) -> tuple[SchemaError, ...]:
    cached = _results.get(key)
    if cached == ():
        return cached
    found = tuple(e for e in (_convert(err) for err in compute()) if e is not None)
    if len(_results) >= _MAX_CACHE:
        _results.clear()
    _results[key] = found
    return found


def validate_properties(
    region: str, resource_type: str, properties: Any
) -> tuple[SchemaError, ...] | None:
    """Schema errors of one resource's ``Properties``; ``None`` when the type is unknown.

    The root keywords (required, additionalProperties, ...) and each top-level property are
    validated and cached apart, keyed by :func:`shape_key`: a resource that differs from an
    earlier one only in a name re-validates just that name, not its policy document.
    """
    validator = _validator(region, resource_type)
    if validator is None:
        return None
    if not isinstance(properties, dict):
        return (SchemaError("E3012", (), f"{properties!r} is not of type 'object'"),)
    try:
        return _validate(region, resource_type, properties, validator)
    except RecursionError:  # the loader bounds depth; a direct caller may not (issue 9)
        return (SchemaError("E0000", (), "nested too deeply to check against the schema"),)


def _validate(
    region: str, resource_type: str, properties: dict[str, Any], validator: Any
) -> tuple[SchemaError, ...]:
    split = _split(region, resource_type)
    if split is None:
        key = (region, resource_type, "", shape_key(properties))
        return _cached(key, lambda: validator.iter_errors(properties))
    root, subschemas = split
    rkey = (region, resource_type, "", _root_key(properties, validator.schema))
    found = list(_cached(rkey, lambda: root.iter_errors(properties)))
    for name, value in properties.items():
        subschema = subschemas.get(name)
        if subschema is None:
            continue  # not in the schema: the root's additionalProperties reports it
        pkey = (region, resource_type, name, shape_key(value))
        found.extend(
            _cached(
                pkey,
                lambda n=name, v=value, sub=subschema: validator.descend(
                    v, sub, path=n, schema_path=n, property_path=n
                ),
            )
        )
    return tuple(found)
