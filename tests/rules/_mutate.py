"""Seeded mutations of real templates: the inputs of the robustness suite (issue 9).

Each mutation takes a template (a dict, never modified) and a ``random.Random`` and returns
``(kind, mutated template)``. The kinds are the crash classes fuzzing found, plus cycles,
unknown intrinsics, wrong shapes and huge inputs. Deterministic for a given seed.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["JUNK", "MUTATIONS", "deep", "mutants"]

Template = dict[str, Any]
Mutation = Callable[[Template, random.Random], Template]

# Values of every JSON type (and shapes of intrinsics gone wrong) to put where others are.
JUNK: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    3.5,
    "",
    "x",
    "/",
    "../../..",
    [],
    [1, "a", None, {"k": 1}],
    {},
    {"Ref": 5},
    {"Ref": ["a"]},
    {"Fn::GetAtt": "NoDot"},
    {"Fn::GetAtt": [{"Ref": "X"}, "Arn"]},
    {"Fn::GetAtt": 7},
    {"Fn::Sub": ["${A}", 5]},
    {"Fn::Sub": {"a": 1}},
    {"Fn::Join": "x"},
    {"Fn::Join": ["-", "notalist"]},
    {"Fn::Select": ["a", [1]]},
    {"Fn::Select": [99, [1]]},
    {"Fn::If": "Cond"},
    {"Fn::If": ["NoSuchCondition", 1, 2]},
    {"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "k"]},
    {"Fn::Nope": [1, 2]},
    {"Fn::Split": [",", {"Ref": "AWS::Region"}]},
    {"Fn::Base64": {"Fn::Base64": {"Fn::Base64": "x"}}},
    {"Fn::ToJsonString": {"a": {"Ref": "AWS::AccountId"}}},
    {"Ref": "AWS::NoValue"},
    "x" * 100_000,
    list(range(2_000)),
)


def deep(levels: int, leaf: Any = "x", *, kind: str = "list") -> Any:
    """``levels`` nested lists, objects or intrinsics around ``leaf`` (built iteratively)."""
    value = leaf
    for i in range(levels):
        if kind == "list":
            value = [value]
        elif kind == "dict":
            value = {"k": value}
        elif kind == "if":
            value = {"Fn::If": ["C", value, value]} if i % 2 else {"Fn::Join": ["", [value]]}
        else:
            value = {"Fn::Select": [0, [value]]}
    return value


def _resources(t: Template) -> dict[str, Any]:
    res = t.get("Resources")
    return res if isinstance(res, dict) else {}


def _pick(t: Template, rng: random.Random) -> str | None:
    ids = sorted(_resources(t))
    return rng.choice(ids) if ids else None


def _slots(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``value`` (iteratively)."""
    out: list[tuple[Any, ...]] = []
    todo = [(value, path)]
    while todo:
        v, p = todo.pop()
        if isinstance(v, dict):
            for k, sub in v.items():
                out.append((*p, k))
                todo.append((sub, (*p, k)))
        elif isinstance(v, list):
            for i, sub in enumerate(v):
                out.append((*p, i))
                todo.append((sub, (*p, i)))
    return out


def _set(t: Any, path: tuple[Any, ...], value: Any) -> None:
    """Set the value at ``path``; nothing when an earlier mutation replaced a parent."""
    for key in path[:-1]:
        if not isinstance(t, dict | list) or (isinstance(t, dict) and key not in t):
            return
        if isinstance(t, list) and (not isinstance(key, int) or key >= len(t)):
            return
        t = t[key]
    if (isinstance(t, dict) and isinstance(path[-1], str)) or (  # JSON keys are strings
        isinstance(t, list) and isinstance(path[-1], int) and path[-1] < len(t)
    ):
        t[path[-1]] = value


def resource_metadata(t: Template, rng: random.Random) -> Template:
    lid = _pick(t, rng)
    if lid is not None and isinstance(t["Resources"][lid], dict):
        t["Resources"][lid]["Metadata"] = rng.choice(["a string", ["a", "list"], 3, None])
    return t


def template_metadata(t: Template, rng: random.Random) -> Template:
    t["Metadata"] = rng.choice(["a string", ["a"], 1, {"TapEnvironment": "dev"}])
    return t


def resource_shape(t: Template, rng: random.Random) -> Template:
    lid = _pick(t, rng)
    if lid is None:
        return t
    raw = t["Resources"][lid]
    choice = rng.randrange(6)
    if choice == 0:
        t["Resources"][lid] = rng.choice(["AWS::S3::Bucket", [raw], None, 5])
    elif isinstance(raw, dict) and choice == 1:
        raw.pop("Type", None)
    elif isinstance(raw, dict) and choice == 2:
        raw["Type"] = rng.choice([5, None, ["AWS::S3::Bucket"], {"a": 1}, ""])
    elif isinstance(raw, dict) and choice == 3:
        raw["Properties"] = rng.choice(["s", [1, 2], None, 0])
    elif isinstance(raw, dict) and choice == 4:
        raw["DependsOn"] = rng.choice([5, [1, {"a": 1}], {"a": "b"}, lid])
    elif isinstance(raw, dict):
        raw["Condition"] = rng.choice([{"a": 1}, ["C"], "Missing", 3])
    return t


def section_shape(t: Template, rng: random.Random) -> Template:
    key = rng.choice(["Conditions", "Mappings", "Parameters", "Outputs", "Transform", "Rules"])
    t[key] = rng.choice(["s", [1, "a"], 5, {"C": "notanobject"}, {"C": [1]}, {"C": None}])
    return t


def getatt_shapes(t: Template, rng: random.Random) -> Template:
    slots = [p for p in _slots(t) if p and p[-1] in ("Fn::GetAtt", "Ref", "Fn::Sub", "Fn::Join")]
    for path in rng.sample(slots, min(len(slots), 5)):
        _set(t, path, rng.choice(["NoDot", 7, {"a": "b"}, [1], [None, None], [{"x": 1}, "y"]]))
    return t


def junk_values(t: Template, rng: random.Random) -> Template:
    slots = _slots(t)
    for path in rng.sample(slots, min(len(slots), 8)):
        _set(t, path, copy.deepcopy(rng.choice(JUNK)))
    return t


def mixed_lists(t: Template, rng: random.Random) -> Template:
    """Lists whose elements are of mixed types (sorted or hashed together by a rule)."""
    slots = [p for p in _slots(t) if isinstance(_get(t, p), list)]
    for path in rng.sample(slots, min(len(slots), 6)):
        current = _get(t, path)
        if isinstance(current, list):
            _set(t, path, [*current, 1, None, {"a": [1]}, ["x"], True, 2.5])
    return t


def _get(t: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        try:
            t = t[key]
        except (KeyError, IndexError, TypeError):
            return None
    return t


def unhashable(t: Template, rng: random.Random) -> Template:
    """Objects and lists where strings are expected (keys of sets and dicts in rules)."""
    slots = [p for p in _slots(t) if isinstance(_get(t, p), str)]
    for path in rng.sample(slots, min(len(slots), 10)):
        _set(t, path, rng.choice([{"a": "b"}, ["a", "b"], [{"a": 1}]]))
    return t


def deep_nesting(t: Template, rng: random.Random) -> Template:
    """Nesting below the load-time limit (rules still see it) at a random property."""
    slots = [p for p in _slots(t) if len(p) > 3]
    kind = rng.choice(["list", "dict", "if", "select"])
    for path in rng.sample(slots, min(len(slots), 3)):
        _set(t, path, deep(60, _get(t, path), kind=kind))
    return t


def cycles(t: Template, rng: random.Random) -> Template:
    ids = sorted(_resources(t))
    t["Conditions"] = {
        "A": {"Condition": "B"},
        "B": {"Fn::Not": [{"Condition": "A"}]},
        "C": {"Fn::Equals": [{"Fn::If": ["C", 1, 2]}, 1]},
    }
    t["Mappings"] = {"M": {"k": {"v": {"Fn::FindInMap": ["M", "k", "v"]}}}}
    for lid in rng.sample(ids, min(len(ids), 4)):
        raw = t["Resources"][lid]
        if isinstance(raw, dict):
            raw["DependsOn"] = [o for o in ids if o != lid][:3] + [lid]
            raw["Condition"] = rng.choice(["A", "B", "C"])
            props = raw.setdefault("Properties", {})
            if isinstance(props, dict):
                props["Tags"] = [
                    {
                        "Key": "k",
                        "Value": {"Fn::If": ["A", {"Fn::FindInMap": ["M", "k", "v"]}, "x"]},
                    }
                ]
    return t


def unknown_intrinsics(t: Template, rng: random.Random) -> Template:
    slots = [p for p in _slots(t) if isinstance(_get(t, p), dict) and len(_get(t, p)) == 1]
    for path in rng.sample(slots, min(len(slots), 6)):
        current = _get(t, path)
        if not isinstance(current, dict) or len(current) != 1:
            continue
        (value,) = current.values()
        _set(t, path, {rng.choice(["Fn::Nope", "Fn::Contains", "Fn::EachMemberIn", "Ref"]): value})
    return t


def huge(t: Template, rng: random.Random) -> Template:
    ids = sorted(_resources(t))
    if not ids:
        return t
    lid = rng.choice(ids)
    raw = t["Resources"][lid]
    if rng.random() < 0.5:  # many copies of one resource
        for i in range(500):
            t["Resources"][f"{lid}Copy{i}"] = copy.deepcopy(raw)
    elif isinstance(raw, dict) and isinstance(raw.get("Properties"), dict):
        key = rng.choice(sorted(raw["Properties"]) or ["Big"])
        raw["Properties"][key] = rng.choice(["y" * 1_000_000, list(range(50_000))])
    return t


def asset_escape(t: Template, rng: random.Random) -> Template:
    """Asset paths that point outside the assembly (read nothing, never the whole disk)."""
    for raw in _resources(t).values():
        if isinstance(raw, dict) and raw.get("Type") == "AWS::Lambda::Function":
            meta = raw.setdefault("Metadata", {})
            if isinstance(meta, dict):
                meta["aws:asset:path"] = rng.choice(
                    ["/", "/proc", "..", "../..", "asset.x/../..", ".", "", "/etc/passwd", 5]
                )
    return t


def long_names(t: Template, rng: random.Random) -> Template:
    """Names too long for a file name: handlers (read as files), asset paths, logical ids."""
    long = rng.choice(["a" * 300, "/".join(["a"] * 3000), "a." * 200 + "b"])
    for lid, raw in list(_resources(t).items()):
        if isinstance(raw, dict) and raw.get("Type") == "AWS::Lambda::Function":
            props = raw.get("Properties")
            if isinstance(props, dict):
                props["Handler"] = f"{long}.handler"
            meta = raw.get("Metadata")
            if isinstance(meta, dict) and rng.random() < 0.3:
                meta["aws:asset:path"] = f"asset.{long}"
        elif rng.random() < 0.05:
            t["Resources"][lid * 40] = t["Resources"].pop(lid)
    return t


MUTATIONS: dict[str, Mutation] = {
    "resource-metadata": resource_metadata,
    "template-metadata": template_metadata,
    "resource-shape": resource_shape,
    "section-shape": section_shape,
    "getatt-shape": getatt_shapes,
    "junk-values": junk_values,
    "mixed-lists": mixed_lists,
    "unhashable": unhashable,
    "deep-nesting": deep_nesting,
    "cycles": cycles,
    "unknown-intrinsics": unknown_intrinsics,
    "huge": huge,
    "asset-escape": asset_escape,
    "long-names": long_names,
}


def mutants(template: Template, seed: int, count: int) -> Iterator[tuple[str, Template]]:
    """``count`` mutated copies of ``template``: every kind in turn, seeded."""
    rng = random.Random(seed)
    kinds = sorted(MUTATIONS)
    for i in range(count):
        kind = kinds[i % len(kinds)]
        yield kind, MUTATIONS[kind](copy.deepcopy(template), rng)
