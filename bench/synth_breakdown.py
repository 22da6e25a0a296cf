"""Synth of TapStack-dev broken into phases, and what each guardrail adds."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CDK = str(ROOT / "node_modules" / ".bin" / "cdk")
APP = f"{sys.executable} bench/synth_phases.py"

# variant → guardrails registered; CDK's built-in validation is off unless named.
VARIANTS = ("none", "tap", "nag", "builtin", "all")


def _one(variant: str, workdir: Path) -> dict[str, float]:
    out = workdir / f"{variant}.json"
    env = dict(os.environ, TAPBENCH_VARIANT=variant, TAPBENCH_OUT=str(out))
    if variant not in ("builtin", "all"):
        env["CDK_VALIDATION"] = "false"
    cmd = [CDK, "synth", "--app", APP, "--context", "env=dev", "--quiet"]
    cmd += ["--output", str(workdir / f"cdk.out.{variant}")]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if not out.exists():
        raise SystemExit(f"synth variant {variant} failed:\n{proc.stderr[-2000:]}")
    data = json.loads(out.read_text())
    data["wall"] = wall
    return data


def run(repeat: int = 2) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        runs: dict[str, list[dict[str, float]]] = {v: [] for v in VARIANTS}
        for _ in range(repeat):  # interleaved, so load changes hit every variant alike
            for variant in VARIANTS:
                runs[variant].append(_one(variant, Path(tmp)))

    def med(variant: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[variant])

    base_synth = med("none", "synth")
    full_wall = med("all", "wall")
    in_app = med("all", "imports") + med("all", "build") + med("all", "synth")
    phases = {
        "cdk CLI + Python start-up": full_wall - in_app,
        "imports (jsii kernel, aws-cdk-lib)": med("all", "imports"),
        "construct building (TapStack)": med("all", "build"),
        "synthesis without guardrails": base_synth,
        "tap rule pack plugin": med("all", "tap_plugin"),
        "cdk-nag AwsSolutions": med("nag", "synth") - base_synth,
        "CDK built-in CloudFormation validation": med("builtin", "synth") - base_synth,
    }
    return {
        "wall_all_guardrails_s": round(full_wall, 3),
        "phases_s": {k: round(v, 3) for k, v in phases.items()},
        "tap_plugin_share_of_synth_wall": round(med("all", "tap_plugin") / full_wall, 4),
        "tap_plugin_via_difference_s": round(med("tap", "synth") - base_synth, 3),
        "repeat": repeat,
    }


if __name__ == "__main__":
    print(json.dumps(run(1), indent=2))
