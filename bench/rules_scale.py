"""Rule evaluation at scale: our pack, cfn-lint and cdk-nag on the same assemblies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.assemblies import build

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
# cfn-lint grows faster than linearly (its µs per resource rise with size; the benchmark issue
# reports over 8 minutes at 5,000 resources): it runs up to this size, and the table says so.
CFN_LINT_MAX_RESOURCES = 1_200
CDK_NAG_MAX_RESOURCES = 1_200


def _timed(cmd: list[str], repeat: int = 1) -> tuple[float, subprocess.CompletedProcess[str]]:
    times = []
    proc: subprocess.CompletedProcess[str] | None = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        times.append(time.perf_counter() - t0)
    assert proc is not None
    return min(times), proc


def ours_in_process(assembly: Path, repeat: int) -> float:
    """Engine time alone (load + evaluate), best of ``repeat`` runs in this process (the
    first run also loads the pack's imports and data, as the plugin's warm-up does)."""
    from tap.rules import evaluate_paths

    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        evaluate_paths([assembly])
        times.append(time.perf_counter() - t0)
    return min(times)


# The engine before this round of rule work (issues 9-13): its time per resource is measured on
# the same assemblies, in the same run, so the cost of the new rules and loading is a ratio.
BASELINE_REV = os.environ.get("BENCH_BASELINE_REV", "9a48276")


def source_tree(rev: str, workdir: Path) -> Path:
    """The project's files at ``rev`` (``git archive``), extracted once under ``workdir``."""
    out = workdir / f"source-{rev}"
    if not (out / "tap" / "rules" / "engine.py").exists():
        out.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", rev, "tap"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


_ENGINE_WORKER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from tap.rules.engine import evaluate_paths
for _ in sys.stdin:
    t0 = time.process_time()
    evaluate_paths([sys.argv[2]])
    print(time.process_time() - t0, flush=True)
"""


def engines_side_by_side(sources: list[Path], assembly: Path, repeat: int) -> list[float]:
    """Best of ``repeat`` evaluations (CPU time) of the engine found at each of ``sources``,
    one fresh process per engine (its first run pays the imports; its on-disk cache starts
    empty), the runs alternated between the engines: on a shared machine, a busy spell falls
    on all of them alike, where whole runs one after the other drew ratios 0.8-1.3 apart."""
    with tempfile.TemporaryDirectory() as caches:
        procs = []
        for i, source in enumerate(sources):
            cache = Path(caches) / str(i)
            cache.mkdir()
            procs.append(
                subprocess.Popen(
                    [PY, "-c", _ENGINE_WORKER, str(source), str(assembly)],
                    cwd=ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    env={**os.environ, "TAP_RULES_CACHE_DIR": str(cache)},
                )
            )
        best = [float("inf")] * len(procs)
        try:
            for _ in range(repeat):
                for i, proc in enumerate(procs):
                    assert proc.stdin is not None and proc.stdout is not None
                    proc.stdin.write("run\n")
                    proc.stdin.flush()
                    line = proc.stdout.readline()
                    if not line:
                        raise RuntimeError(f"the engine at {sources[i]} stopped on {assembly}")
                    best[i] = min(best[i], float(line))
        finally:
            for proc in procs:
                if proc.stdin is not None:
                    proc.stdin.close()
                proc.wait()
    return best


def run(sources: list[Path], sizes: list[int], workdir: Path) -> list[dict[str, object]]:
    rows = []
    for size in sizes:
        target = workdir / f"assembly-{size}"
        shape = build(sources, size, target)
        n = shape["resources"]
        repeat = 3 if n <= 2_000 else 1
        cli_s, proc = _timed(
            [PY, "-m", "tap.rules", "check", str(target), "--format", "json"], repeat
        )
        if proc.returncode not in (0, 1):
            raise SystemExit(f"tap.rules check failed on {target}:\n{proc.stderr}")
        findings = len(json.loads(proc.stdout)["findings"])
        engine_s = ours_in_process(target, repeat)
        head_s, base_s = engines_side_by_side(
            [ROOT, source_tree(BASELINE_REV, workdir)], target, max(repeat, 5)
        )
        row: dict[str, object] = {
            "resources": n,
            "stacks": shape["stacks"],
            "tap_cli_s": round(cli_s, 3),
            "tap_engine_s": round(engine_s, 3),
            "tap_us_per_resource": round(engine_s / n * 1e6, 1),
            "tap_findings": findings,
            "engine_subprocess_us_per_resource": round(head_s / n * 1e6, 1),
            "baseline_rev": BASELINE_REV,
            "baseline_us_per_resource": round(base_s / n * 1e6, 1),
            "engine_vs_baseline": round(head_s / base_s, 3),
        }
        if n <= CFN_LINT_MAX_RESOURCES:
            templates = sorted(str(p) for p in target.glob("*.template.json"))
            lint_s, _ = _timed([str(Path(PY).parent / "cfn-lint"), "--", *templates])
            row["cfn_lint_s"] = round(lint_s, 3)
            row["cfn_lint_us_per_resource"] = round(lint_s / n * 1e6, 1)
            row["tap_cli_vs_cfn_lint"] = round(cli_s / lint_s, 4)
            row["tap_engine_vs_cfn_lint"] = round(engine_s / lint_s, 4)
        else:
            row["cfn_lint_s"] = None
        if n <= CDK_NAG_MAX_RESOURCES:
            _, proc = _timed([PY, str(ROOT / "bench" / "nag_runner.py"), str(target)])
            if proc.returncode == 0:
                nag = json.loads(proc.stdout.strip().splitlines()[-1])
                row["cdk_nag_s"] = round(nag["seconds"], 3)
                row["cdk_nag_skipped_stacks"] = nag["skipped_stacks"]
                row["tap_engine_vs_cdk_nag"] = round(engine_s / nag["seconds"], 4)
            else:
                row["cdk_nag_s"] = None
                row["cdk_nag_error"] = proc.stderr.strip().splitlines()[-1:]
        else:
            row["cdk_nag_s"] = None
        rows.append(row)
        print(f"  rules @ {n} resources: {row}", file=sys.stderr)
    return rows
