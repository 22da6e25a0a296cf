"""A sound pre-check for ``cfn-schema``: "certainly clean" decided without importing cfn-lint.

Why (issue 10, start-up): importing cfn-lint costs ~0.5-0.6 s per process (its package
``__init__`` pulls in sympy and networkx), more than all of tap's rules on a typical stack,
and a first run (or any edited resource) pays it in :mod:`tap.rules.cfn._schema`. Most
resources CDK writes are valid, so this module answers the question that matters for them,
"would cfn-lint's validator report nothing?", from cfn-lint's own *data files*:

- the provider map ``data/schemas/providers/<region>.json`` (type → schema file; a region
  without a file falls back to ``us-east-1.json``; ``sam.json`` merged in) and the schema
  ``data/schemas/resources/<hash>.json``, found exactly as ``cfnlint.schema.manager``'s
  ``_resolve_schema_dirs``, ``_load_provider_module`` and ``get_resource_schema`` find them
  (the package's bundled schemas, or cfn-lint's download cache when that one is newer);
- the JSON-schema walk of ``cfnlint.jsonschema``: its ``FunctionFilter`` (intrinsics,
  the keywords evaluated per condition scenario, the implicit ``patternProperties``/``items``
  of a bare ``object``/``array``), its lenient ``type``, and the keywords of
  ``_keywords.py``/``_keywords_cfn.py`` with their quirks (``"5"`` is a number, ``"true"``
  a boolean, ``enum`` compares ``True`` and ``"true"`` alike, ``pattern`` uses the ``regex``
  module, an intrinsic inside ``anyOf``/``oneOf``/``not``/``if`` makes the outcome
  unknown, ...).

The answer is **CLEAN** (``True``: cfn-lint's validator, with ``_schema._convert`` applied,
reports nothing) or **NOT-SURE** (``False``: ask cfn-lint, as before). Everything not modelled
exactly is NOT-SURE: a keyword cfn-lint validates that the walk does not implement, the
``regex`` format on a string, ``Fn::If``/``Fn::Transform``/``Fn::ForEach``/``Ref`` beside
other keys, a ``$ref`` outside the schema file, a schema with ``$id``, a region cfn-lint does
not list, a schema folder that cfn-lint would download first, and any exception while
walking. Dynamic references (``{{resolve:...}}``) are plain strings, as cfn-lint sees them
here (``_schema`` turns their validation off), and pseudo parameters written as strings get
no check, as in cfn-lint. Errors cfn-lint
reports *and* ``_convert`` drops (``unknown``, the intrinsics' own validators) are modelled
as such, so an intrinsic where the schema wants an object is CLEAN only when the keywords
that look at it regardless (``required`` on the intrinsic's one key, ...) pass. ``Fn::If``
is one such intrinsic: ``_schema`` gives cfn-lint no template, so its condition scenarios
never resolve an ``Fn::If``; they only drop ``Ref: AWS::NoValue`` (see ``_scenario``).

What is read from cfn-lint's source as data (no import): the keyword names its validator
implements (any other schema key is ignored, as cfn-lint ignores it), the formats its format
checker knows, ``FUNCTIONS``, the pseudo parameters, the boolean strings and the regions.
What is written here: the algorithm. Soundness is a test, not a belief:
tests/rules/cfn/test_schema_precheck.py compares every CLEAN verdict with cfn-lint's own
validation over real templates and mutations of them, and pins the knowledge above against
the installed cfn-lint; ``bench/startup.py --equality`` compares whole findings.
"""

from __future__ import annotations

import ast
import json
import os
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from tap.rules.common.cfnlint_data import cfnlint_assignment, cfnlint_constant, cfnlint_file

__all__ = ["TypeInfo", "clean", "clean_property", "clean_root", "type_info"]

# The keywords cfn-lint's FunctionFilter evaluates on each condition scenario of the value
# (``FunctionFilter.group_functions``): they are applied even when the value is an intrinsic.
GROUP_KEYWORDS = frozenset(
    {
        "dependencies",
        "dependentExcluded",
        "dependentRequired",
        "else",
        "if",
        "maxItems",
        "maxProperties",
        "minItems",
        "minProperties",
        "required",
        "requiredOr",
        "requiredXor",
        "then",
        "uniqueItems",
    }
)
ALL_TYPES = ["array", "boolean", "integer", "number", "object", "string"]
_TYPE_NAMES = frozenset(
    {"array", "boolean", "integer", "object", "null", "number", "string", "date"}
)

# Result bits of one validation: E = an error ``_convert`` keeps; U = an "unknown" error
# (cfn-lint's verdict on an intrinsic it cannot resolve), which ``_convert`` drops.
_E, _U = 1, 2


class _Unsure(Exception):
    """The walk met something it does not model exactly."""


# --- cfn-lint's knowledge, read as data ------------------------------------------------------


def _dict_keys_of(module: str, name: str) -> frozenset[str]:
    """The string keys of the dict literal assigned to ``name`` in cfn-lint's ``module``
    (also ``Name = Call({...})``; ``**spread`` entries are skipped)."""
    value = cfnlint_assignment(module, name)
    if isinstance(value, ast.Call) and value.args:
        value = value.args[0]
    if not isinstance(value, ast.Dict):
        raise LookupError(f"cfnlint.{module}.{name} is not a dict literal")
    keys = [k.value for k in value.keys if isinstance(k, ast.Constant)]
    return frozenset(k for k in keys if isinstance(k, str))


def _strings_of(module: str, name: str) -> frozenset[str]:
    """The strings of a ``frozenset([...])`` / ``[...]`` / ``{...}`` constant (a dict: its
    keys)."""
    literal = cfnlint_constant(module, name)
    if not all(isinstance(x, str) for x in literal):
        raise LookupError(f"cfnlint.{module}.{name} holds more than strings")
    return frozenset(literal)


@cache
def _knowledge() -> dict[str, Any]:
    """What cfn-lint's source says, read once (raises when its layout changed)."""
    keywords = _dict_keys_of("jsonschema.validators", "_standard_validators") | _dict_keys_of(
        "jsonschema._keywords_cfn", "cfn_validators"
    )
    return {
        "keywords": keywords,
        "formats": _dict_keys_of("jsonschema._format", "cfn_format_checker"),
        "functions": _strings_of("helpers", "FUNCTIONS"),
        "pseudo": _strings_of("helpers", "PSEUDOPARAMS_SINGLE")
        | _strings_of("helpers", "PSEUDOPARAMS_MULTIPLE")
        | {"AWS::NoValue"},
        "booleans": _strings_of("helpers", "BOOLEAN_STRINGS_TRUE")
        | _strings_of("helpers", "BOOLEAN_STRINGS_FALSE"),
        "regions": _strings_of("helpers", "AVAILABILITY_ZONES"),
    }


def _schema_date(folder: Path) -> str:
    try:
        with (folder / "version.json").open(encoding="utf-8") as f:
            data = json.load(f)
        date = data.get("schema_date", "")
        return date if isinstance(date, str) else ""
    except (OSError, ValueError, AttributeError):
        return ""


def _cfnlint_cache_dir() -> Path:
    """``cfnlint.helpers.get_cache_dir``."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA", os.path.expanduser("~\\AppData\\Local"))
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache"))
    return Path(base, "aws", "cfn-lint", "schemas")


@cache
def _schema_dirs() -> tuple[Path, Path] | None:
    """``ProviderSchemaManager._resolve_schema_dirs``; ``None`` when cfn-lint would first
    download the schemas (neither folder has provider files)."""
    bundled = cfnlint_file("data", "schemas")
    cached = _cfnlint_cache_dir()
    bundled_exists = (bundled / "providers").exists() and any(
        (bundled / "providers").glob("*.json")
    )
    cache_exists = (cached / "providers").exists() and any((cached / "providers").glob("*.json"))
    if bundled_exists and cache_exists:
        if _schema_date(cached) > _schema_date(bundled):
            return cached / "providers", cached / "resources"
        return bundled / "providers", bundled / "resources"
    if bundled_exists:
        return bundled / "providers", bundled / "resources"
    return None


@cache
def _providers(region: str) -> dict[str, Any]:
    """``ProviderSchemaManager._load_provider_module``: type → schema hash."""
    dirs = _schema_dirs()
    if dirs is None or not (dirs[0] / "us-east-1.json").exists():
        raise _Unsure("cfn-lint would download its schemas")
    path = dirs[0] / f"{region}.json"
    if not path.exists():
        path = dirs[0] / "us-east-1.json"
    try:
        with path.open(encoding="utf-8") as f:
            mapping = json.load(f)
    except FileNotFoundError:
        mapping = {}
    try:
        with (dirs[0] / "sam.json").open(encoding="utf-8") as f:
            mapping.update(json.load(f))
    except FileNotFoundError:
        pass
    if not isinstance(mapping, dict):
        raise _Unsure("provider map is not an object")
    return mapping


@cache
def _schema(region: str, resource_type: str) -> dict[str, Any] | None:
    """``get_resource_schema(region, type).schema``; ``None`` for a type cfn-lint does not
    know there. Raises :class:`_Unsure` where cfn-lint would do more than read a file."""
    if region not in _knowledge()["regions"]:
        raise _Unsure("cfn-lint keeps no schemas for this region")
    if resource_type.startswith("Custom::") or resource_type.endswith("::MODULE"):
        raise _Unsure("normalised type")
    schema_hash = _providers(region).get(resource_type)
    if not schema_hash:
        return None
    dirs = _schema_dirs()
    assert dirs is not None  # _providers checked it
    try:
        text = (dirs[1] / f"{schema_hash}.json").read_text(encoding="utf-8")
        schema = json.loads(text)
    except (OSError, ValueError, TypeError):
        raise _Unsure("schema file unreadable") from None
    if not isinstance(schema, dict) or not isinstance(schema.get("typeName"), str):
        raise _Unsure("schema without typeName")
    # The text search spares the walk where no "$id"/"id" can be (a \u escape could spell one).
    if any(m in text for m in ('"$id"', '"id"', "\\u")) and _has_ids(schema):
        raise _Unsure("schema with $id/id: resolution scopes")
    return schema


def _has_ids(schema: Any) -> bool:
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "$id" in node or isinstance(node.get("id"), str):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


# --- the type's facts that _schema's cache keys need -----------------------------------------


class TypeInfo:
    """What ``_schema._meta`` computes, from the data files: whether cfn-lint knows the type,
    its top-level property names when the root schema splits, and whether the root schema
    inspects values."""

    __slots__ = ("inspects_values", "known", "props")

    def __init__(self, known: bool, props: frozenset[str] | None, inspects_values: bool) -> None:
        self.known, self.props, self.inspects_values = known, props, inspects_values


def type_info(region: str, resource_type: str, value_keywords: frozenset[str]) -> TypeInfo | None:
    """The type's :class:`TypeInfo`, or ``None`` when only cfn-lint can say."""
    try:
        schema = _schema(region, resource_type)
    except (_Unsure, LookupError, OSError, SyntaxError, ValueError):
        return None
    if schema is None:
        return TypeInfo(False, None, False)
    split = (
        isinstance(schema.get("properties"), dict)
        and "patternProperties" not in schema
        and isinstance(schema.get("additionalProperties", False), bool)
    )
    return TypeInfo(
        True,
        frozenset(schema["properties"]) if split else None,
        any(k in schema for k in value_keywords),
    )


# --- the verdicts ----------------------------------------------------------------------------


def clean(region: str, resource_type: str, properties: Any) -> bool:
    """True when cfn-lint's validator reports nothing for the whole ``Properties``."""
    return _verdict(region, resource_type, properties, lambda s: s)


def clean_root(region: str, resource_type: str, properties: Any) -> bool:
    """True when the root keywords alone (each property's schema replaced by ``True``, as
    ``_schema._split`` does) report nothing."""
    return _verdict(
        region,
        resource_type,
        properties,
        lambda s: {**s, "properties": dict.fromkeys(s["properties"], True)},
    )


def clean_property(region: str, resource_type: str, name: str, value: Any) -> bool:
    """True when the top-level property ``name``'s schema reports nothing for ``value``."""
    if name in _knowledge()["functions"] or name.startswith("Fn::") or name == "Ref":
        return False  # cfn-lint's filter treats a path through "Fn::If" differently
    return _verdict(region, resource_type, value, lambda s: s["properties"][name])


def _verdict(region: str, resource_type: str, value: Any, pick: Any) -> bool:
    try:
        schema = _schema(region, resource_type)
        if schema is None:
            return False
        return not _Walker(schema).validate(value, pick(schema), False) & _E
    except (_Unsure, RecursionError, LookupError, OSError, SyntaxError):
        return False
    except Exception:  # noqa: BLE001 - anything unexpected: let cfn-lint answer
        return False


class _Walker:
    """cfn-lint's ``iter_errors`` reduced to which kinds of error it yields (``_E``/``_U``)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.root = schema
        k = _knowledge()
        self.keywords: frozenset[str] = k["keywords"]
        self.formats: frozenset[str] = k["formats"]
        self.functions: frozenset[str] = k["functions"]
        self.pseudo: frozenset[str] = k["pseudo"]
        self.booleans: frozenset[str] = k["booleans"]

    # FunctionFilter.filter + Validator.iter_errors
    def validate(self, instance: Any, schema: Any, unresolvable: bool) -> int:
        if schema is True:
            return 0
        if schema is False:
            return _E
        if not isinstance(schema, dict):
            raise _Unsure("schema is not an object")
        if "$id" in schema or "cfnContext" in schema:
            raise _Unsure("scope or context change")
        # A dynamic reference is a plain string here: ``_schema`` turns cfn-lint's dynamic
        # reference validation off. A pseudo parameter written as a string gets cfn-lint's
        # ``rawPseudoParameter`` keyword instead of the schema, which it has no validator
        # for (a path through a "Ref" key would change that: such objects are not walked).
        if isinstance(instance, str) and instance in self.pseudo:
            return 0
        standard, group = _split_schema(schema)
        found = 0
        if group:
            # One scenario or several, all alike (see _scenario): their errors are the same.
            scenario = _scenario(instance)
            if scenario is not None:
                found |= self._apply(group, scenario, unresolvable)
        if isinstance(instance, dict) and len(instance) == 1:
            (key,) = instance
            if key in self.functions:
                fn = key.replace("::", "_").replace("-", "_").lower()
                if unresolvable and fn in self.keywords:
                    found |= _U  # _function_unknown in unresolvable_function_mode
                return found
        if isinstance(instance, dict) and any(
            k in ("Fn::If", "Fn::Transform", "Ref") or k.startswith("Fn::ForEach") for k in instance
        ):
            # Beside other keys: cfn-lint exempts Fn::Transform from additionalProperties, a
            # path through "Fn::If" switches its per-scenario keywords off, and one through
            # "Ref" its check of pseudo parameters written as strings.
            raise _Unsure("Fn::If / Fn::Transform / Fn::ForEach / Ref beside other keys")
        return found | self._apply(standard, instance, unresolvable)

    def _apply(self, schema: dict[str, Any], instance: Any, unresolvable: bool) -> int:
        found = 0
        for key, value in schema.items():
            if key not in self.keywords:
                continue  # cfn-lint has no validator for it: ignored there too
            method = getattr(self, "_kw_" + key.replace("$", "_"), None)
            if method is None:
                raise _Unsure(f"keyword {key} not modelled")
            try:
                found |= method(value, instance, schema, unresolvable)
            except (_Unsure, RecursionError):
                raise
            except Exception as err:  # cfn-lint reports "Exception ... raised while validating"
                raise _Unsure(str(err)) from err
        return found

    # --- keywords (cfnlint/jsonschema/_keywords.py, _keywords_cfn.py) ---

    def _kw__ref(self, ref: Any, instance: Any, schema: Any, unres: bool) -> int:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise _Unsure("remote $ref")
        from urllib.parse import unquote

        fragment = ref[1:].rstrip("/").lstrip("/")
        document: Any = self.root
        if fragment:
            for part in unquote(fragment).split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if isinstance(document, list):
                    try:
                        document = document[int(part)]
                    except (ValueError, IndexError):
                        raise _Unsure("unresolvable $ref") from None
                elif isinstance(document, dict) and part in document:
                    document = document[part]
                else:
                    raise _Unsure("unresolvable $ref")
        return self.validate(instance, document, unres)

    def _kw_additionalProperties(self, ap: Any, instance: Any, schema: Any, unres: bool) -> int:
        if not isinstance(instance, dict):
            return 0
        properties = schema.get("properties", {})
        patterns = "|".join(schema.get("patternProperties", {}))
        extras = []
        for prop in instance:
            if prop not in properties:
                if isinstance(prop, str) and patterns and _regex().search(patterns, prop):
                    continue
                extras.append(prop)
        found = 0
        if isinstance(ap, dict):
            for extra in extras:
                found |= self.validate(instance[extra], ap, unres)
        elif not ap and extras:
            found |= _E
        return found

    def _kw_allOf(self, all_of: Any, instance: Any, schema: Any, unres: bool) -> int:
        found = 0
        for sub in all_of:
            found |= self.validate(instance, sub, unres)
        return found

    def _kw_anyOf(self, any_of: Any, instance: Any, schema: Any, unres: bool) -> int:
        unknown = False
        for sub in any_of:
            r = self.validate(instance, sub, True)
            if r & _U:
                unknown = True
            elif not r:
                return 0
        return _U if unknown else _E

    def _kw_oneOf(self, one_of: Any, instance: Any, schema: Any, unres: bool) -> int:
        valid, unknown = 0, False
        for sub in one_of:
            r = self.validate(instance, sub, True)
            if r & _U:
                unknown = True
            elif not r:
                valid += 1
        if unknown and valid < 2:
            return _U
        return 0 if valid == 1 else _E

    def _kw_not(self, not_schema: Any, instance: Any, schema: Any, unres: bool) -> int:
        r = self.validate(instance, not_schema, True)
        if r & _U:
            return _U
        return _E if not r else 0

    def _kw_if(self, if_schema: Any, instance: Any, schema: Any, unres: bool) -> int:
        r = self.validate(instance, if_schema, True)
        if r & _U:
            return _U
        if not r:
            return self.validate(instance, schema["then"], unres) if "then" in schema else 0
        return self.validate(instance, schema["else"], unres) if "else" in schema else 0

    def _kw_const(self, const: Any, instance: Any, schema: Any, unres: bool) -> int:
        return 0 if _equal(instance, const) else _E

    def _kw_enum(self, enums: Any, instance: Any, schema: Any, unres: bool) -> int:
        if instance in (0, 1):
            unbooled = _unbool(instance)
            ok = any(_equal(unbooled, _unbool(each)) for each in enums)
        else:
            ok = any(_equal(instance, each) for each in enums)
        return 0 if ok else _E

    def _kw_enumCaseInsensitive(self, enums: Any, instance: Any, schema: Any, unres: bool) -> int:
        if isinstance(instance, str):
            instance = instance.lower()
        lower = [e.lower() if isinstance(e, str) else e for e in enums]
        return self._kw_enum(lower, instance, schema, unres)

    def _kw_type(self, types: Any, instance: Any, schema: Any, unres: bool) -> int:
        wanted = list(types) if isinstance(types, list | tuple) else [types]
        return 0 if any(self._raw_type(t, instance) for t in wanted) else _E

    def _raw_type(self, t: Any, instance: Any) -> bool:
        """``_keywords_cfn._raw_type`` (strict_types off)."""
        if t in ("object", "array", "null") or instance is None:
            if t not in _TYPE_NAMES:
                raise _Unsure("unknown type name")
            return _is_type(instance, t)
        if t == "string":
            return not isinstance(instance, dict | list)
        if t == "number":
            if isinstance(instance, bool):
                return False
            try:
                float(instance)
                return True
            except (ValueError, TypeError):
                return False
        if t == "integer":
            if isinstance(instance, bool):
                return False
            try:
                int(instance)
                return True
            except (ValueError, TypeError):
                return False
        if t == "boolean":
            return isinstance(instance, bool) or (
                isinstance(instance, str) and instance in self.booleans
            )
        return False

    def _kw_format(self, fmt: Any, instance: Any, schema: Any, unres: bool) -> int:
        if fmt not in self.formats:
            return 0  # cfn-lint's format checker does not know it: it always passes
        if not isinstance(instance, str):
            return 0  # every checker cfn-lint has passes non-strings
        check = _FORMATS.get(fmt)
        if check is None:
            raise _Unsure("checked format not modelled")
        try:
            ok = check(instance)
        except Exception:  # noqa: BLE001 - cfn-lint reports a checker's exception as an error
            return _E
        return 0 if ok else _E

    def _kw_pattern(self, pattern: Any, instance: Any, schema: Any, unres: bool) -> int:
        if not isinstance(instance, str | int | float | bool):
            return 0
        if not isinstance(instance, str):
            instance = json.dumps(instance)
        return 0 if _regex().search(pattern, instance) else _E

    def _kw_maxLength(self, n: Any, instance: Any, schema: Any, unres: bool) -> int:
        return _E if isinstance(instance, str) and len(instance) > n else 0

    def _kw_minLength(self, n: Any, instance: Any, schema: Any, unres: bool) -> int:
        return _E if isinstance(instance, str) and len(instance) < n else 0

    def _number(self, instance: Any) -> Any:
        """The instance as ``minimum``/``maximum`` see it; ``None``: they return early."""
        if isinstance(instance, str):
            try:
                return float(instance)
            except ValueError:
                return None
        return instance if _is_type(instance, "number") else None

    def _kw_maximum(self, m: Any, instance: Any, schema: Any, unres: bool) -> int:
        t = self._number(instance)
        return _E if t is not None and t > m else 0

    def _kw_minimum(self, m: Any, instance: Any, schema: Any, unres: bool) -> int:
        t = self._number(instance)
        return _E if t is not None and t < m else 0

    def _kw_exclusiveMaximum(self, m: Any, instance: Any, schema: Any, unres: bool) -> int:
        t = self._number(instance)
        return _E if t is not None and t >= m else 0

    def _kw_exclusiveMinimum(self, m: Any, instance: Any, schema: Any, unres: bool) -> int:
        t = self._number(instance)
        return _E if t is not None and t <= m else 0

    def _kw_multipleOf(self, d: Any, instance: Any, schema: Any, unres: bool) -> int:
        t = self._number(instance)
        if t is None:
            return 0
        if isinstance(d, float):
            q = t / d
            failed = int(q) != q
        else:
            failed = bool(t % d)
        return _E if failed else 0

    def _kw_maxItems(self, n: Any, instance: Any, schema: Any, unres: bool) -> int:
        return _E if isinstance(instance, list) and len(instance) > n else 0

    def _kw_minItems(self, n: Any, instance: Any, schema: Any, unres: bool) -> int:
        return _E if isinstance(instance, list) and len(instance) < n else 0

    def _kw_maxProperties(self, n: Any, instance: Any, schema: Any, unres: bool) -> int:
        return _E if isinstance(instance, dict) and len(instance) > n else 0

    def _kw_minProperties(self, n: Any, instance: Any, schema: Any, unres: bool) -> int:
        return _E if isinstance(instance, dict) and len(instance) < n else 0

    def _kw_uniqueItems(self, u: Any, instance: Any, schema: Any, unres: bool) -> int:
        return _E if u and isinstance(instance, list) and not _uniq(instance) else 0

    def _kw_maxUniqueItems(self, n: Any, instance: Any, schema: Any, unres: bool) -> int:
        if not isinstance(instance, list):
            return 0
        return _E if len({str(_unbool(i)) for i in instance}) > n else 0

    def _kw_uniqueKeys(self, keys: Any, instance: Any, schema: Any, unres: bool) -> int:
        return _E if keys and isinstance(instance, list) and not _uniq_keys(instance, keys) else 0

    def _kw_items(self, items: Any, instance: Any, schema: Any, unres: bool) -> int:
        if not isinstance(instance, list):
            return 0
        prefix = len(schema.get("prefixItems", []))
        if len(instance) - prefix <= 0:
            return 0
        if items is False:
            return _E
        found = 0
        for item in instance[prefix:]:
            found |= self.validate(item, items, unres)
        return found

    def _kw_prefixItems(self, prefix: Any, instance: Any, schema: Any, unres: bool) -> int:
        if not isinstance(instance, list):
            return 0
        found = 0
        for item, sub in zip(instance, prefix, strict=False):
            found |= self.validate(item, sub, unres)
        return found

    def _kw_properties(self, properties: Any, instance: Any, schema: Any, unres: bool) -> int:
        if not isinstance(instance, dict):
            return 0
        found = 0
        for name, sub in properties.items():
            if name in instance:
                found |= self.validate(instance[name], sub, unres)
        return found

    def _kw_patternProperties(self, patterns: Any, instance: Any, schema: Any, unres: bool) -> int:
        if not isinstance(instance, dict):
            return 0
        found = 0
        for pattern, sub in patterns.items():
            for k, v in instance.items():
                if isinstance(k, str) and _regex().search(pattern, k):
                    found |= self.validate(v, sub, unres)
        return found

    def _kw_required(self, required: Any, instance: Any, schema: Any, unres: bool) -> int:
        if not isinstance(instance, dict):
            return 0
        return _E if any(p not in instance for p in required) else 0

    def _kw_requiredOr(self, required: Any, instance: Any, schema: Any, unres: bool) -> int:
        if not isinstance(instance, dict):
            return 0
        return 0 if set(required).intersection(instance.keys()) else _E

    def _kw_requiredXor(self, required: Any, instance: Any, schema: Any, unres: bool) -> int:
        if not isinstance(instance, dict):
            return 0
        return 0 if len(set(required).intersection(instance.keys())) == 1 else _E

    def _kw_dependencies(self, deps: Any, instance: Any, schema: Any, unres: bool) -> int:
        if not isinstance(instance, dict):
            return 0
        found = 0
        for prop, dep in deps.items():
            if prop not in instance:
                continue
            if isinstance(dep, list):
                if any(each not in instance for each in dep):
                    found |= _E
            else:
                found |= self.validate(instance, dep, unres)
        return found

    def _kw_dependentRequired(self, deps: Any, instance: Any, schema: Any, unres: bool) -> int:
        if not isinstance(instance, dict):
            return 0
        for prop, dep in deps.items():
            if prop in instance and any(each not in instance for each in dep):
                return _E
        return 0

    def _kw_dependentExcluded(self, deps: Any, instance: Any, schema: Any, unres: bool) -> int:
        if not isinstance(instance, dict):
            return 0
        for prop, dep in deps.items():
            if prop in instance and any(each in instance for each in dep):
                return _E
        return 0


def _scenario(value: Any, root: bool = True) -> Any:
    """What the per-scenario keywords see: ``build_instance_from_scenario`` with the
    validator's conditions, which are none (``_schema`` gives cfn-lint no template), so no
    ``Fn::If`` is ever resolved: each scenario is this same value, where ``Ref:
    AWS::NoValue`` and ``null`` are dropped from the root object's values and from lists (a
    required key holding them is missing), and a root that is one of them gets no such
    keyword at all."""
    if isinstance(value, list):
        return [y for y in (_scenario(x, False) for x in value) if y is not None]
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Fn::If":
                return value
            if key == "Ref" and arg == "AWS::NoValue":
                return None
        if root:
            pairs = ((k, _scenario(x, False)) for k, x in value.items())
            return {k: y for k, y in pairs if y is not None}
    return value


def _split_schema(schema: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``FunctionFilter._filter_schemas``: (standard keywords, per-scenario keywords), with
    the implicit checks cfn-lint adds to a bare ``object`` or ``array``."""
    standard: dict[str, Any] = {}
    group: dict[str, Any] = {}
    for key, sub in schema.items():
        (group if key in GROUP_KEYWORDS else standard)[key] = sub
    types = standard.get("type", [])
    if "object" in (types if isinstance(types, list | tuple) else [types]) and all(
        p not in standard for p in ("properties", "additionalProperties", "patternProperties")
    ):
        standard["patternProperties"] = {".*": {"type": ALL_TYPES}}
    if "array" in types and "items" not in standard:
        standard["items"] = {"type": ALL_TYPES}
    return standard, group


@cache
def _regex() -> Any:
    """The ``regex`` module cfn-lint matches patterns with (not ``re``: they differ)."""
    import regex

    return regex


# ``cfnlint.jsonschema._format``'s checkers for strings (each passes any other value). A
# checker's falsy result and its exception are both an error there.
_RE_FULL_DATE = "\\d{4}-(0[1-9]|1[0-2])-\\d{2}"
_RE_FULL_TIME = (
    "([01]\\d|2[0123]):[0-5]\\d:[0-5]\\d(\\.\\d+)?(Z|[+-][+-]([01]\\d|2[0123]):[0-5]\\d)"
)


@cache
def _format_regex(kind: str) -> Any:
    if kind == "date":
        return _regex().compile(rf"^{_RE_FULL_DATE}$", _regex().ASCII)
    return _regex().compile(rf"^{_RE_FULL_DATE}T{_RE_FULL_TIME}$", _regex().ASCII)


def _is_date(s: str) -> bool:
    import datetime

    return bool(_format_regex("date").fullmatch(s) and datetime.date.fromisoformat(s))


def _ip(kind: str) -> Any:
    import ipaddress

    def check(s: str) -> bool:
        try:
            if kind == "ipv6":
                return not getattr(ipaddress.IPv6Address(s), "scope_id", "")
            cls = {
                "ipv4": ipaddress.IPv4Address,
                "ipv4-network": ipaddress.IPv4Network,
                "ipv6-network": ipaddress.IPv6Network,
            }[kind]
            return bool(cls(s))
        except ipaddress.AddressValueError:
            return False
        except ValueError:
            if kind.endswith("-network"):
                return False
            raise

    return check


_FORMATS: dict[str, Any] = {
    "date": _is_date,
    "date-time": lambda s: bool(_format_regex("date-time").fullmatch(s)),
    "time": lambda s: bool(_format_regex("date-time").fullmatch(f"1970-01-01T{s}")),
    "email": lambda s: "@" in s,
    "ipv4": _ip("ipv4"),
    "ipv4-network": _ip("ipv4-network"),
    "ipv6": _ip("ipv6"),
    "ipv6-network": _ip("ipv6-network"),
}


def _is_type(instance: Any, t: str) -> bool:
    """``cfn_type_checker.is_type``."""
    if t == "array":
        return isinstance(instance, list)
    if t == "boolean":
        return isinstance(instance, bool)
    if t == "integer":
        if isinstance(instance, bool):
            return False
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    if t == "object":
        return isinstance(instance, dict)
    if t == "null":
        return instance is None
    if t == "number":
        import numbers

        return not isinstance(instance, bool) and isinstance(instance, numbers.Number)
    if t == "string":
        return isinstance(instance, str)
    if t == "date":
        import datetime

        return isinstance(instance, datetime.date)
    raise _Unsure("unknown type name")


# ``cfnlint.jsonschema._utils`` (from python-jsonschema, MIT), whose equality is JSON's with
# CloudFormation's boolean strings: the same Python operations, so the same answers.
_TRUE, _FALSE = object(), object()


def _unbool(element: Any) -> Any:
    if element is True:
        return _TRUE
    if element is False:
        return _FALSE
    return element


def _bool_compare(first: Any, second: Any) -> bool:
    if isinstance(first, str):
        first = bool(first.lower() in ["true", "True"])
    if isinstance(second, str):
        second = bool(second.lower() in ["true", "True"])
    return first is second


def _equal(one: Any, two: Any) -> bool:
    if isinstance(one, bool | str) and isinstance(two, bool | str):
        if (
            (isinstance(one, str) and one.lower() in ["true", "false"])
            or (isinstance(two, str) and two.lower() in ["true", "false"])
            or isinstance(one, bool)
            or isinstance(two, bool)
        ):
            return _bool_compare(one, two)
    if isinstance(one, str) or isinstance(two, str):
        try:
            return str(one) == str(two)
        except ValueError:
            return False
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(i, j) for i, j in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(
            key in two and _equal(value, two[key]) for key, value in one.items()
        )
    return bool(_unbool(one) == _unbool(two))


def _uniq(container: list[Any]) -> bool:
    c = []
    for i in container:
        i = _unbool(i)
        if isinstance(i, int | float | bool):
            i = str(i)
        c.append(i)
    try:
        ordered = sorted(_unbool(i) for i in c)
        for i, j in zip(ordered, ordered[1:], strict=False):
            if _equal(i, j):
                return False
    except (NotImplementedError, TypeError):
        seen: list[Any] = []
        for e in c:
            e = _unbool(e)
            for i in seen:
                if _equal(i, e):
                    return False
            seen.append(e)
    return True


def _uniq_keys(container: list[Any], keys: Any) -> bool:
    c = []
    for i in container:
        try:
            c.append({k: i[k] for k in keys})
        except (KeyError, TypeError):
            pass
    seen: list[Any] = []
    for e in c:
        for i in seen:
            if _equal(i, e):
                return False
        seen.append(e)
    return True
