"""Resource properties match the CloudFormation resource schema of their type."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule
from tap.rules.cfn._schema import DEFAULT_REGION, validate_properties

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation

# Transforms whose output we can still check resource by resource: SAM only rewrites its
# own AWS::Serverless::* resources. Any other macro may rewrite anything: skip the stack.
_CHECKABLE_TRANSFORMS = frozenset({"AWS::Serverless-2016-10-31"})


def transforms_allow_check(template: dict) -> bool:
    """False when a macro other than SAM rewrites the template before CloudFormation."""
    transform = template.get("Transform")
    names = transform if isinstance(transform, list) else [transform] if transform else []
    return all(isinstance(n, str) and n in _CHECKABLE_TRANSFORMS for n in names)


def skipped_type(resource_type: str) -> bool:
    """Types with no registry schema to check: custom resources and SAM's own types."""
    return (
        resource_type.startswith("Custom::")
        or resource_type.startswith("AWS::Serverless::")
        or resource_type == "AWS::CloudFormation::CustomResource"
        or "::" not in resource_type
    )


class PropertiesMatchSchema(Rule):
    """Resource properties exist and have the shape the CloudFormation schema requires."""

    id = "TAP-CFN-1"
    slug = "cfn-schema"
    severity = "error"
    title = "Resource properties match the CloudFormation resource schema"
    explanation = (
        "Why: CloudFormation rejects a resource whose properties are not in its type's "
        "registry schema: an unknown property added through an escape hatch "
        "(add_property_override('UseLockfile', True)), a key in the wrong case "
        "(streamMode for StreamMode), a list where an object is expected "
        "(NoncurrentVersionExpiration: [{...}]), an enum value that does not exist, or an "
        "array over its limit (IoT ThingType SearchableAttributes: at most 3). Escape hatches "
        "bypass CDK's typed props, so the mistake only surfaces at deploy time, after other "
        "resources were created and must roll back (seeds 000 #1-3, 001 #6, 002 #2, 003 #1). "
        "Checked with cfn-lint's own schemas and JSON-schema validator (its E3002 family, "
        "schema keywords only); intrinsic values (Ref, Fn::GetAtt, Fn::Sub, Fn::If) are known "
        "only at deploy time and are not judged. A local path where 'aws cloudformation "
        "package' writes an S3 location (Code: ./) is a warning, as in cfn-lint (W3002). "
        "This class is about CloudFormation schemas: "
        "the seeds' Terraform `use_lockfile` is in fact valid for Terraform >= 1.10."
    )
    fix = (
        "Use the property names and shapes of the CloudFormation resource reference (PascalCase "
        "keys, objects vs lists as documented); prefer CDK's typed L2/L1 props to "
        "add_property_override/add_override, and when an override is needed, spell its path "
        "exactly (e.g. 'StreamModeDetails.StreamMode')."
    )
    seeds = ("000 #1", "000 #2", "000 #3", "001 #6", "002 #2", "003 #1")

    def check_stack(self, ctx: Context) -> Iterator[Violation]:
        stack = ctx.stack
        if not transforms_allow_check(stack.template):
            return
        sam = bool(stack.template.get("Transform"))
        region = stack.region or DEFAULT_REGION
        for res in stack.resources.values():
            if skipped_type(res.type):
                continue
            properties = res.raw.get("Properties", {})
            packaged = _packaged_paths(res.type, properties)
            errors = validate_properties(region, res.type, properties)
            for err in errors or ():
                if any(err.path[: len(p)] == p for p, _ in packaged):
                    continue
                yield self.violation(
                    res,
                    err.property_path,
                    f"{res.type} {err.property_path}: {err.message} (cfn-lint {err.rule})",
                )
            for path, value in packaged:
                if sam or value.startswith(("s3://", "https://")):
                    continue
                where = "/".join(("Properties", *path))
                yield self.violation(
                    res,
                    where,
                    f"{res.type} {where} is the local path {value!r}: it only deploys after "
                    "'aws cloudformation package' uploads it and writes its S3 location "
                    "(cfn-lint W3002)",
                    fix="Run 'aws cloudformation package' before deploying, or in CDK use "
                    "lambda_.Code.from_asset(path), which uploads the asset itself.",
                    severity="warning",
                )


def _packaged_paths(resource_type: str, properties: Any) -> list[tuple[tuple[str, ...], str]]:
    """Properties ``aws cloudformation package`` replaces (cfn-lint's templated property
    paths: Lambda ``Code``, layer ``Content``, nested stack ``TemplateURL``, ...) that
    hold a string: ``(path below Properties, value)``."""
    from tap.rules.common.cfnlint_data import cfnlint_constant

    out = []
    prefix = f"Resources/{resource_type}/Properties/"
    for cfn_path in cfnlint_constant("helpers", "TEMPLATED_PROPERTY_CFN_PATHS"):
        if not cfn_path.startswith(prefix):
            continue
        path = tuple(cfn_path[len(prefix) :].split("/"))
        value: Any = properties
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str):
            out.append((path, value))
    return out
