"""Start-up: ``python -m tap.rules check`` against cfn-lint, both cold processes.

Input: TapStack-dev's template (the assembly ``bench/run.py`` synthesizes), and the whole
``cdk.out`` for the CLI. Each process is timed from spawn to exit; the runs of the tools are
interleaved (tap, tap, cfn-lint, tap, ...) so that load from other processes hits all of them
alike, and the ratio is taken between medians (and between bests) of one run.

Modes of tap's on-disk cache (``tap/rules/common/cache.py``):

- **cold cache**: a fresh, empty cache folder for every run (what a first run, a CI job
  without a saved cache, or ``--no-cache`` costs: botocore and sqlglot imported, and
  cfn-lint for a resource the cfn-schema pre-check cannot call clean);
- **warm cache**: the cache filled by an earlier run on the same template (a pre-commit
  hook or an editor re-running after an edit elsewhere).

Bytecode: both tools run from compiled ``.pyc`` as installed packages do (cfn-lint's are in
site-packages; tap's go to a private ``PYTHONPYCACHEPREFIX``, written by an untimed first
run), so neither pays for compiling its own source.

``python bench/startup.py [PATH] [--runs N]`` times; ``python bench/startup.py --equality REV
PATH...`` instead shows the cache and the cfn-schema pre-check change no finding: the JSON
findings of PATH (assemblies or templates) and of mutated copies (unknown, missing and
camelCase keys, wrong shapes, lenient scalars, ``Fn::If``/``NoValue``, emptied objects), tap
at git REV against this tree without cache, with a cold and with a warm cache, and without
the pre-check.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

__all__ = ["run"]


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1, 2, 4, 6, 8, 10, 12, 14) or "Traceback" in proc.stderr:
        raise RuntimeError(f"{cmd[:3]} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed


def _stats(times: list[float]) -> dict[str, float]:
    return {"best_s": round(min(times), 3), "median_s": round(statistics.median(times), 3)}


def run(assembly: Path, runs: int = 7) -> dict:
    """Time ``runs`` cold processes of each tool on ``assembly``'s TapStack-dev template."""
    template = assembly / "TapStack-dev.template.json"
    work = Path(tempfile.mkdtemp(prefix="tap-startup-"))
    try:
        base = {k: v for k, v in os.environ.items() if not k.startswith("TAP_RULES_")}
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        base["PYTHONPYCACHEPREFIX"] = str(work / "pyc")
        warm = {**base, "TAP_RULES_CACHE_DIR": str(work / "warm")}
        tap = [PY, "-m", "tap.rules", "check", "--format", "json"]
        lint = [str(Path(PY).parent / "cfn-lint"), "--", str(template)]
        _timed([*tap, str(template)], warm)  # writes tap's .pyc and fills the warm cache
        _timed([*tap, str(assembly)], warm)
        _timed(lint, base)
        times: dict[str, list[float]] = {
            k: [] for k in ("cold", "warm", "warm_assembly", "no_cache", "cfn_lint")
        }
        for i in range(runs):
            cold = {**base, "TAP_RULES_CACHE_DIR": str(work / f"cold-{i}")}
            off = {**base, "TAP_RULES_NO_CACHE": "1"}
            times["cold"].append(_timed([*tap, str(template)], cold))
            times["warm"].append(_timed([*tap, str(template)], warm))
            times["cfn_lint"].append(_timed(lint, base))
            times["warm_assembly"].append(_timed([*tap, str(assembly)], warm))
            times["no_cache"].append(_timed([*tap, str(template)], off))
        stats = {k: _stats(v) for k, v in times.items()}
        lint_med, lint_best = stats["cfn_lint"]["median_s"], stats["cfn_lint"]["best_s"]
        for k in ("cold", "warm", "warm_assembly", "no_cache"):
            stats[k]["vs_cfn_lint_median"] = round(stats[k]["median_s"] / lint_med, 4)
            stats[k]["vs_cfn_lint_best"] = round(stats[k]["best_s"] / lint_best, 4)
        return {"template": template.name, "runs": runs, **stats}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def markdown(s: dict) -> list[str]:
    """Section 5 of docs/benchmarks.md."""
    rows = [
        ("tap CLI, warm cache, template", "warm"),
        ("tap CLI, warm cache, whole cdk.out", "warm_assembly"),
        ("tap CLI, cold cache (first run)", "cold"),
        ("tap CLI, `TAP_RULES_NO_CACHE=1`", "no_cache"),
    ]
    lines = [
        "### 5. Start-up: `python -m tap.rules check` against cfn-lint, cold processes",
        "",
        f"{s['runs']} interleaved runs of each on `{s['template']}` (`bench/startup.py`); "
        f"cfn-lint: median {s['cfn_lint']['median_s']:.2f} s, best "
        f"{s['cfn_lint']['best_s']:.2f} s. Target: at most 30 % of cfn-lint.",
        "",
        "| tap | median s | best s | median / cfn-lint | best / cfn-lint |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, key in rows:
        r = s[key]
        lines.append(
            f"| {label} | {r['median_s']:.2f} | {r['best_s']:.2f} "
            f"| {r['vs_cfn_lint_median']:.1%} | {r['vs_cfn_lint_best']:.1%} |"
        )
    lines += [
        "",
        "Warm cache: cfn-lint's schema verdicts, handler code analysis, IoT SQL verdicts and "
        "region names come from `$XDG_CACHE_HOME/tap-rules/` (keyed by tool versions and "
        "tap's source), so cfn-lint and sqlglot are not imported and no code is analysed. "
        "Cold cache: sqlglot is imported and the handlers' code analysed; cfn-lint is not "
        "imported for any resource the cfn-schema pre-check calls clean from cfn-lint's schema "
        "files (all of TapStack-dev's), and botocore's service models are read from its data "
        "files, without its session.",
    ]
    return lines


# --- equality: the cache changes no finding ------------------------------------------------

_DUMP = """
import json, sys
from pathlib import Path
import tap
from tap.reports import render
from tap.rules.engine import Options, evaluate
from tap.rules.model import load_path
root = str(Path(tap.__file__).resolve().parent.parent)  # rule errors' tracebacks name it
out = {}
for p in sys.argv[2:]:
    report = evaluate(load_path(Path(p)), Options())
    out[p] = {"findings": json.loads(render(report, "json"))["findings"],
              "rule_errors": [str(e).replace(root, "<tap>") for e in report.rule_errors]}
Path(sys.argv[1]).write_text(json.dumps(out, sort_keys=True))
"""


def _mutations(props: object) -> Iterator[tuple[str, object]]:
    """Schema mistakes on one resource's Properties (unknown key, missing key, key in
    camelCase, wrong shapes: string → list, number → string, list → object), and values
    cfn-lint judges leniently or per condition (numbers and booleans as strings, top-level
    values under ``Fn::If`` with ``AWS::NoValue``, objects emptied): the cases the cfn-schema
    pre-check must leave to cfn-lint or judge exactly as it does."""
    if not isinstance(props, dict) or not props:
        yield "bogus", {"BogusProp": 1}
        return
    first = sorted(props)[0]
    yield "bogus", {**props, "BogusProp": 1}
    yield "drop", {k: v for k, v in props.items() if k != first}
    yield "camel", {(k[0].lower() + k[1:] if k == first else k): v for k, v in props.items()}

    def wrap(v: object) -> object:
        if isinstance(v, str):
            return [v]
        if isinstance(v, int | float) and not isinstance(v, bool):
            return f"{v}x"
        if isinstance(v, list):
            return {"Items": v}
        if isinstance(v, dict) and not any(k.startswith("Fn::") or k == "Ref" for k in v):
            return [v]
        return v

    yield "shape", {k: wrap(v) for k, v in props.items()}

    def lenient(v: object) -> object:
        if isinstance(v, bool):
            return str(v).lower()
        if isinstance(v, int | float):
            return str(v)
        if isinstance(v, list):
            return [lenient(x) for x in v]
        if isinstance(v, dict):
            return {k: lenient(x) for k, x in v.items()}
        return v

    yield "lenient", lenient(props)
    no_value = {"Ref": "AWS::NoValue"}
    yield "conditional", {k: {"Fn::If": ["C", v, no_value]} for k, v in props.items()}
    yield (
        "emptied",
        {
            k: {}
            if isinstance(v, dict) and not any(x.startswith("Fn::") or x == "Ref" for x in v)
            else v
            for k, v in props.items()
        },
    )


def mutate(templates: list[Path], out: Path) -> list[Path]:
    """Mutated copies of ``templates``: one per kind, every resource mutated at once."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for t in templates:
        doc = json.loads(t.read_text(encoding="utf-8"))
        kinds: dict[str, dict] = {}
        for rid, res in (doc.get("Resources") or {}).items():
            if not isinstance(res, dict):
                continue
            for kind, props in _mutations(res.get("Properties")):
                m = kinds.setdefault(kind, copy.deepcopy(doc))
                m["Resources"][rid]["Properties"] = props
        for kind, m in kinds.items():
            path = out / f"{len(written):04d}-{kind}.json"
            path.write_text(json.dumps(m), encoding="utf-8")
            written.append(path)
    return written


def equality(inputs: list[Path], base: str) -> dict:
    """JSON findings of ``inputs`` and their mutations: tap at git ``base`` (no cache) against
    this tree without cache, with a cold cache, with the cache it filled (warm), and without
    cache nor cfn-schema pre-check (every schema key validated by cfn-lint)."""
    work = Path(tempfile.mkdtemp(prefix="tap-startup-eq-"))
    try:
        old = work / "base"
        old.mkdir()
        archive = subprocess.run(
            ["git", "archive", base, "tap"], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
        templates = [p for i in inputs for p in ([i] if i.is_file() else i.glob("*.template.json"))]
        every = [str(p.resolve()) for p in (*inputs, *mutate(templates, work / "mutated"))]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_RULES_")}
        runs = {
            "base": {**env, "PYTHONPATH": str(old), "TAP_RULES_NO_CACHE": "1"},
            "no_cache": {**env, "PYTHONPATH": str(ROOT), "TAP_RULES_NO_CACHE": "1"},
            "cold": {**env, "PYTHONPATH": str(ROOT), "TAP_RULES_CACHE_DIR": str(work / "c")},
            "warm": {**env, "PYTHONPATH": str(ROOT), "TAP_RULES_CACHE_DIR": str(work / "c")},
            "no_precheck": {
                **env,
                "PYTHONPATH": str(ROOT),
                "TAP_RULES_NO_CACHE": "1",
                "TAP_RULES_NO_SCHEMA_PRECHECK": "1",
            },
        }
        found = {}
        for name, run_env in runs.items():
            dump = work / f"{name}.json"
            proc = subprocess.run(
                [PY, "-c", _DUMP, str(dump), *every], cwd=work, env=run_env, capture_output=True
            )
            if proc.returncode:
                raise SystemExit(f"{name}: {proc.stderr.decode()[-3000:]}")
            found[name] = json.loads(dump.read_text())
        count = sum(len(v["findings"]) for v in found["base"].values())
        return {
            "inputs": len(every),
            "findings": count,
            **{f"{k}_equal_to_base": found[k] == found["base"] for k in runs if k != "base"},
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, help="default: cdk.out")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--equality",
        metavar="BASE_REV",
        help="instead of timing: compare the findings of PATHS (and their mutations) with "
        "tap at git BASE_REV",
    )
    args = parser.parse_args()
    paths = args.paths or [ROOT / "cdk.out"]
    if args.equality:
        result = equality(paths, args.equality)
        print(json.dumps(result, indent=2))
        sys.exit(0 if all(v for k, v in result.items() if k.endswith("_equal_to_base")) else 1)
    result = run(paths[0], runs=args.runs)
    print(json.dumps(result, indent=2))
    print("\n".join(markdown(result)))
