"""`make bench`: rule evaluation at scale, synth breakdown, processor cost, CLI start-up.

Prints a Markdown table, writes ``bench/results/bench.json`` and, with ``--record``,
``docs/benchmarks.md`` (the table with the commit it ran on). Every comparison is a ratio
against a peer measured in the same run on the same input; absolute seconds are this
machine's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from bench import local_run, processor, rules_scale, startup, synth_breakdown  # noqa: E402
from bench.coverage.report import markdown as coverage_markdown  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PRECISION_HEADING = "## Precision on apps we did not write"


def _sh(*cmd: str) -> str:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True).stdout.strip()


def corpus() -> list[Path]:
    """Source assemblies: our TapStack-dev plus the rule tests' stacks (cached)."""
    dev = ROOT / "cdk.out" / "bench-dev"
    if not (dev / "manifest.json").exists():
        subprocess.run(
            [
                str(ROOT / "node_modules/.bin/cdk"),
                "synth",
                "--context",
                "env=dev",
                "--quiet",
                "--output",
                str(dev),
            ],
            cwd=ROOT,
            check=True,
        )
    tests = RESULTS / "corpus"
    if not tests.exists():
        tests.mkdir(parents=True)
        print("collecting the rule tests' stacks (TAP_CORPUS_DIR) ...", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-n",
                "2",
                "-p",
                "no:cacheprovider",
                "tests/rules",
                "-k",
                "not cli and not workflow",
            ],
            cwd=ROOT,
            env={**os.environ, "TAP_CORPUS_DIR": str(tests)},
            capture_output=True,
        )
    return [dev, *sorted(p for p in tests.iterdir() if (p / "manifest.json").exists())]


def coverage() -> dict:
    """Section 4 (`make coverage` alone): bench/coverage/run.py in its own process, with its
    own CDK app and jsii runtime; it writes bench/results/coverage.json."""
    out = RESULTS / "coverage.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "coverage" / "run.py"), "--json", str(out)],
        cwd=ROOT,
        capture_output=True,  # the validation reports of 90 stacks: shown only on failure
        text=True,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-5000:])
        raise SystemExit(f"bench/coverage/run.py exited {proc.returncode}")
    return json.loads(out.read_text())


def _fmt(v: object, unit: str = "") -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.3f}{unit}" if v < 100 else f"{v:,.0f}{unit}"
    return f"{v:,}{unit}" if isinstance(v, int) else str(v)


def _pct(v: object) -> str:
    return f"{v:.1%}" if isinstance(v, float) else "—"


def markdown(data: dict) -> str:
    lines = [f"Commit `{data['commit']}` · {data['machine']} · {data['date']}", ""]
    lines += [
        "### 1. Rule evaluation at scale (same assembly for every tool)",
        "",
        "| resources | stacks | tap engine s | tap µs/resource | tap CLI s | cfn-lint s "
        "| cfn-lint µs/resource | tap engine / cfn-lint | tap CLI / cfn-lint | cdk-nag s "
        "| tap engine / cdk-nag |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in data["rules"]:
        lint = r.get("cfn_lint_s")
        nag = r.get("cdk_nag_s")
        mark = "³" if r.get("cdk_nag_skipped_stacks") else ""
        lines.append(
            f"| {r['resources']:,} | {r['stacks']} | {_fmt(r['tap_engine_s'])} "
            f"| {_fmt(r['tap_us_per_resource'])} | {_fmt(r['tap_cli_s'])} "
            f"| {_fmt(lint) if lint is not None else 'not run¹'} "
            f"| {_fmt(r.get('cfn_lint_us_per_resource'))} "
            f"| {_pct(r.get('tap_engine_vs_cfn_lint'))} | {_pct(r.get('tap_cli_vs_cfn_lint'))} "
            f"| {_fmt(nag) + mark if nag is not None else 'not run²'} "
            f"| {_pct(r.get('tap_engine_vs_cdk_nag'))} |"
        )
    lines += [
        "",
        "tap engine: load + evaluate in one process (what the plugin runs inside `cdk synth`); "
        "tap CLI: `python -m tap.rules check DIR --format json`, process start and imports "
        "included (cfn-lint is imported here: these assemblies hold resources the cfn-schema "
        "pre-check cannot call clean, the failing cases of the rule tests).  ",
        f"¹ cfn-lint grows faster than linearly (see its µs/resource): it runs up to "
        f"{rules_scale.CFN_LINT_MAX_RESOURCES:,} resources only, to keep `make bench` under "
        "10 minutes.  ",
        f"² cdk-nag runs up to {rules_scale.CDK_NAG_MAX_RESOURCES:,} resources: the templates "
        "are imported into an equivalent CDK app with CfnInclude (not timed) and only its "
        "validation is timed.  ",
        "³ CfnInclude refused some of the rule tests' deliberately broken templates (e.g. an "
        "unescaped `${topic(3)}` in Fn::Sub); cdk-nag checked the others.",
        "",
        "Engine cost of this round of rule work: the engine at HEAD and at commit "
        f"`{data['rules'][0].get('baseline_rev', '?')}` (before it), each best of N in a fresh "
        "process on the same assembly, in this run.",
        "",
        "| resources | HEAD µs/resource | baseline µs/resource | HEAD / baseline |",
        "|---:|---:|---:|---:|",
        *(
            f"| {r['resources']:,} | {_fmt(r.get('engine_subprocess_us_per_resource'))} "
            f"| {_fmt(r.get('baseline_us_per_resource'))} "
            f"| {_fmt(r.get('engine_vs_baseline'))} |"
            for r in data["rules"]
        ),
        "",
    ]
    s = data["synth"]
    lines += [
        "### 2. `cdk synth` of TapStack-dev, by phase",
        "",
        f"Wall time with every guardrail: **{s['wall_all_guardrails_s']:.1f} s**; "
        f"tap plugin share: **{s['tap_plugin_share_of_synth_wall']:.1%}**.",
        "",
        "| phase | seconds | share of wall |",
        "|---|---:|---:|",
    ]
    for phase, sec in s["phases_s"].items():
        lines.append(f"| {phase} | {sec:.2f} | {sec / s['wall_all_guardrails_s']:.1%} |")
    p = data["processor"]
    lines += [
        "",
        "### 3. Processor",
        "",
        f"Input: {p['input']['readings']:,} readings from {p['input']['sensors']} sensors "
        f"on {p['input']['segments']} segments every {p['input']['period_s']} s over "
        f"{p['input']['shards']} shards; one batch in 40 delivered twice. Floor: one write per "
        "distinct (segment, minute) of the same input; stack's writes counted on the real "
        "handler, the other designs' by replaying the store's rule on their batches.",
        "",
        "| design | batching | pure path readings/s (1 core) | writes / 1,000 readings "
        "| floor / 1,000 | writes / floor | naive writes / 1,000 | measured |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, c in p["configs"].items():
        pure = c.get("pure_readings_per_s")
        lines.append(
            f"| {name} (key: {c['partition_key']}) | {c['batch_size']} records / "
            f"{c['window_s']} s | {f'{pure:,}' if pure else '—'} | {c['writes_per_1000']:.1f} "
            f"| {c['floor_per_1000']:.1f} | {c['ratio_to_floor']:.2f} "
            f"| {c['naive_writes_per_1000']:.0f} | {c['measured']} |"
        )
    units = p["configs"].get("stack", {}).get("write_units_per_1000")
    if units is not None:
        lines += [
            "",
            f"Write units of the stack's writes (item size rounded up to 1 KB, sizes "
            f"overestimated): {units:.1f} / 1,000 readings.",
        ]
    if "local_run" in data:
        lines += ["", local_run.markdown(data["local_run"])]
    if "coverage" in data:
        lines += [
            "",
            "### 4. Failure-class coverage against peers",
            "",
            "Stacks reproducing the documented failures (`make coverage` runs this section "
            "alone; cases in `bench/coverage/cases.py`).",
            "",
            coverage_markdown(data["coverage"]),
        ]
    if "startup" in data:
        lines += ["", *startup.markdown(data["startup"])]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    sizes = [int(s) for s in args.sizes.split(",")]
    data = {
        "commit": _sh("git", "rev-parse", "--short", "HEAD"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
    }
    print("rule evaluation ...", file=sys.stderr)
    data["rules"] = rules_scale.run(corpus(), sizes, RESULTS)
    print("synth breakdown ...", file=sys.stderr)
    data["synth"] = synth_breakdown.run(repeat=1)
    print("processor ...", file=sys.stderr)
    data["processor"] = processor.run()
    print("local run throughput ...", file=sys.stderr)
    data["local_run"] = local_run.run()
    print("start-up against cfn-lint ...", file=sys.stderr)
    data["startup"] = startup.run(corpus()[0])
    print("failure-class coverage ...", file=sys.stderr)
    data["coverage"] = coverage()
    data["bench_seconds"] = round(time.perf_counter() - t0, 1)
    (RESULTS / "bench.json").write_text(json.dumps(data, indent=2))
    table = markdown(data)
    print(table)
    if args.record:
        doc = ROOT / "docs" / "benchmarks.md"
        # `make precision` records its own section: kept as it is.
        old = doc.read_text(encoding="utf-8") if doc.exists() else ""
        kept = old[old.index(PRECISION_HEADING) :] if PRECISION_HEADING in old else ""
        doc.write_text(
            "# Benchmarks\n\nRecorded by `make bench` (`python bench/run.py --record`); "
            "rerun it to reproduce. Ratios compare tools measured in the same run on the same "
            "input.\n\n"
            + table
            + f"\nWhole benchmark: {data['bench_seconds']:.0f} s.\n"
            + ("\n" + kept if kept else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
