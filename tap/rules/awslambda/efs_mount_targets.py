"""missing-dependson: a function that mounts EFS is created after the file system's mount
targets.

Lambda checks, when the function is created, that the access point's file system has an
available mount target in the function's Availability Zones. The function references the
access point, not the mount targets: without a dependency on each of them in the stack,
CloudFormation may create the function first. CDK's ``lambda_.FileSystem.from_efs_access_point``
adds the dependencies; an L1 ``FileSystemConfigs`` does not. Access points and file systems
outside the stack stay silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule
from tap.rules.resolve import iter_references

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["FunctionAfterMountTargets"]


def mount_targets(ctx: Context) -> dict[str, list[str]]:
    """File system logical id → its mount targets in the stack."""
    key = "efs.mount_targets"
    if key not in ctx.shared:
        out: dict[str, list[str]] = {}
        for mt in ctx.stack.of_type("AWS::EFS::MountTarget"):
            for ref in iter_references(mt.properties.get("FileSystemId")):
                out.setdefault(ref, []).append(mt.logical_id)
        ctx.shared[key] = out
    result: dict[str, list[str]] = ctx.shared[key]
    return result


def _of_type(ctx: Context, value: Any, kind: str) -> list[str]:
    return [
        r
        for r in iter_references(value)
        if (res := ctx.resource(r)) is not None and res.type == kind
    ]


class FunctionAfterMountTargets(Rule):
    """Functions with an EFS file system depend on its mount targets."""

    id = "TAP-LAMBDA-21"
    slug = "missing-dependson"
    severity = "error"
    title = "Functions that mount EFS depend on the file system's mount targets"
    explanation = (
        "Why: Lambda validates an EFS access point's mount targets when the function is "
        "created (AWS Lambda Developer Guide, 'Configuring file system access for Lambda "
        "functions': a mount target in every Availability Zone the function connects to); "
        "before they are available it fails with 'EFS file system ... referenced by access "
        "point ... has mount targets created in all availability zones the function will "
        "execute in, but not all are in 'available' life cycle state yet'."
    )
    fix = (
        "In CDK: lambda_.Function(..., filesystem=lambda_.FileSystem.from_efs_access_point("
        "access_point, '/mnt/data')) adds the dependencies; with L1, "
        "cfn_function.add_dependency(mount_target) for each, or "
        "function.node.add_dependency(file_system.mount_targets_available)."
    )
    resource_types = ("AWS::Lambda::Function",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        configs = res.properties.get("FileSystemConfigs")
        if not isinstance(configs, list):
            return
        targets = mount_targets(ctx)
        for i, conf in enumerate(configs):
            if not isinstance(conf, dict):
                continue
            for ap in _of_type(ctx, conf.get("Arn"), "AWS::EFS::AccessPoint"):
                access_point = ctx.resource(ap)
                fs_ids = _of_type(
                    ctx,
                    access_point.properties.get("FileSystemId") if access_point else None,
                    "AWS::EFS::FileSystem",
                )
                missing = [
                    mt
                    for fs in fs_ids
                    for mt in targets.get(fs, ())
                    if not ctx.graph.depends_on(res.logical_id, mt)
                ]
                if missing:
                    yield self.violation(
                        res,
                        f"Properties/FileSystemConfigs/{i}/Arn",
                        f"function mounts access point {ap} but does not depend on the mount "
                        f"targets {', '.join(missing)}: CloudFormation may create it first",
                    )
