"""``python -m tap.local``: the whole pipeline locally (moto + DuckDB).

Commands
--------
``run --input FILE.jsonl [--json] [--template PATH]``
    Run the pipeline on a file of device messages, one per line. Prints a summary, or with
    ``--json`` one object: ``aggregates``, ``rejected``, ``queries``, ``alerts``, ``counts``.
    The template defaults to ``cdk.out/TapStack-dev.template.json`` (``make synth`` writes it;
    the run does not synthesize by itself, so the template under test is the one on disk).
    Exit status: 0 done, 1 some line was lost (a pipeline bug), 2 bad input or template.
``sample --output FILE``
    Write a sample input (valid, duplicated and invalid lines) with recent timestamps.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tap.local.run import InputError, RunOptions, run_pipeline
from tap.local.sample import sample_lines
from tap.local.template import TemplateError

DEFAULT_TEMPLATE = Path("cdk.out/TapStack-dev.template.json")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tap.local", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the pipeline on an input file")
    run.add_argument("--input", required=True, type=Path, help="JSON lines, one message each")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    run.add_argument("--seed", type=int, default=7, help="seed of redeliveries and faults")
    run.add_argument(
        "--redeliver-rate", type=float, default=0.3, help="share of batches delivered again"
    )
    run.add_argument(
        "--throttle-rate", type=float, default=0.0, help="share of DynamoDB writes throttled"
    )
    run.add_argument("--verbose", action="store_true", help="functions' logs to stderr")
    sample = commands.add_parser("sample", help="write a sample input file")
    sample.add_argument("--output", required=True, type=Path)
    return parser


def _summary(result: dict) -> str:
    counts = result["counts"]
    out = [
        f"lines {counts['lines']}: {counts['aggregated']} aggregated, "
        f"{counts['duplicates']} duplicates, {counts['rejected']} rejected, "
        f"{counts['dead_lettered']} dead-lettered, {counts['lost']} lost",
        f"delivery: {counts['invocations']} invocations, {counts['retries']} retries, "
        f"{counts['redeliveries']} forced redeliveries, "
        f"{counts['injected_throttles']} injected throttles",
        "",
        f"{'segment':<14} {'minute':<18} {'vehicles':>8} {'samples':>7} {'km/h':>8} "
        f"{'occ %':>6} level",
    ]
    for a in result["aggregates"]:
        speed = "-" if a["avg_speed_kmh"] is None else f"{a['avg_speed_kmh']:.1f}"
        out.append(
            f"{a['segment_id'][:14]:<14} {a['minute']:<18} {a['vehicle_count']:>8} "
            f"{a['samples']:>7} {speed:>8} {a['max_occupancy_pct']:>6.1f} {a['congestion_level']}"
        )
    out.append("")
    out += [f"rejected line {r['line']}: {r['reason']}" for r in result["rejected"]]
    alerts = result.get("alerts") or {}
    for message in alerts.get("messages", []):
        out.append(
            f"alert: segment {message['segment_id']} congestion level "
            f"{message['congestion_level']} at {message['minute']}"
        )
    for name, rows in result["queries"].items():
        detail = rows["error"] if isinstance(rows, dict) else f"{len(rows)} rows"
        out.append(f"query {name}: {detail}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "sample":
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text("\n".join(sample_lines()) + "\n")
        print(f"wrote {args.output}")
        return 0
    options = RunOptions(
        input=args.input,
        template=args.template,
        seed=args.seed,
        redeliver_rate=args.redeliver_rate,
        throttle_rate=args.throttle_rate,
        verbose=args.verbose,
    )
    try:
        result = run_pipeline(options)
    except (InputError, TemplateError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2) if args.json else _summary(result))
    return 1 if result["counts"]["lost"] else 0


if __name__ == "__main__":
    sys.exit(main())
