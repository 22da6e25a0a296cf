"""Template and cloud-assembly model: what the engine evaluates.

Loading is plain ``json.load`` (fast); nothing here calls jsii. A cloud assembly
(``cdk.out``) gives every stack template, its staged assets, the acknowledgements
recorded with ``Validations.of(x).acknowledge(...)`` and the construct creation traces
(``aws:cdk:creationStack``). A bare template file gives only the template.
"""

from __future__ import annotations

import gc
import json
import os
import re
import stat
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from tap.rules.resolve import Resolver

__all__ = [
    "Acknowledgements",
    "Assembly",
    "EnvironmentInfo",
    "InputError",
    "LoadErrors",
    "MetadataAcknowledgements",
    "Resource",
    "StackTemplate",
    "load_path",
    "load_template_dict",
]

ACK_METADATA_TYPE = "aws:cdk:acknowledged-rules"
CREATION_STACK_TYPE = "aws:cdk:creationStack"
PLUGIN_NAMESPACE = "tap-rules"


class InputError(Exception):
    """Bad input to the rule pack (missing path, malformed template): exit status 2."""


@dataclass(frozen=True, slots=True)
class EnvironmentInfo:
    """Which environment a stack belongs to; ``None`` fields are not known."""

    name: str | None = None
    suffix: str | None = None
    ephemeral: bool | None = None


@dataclass(slots=True)
class Resource:
    """One resource of a template."""

    logical_id: str
    type: str
    properties: dict[str, Any]
    raw: dict[str, Any]

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.raw.get("Metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def construct_path(self) -> str | None:
        path = self.metadata.get("aws:cdk:path")
        return path if isinstance(path, str) else None

    @property
    def deletion_policy(self) -> Any:
        return self.raw.get("DeletionPolicy")

    @property
    def update_replace_policy(self) -> Any:
        return self.raw.get("UpdateReplacePolicy")

    @property
    def depends_on(self) -> list[str]:
        deps = self.raw.get("DependsOn")
        if isinstance(deps, str):
            return [deps]
        return [d for d in deps if isinstance(d, str)] if isinstance(deps, list) else []

    @property
    def asset_path(self) -> str | None:
        """The staged asset directory recorded by CDK (``aws:asset:path``)."""
        path = self.metadata.get("aws:asset:path")
        return path if isinstance(path, str) else None


class Acknowledgements:
    """Rule acknowledgements by construct path; each covers its construct's subtree."""

    def __init__(self, entries: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self._by_path: dict[str, dict[str, str]] = defaultdict(dict)
        for path, rules in (entries or {}).items():
            self._by_path[path.strip("/")].update(rules)

    def add(self, construct_path: str, rule: str, reason: str) -> None:
        self._by_path[construct_path.strip("/")][rule] = reason

    def reason_for(self, rule_id: str, construct_path: str | None) -> str | None:
        """The reason that acknowledges ``rule_id`` at ``construct_path``, if any."""
        if not construct_path or not self._by_path:
            return None
        wanted = (f"{PLUGIN_NAMESPACE}::{rule_id}", rule_id)
        path = construct_path.strip("/")
        while True:
            rules = self._by_path.get(path)
            if rules:
                for key in wanted:
                    if key in rules:
                        return rules[key]
            if "/" not in path:
                return None
            path = path.rsplit("/", 1)[0]

    def __bool__(self) -> bool:
        return bool(self._by_path)

    def entries(self) -> Iterator[tuple[str, str]]:
        """Every acknowledgement as (construct path, rule id as written)."""
        for path, rules in self._by_path.items():
            for rule in rules:
                yield path, rule


class MetadataAcknowledgements:
    """Acknowledgements written in the template itself, for templates written by hand (in the
    spirit of cfn-lint's ``Metadata: cfn-lint`` and cdk-nag's ``cdk_nag``)::

        Resources:
          Logs:
            Type: AWS::S3::Bucket
            Metadata:
              tap-rules:
                acknowledge:
                  - id: TAP-S3-1          # or tap-rules::TAP-S3-1
                    reason: Name fixed by the partner's integration (ADR-3)

    On a resource they cover its findings; in the template's top-level ``Metadata`` they
    cover every finding of the template. A reason is required: an entry without one (or
    malformed) acknowledges nothing and is listed in :attr:`problems`.
    """

    def __init__(self, template: Mapping[str, Any]) -> None:
        self.by_resource: dict[str | None, dict[str, str]] = {}
        self.problems: list[str] = []
        self._read(None, "template Metadata", template.get("Metadata"))
        resources = template.get("Resources")
        for lid, raw in (resources if isinstance(resources, dict) else {}).items():
            if isinstance(raw, dict):
                self._read(lid, f"{lid} Metadata", raw.get("Metadata"))

    def _read(self, logical_id: str | None, where: str, metadata: Any) -> None:
        if not isinstance(metadata, dict) or PLUGIN_NAMESPACE not in metadata:
            return
        where = f"{where}.{PLUGIN_NAMESPACE}"
        block = metadata[PLUGIN_NAMESPACE]
        entries = block.get("acknowledge") if isinstance(block, dict) else None
        if not isinstance(block, dict) or set(block) != {"acknowledge"}:
            self.problems.append(f"{where}: expected {{acknowledge: [{{id, reason}}, ...]}}")
        if not isinstance(entries, list):
            return
        for n, entry in enumerate(entries):
            ack_id = entry.get("id") if isinstance(entry, dict) else None
            reason = entry.get("reason") if isinstance(entry, dict) else None
            if not isinstance(ack_id, str) or not ack_id.strip():
                self.problems.append(f"{where}.acknowledge[{n}]: no rule id; it is ignored")
            elif not isinstance(reason, str) or not reason.strip():
                self.problems.append(
                    f"{where}: acknowledgement of {ack_id} has no reason; it is ignored "
                    "(a reviewer must see why: add reason: ...)"
                )
            else:
                self.by_resource.setdefault(logical_id, {})[ack_id.strip()] = reason.strip()

    def reason_for(self, rule_id: str, logical_id: str | None) -> str | None:
        wanted = (rule_id, f"{PLUGIN_NAMESPACE}::{rule_id}")
        for owner in (logical_id, None) if logical_id is not None else (None,):
            rules = self.by_resource.get(owner) or {}
            for key in wanted:
                if key in rules:
                    return rules[key]
        return None

    def entries(self) -> Iterator[tuple[str, str]]:
        """Every acknowledgement as (where, rule id as written)."""
        for lid, rules in self.by_resource.items():
            for rule in rules:
                yield (lid or "template Metadata"), rule


@dataclass
class StackTemplate:
    """One stack: its template, where it came from, and what the assembly knows of it."""

    name: str
    template: dict[str, Any]
    template_path: Path | None = None
    assembly_dir: Path | None = None
    region: str | None = None
    account: str | None = None
    acknowledgements: Acknowledgements = field(default_factory=Acknowledgements)
    creation_traces: dict[str, list[str]] = field(default_factory=dict)
    construct_paths: dict[str, str] = field(default_factory=dict)
    """Logical id → construct path, from the assembly's ``aws:cdk:logicalId`` metadata."""

    nested_in: StackTemplate | None = None
    """The parent stack of a nested stack (``AWS::CloudFormation::Stack``), else ``None``."""
    construct_path_of_stack: str | None = None
    """The stack's own construct path, when the assembly records it."""

    @property
    def top(self) -> StackTemplate:
        """The top-level stack (an assembly artifact) this template belongs to."""
        stack = self
        while stack.nested_in is not None:
            stack = stack.nested_in
        return stack

    @cached_property
    def resources(self) -> dict[str, Resource]:
        out: dict[str, Resource] = {}
        section = self.template.get("Resources")
        for lid, raw in (section if isinstance(section, dict) else {}).items():
            if not isinstance(raw, dict):  # listed in malformed_resources
                out[str(lid)] = Resource(str(lid), "", {}, {})
                continue
            props = raw.get("Properties")
            rtype = raw.get("Type")
            out[str(lid)] = Resource(
                str(lid),
                rtype if isinstance(rtype, str) else "",
                props if isinstance(props, dict) else {},
                raw,
            )
        return out

    @cached_property
    def malformed_resources(self) -> list[tuple[str, str, str]]:
        """``(logical id, property path, message)`` for each resource CloudFormation rejects
        before looking at its type: not an object, no ``Type``, a ``Type`` that is not a
        string, ``Properties`` or ``Metadata`` that are not objects."""
        section = self.template.get("Resources")
        problems: list[tuple[str, str, str]] = []
        for lid, raw in (section if isinstance(section, dict) else {}).items():
            if not isinstance(raw, dict):
                problems.append((str(lid), "", f"is a {_kind(raw)}, not an object"))
                continue
            rtype = raw.get("Type")
            if "Type" not in raw:
                problems.append((str(lid), "Type", "has no Type"))
            elif not isinstance(rtype, str) or not rtype:
                problems.append((str(lid), "Type", f"has a Type that is a {_kind(rtype)}"))
            for key in ("Properties", "Metadata"):
                if key in raw and not isinstance(raw[key], dict):
                    kind = _kind(raw[key])
                    problems.append((str(lid), key, f"has {key} that is a {kind}, not an object"))
        return problems

    @cached_property
    def by_type(self) -> dict[str, list[Resource]]:
        index: dict[str, list[Resource]] = defaultdict(list)
        for res in self.resources.values():
            index[res.type].append(res)
        return index

    def of_type(self, *types: str) -> Iterator[Resource]:
        for t in types:
            yield from self.by_type.get(t, ())

    @cached_property
    def resolver(self) -> Resolver:
        return Resolver(self.template, region=self.region, account=self.account)

    @cached_property
    def template_environment(self) -> EnvironmentInfo:
        template_meta = self.template.get("Metadata")
        meta = template_meta.get("TapEnvironment") if isinstance(template_meta, dict) else None
        if not isinstance(meta, dict):
            return EnvironmentInfo()
        eph = meta.get("ephemeral")
        return EnvironmentInfo(
            name=meta.get("name") if isinstance(meta.get("name"), str) else None,
            suffix=meta.get("suffix") if isinstance(meta.get("suffix"), str) else None,
            ephemeral=eph if isinstance(eph, bool) else None,
        )

    # -- acknowledgements: CDK's (assembly metadata, by construct path) and the template's
    # own (``Metadata: tap-rules``, by logical id) ------------------------------------------

    @cached_property
    def metadata_acknowledgements(self) -> MetadataAcknowledgements:
        return MetadataAcknowledgements(self.template)

    def acknowledgement_reason(
        self, rule_id: str, logical_id: str | None, construct_path: str | None
    ) -> str | None:
        """The reason that acknowledges ``rule_id`` on this resource (or stack), if any."""
        reason = self.acknowledgements.reason_for(rule_id, construct_path)
        if reason is None:
            reason = self.metadata_acknowledgements.reason_for(rule_id, logical_id)
        return reason

    @property
    def acknowledgement_problems(self) -> list[str]:
        """Template-metadata acknowledgements that acknowledge nothing (no reason, malformed)."""
        return self.metadata_acknowledgements.problems

    def acknowledged_ids(self) -> Iterator[tuple[str, str]]:
        """(where, id) of every acknowledgement of this pack (``tap-rules::`` in CDK's)."""
        for path, rule in self.acknowledgements.entries():
            if rule.startswith(f"{PLUGIN_NAMESPACE}::"):
                yield path, rule
        yield from self.metadata_acknowledgements.entries()

    def construct_path(self, logical_id: str | None) -> str | None:
        """The construct path of a resource: template metadata, else assembly metadata."""
        if logical_id is None:
            return None
        res = self.resources.get(logical_id)
        path = res.construct_path if res is not None else None
        return path or self.construct_paths.get(logical_id)

    def asset_dir(self, res: Resource) -> Path | None:
        """Absolute path of a resource's staged asset directory, if staged.

        Confined to the assembly: a template may come from an untrusted pull request, so
        an asset path that is absolute, climbs out with ``..``, is not a staged
        ``asset.*`` entry of the assembly, resolves (through symlinks) outside it, or
        holds more than :data:`MAX_ASSET_ENTRIES` entries is not read (``None``)."""
        rel = res.asset_path
        if rel is None:
            # Without asset metadata (a plain ``cdk.App()``, ``--no-asset-metadata``) the
            # template still names the staged asset by its hash: ``S3Key: <hash>.zip`` of
            # ``Code`` (functions) or ``Content`` (layers) → ``asset.<hash>`` in the assembly.
            rel = _asset_from_s3_key(res.properties)
        if rel is None or self.assembly_dir is None:
            return None
        return confined_asset(self.assembly_dir, rel)

    def python_frame(self, construct_path: str | None) -> tuple[str, int] | None:
        """The innermost user Python frame that created the construct, if recorded."""
        if not construct_path:
            return None
        trace = self.creation_traces.get(construct_path.strip("/"))
        if not trace:
            return None
        return _python_frame(trace)


_ASSET_KEY = re.compile(r"^([0-9a-f]{64})\.zip$")


def _asset_from_s3_key(properties: dict[str, Any]) -> str | None:
    for prop in ("Code", "Content"):
        value = properties.get(prop)
        key = value.get("S3Key") if isinstance(value, dict) else None
        m = _ASSET_KEY.match(key) if isinstance(key, str) else None
        if m:
            return f"asset.{m.group(1)}"
    return None


def _python_frame(trace: list[str]) -> tuple[str, int] | None:
    # Frames look like "<module> (/abs/app.py:26)" or "__init__ (/abs/tap/stack.py:40)",
    # innermost first (JavaScript frames, then the jsii host's Python frames): the first
    # Python frame outside site-packages is the user's line that created the construct.
    for line in trace:
        line = line.strip()
        if not line.endswith(")") or "(" not in line:
            continue
        loc = line[line.rfind("(") + 1 : -1]
        file, _, lineno = loc.rpartition(":")
        if file.endswith(".py") and lineno.isdigit() and "site-packages" not in file:
            return file, int(lineno)
    return None


@dataclass
class Assembly:
    """What the engine evaluates: one or more stacks."""

    stacks: list[StackTemplate]
    root: Path | None = None


MAX_DEPTH = 100
"""Deepest nesting of objects and lists a template may have. CloudFormation sets no such
limit, but templates are shallow: the synthesized TapStack is 14 levels deep. Deeper input
(crafted, or a runaway generator) is refused at load time so that no rule recurses on it."""

MAX_TEMPLATE_BYTES = 64 * 1024 * 1024
"""Largest template file read (CloudFormation's own limit is 1 MB from S3)."""

MAX_ASSET_ENTRIES = 50_000
"""Most files and folders an asset directory may hold for the asset rules to read it."""

MAX_ASSET_DEPTH = 32
"""Deepest folder nesting inside an asset directory the asset rules read."""

_TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml")
# Files CDK writes beside the templates of a cloud assembly: not templates.
_COMPANION_SUFFIXES = (".assets.json", ".metadata.json")
_COMPANION_NAMES = frozenset({"tree.json", "manifest.json", "cdk.json"})


def _kind(value: Any) -> str:
    """A JSON-ish name for the type of ``value`` (for messages)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string" if value else "empty string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


_CONFINED: dict[tuple[str, str], Path | None] = {}


def confined_asset(assembly_dir: Path, rel: str) -> Path | None:
    """The staged asset ``rel`` of ``assembly_dir`` if it is safe to read, else ``None``.

    Safe: a relative path without ``..`` whose first part is a staged ``asset.*`` entry,
    that exists, resolves inside the assembly (symlinks included), and, for a directory,
    holds at most :data:`MAX_ASSET_ENTRIES` entries, :data:`MAX_ASSET_DEPTH` levels deep,
    with no symlink that leads outside the assembly."""
    key = (str(assembly_dir), rel)
    if key not in _CONFINED:
        if len(_CONFINED) > 4096:
            _CONFINED.clear()
        _CONFINED[key] = _confine(assembly_dir, rel)
    return _CONFINED[key]


def _confine(assembly_dir: Path, rel: str) -> Path | None:
    if not rel or "\0" in rel:
        return None
    parts = Path(rel).parts
    if Path(rel).is_absolute() or ".." in parts or not parts or not parts[0].startswith("asset."):
        return None
    try:
        root = assembly_dir.resolve()
        path = (root / rel).resolve()
        if not _inside(path, root) or path == root or not path.exists():
            return None
        if path.is_dir() and not _tree_is_confined(path, root):
            return None
    except (OSError, RuntimeError):  # name too long, symlink loop, permission
        return None
    return path


def _tree_is_confined(top: Path, root: Path) -> bool:
    """Walk ``top`` (not following symlinks): bounded, and no symlink leads out of ``root``."""
    entries = 0
    todo = [(top, 0)]
    while todo:
        folder, depth = todo.pop()
        if depth > MAX_ASSET_DEPTH:
            return False
        with os.scandir(folder) as it:
            for entry in it:
                entries += 1
                if entries > MAX_ASSET_ENTRIES:
                    return False
                if entry.is_symlink():
                    if not _inside(Path(entry.path).resolve(), root):
                        return False
                elif entry.is_dir(follow_symlinks=False):
                    todo.append((Path(entry.path), depth + 1))
    return True


def _read_json(path: Path) -> Any:
    try:
        if not path.is_file():
            if not path.exists():
                raise InputError(f"{path}: no such file")
            raise InputError(f"{path}: not a regular file")
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            raise InputError(f"{path}: larger than {MAX_TEMPLATE_BYTES // 2**20} MB")
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    except RecursionError as exc:
        raise InputError(f"{path}: nested more than {MAX_DEPTH} levels deep") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise InputError(f"{_short(path)}: cannot be read ({exc.strerror or exc})") from exc


def _short(path: Path) -> str:
    text = str(path)
    return text if len(text) <= 200 else f"{text[:100]}...{text[-60:]}"


def _check_shape(data: Any, source: str, *, from_json: bool = False) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` (iteratively: no recursion on the
    input); turn non-string keys (YAML's ``123456789012:``, ``true:``) into the strings
    CloudFormation reads, so that no rule compares or sorts keys of mixed types.

    ``from_json``: ``data`` comes from ``json.load`` (plain dicts and lists, string keys
    only), so the keys need no fixing and containers are told apart by their exact type:
    the walk is a third cheaper on the templates of a cloud assembly."""
    todo: list[tuple[Any, int]] = [(data, 1)] if isinstance(data, dict | list) else []
    pop, push = todo.pop, todo.append
    while todo:
        value, depth = pop()
        if from_json:
            children = value.values() if type(value) is dict else value
        else:
            if isinstance(value, dict):
                _string_keys(value)
            children = value.values() if isinstance(value, dict) else value
        if depth >= MAX_DEPTH and children:
            where = _deepest(data)[:120]
            raise InputError(f"{source}: nested more than {MAX_DEPTH} levels deep (at {where}...)")
        deeper = depth + 1
        for v in children:
            kind = type(v)
            if kind is dict or kind is list or (not from_json and isinstance(v, dict | list)):
                push((v, deeper))


def _string_keys(value: dict[Any, Any]) -> None:
    for key in value:
        if not isinstance(key, str):  # YAML, or a direct caller
            fixed = {_yaml_key(k): v for k, v in value.items()}
            value.clear()
            value.update(fixed)
            return


def _deepest(data: Any) -> str:
    """The path to the deepest value of ``data`` (for the message of a refused template)."""
    best: tuple[int, str] = (0, "")
    todo: list[tuple[Any, int, str]] = [(data, 0, "")]
    while todo:
        value, depth, where = todo.pop()
        if depth > best[0]:
            best = (depth, where)
        if depth > MAX_DEPTH + 1:
            continue
        items = (
            value.items()
            if isinstance(value, dict)
            else enumerate(value)
            if isinstance(value, list)
            else ()
        )
        todo.extend((v, depth + 1, f"{where}/{k}" if where else str(k)) for k, v in items)
    return best[1]


def _yaml_key(key: Any) -> str:
    if isinstance(key, bool):
        return str(key).lower()
    return "null" if key is None else str(key)


def load_template_dict(
    data: Any, source: str, *, in_assembly: bool = False, from_json: bool = False
) -> dict[str, Any]:
    """Check that ``data`` is a CloudFormation template; raise InputError if not.

    ``in_assembly``: the template is a stack of a cloud assembly, which CDK writes without
    a ``Resources`` key when the stack has no resource (an empty ``Stack``, outputs only):
    such a stack is checked, and passes."""
    if data is None:
        raise InputError(f"{source}: empty, not a template")
    if not isinstance(data, dict):
        raise InputError(f"{source}: a template is a JSON object, found {type(data).__name__}")
    resources = data.get("Resources")
    if resources is None and in_assembly and "Resources" not in data:
        pass
    elif not isinstance(resources, dict):
        raise InputError(f"{source}: not a CloudFormation template (no 'Resources' object)")
    _check_shape(data, source, from_json=from_json)
    return data


def _load_yaml(path: Path) -> Any:
    try:
        from cfnlint.decode import cfn_yaml
    except ImportError as exc:  # pragma: no cover - cfn-lint is a requirement
        raise InputError(f"{path}: YAML templates need cfn-lint installed") from exc
    try:
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            raise InputError(f"{path}: larger than {MAX_TEMPLATE_BYTES // 2**20} MB")
        return cfn_yaml.load(str(path))
    except InputError:
        raise
    except RecursionError as exc:
        raise InputError(f"{path}: nested more than {MAX_DEPTH} levels deep") from exc
    except Exception as exc:  # cfn-lint raises several parser exception types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: not a valid YAML template ({first})") from exc


def _parse_env(env: Any) -> tuple[str | None, str | None]:
    # "aws://123456789012/us-east-1" or "aws://unknown-account/unknown-region"
    if not isinstance(env, str) or not env.startswith("aws://"):
        return None, None
    account, _, region = env[len("aws://") :].partition("/")
    return (
        None if account.startswith("unknown") else account,
        None if region.startswith("unknown") else region,
    )


@dataclass
class _StackMetadata:
    acknowledgements: Acknowledgements
    traces: dict[str, list[str]]
    logical_ids: list[tuple[str, str]]
    """(construct path, logical id) pairs: a logical id is unique only per template."""
    template_files: dict[str, str]
    """Construct path → template file (``aws:cdk:templateFile``): the stack, nested ones."""


def _stack_metadata(assembly_dir: Path, artifact: dict[str, Any]) -> _StackMetadata:
    metadata = artifact.get("metadata") or {}
    meta_file = artifact.get("additionalMetadataFile")
    if isinstance(meta_file, str):
        path = assembly_dir / meta_file
        if path.exists():
            extra = _read_json(path)
            if isinstance(metadata, dict) and isinstance(extra, dict):
                metadata = {**metadata, **extra}
    out = _StackMetadata(Acknowledgements(), {}, [], {})
    for path, entries in (metadata if isinstance(metadata, dict) else {}).items():
        if not isinstance(entries, list):
            continue
        cpath = str(path).strip("/")
        for entry in entries:
            if isinstance(entry, dict):
                _read_entry(out, cpath, entry.get("type"), entry.get("data"))
    return out


def _read_entry(out: _StackMetadata, cpath: str, kind: Any, data: Any) -> None:
    if kind == ACK_METADATA_TYPE and isinstance(data, dict):
        for rule, reason in data.items():
            out.acknowledgements.add(cpath, str(rule), str(reason))
    elif kind == CREATION_STACK_TYPE and isinstance(data, list):
        out.traces[cpath] = [str(x) for x in data]
    elif kind == "aws:cdk:logicalId" and isinstance(data, str):
        out.logical_ids.append((cpath, data))
    elif kind == "aws:cdk:templateFile" and isinstance(data, str):
        out.template_files[cpath] = data


def _owner(cpath: str, stack_paths: list[str]) -> str | None:
    """The deepest of ``stack_paths`` whose subtree holds ``cpath``."""
    best = None
    for sp in stack_paths:
        if cpath.startswith(sp + "/") and (best is None or len(sp) > len(best)):
            best = sp
    return best


def _nested_stacks(
    root: Path, parent: StackTemplate, meta: _StackMetadata, loaded: set[Path]
) -> list[StackTemplate]:
    """Every nested stack (``AWS::CloudFormation::Stack`` with a template in the assembly)
    under ``parent``, depth first. Found through the ``aws:cdk:templateFile`` metadata of
    each nested stack construct and, without it, the ``aws:asset:path`` of the nested stack
    resource. Named ``<parent>/<nested construct path below the parent>``."""
    own = parent.construct_path_of_stack or parent.name
    by_file: dict[Path, str] = {}
    for stack_path, file in meta.template_files.items():
        if stack_path != own and stack_path.startswith(own + "/"):
            found_file = _confined_file(root, file)
            if found_file is not None:
                by_file.setdefault(found_file, stack_path)
    nested_paths = list(by_file.values())
    owners: dict[str | None, dict[str, str]] = defaultdict(dict)
    for resource_path, logical_id in meta.logical_ids:
        owners[_owner(resource_path, nested_paths)].setdefault(logical_id, resource_path)
    parent.construct_paths = owners.get(None, {})
    out: list[StackTemplate] = []
    todo: list[StackTemplate] = [parent]
    while todo:
        current = todo.pop(0)
        here: str | None = None if current is parent else current.construct_path_of_stack
        found: dict[Path, tuple[str | None, str]] = {}
        for res in current.of_type("AWS::CloudFormation::Stack"):
            rel = res.asset_path
            path = _confined_file(root, rel) if rel else None
            if path is not None:
                stack_cpath = by_file.get(path) or _nested_construct_path(
                    current.construct_path(res.logical_id)
                )
                found.setdefault(path, (stack_cpath, res.logical_id))
        for known, known_path in by_file.items():  # known from the metadata only
            if _owner(known_path, nested_paths) == here:
                found.setdefault(known, (known_path, known_path.rsplit("/", 1)[-1]))
        for path, (cpath, lid) in found.items():
            if path in loaded:
                continue
            loaded.add(path)
            template = load_template_dict(
                _read_json(path), str(path), in_assembly=True, from_json=True
            )
            below = cpath[len(own) + 1 :] if cpath and cpath.startswith(own + "/") else None
            child = StackTemplate(
                name=f"{parent.name}/{below or lid}",
                template=template,
                template_path=path,
                assembly_dir=root,
                region=parent.region,
                account=parent.account,
                acknowledgements=parent.acknowledgements,
                creation_traces=parent.creation_traces,
                construct_paths=owners.get(cpath, {}) if cpath else {},
                nested_in=current,
                construct_path_of_stack=cpath,
            )
            out.append(child)
            todo.append(child)
    return out


def _nested_construct_path(resource_path: str | None) -> str | None:
    # "Parent/Inner.NestedStack/Inner.NestedStackResource" → "Parent/Inner"
    if not resource_path or ".NestedStack/" not in resource_path:
        return None
    return resource_path.rsplit(".NestedStack/", 1)[0]


def _confined_file(root: Path, rel: str) -> Path | None:
    """``root/rel`` if it is a file inside ``root`` (no absolute path, no ``..``)."""
    if not rel or not rel.endswith(".json"):
        return None
    try:
        if "/" not in rel and os.sep not in rel and root.is_absolute():
            # A file directly in the assembly (every template CDK writes): one lstat tells
            # a regular file from a link or a folder, without resolving every component.
            # (The loader resolves the assembly's own path once, in _load_manifest.) A name
            # without a separator is neither absolute nor "..".
            path = root / rel
            return path if stat.S_ISREG(os.lstat(path).st_mode) else None
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            return None
        base = root.resolve()
        path = (base / rel).resolve()
        return path if _inside(path, base) and path.is_file() else None
    except (OSError, RuntimeError):
        return None


LoadErrors = list[tuple[str, str]]
"""``(stack artifact id, one-line message)`` for each stack that could not be read."""


def _load_manifest(root: Path, seen: set[Path], errors: LoadErrors | None) -> list[StackTemplate]:
    root = root.resolve()
    if root in seen:
        return []
    seen.add(root)
    manifest = _read_json(root / "manifest.json")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("artifacts"), dict):
        raise InputError(f"{root / 'manifest.json'}: not a cloud assembly manifest")
    stacks: list[StackTemplate] = []
    loaded: set[Path] = set()
    for art_id, artifact in manifest["artifacts"].items():
        if not isinstance(artifact, dict):
            continue
        props = artifact.get("properties")
        props = props if isinstance(props, dict) else {}
        if artifact.get("type") == "aws:cloudformation:stack":
            try:
                stacks.extend(_load_stack(root, str(art_id), artifact, props, loaded))
            except InputError as exc:
                if errors is None:
                    raise
                errors.append((str(art_id), str(exc)))
        elif artifact.get("type") == "cdk:cloud-assembly" and isinstance(
            props.get("directoryName"), str
        ):
            sub = _confined_dir(root, props["directoryName"])
            if sub is not None:
                stacks.extend(_load_manifest(sub, seen, errors))
    stacks.extend(_stray_nested(root, loaded, errors))
    return stacks


def _stray_nested(root: Path, loaded: set[Path], errors: LoadErrors | None) -> list[StackTemplate]:
    """Nested templates no stack led to (metadata stripped): still checked, never skipped."""
    stacks = []
    for path in sorted(root.glob("*.nested.template.json")):
        if path.resolve() in loaded:
            continue
        name = path.name.removesuffix(".nested.template.json")
        try:
            template = load_template_dict(
                _read_json(path), str(path), in_assembly=True, from_json=True
            )
        except InputError as exc:
            if errors is None:
                raise
            errors.append((name, str(exc)))
            continue
        stacks.append(StackTemplate(name, template, path.resolve(), assembly_dir=root))
    return stacks


def _load_stack(
    root: Path, art_id: str, artifact: dict[str, Any], props: dict[str, Any], loaded: set[Path]
) -> list[StackTemplate]:
    """One stack artifact of a manifest, and its nested stacks."""
    tfile = props.get("templateFile", f"{art_id}.template.json")
    tpath = _confined_file(root, tfile) if isinstance(tfile, str) else None
    if tpath is None:
        raise InputError(f"{root / 'manifest.json'}: stack {art_id}: no template {tfile}")
    loaded.add(tpath)
    template = load_template_dict(_read_json(tpath), str(tpath), in_assembly=True, from_json=True)
    account, region = _parse_env(artifact.get("environment"))
    meta = _stack_metadata(root, artifact)
    own = next((c for c, f in meta.template_files.items() if f == tfile), None)
    stack = StackTemplate(
        name=art_id,
        template=template,
        template_path=tpath,
        assembly_dir=root,
        region=region,
        account=account,
        acknowledgements=meta.acknowledgements,
        creation_traces=meta.traces,
        construct_paths=dict((lid, c) for c, lid in reversed(meta.logical_ids)),
        construct_path_of_stack=own,
    )
    return [stack, *_nested_stacks(root, stack, meta, loaded)]


def _confined_dir(root: Path, rel: str) -> Path | None:
    if Path(rel).is_absolute() or ".." in Path(rel).parts:
        return None
    path = (root / rel).resolve()
    return path if _inside(path, root) and (path / "manifest.json").is_file() else None


def _folder_templates(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.name.endswith(_TEMPLATE_SUFFIXES)
        and not p.name.endswith(_COMPANION_SUFFIXES)
        and p.name not in _COMPANION_NAMES
        and not p.name.startswith(".")
    )


def _stack_name(path: Path) -> str:
    name = path.name
    for suffix in (".json", ".yaml", ".yml"):
        name = name.removesuffix(suffix)
    return name.removesuffix(".template")


def load_path(path: str | Path, *, errors: LoadErrors | None = None) -> list[StackTemplate]:
    """Load a ``cdk.out`` directory (every stack, nested stacks and stages too), a folder of
    ``*.json``/``*.yaml``/``*.yml`` templates (each one checked, or the whole input refused)
    or a template file.

    ``errors``: when given, a stack of a cloud assembly that cannot be read is listed there
    and the other stacks are still loaded (the plugin reports it on that stack); without
    it, any unreadable input raises :class:`InputError` (the CLI exits 2)."""
    p = Path(path)
    # Templates are trees (json.load makes no cycles): the cyclic garbage collector's passes
    # while they load find nothing to free, and each full pass walks the whole heap (the
    # pack's schemas and data once warm) - as during evaluation, it waits until the end.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_path(p, errors)
    except InputError:
        raise
    except RecursionError as exc:
        raise InputError(f"{_short(p)}: nested more than {MAX_DEPTH} levels deep") from exc
    except OSError as exc:  # a name too long, a permission: one line, not a traceback
        raise InputError(f"{_short(p)}: cannot be read ({exc.strerror or exc})") from exc
    finally:
        if collecting:
            gc.enable()


def _load_path(p: Path, errors: LoadErrors | None) -> list[StackTemplate]:
    if p.is_dir():
        if (p / "manifest.json").exists():
            return _load_manifest(p, set(), errors)
        templates = _folder_templates(p)
        if not templates:
            raise InputError(
                f"{p}: neither a cloud assembly (no manifest.json) nor a folder of "
                "*.json, *.yaml or *.yml templates"
            )
        return [s for t in templates for s in _load_file(t)]
    if not p.exists():
        raise InputError(f"{p}: no such file or directory")
    return _load_file(p)


def _load_file(p: Path) -> list[StackTemplate]:
    if p.is_file() and p.stat().st_size < 4096 and not p.read_bytes().strip():
        raise InputError(f"{p}: empty, not a template")
    is_yaml = p.suffix in (".yaml", ".yml")
    data = _load_yaml(p) if is_yaml else _read_json(p)
    template = load_template_dict(data, str(p))
    return [
        StackTemplate(
            name=_stack_name(p), template=template, template_path=p, assembly_dir=p.parent
        )
    ]
