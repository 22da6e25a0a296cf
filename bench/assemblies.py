"""Generate large cloud assemblies for the rule-evaluation benchmark.

An assembly of about N resources is made of copies of real synthesized stacks (our
``TapStack-dev`` and the rule tests' stacks, or any assembly given): each copy becomes its
own stack with every logical id renamed (``Ref``, ``Fn::GetAtt``, ``DependsOn`` and
``Fn::Sub`` references follow), so no two copies share a logical id or a property value
that references one. Staged assets are linked, not copied.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


def _rename(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref" and isinstance(arg, str):
                return {"Ref": ids.get(arg, arg)}
            if key == "Fn::GetAtt":
                if isinstance(arg, list) and arg and isinstance(arg[0], str):
                    return {key: [ids.get(arg[0], arg[0]), *(_rename(a, ids) for a in arg[1:])]}
                if isinstance(arg, str):
                    lid, _, attr = arg.partition(".")
                    return {key: f"{ids.get(lid, lid)}.{attr}"}
            if key == "Fn::Sub":

                def sub(m: re.Match[str]) -> str:
                    name, dot, attr = m.group(1).partition(".")
                    return "${" + ids.get(name, name) + dot + attr + "}"

                if isinstance(arg, str):
                    return {key: _SUB_VAR.sub(sub, arg)}
                if isinstance(arg, list) and arg and isinstance(arg[0], str):
                    return {key: [_SUB_VAR.sub(sub, arg[0]), *(_rename(a, ids) for a in arg[1:])]}
        return {k: _rename(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, ids) for v in value]
    return value


def copy_template(template: dict[str, Any], tag: str) -> dict[str, Any]:
    """A copy of ``template`` with every resource's logical id suffixed by ``tag``."""
    ids = {lid: f"{lid}{tag}" for lid in template.get("Resources", {})}
    out = dict(template)
    out["Resources"] = {
        ids[lid]: {
            **_rename(res, ids),
            **(
                {
                    "DependsOn": [
                        ids.get(d, d)
                        for d in (
                            [res["DependsOn"]]
                            if isinstance(res["DependsOn"], str)
                            else res["DependsOn"]
                        )
                    ]
                }
                if "DependsOn" in res
                else {}
            ),
        }
        for lid, res in template.get("Resources", {}).items()
    }
    if "Outputs" in template:
        out["Outputs"] = {f"{k}{tag}": _rename(v, ids) for k, v in template["Outputs"].items()}
    return out


def source_stacks(assembly: Path) -> list[tuple[str, dict[str, Any]]]:
    """(stack name, template) of every stack in a cloud assembly directory."""
    manifest = json.loads((assembly / "manifest.json").read_text())
    out = []
    for name, art in manifest["artifacts"].items():
        if art.get("type") == "aws:cloudformation:stack":
            tfile = art.get("properties", {}).get("templateFile", f"{name}.template.json")
            out.append((name, json.loads((assembly / tfile).read_text())))
    return out


def build(sources: list[Path], target: int, outdir: Path) -> dict[str, int]:
    """Write an assembly of about ``target`` resources to ``outdir``; return its size."""
    stacks = [(src, name, t) for src in sources for name, t in source_stacks(src)]
    if not stacks:
        raise SystemExit(f"no stacks in {sources}")
    if outdir.exists():
        shutil.rmtree(outdir)
    outdir.mkdir(parents=True)
    # Link every staged asset so lambda-handler and iam-code-permissions do their real work.
    for src in sources:
        for asset in src.glob("asset.*"):
            link = outdir / asset.name
            if not link.exists():
                os.symlink(asset.resolve(), link)
    artifacts: dict[str, Any] = {}
    resources = copies = 0
    while resources < target:
        src, name, template = stacks[copies % len(stacks)]
        tag = f"C{copies}"
        copy = copy_template(template, tag)
        stack_id = f"{name}-{tag}"
        (outdir / f"{stack_id}.template.json").write_text(json.dumps(copy, indent=1))
        artifacts[stack_id] = {
            "type": "aws:cloudformation:stack",
            "environment": "aws://unknown-account/unknown-region",
            "properties": {"templateFile": f"{stack_id}.template.json"},
        }
        resources += len(copy["Resources"])
        copies += 1
    manifest = {"version": "55.0.0", "artifacts": artifacts}
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return {"resources": resources, "stacks": copies}
