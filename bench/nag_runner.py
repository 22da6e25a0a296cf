"""Time cdk-nag v3 (AwsSolutions) on the templates of a generated assembly.

cdk-nag checks construct trees, not template files: each template is brought into a CDK
app with ``cloudformation_include.CfnInclude`` (the equivalent app, same resources), then
the ``AwsSolutionsChecks`` pack validates that tree with ``validate_scope``, the entry
point its plugin's ``validate`` calls. Only the validation is timed. Templates that
CfnInclude itself refuses (a broken ``Fn::Sub``, say) are left out and counted: the
resources cdk-nag saw are reported beside its time.

Usage: python bench/nag_runner.py ASSEMBLY_DIR  → prints one JSON object.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def main(assembly: str) -> None:
    import aws_cdk as cdk
    from aws_cdk import cloudformation_include as cfn_inc
    from cdk_nag import AwsSolutionsChecks

    root = Path(assembly)
    app = cdk.App(outdir=str(root / ".nag-out"))
    stacks = []
    t0 = time.perf_counter()
    skipped = 0
    for i, template in enumerate(sorted(root.glob("*.template.json"))):
        stack = cdk.Stack(app, f"Nag{i}")
        try:
            cfn_inc.CfnInclude(stack, "T", template_file=str(template))
        except Exception:  # CfnInclude refuses some broken templates (e.g. a bad Fn::Sub)
            app.node.try_remove_child(f"Nag{i}")
            skipped += 1
            continue
        stacks.append(stack)
    include_s = time.perf_counter() - t0
    pack = AwsSolutionsChecks()
    t1 = time.perf_counter()
    violations = 0
    for stack in stacks:
        report = pack.validate_scope(stack)
        violations += len(report.violations)
    nag_s = time.perf_counter() - t1
    print(
        json.dumps(
            {
                "include_s": include_s,
                "seconds": nag_s,
                "violations": violations,
                "stacks": len(stacks),
                "skipped_stacks": skipped,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
