"""``python -m tap.local``: the whole pipeline locally (moto + DuckDB).

Commands
--------
``run --input FILE.jsonl [--json] [--template PATH] [--seed N] [--redeliver-rate R]
[--throttle-rate R] [--processor-aws memory|moto] [--verbose]``
    Run the pipeline on a file of device messages, one per line (blank lines ignored). Prints
    a summary, or with ``--json`` one object: ``aggregates``, ``rejected``, ``queries``,
    ``alerts``, ``counts``. A progress bar shows on stderr when it is a terminal.
    The template defaults to ``cdk.out/TapStack-dev.template.json`` (``make synth`` writes it;
    the run does not synthesize by itself, so the template under test is the one on disk).
    Exit status: 0 done, 1 some line was lost (a pipeline bug), 2 bad input, option or
    template (one line on stderr).
``sample --output FILE``
    Write a sample input (valid, duplicated, conflicting and invalid lines) with recent
    timestamps.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import NoReturn

from tap.local.run import InputError, RunOptions, run_pipeline
from tap.local.sample import sample_lines
from tap.local.template import TemplateError

DEFAULT_TEMPLATE = Path("cdk.out/TapStack-dev.template.json")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line (and exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m tap.local", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser(
        "run", help="run the pipeline on an input file", description="Run the pipeline locally."
    )
    run.add_argument(
        "--input",
        required=True,
        type=Path,
        help="device messages, one JSON object per line (blank lines are ignored)",
    )
    run.add_argument("--json", action="store_true", help="print one JSON object, no summary")
    run.add_argument(
        "--template",
        type=Path,
        default=DEFAULT_TEMPLATE,
        help=f"synthesized TapStack template to run (default: {DEFAULT_TEMPLATE}; "
        "`make synth` writes it)",
    )
    run.add_argument(
        "--seed", type=int, default=7, help="seed of redeliveries and faults (default: 7)"
    )
    run.add_argument(
        "--redeliver-rate",
        type=_rate,
        default=0.3,
        help="share of batches delivered again, in [0, 1] (default: 0.3)",
    )
    run.add_argument(
        "--throttle-rate",
        type=_rate,
        default=0.0,
        help="share of DynamoDB writes throttled, in [0, 1] (default: 0)",
    )
    run.add_argument(
        "--verbose", action="store_true", help="the functions' logs and metrics to stderr"
    )
    run.add_argument(
        "--processor-aws",
        choices=("memory", "moto"),
        default="memory",
        help="where the processor's DynamoDB and S3 calls go: in-memory stand-ins with the "
        "services' semantics for those calls (fast, the default) or moto (slow)",
    )
    sample = commands.add_parser(
        "sample", help="write a sample input file", description="Write a sample input file."
    )
    sample.add_argument(
        "--output", required=True, type=Path, help="file to write (folders are created)"
    )
    return parser


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _conflict(reject: dict) -> str:
    """`` (counted: f=a; received: f=b)`` for the fields a conflicting duplicate changed."""
    counted, received = reject.get("counted"), reject.get("received")
    if not isinstance(counted, dict) or not isinstance(received, dict):
        return ""
    changed = [k for k in received if received.get(k) != counted.get(k)]
    before = ", ".join(f"{k}={counted.get(k)}" for k in changed)
    after = ", ".join(f"{k}={received.get(k)}" for k in changed)
    return f" (counted: {before}; received: {after})"


def _summary(result: dict) -> str:
    counts = result["counts"]
    out = [
        f"lines {counts['lines']}: {counts['aggregated']} aggregated, "
        f"{counts['duplicates']} duplicates, {counts['rejected']} rejected "
        f"({_plural(counts['conflicting_duplicates'], 'conflicting duplicate')}), "
        f"{counts['dead_lettered']} dead-lettered, {counts['lost']} lost"
        + (
            f"; {_plural(counts['blank_lines'], 'blank line')} ignored"
            if counts["blank_lines"]
            else ""
        ),
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
    out += [f"rejected line {r['line']}: {r['reason']}{_conflict(r)}" for r in result["rejected"]]
    alerts = result.get("alerts") or {}
    for message in alerts.get("messages", []):
        out.append(
            f"alert: segment {message['segment_id']} congestion level "
            f"{message['congestion_level']} at {message['minute']}"
        )
    for name, rows in result["queries"].items():
        detail = rows["error"] if isinstance(rows, dict) else _plural(len(rows), "row")
        out.append(f"query {name}: {detail}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "sample":
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text("\n".join(sample_lines()) + "\n")
        print(f"wrote {args.output}")
        return 0
    try:
        options = RunOptions(
            input=args.input,
            template=args.template,
            seed=args.seed,
            redeliver_rate=args.redeliver_rate,
            throttle_rate=args.throttle_rate,
            verbose=args.verbose,
            processor_aws=args.processor_aws,
        )
        result = run_pipeline(options)
    except (InputError, TemplateError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2) if args.json else _summary(result))
    return 1 if result["counts"]["lost"] else 0


if __name__ == "__main__":
    sys.exit(main())
