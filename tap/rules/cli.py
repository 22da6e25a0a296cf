"""The command-line door: the same engine as the plugin, outside ``cdk synth``.

::

    python -m tap.rules check PATH... [--format text|json|markdown|sarif]
        [--environment-suffix SUFFIX] [--ephemeral | --persistent] [--output FILE]
        [--rules ID_OR_SLUG,...] [--baseline BASE.json]
    python -m tap.rules docs [--output RULES.md] [--check]
    python -m tap.rules list

Exit status of ``check`` (``../shared/RULES-SPEC.md``): 0 no unacknowledged error, 1 errors
found (or a rule failed: the check is incomplete), 2 bad input, with a one-line message on
stderr and no traceback (missing path, malformed JSON, not a template, unknown format or
rule). ``docs --check`` exits 1 when the file is not what the rule metadata generate.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from tap.reports import FORMATS, render
from tap.rules.engine import Options, Report, evaluate_paths
from tap.rules.model import InputError
from tap.rules.registry import all_rules

__all__ = ["EXIT_BAD_INPUT", "EXIT_ERRORS", "EXIT_OK", "main"]

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_BAD_INPUT = 2

PROG = "python -m tap.rules"


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (no usage dump) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="The tap rule pack, outside cdk synth.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser(
        "check",
        help="evaluate cloud assemblies (cdk.out) or template files",
        description="Exit 0: no unacknowledged error; 1: errors found; 2: bad input.",
    )
    check.add_argument("paths", nargs="+", metavar="PATH", help="cdk.out directory or template")
    check.add_argument("--format", default="text", choices=sorted(FORMATS), help="default: text")
    check.add_argument(
        "--environment-suffix",
        metavar="SUFFIX",
        help="suffix physical names must carry (default: the template's TapEnvironment)",
    )
    kind = check.add_mutually_exclusive_group()
    kind.add_argument(
        "--ephemeral", dest="ephemeral", action="store_const", const=True, default=None
    )
    kind.add_argument("--persistent", dest="ephemeral", action="store_const", const=False)
    check.add_argument("--output", metavar="FILE", help="write the report here, not to stdout")
    check.add_argument(
        "--rules", metavar="ID_OR_SLUG,...", help="run only these rule ids or class slugs"
    )
    check.add_argument(
        "--baseline", metavar="BASE.json", help="mark findings new/existing against a report"
    )

    docs = sub.add_parser("docs", help="generate RULES.md from the rule metadata")
    docs.add_argument("--output", metavar="FILE", help="default: RULES.md at the project root")
    docs.add_argument("--check", action="store_true", help="exit 1 if FILE is not current")

    sub.add_parser("list", help="list the rules: id, class, level, title")
    return parser


def _check(args: argparse.Namespace) -> int:
    rules = tuple(r.strip() for r in args.rules.split(",") if r.strip()) if args.rules else None
    options = Options(
        environment_suffix=args.environment_suffix, ephemeral=args.ephemeral, rules=rules
    )
    try:
        report = evaluate_paths(args.paths, options)
    except KeyError as exc:  # select_rules: unknown ids or slugs
        raise InputError(f"unknown rule id or class: {exc.args[0]}") from exc
    if args.baseline:
        report = _apply_baseline(report, args.baseline)
    text = render(report, args.format)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{args.output}: cannot write ({exc.strerror})") from exc
    else:
        sys.stdout.write(text)
    for error in report.rule_errors:  # a bug in the pack, not the user's: keep the traceback
        print(f"tap-rules: rule failed: {error}", file=sys.stderr)
    return EXIT_ERRORS if report.errors or report.rule_errors else EXIT_OK


def _apply_baseline(report: Report, path: str) -> Report:
    from tap.reports import baseline  # lazily: only --baseline needs it

    return baseline.apply_baseline(report, path)


def _docs(args: argparse.Namespace) -> int:
    from tap.rules.docs import default_path, render_rules_md

    target = Path(args.output) if args.output else default_path()
    text = render_rules_md()
    if args.check:
        try:
            current = target.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != text:
            print(
                f"{target}: not current with the rule metadata; run `make rules-doc`",
                file=sys.stderr,
            )
            return EXIT_ERRORS
        return EXIT_OK
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{target}: cannot write ({exc.strerror})") from exc
    return EXIT_OK


def _list() -> int:
    for rule in all_rules():
        print(f"{rule.id:<14} {rule.severity:<8} {rule.slug:<30} {rule.title}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "docs":
            return _docs(args)
        return _list()
    except InputError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RecursionError:  # input nested too deeply for a reader the loader did not bound
        print(f"{PROG}: error: input nested too deeply to read", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - a bug in the pack: one line, the check is incomplete
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        print(f"{PROG}: internal error: {type(exc).__name__}: {first}", file=sys.stderr)
        return EXIT_ERRORS
