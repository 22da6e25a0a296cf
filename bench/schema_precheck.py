"""Soundness of the cfn-schema pre-check (tap/rules/cfn/_precheck.py) against cfn-lint itself.

For every key ``tap.rules.cfn._schema`` validates (a resource's root keywords, each top-level
property, or the whole ``Properties`` when the schema does not split), of every resource of
the input templates and of mutated copies of them, this compares

- the pre-check's verdict with cfn-lint's own validation of the same key (the validators
  ``_schema`` builds, no cache, errors passed through ``_schema._convert``):
  **CLEAN must imply no error** (``unsound`` counts the keys where it does not: must be 0);
- the pre-check's walk, wherever it is sure, with the *kinds* of error cfn-lint yields
  (an error ``_convert`` keeps, an "unknown" one it drops): ``walk_mismatch`` must be 0. It
  checks the model beyond CLEAN, as ``oneOf``/``not``/``if`` rely on it.

It also reports how often the pre-check is CLEAN on keys cfn-lint finds clean (the start-up
gain: a NOT-SURE key imports cfn-lint).

``python bench/schema_precheck.py PATH...`` (templates or folders of ``*.template.json``,
searched recursively); ``--no-mutations`` checks the inputs only. The fast part runs in
``make test`` (tests/rules/cfn/test_schema_precheck.py).
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tap.rules.cfn import _precheck, _schema  # noqa: E402
from tap.rules.cfn.properties_match_schema import skipped_type  # noqa: E402

__all__ = ["Key", "compare", "deep_mutants", "keys_of", "mutants", "run"]

Key = tuple[str, str, str, str | None, Any]  # (region, type, kind, property name, value)


def keys_of(region: str, resource_type: str, properties: Any) -> Iterator[Key]:
    """The keys ``_schema.validate_properties`` validates for one resource, in its order."""
    if skipped_type(resource_type) or not isinstance(properties, dict):
        return
    meta = _schema._meta(region, resource_type)
    if meta is None:
        return
    if meta.props is None:
        yield region, resource_type, "whole", None, properties
        return
    yield region, resource_type, "root", None, properties
    for name, value in properties.items():
        if name in meta.props:
            yield region, resource_type, "property", name, value


def _cfn_lint_errors(key: Key) -> list[Any]:
    region, resource_type, kind, name, value = key
    validator = _schema._validator(region, resource_type)
    if kind == "whole":
        return list(validator.iter_errors(value))
    split = _schema._split(region, resource_type)
    if kind == "root":
        return list(split[0].iter_errors(value))
    return list(validator.descend(value, split[1][name], path=name, property_path=name))


def _walk(key: Key) -> int | None:
    """The pre-check walk's result bits, or ``None`` where it is not sure."""
    region, resource_type, kind, name, value = key
    try:
        schema = _precheck._schema(region, resource_type)
        if schema is None:
            return None
        if kind == "whole":
            sub = schema
        elif kind == "root":
            sub = {**schema, "properties": dict.fromkeys(schema["properties"], True)}
        else:
            if name in _precheck._knowledge()["functions"] or str(name).startswith("Fn::"):
                return None
            sub = schema["properties"][name]
        return _precheck._Walker(schema).validate(value, sub, False)
    except Exception:  # noqa: BLE001 - any way of not being sure
        return None


def compare(key: Key) -> dict[str, Any]:
    """One key: the pre-check's verdict, its walk, and cfn-lint's errors."""
    region, resource_type, kind, name, value = key
    if kind == "whole":
        clean = _precheck.clean(region, resource_type, value)
    elif kind == "root":
        clean = _precheck.clean_root(region, resource_type, value)
    else:
        assert name is not None
        clean = _precheck.clean_property(region, resource_type, name, value)
    raw = _cfn_lint_errors(key)
    kept = [e for e in (_schema._convert(err) for err in raw) if e is not None]
    bits = (_precheck._E if kept else 0) | (
        _precheck._U if any(getattr(err, "unknown", False) for err in raw) else 0
    )
    return {"clean": clean, "walk": _walk(key), "cfn_lint": bits, "kept": kept}


# --- mutations: the mistakes people make, and the values cfn-lint treats leniently ------------

_SCALARS: tuple[Any, ...] = (
    "5",
    5,
    "5.5",
    5.5,
    -1,
    0,
    "0",
    "true",
    "True",
    "false",
    True,
    False,
    "",
    "x",
    "AWS::Region",
    "{{resolve:ssm:/p}}",
    None,
    10**30,
    "1e400",
    "nan",
)
_SHAPES: tuple[Any, ...] = (
    [],
    {},
    ["x"],
    [1, 1],
    [{"Key": "k", "Value": "v"}],
    {"Key": "k"},
    {"Ref": "Something"},
    {"Ref": "AWS::NoValue"},
    {"Fn::GetAtt": ["R", "Arn"]},
    {"Fn::Sub": "${AWS::Region}-x"},
    {"Fn::Join": ["", ["a", {"Ref": "AWS::Partition"}]]},
    {"Fn::If": ["C", "a", {"Ref": "AWS::NoValue"}]},
    {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
    {"Fn::Base64": "x"},
    {"Ref": "X", "Other": 1},
    {"Fn::Transform": {"Name": "M"}, "A": 1},
    [{"Ref": "A"}, {"Ref": "A"}],
)


def _variants(value: Any) -> Iterator[Any]:
    """Values a property could wrongly (or leniently) hold instead of ``value``."""
    if isinstance(value, str):
        yield [value]
        yield {"Value": value}
        yield value + "x" * 300
        yield value.upper()
    elif isinstance(value, bool):
        yield str(value).lower()
        yield str(value)
        yield int(value)
    elif isinstance(value, int | float):
        yield str(value)
        yield f"{value}x"
        yield -value - 1
        yield value * 10**6
        yield float(value) + 0.5
    elif isinstance(value, list):
        yield {"Items": value}
        yield value[:1]
        yield value + value
        yield [*value, None]
        if value:
            yield value[0]
    elif isinstance(value, dict):
        yield [value]
        yield {}
        if value:
            first = sorted(value)[0]
            yield {k: v for k, v in value.items() if k != first}
            yield {(k[0].lower() + k[1:] if k == first else k): v for k, v in value.items()}
            yield {**value, "Bogus": 1}
            for k, v in sorted(value.items())[:3]:
                for w in _variants(v):
                    yield {**value, k: w}


def mutants(properties: Any, *, limit: int = 60) -> Iterator[Any]:
    """Mutated copies of one resource's ``Properties`` (at most ``limit``)."""
    if not isinstance(properties, dict):
        return
    out = 0
    top = sorted(properties)
    candidates: list[Any] = [{}, {**properties, "BogusProp": 1}]
    if top:
        candidates.append({k: v for k, v in properties.items() if k != top[0]})
        candidates.append(
            {(k[0].lower() + k[1:] if k == top[0] else k): v for k, v in properties.items()}
        )
    for name in top:
        for value in _variants(properties[name]):
            candidates.append({**properties, name: value})
        for value in (*_SCALARS, *_SHAPES):
            candidates.append({**properties, name: copy.deepcopy(value)})
    step = max(1, len(candidates) // limit)
    for candidate in candidates[::step]:
        yield candidate
        out += 1
        if out >= limit:
            return


def _paths(value: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every position inside ``value`` (not inside intrinsics' arguments)."""
    yield here
    if isinstance(value, dict) and not (len(value) == 1 and _is_intrinsic(next(iter(value)))):
        for k, v in value.items():
            yield from _paths(v, (*here, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*here, i))


def _is_intrinsic(key: str) -> bool:
    return key == "Ref" or key.startswith("Fn::")


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    out = copy.copy(value)
    out[path[0]] = _replaced(value[path[0]], path[1:], new)
    return out


def deep_mutants(properties: Any, rng: random.Random, *, count: int = 30) -> Iterator[Any]:
    """``count`` copies of ``properties`` with one nested position replaced (by a wrong
    shape, a lenient scalar or a variant of its own value), positions drawn with ``rng``."""
    if not isinstance(properties, dict):
        return
    positions = [p for p in _paths(properties) if p]
    if not positions:
        return
    for _ in range(count):
        path = rng.choice(positions)
        old: Any = properties
        for part in path:
            old = old[part]
        pool = [*_SCALARS, *_SHAPES, *_variants(old)]
        yield _replaced(properties, path, copy.deepcopy(rng.choice(pool)))


def templates(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for p in paths:
        found.extend([p] if p.is_file() else sorted(p.rglob("*.template.json")))
    return found


def run(
    paths: list[Path], *, mutations: bool = True, region: str = "us-east-1", seed: int = 10
) -> dict:
    """Compare the pre-check with cfn-lint on every key of ``paths`` (and their mutants)."""
    stats: Counter[str] = Counter()
    unsound: list[str] = []
    mismatch: list[str] = []
    seen: set[str] = set()
    rng = random.Random(seed)
    for path in templates(paths):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        resources = doc.get("Resources") if isinstance(doc, dict) else None
        for res in (resources or {}).values():
            if not isinstance(res, dict) or not isinstance(res.get("Type"), str):
                continue
            props = res.get("Properties", {})
            values = [("input", props)]
            if mutations:
                values += [("mutant", m) for m in mutants(props)]
                values += [("mutant", m) for m in deep_mutants(props, rng)]
            for origin, value in values:
                for key in keys_of(region, res["Type"], value):
                    ident = json.dumps(key[:4]) + json.dumps(key[4], sort_keys=True, default=str)
                    if ident in seen:
                        continue
                    seen.add(ident)
                    r = compare(key)
                    stats[f"{origin}_keys"] += 1
                    stats[f"{origin}_clean"] += r["clean"]
                    if not r["kept"]:
                        stats[f"{origin}_cfn_lint_clean"] += 1
                        stats[f"{origin}_clean_of_cfn_lint_clean"] += r["clean"]
                    if r["clean"] and r["kept"]:
                        unsound.append(f"{path.name} {key[:4]}: {r['kept'][0].message}")
                    if r["walk"] is not None and r["walk"] != r["cfn_lint"]:
                        mismatch.append(f"{path.name} {key[:4]} walk={r['walk']} {r['cfn_lint']}")
    return {
        "templates": len(templates(paths)),
        **dict(sorted(stats.items())),
        "unsound": len(unsound),
        "walk_mismatch": len(mismatch),
        "examples": (unsound + mismatch)[:10],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--no-mutations", action="store_true")
    parser.add_argument("--seed", type=int, default=10, help="of the nested mutations")
    args = parser.parse_args()
    result = run(args.paths, mutations=not args.no_mutations, seed=args.seed)
    print(json.dumps(result, indent=2))
    sys.exit(0 if result["unsound"] == 0 and result["walk_mismatch"] == 0 else 1)
