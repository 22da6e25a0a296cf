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

On disk (issue 10, start-up): importing cfn-lint costs ~0.4-1 s per process (its package
``__init__`` pulls in sympy and networkx), more than all of tap's rules on a typical stack.
So the verdicts are also kept in :mod:`tap.rules.common.cache`, keyed by the tap version,
this module's source and cfn-lint's version:

- a clean shape under its shape key;
- a shape with errors under its exact value, dict order included, so the stored messages
  are the ones cfn-lint prints for this very value;
- per type, what building a key needs (known type, top-level property names, whether the
  root schema inspects values).

A run whose keys are all on disk never imports cfn-lint; a miss asks the pre-check first
(below), and only a key it is not sure of imports cfn-lint and validates as before. Equality
of the JSON findings with tap before the pre-check (no cache; this tree with no cache, a
cold and a warm cache, and without the pre-check): tests/rules/test_startup.py and
tests/rules/cfn/test_schema_precheck.py, and ``python bench/startup.py --equality 1f16bd4
PATHS`` over the inputs and their mutations (wrong shapes, unknown, missing and camelCase
keys, lenient scalars, ``Fn::If``/``NoValue``, emptied objects): cdk.out and the coverage
catalogue, 990 inputs and 5,925 findings; the rule tests' stacks and the precision apps,
2,298 inputs and 14,742 findings; all equal.

Pre-check (:mod:`tap.rules.cfn._precheck`): before cfn-lint is asked for a key (the root
keywords, one top-level property, or the whole ``Properties``), a walk over cfn-lint's own
schema files answers CLEAN (cfn-lint would report nothing: ``()`` is cached, no import) or
NOT-SURE (cfn-lint validates, so every message is still cfn-lint's). ``_meta`` reads the
same files. ``TAP_RULES_NO_SCHEMA_PRECHECK=1`` turns it off.

Decided by measurement. The cache alone met the target on a warm run (11-15 % of cfn-lint's
time on TapStack-dev) but not on a first run, which imported cfn-lint (61-67 %). Reading the
schema files without importing cfn-lint needs a second validator whose agreement with
cfn-lint must be proven; the pre-check keeps the proof one-sided (CLEAN implies cfn-lint
finds nothing; anything not modelled exactly is NOT-SURE) and tested it:
``python bench/schema_precheck.py PATHS`` compares it with cfn-lint key by key on the
inputs and their mutations. On the rule tests' stacks and the precision apps
(``bench/results/corpus``, ``bench/precision/out``): 110,521 keys, 0 unsound, and the walk's
kinds of error equal cfn-lint's wherever it is sure; on the coverage catalogue and
TapStack-dev: 51,809 keys, the same (and over 260,000 more keys with other mutation seeds).
On those 434 templates it is CLEAN on every key cfn-lint finds clean (4,000 keys, 2,677
resources): only the 14 templates with a real schema error import cfn-lint. It is CLEAN
on all 355 keys of TapStack-dev, so a cold run there imports no cfn-lint: 7 interleaved
cold runs (``bench/startup.py``'s method), 1.41 s median without the pre-check, 0.70 s with
it, cfn-lint 2.03 s (69.1 % → 34.3 %); what remains is mostly botocore and sqlglot.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from dataclasses import dataclass
from functools import cache
from typing import Any

from tap.rules.cfn import _precheck
from tap.rules.common.cache import DiskCache, code_cache

__all__ = ["DEFAULT_REGION", "SchemaError", "has_schema", "preload", "validate_properties"]

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
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    except Exception:  # ResourceNotFoundError: the type does not exist in this region
        return None
    return validator_for(schema, region, resource_type)


def validator_for(schema: Any, region: str = DEFAULT_REGION, resource_type: str = "T") -> Any:
    """cfn-lint's validator as this rule configures it (schema keywords only, lenient types,
    every intrinsic known only at deploy time), bound to ``schema``."""
    from cfnlint.context import Context
    from cfnlint.context.context import Path
    from cfnlint.helpers import FUNCTIONS
    from cfnlint.jsonschema import CfnTemplateValidator
    from cfnlint.schema.resolver import RefResolver

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


# Off switch of the pre-check, for the equality benchmark and tests (findings must not change).
ENV_NO_PRECHECK = "TAP_RULES_NO_SCHEMA_PRECHECK"


def precheck_on() -> bool:
    """False with ``TAP_RULES_NO_SCHEMA_PRECHECK=1``: every key goes to cfn-lint."""
    return os.environ.get(ENV_NO_PRECHECK, "").strip().lower() in ("", "0", "false", "no")


def preload() -> None:
    """Warm up the pre-check, then import cfn-lint and load one schema (the plugin's warm-up
    thread calls it).

    cfn-lint is still imported here: in ``cdk synth`` the import overlaps the app's
    construction and synthesis (the main thread mostly waits on the jsii kernel), so a key
    the pre-check is not sure of costs nothing more after synthesis; the CLI never calls
    this and imports cfn-lint only for such a key.
    """
    _precheck.clean(DEFAULT_REGION, "AWS::S3::Bucket", {"BucketName": "warm-up"})
    _validator(DEFAULT_REGION, "AWS::S3::Bucket")


def has_schema(region: str, resource_type: str) -> bool:
    """True when cfn-lint knows ``resource_type`` in ``region``."""
    return _meta(region, resource_type) is not None


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


def _exact(v: Any) -> Any:
    """Like :func:`_frozen` but keeping dict order: messages quote dicts in their order."""
    if isinstance(v, str):
        return v
    if isinstance(v, dict):
        return (_DICT, tuple((k, _exact(x)) for k, x in v.items()))
    if isinstance(v, list):
        return (_LIST, tuple(_exact(x) for x in v))
    return _scalar(v)


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


def _root_key(properties: dict[str, Any], inspects_values: bool) -> Any:
    """What the root keywords can see: the property names, and the values only where the
    root schema inspects them (combinators) or they decide presence (Fn::If, NoValue)."""
    if inspects_values:
        return shape_key(properties)
    return shape_key(
        {
            k: v if isinstance(v, dict) and ("Fn::If" in v or v.get("Ref") == "AWS::NoValue") else 0
            for k, v in properties.items()
        }
    )


@dataclass(frozen=True, slots=True)
class _TypeMeta:
    """What the cache keys need to know of a type's schema (kept on disk: no cfn-lint
    import to compute a key). ``props`` is ``None`` when the schema is not split."""

    props: frozenset[str] | None
    inspects_values: bool


@cache
def _disk() -> DiskCache:
    return code_cache(
        "cfn-schema", ("tap.rules.cfn._schema", "tap.rules.cfn._precheck"), ("cfn-lint",)
    )


@cache
def _meta(region: str, resource_type: str) -> _TypeMeta | None:
    """The type's :class:`_TypeMeta`; ``None`` for a type cfn-lint does not know."""
    key = f"type|{region}|{resource_type}"
    stored = _disk().get(key)
    if isinstance(stored, dict) and isinstance(stored.get("known"), bool):
        if not stored["known"]:
            return None
        props = stored.get("props")
        if (props is None or isinstance(props, list)) and isinstance(
            stored.get("inspects_values"), bool
        ):
            return _TypeMeta(
                None if props is None else frozenset(map(str, props)), stored["inspects_values"]
            )
    info = _precheck.type_info(region, resource_type, _VALUE_KEYWORDS) if precheck_on() else None
    if info is not None and not info.known:
        _disk().put(key, {"known": False})
        return None
    if info is not None:
        meta = _TypeMeta(info.props, info.inspects_values)
    else:
        validator = _validator(region, resource_type)
        if validator is None:
            _disk().put(key, {"known": False})
            return None
        split = _split(region, resource_type)
        meta = _TypeMeta(
            None if split is None else frozenset(split[1]),
            any(k in validator.schema for k in _VALUE_KEYWORDS),
        )
    _disk().put(
        key,
        {
            "known": True,
            "props": None if meta.props is None else sorted(meta.props),
            "inspects_values": meta.inspects_values,
        },
    )
    return meta


def _digest(key: Any) -> str:
    return hashlib.blake2b(repr(key).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _decode(stored: Any) -> tuple[SchemaError, ...] | None:
    """Errors stored on disk as ``[[rule, [path...], message], ...]``; ``None`` if malformed."""
    if not isinstance(stored, list):
        return None
    out: list[SchemaError] = []
    for item in stored:
        if not (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[0], str)
            and isinstance(item[1], list)
            and isinstance(item[2], str)
        ):
            return None
        out.append(SchemaError(item[0], tuple(map(str, item[1])), item[2]))
    return tuple(out)


def _cached(
    key: tuple[Any, ...], exact: Any, compute: Any, clean: Any = None
) -> tuple[SchemaError, ...]:
    """The errors of one validation, from memory, disk, the pre-check or ``compute()``.

    ``clean()`` is the pre-check (:mod:`tap.rules.cfn._precheck`): True means cfn-lint
    would report nothing, so it is not asked (nor imported). A clean result is stored under
    the shape ``key``; a result with errors under the exact value (``exact``), so its
    messages quote the resource's own values.
    """
    cached = _results.get(key)
    if cached == ():
        return cached
    disk = _disk()
    skey = "s|" + _digest(key)
    if cached is None and disk.get(skey) == []:
        _results[key] = ()
        return ()
    ekey = "e|" + _digest((key, _exact(exact)))
    found = _decode(disk.get(ekey))
    if found is None and clean is not None and precheck_on() and clean():
        found = ()
        disk.put(skey, [])
    if found is None:
        found = tuple(e for e in (_convert(err) for err in compute()) if e is not None)
        if found:
            disk.put(ekey, [[e.rule, list(e.path), e.message] for e in found])
        else:
            disk.put(skey, [])
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
    earlier one only in a name re-validates just that name, not its policy document. cfn-lint
    is imported only when a key is in neither the process's nor the on-disk cache.
    """
    meta = _meta(region, resource_type)
    if meta is None:
        return None
    if not isinstance(properties, dict):
        return (SchemaError("E3012", (), f"{properties!r} is not of type 'object'"),)
    try:
        return _validate(region, resource_type, properties, meta)
    except RecursionError:  # the loader bounds depth; a direct caller may not (issue 9)
        return (SchemaError("E0000", (), "nested too deeply to check against the schema"),)


def _validate(
    region: str, resource_type: str, properties: dict[str, Any], meta: _TypeMeta
) -> tuple[SchemaError, ...]:
    if meta.props is None:
        key = (region, resource_type, "", shape_key(properties))
        return _cached(
            key,
            properties,
            lambda: _validator(region, resource_type).iter_errors(properties),
            lambda: _precheck.clean(region, resource_type, properties),
        )

    def root_errors() -> Any:
        split = _split(region, resource_type)
        assert split is not None  # the meta says the schema splits
        return split[0].iter_errors(properties)

    rkey = (region, resource_type, "", _root_key(properties, meta.inspects_values))
    found = list(
        _cached(
            rkey,
            properties,
            root_errors,
            lambda: _precheck.clean_root(region, resource_type, properties),
        )
    )
    for name, value in properties.items():
        if name not in meta.props:
            continue  # not in the schema: the root's additionalProperties reports it

        def prop_errors(n: str = name, v: Any = value) -> Any:
            validator = _validator(region, resource_type)
            split = _split(region, resource_type)
            assert split is not None
            return validator.descend(v, split[1][n], path=n, schema_path=n, property_path=n)

        def prop_clean(n: str = name, v: Any = value) -> bool:
            return _precheck.clean_property(region, resource_type, n, v)

        pkey = (region, resource_type, name, shape_key(value))
        found.extend(_cached(pkey, value, prop_errors, prop_clean))
    return tuple(found)
