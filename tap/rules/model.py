"""Template and cloud-assembly model: what the engine evaluates.

Loading is plain ``json.load`` (fast); nothing here calls jsii. A cloud assembly
(``cdk.out``) gives every stack template, its staged assets, the acknowledgements
recorded with ``Validations.of(x).acknowledge(...)`` and the construct creation traces
(``aws:cdk:creationStack``). A bare template file gives only the template.
"""

from __future__ import annotations

import json
import re
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
        return self.raw.get("Metadata") or {}

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
        deps = self.raw.get("DependsOn") or []
        return [deps] if isinstance(deps, str) else [d for d in deps if isinstance(d, str)]

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

    @cached_property
    def resources(self) -> dict[str, Resource]:
        out: dict[str, Resource] = {}
        for lid, raw in (self.template.get("Resources") or {}).items():
            if isinstance(raw, dict):
                props = raw.get("Properties")
                out[lid] = Resource(
                    lid, str(raw.get("Type", "")), props if isinstance(props, dict) else {}, raw
                )
        return out

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
        meta = (self.template.get("Metadata") or {}).get("TapEnvironment") or {}
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
        """Absolute path of a resource's staged asset directory, if staged."""
        rel = res.asset_path
        if rel is None:
            # Without asset metadata (a plain ``cdk.App()``, ``--no-asset-metadata``) the
            # template still names the staged asset by its hash: ``S3Key: <hash>.zip`` of
            # ``Code`` (functions) or ``Content`` (layers) → ``asset.<hash>`` in the assembly.
            rel = _asset_from_s3_key(res.properties)
        if rel is None:
            return None
        path = Path(rel)
        if not path.is_absolute() and self.assembly_dir is not None:
            path = self.assembly_dir / path
        return path if path.exists() else None

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


def _read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from exc


def load_template_dict(data: Any, source: str) -> dict[str, Any]:
    """Check that ``data`` is a CloudFormation template; raise InputError if not."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: a template is a JSON object, found {type(data).__name__}")
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        raise InputError(f"{source}: not a CloudFormation template (no 'Resources' object)")
    return data


def _load_yaml(path: Path) -> Any:
    try:
        from cfnlint.decode import cfn_yaml
    except ImportError as exc:  # pragma: no cover - cfn-lint is a requirement
        raise InputError(f"{path}: YAML templates need cfn-lint installed") from exc
    try:
        return cfn_yaml.load(str(path))
    except Exception as exc:  # cfn-lint raises several parser exception types
        raise InputError(f"{path}: not a valid YAML template ({exc})") from exc


def _parse_env(env: Any) -> tuple[str | None, str | None]:
    # "aws://123456789012/us-east-1" or "aws://unknown-account/unknown-region"
    if not isinstance(env, str) or not env.startswith("aws://"):
        return None, None
    account, _, region = env[len("aws://") :].partition("/")
    return (
        None if account.startswith("unknown") else account,
        None if region.startswith("unknown") else region,
    )


def _stack_metadata(
    assembly_dir: Path, artifact: dict[str, Any]
) -> tuple[Acknowledgements, dict[str, list[str]], dict[str, str]]:
    metadata = artifact.get("metadata") or {}
    meta_file = artifact.get("additionalMetadataFile")
    if isinstance(meta_file, str):
        path = assembly_dir / meta_file
        if path.exists():
            metadata = {**metadata, **_read_json(path)}
    acks = Acknowledgements()
    traces: dict[str, list[str]] = {}
    logical_paths: dict[str, str] = {}
    for path, entries in (metadata or {}).items():
        if not isinstance(entries, list):
            continue
        cpath = path.strip("/")
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            kind, data = entry.get("type"), entry.get("data")
            if kind == ACK_METADATA_TYPE and isinstance(data, dict):
                for rule, reason in data.items():
                    acks.add(cpath, str(rule), str(reason))
            elif kind == CREATION_STACK_TYPE and isinstance(data, list):
                traces[cpath] = [str(x) for x in data]
            elif kind == "aws:cdk:logicalId" and isinstance(data, str):
                logical_paths[data] = cpath
    return acks, traces, logical_paths


def _load_manifest(root: Path, seen: set[Path]) -> list[StackTemplate]:
    root = root.resolve()
    if root in seen:
        return []
    seen.add(root)
    manifest = _read_json(root / "manifest.json")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("artifacts"), dict):
        raise InputError(f"{root / 'manifest.json'}: not a cloud assembly manifest")
    stacks: list[StackTemplate] = []
    for art_id, artifact in manifest["artifacts"].items():
        if not isinstance(artifact, dict):
            continue
        props = artifact.get("properties") or {}
        if artifact.get("type") == "aws:cloudformation:stack":
            tpath = root / props.get("templateFile", f"{art_id}.template.json")
            template = load_template_dict(_read_json(tpath), str(tpath))
            account, region = _parse_env(artifact.get("environment"))
            acks, traces, paths = _stack_metadata(root, artifact)
            stacks.append(
                StackTemplate(
                    name=art_id,
                    template=template,
                    template_path=tpath,
                    assembly_dir=root,
                    region=region,
                    account=account,
                    acknowledgements=acks,
                    creation_traces=traces,
                    construct_paths=paths,
                )
            )
        elif artifact.get("type") == "cdk:cloud-assembly" and props.get("directoryName"):
            stacks.extend(_load_manifest(root / props["directoryName"], seen))
    return stacks


def load_path(path: str | Path) -> list[StackTemplate]:
    """Load a ``cdk.out`` directory (every stack, nested stages too) or a template file."""
    p = Path(path)
    if p.is_dir():
        if (p / "manifest.json").exists():
            return _load_manifest(p, set())
        templates = sorted(p.glob("*.template.json"))
        if not templates:
            raise InputError(f"{p}: neither a cloud assembly (no manifest.json) nor templates")
        return [s for t in templates for s in load_path(t)]
    if not p.exists():
        raise InputError(f"{p}: no such file or directory")
    if p.suffix in (".yaml", ".yml"):
        data = _load_yaml(p)
    else:
        data = _read_json(p)
    template = load_template_dict(data, str(p))
    name = p.name.removesuffix(".json").removesuffix(".template")
    return [StackTemplate(name=name, template=template, template_path=p, assembly_dir=p.parent)]
