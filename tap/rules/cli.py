"""The command-line door: the same engine as the plugin, outside ``cdk synth``.

::

    tap-rules check PATH... [--format text|json|markdown|sarif]
        [--environment-suffix SUFFIX] [--ephemeral | --persistent] [--output FILE]
        [--rules ID_OR_SLUG,...] [--baseline BASE.json] [--config FILE]
        [--ignore ID_OR_SLUG,...] [--exclude GLOB,...] [--severity ID_OR_SLUG=LEVEL]
        [--fail-on error|warning|never] [--tools TOOL,...] [--docs-url URL] [--no-cache]
    tap-rules docs [--output RULES.md] [--check]
    tap-rules list
    tap-rules --version

(``tap-rules`` is the console script of the installed distribution; ``python -m tap.rules``
is the same.) The configuration file (:mod:`tap.rules.config`) sets defaults for ``check``:
its keys are the long options; flags override it.

Exit status of ``check`` (``../shared/RULES-SPEC.md``): 0 no unacknowledged error, 1 errors
found (or a rule failed: the check is incomplete), 2 bad input, with a one-line message on
stderr and no traceback (missing path, malformed JSON, not a template, unknown format or
rule, bad configuration). ``--fail-on warning`` also exits 1 on unacknowledged warnings,
``--fail-on never`` exits 0 whatever is found. ``docs --check`` exits 1 when the file is not
what the rule metadata generate.

A ``cdk.out`` holds CDK's ``validation-report.json``: the other validation plugins' violations
(cdk-nag, CDK's CloudFormation validation) are reported and counted next to ours
(:mod:`tap.reports.guardrails`), and their errors exit 1 too; ``--tools tap-rules`` keeps
ours alone.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from tap.reports import FORMATS, render
from tap.rules import version
from tap.rules.config import FAIL_ON, SEVERITIES, TapRulesConfig, load_config
from tap.rules.engine import Options, Report, evaluate_paths
from tap.rules.model import InputError
from tap.rules.registry import all_rules

__all__ = ["EXIT_BAD_INPUT", "EXIT_ERRORS", "EXIT_OK", "main"]

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_BAD_INPUT = 2

PROG = "python -m tap.rules"
CONSOLE_SCRIPT = "tap-rules"


def _prog() -> str:
    """The name the user typed: the console script, or ``python -m tap.rules``."""
    return CONSOLE_SCRIPT if Path(sys.argv[0]).stem == CONSOLE_SCRIPT else PROG


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (no usage dump) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


class _Version(argparse.Action):
    """``--version``: reads the package metadata only when asked (not on every ``check``)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(f"tap-rules {version()}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=_prog(), description="The tap rule pack, outside cdk synth.")
    parser.add_argument("--version", action=_Version, help="print the version and exit")
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
    _add_report_options(check)
    _add_config_options(check)
    _add_cache_option(check)

    docs = sub.add_parser("docs", help="generate RULES.md from the rule metadata")
    docs.add_argument("--output", metavar="FILE", help="default: RULES.md at the project root")
    docs.add_argument("--check", action="store_true", help="exit 1 if FILE is not current")

    sub.add_parser("list", help="list the rules: id, class, level, title")
    return parser


def _add_cache_option(check: argparse.ArgumentParser) -> None:
    """The on-disk cache of slow verdicts (issue 10, start-up: tap/rules/common/cache.py)."""
    check.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the on-disk cache ($XDG_CACHE_HOME/tap-rules; "
        "also TAP_RULES_NO_CACHE=1)",
    )


def _check(args: argparse.Namespace) -> int:
    if args.no_cache:
        from tap.rules.common import cache

        cache.disable()
    options = _options(args)
    try:
        report = evaluate_paths(args.paths, options)
    except KeyError as exc:  # select_rules: unknown ids or slugs
        raise InputError(f"unknown rule id or class: {exc.args[0]}") from exc
    report = _with_other_guardrails(report, args)
    if args.baseline:
        report = _apply_baseline(report, args.baseline)
    text = render(report, args.format, docs_url=args.docs_url)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{args.output}: cannot write ({exc.strerror})") from exc
    else:
        sys.stdout.write(text)
    for error in report.rule_errors:  # a bug in the pack, not the user's: keep the traceback
        print(f"tap-rules: rule failed: {error}", file=sys.stderr)
    for notice in report.notices:
        where = f"{notice.stack}: " if notice.stack else ""
        print(f"tap-rules: warning: {where}{notice.message}", file=sys.stderr)
    return _exit_status(report, args.fail_on)


def _add_report_options(check: argparse.ArgumentParser) -> None:
    """What the report covers and where its rule links point (issue 11, issue 10)."""
    check.add_argument(
        "--tools",
        metavar="TOOL,...",
        help="report only these guardrails: tap-rules, cdk-nag, cdk-validation or a plugin "
        "name (default: ours and every plugin of the assembly's validation-report.json)",
    )
    check.add_argument(
        "--docs-url",
        metavar="URL",
        help="the rules' documentation page linked from reports (default: the rule pack's "
        "public RULES.md)",
    )


def _with_other_guardrails(report: Report, args: argparse.Namespace) -> Report:
    """Our findings plus the other validation plugins' of each cdk.out, as ``--tools`` says."""
    from tap.reports.guardrails import combine

    tools = [t.strip() for t in args.tools.split(",") if t.strip()] if args.tools else None
    return combine(report, args.paths, tools=tools)


def _apply_baseline(report: Report, path: str) -> Report:
    from tap.reports import baseline  # lazily: only --baseline needs it

    return baseline.apply_baseline(report, path)


def _docs(args: argparse.Namespace) -> int:
    from tap.rules.docs import default_path, render_rules_md

    target = Path(args.output) if args.output else _default_docs_path(default_path())
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


def _default_docs_path(source: Path) -> Path:
    """RULES.md of the source checkout; installed (no pyproject.toml beside the package), the
    working directory's, never a file inside site-packages."""
    return source if (source.parent / "pyproject.toml").is_file() else Path("RULES.md")


def _list() -> int:
    for rule in all_rules():
        print(f"{rule.id:<14} {rule.severity:<8} {rule.slug:<30} {rule.title}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            args = _configure(parser, argv, args)
            return _check(args)
        if args.command == "docs":
            return _docs(args)
        return _list()
    except InputError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RecursionError:  # input nested too deeply for a reader the loader did not bound
        print(f"{parser.prog}: error: input nested too deeply to read", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - a bug in the pack: one line, the check is incomplete
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        print(f"{parser.prog}: internal error: {type(exc).__name__}: {first}", file=sys.stderr)
        return EXIT_ERRORS


# -- configuration: the file's keys are check's long options; flags override them ----------


def _add_config_options(check: argparse.ArgumentParser) -> None:
    check.add_argument(
        "--config",
        metavar="FILE",
        help=".tap-rules.toml or pyproject.toml to read (default: the nearest .tap-rules.toml, "
        "or pyproject.toml with [tool.tap-rules], from the working directory up)",
    )
    check.add_argument(
        "--ignore", metavar="ID_OR_SLUG,...", help="never run these rule ids or class slugs"
    )
    check.add_argument(
        "--exclude",
        metavar="GLOB,...",
        help="leave out stacks (artifact id) and constructs (path) matching these globs",
    )
    check.add_argument(
        "--severity",
        metavar="ID_OR_SLUG=LEVEL",
        action="append",
        help="report a rule (id or class slug) as error or warning; repeatable",
    )
    check.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="error",
        help="exit 1 on unacknowledged errors (default), on warnings too, or never",
    )


def _check_subparser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    for action in parser._actions:  # argparse keeps subparsers in a private action
        if isinstance(action, argparse._SubParsersAction):
            sub: argparse.ArgumentParser = action.choices["check"]
            return sub
    raise LookupError("no check command")  # pragma: no cover - the parser defines it


def option_keys(check: argparse.ArgumentParser) -> dict[str, Callable[[Any], Any]]:
    """Config keys that are long options of ``check`` (beyond tap.rules.config's own), each
    with the checker of its value: the choices, a flag's true/false, or a string."""
    keys: dict[str, Callable[[Any], Any]] = {}
    for action in check._actions:
        for opt in action.option_strings:
            key = opt[2:]
            if not opt.startswith("--") or key in ("help", "config", "persistent"):
                continue
            keys[key] = _value_checker(action)
    return keys


def config_option_keys() -> dict[str, Callable[[Any], Any]]:
    """:func:`option_keys` of this command line's ``check`` (for the plugin's loader)."""
    return option_keys(_check_subparser(_parser()))


def _value_checker(action: argparse.Action) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if action.nargs == 0:  # a flag: store_true / store_const
            if not isinstance(value, bool):
                raise ValueError(f"expected true or false, found {value!r}")
            return value
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ",".join(value)
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError(f"expected a string, found {value!r}")
        if action.choices is not None and value not in action.choices:
            raise ValueError(f"expected one of {', '.join(map(str, action.choices))}")
        return value

    return check


def _configure(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None, args: argparse.Namespace
) -> argparse.Namespace:
    """Parse again with the configuration file's values as the defaults of ``check``."""
    check = _check_subparser(parser)
    keys = option_keys(check)
    config = load_config(args.config, start=os.getcwd(), option_keys=keys)
    defaults: dict[str, Any] = {}
    for key, value in config.options.items():
        action = next(a for a in check._actions if f"--{key}" in a.option_strings)
        if action.nargs == 0:  # a flag: true sets it, false leaves the default
            defaults[action.dest] = action.const if value else action.default
        else:
            defaults[action.dest] = value
    check.set_defaults(**defaults)
    if config.fail_on is not None:
        check.set_defaults(fail_on=config.fail_on)
    args = parser.parse_args(argv)
    args.tap_config = config
    return args


def _options(args: argparse.Namespace) -> Options:
    config: TapRulesConfig = getattr(args, "tap_config", None) or TapRulesConfig()
    return config.to_options(
        environment_suffix=args.environment_suffix,
        ephemeral=args.ephemeral,
        rules=_names(args.rules),
        ignore=_names(args.ignore),
        exclude=_names(args.exclude),
        severity=_severities(args.severity),
    )


def _names(value: str | None) -> tuple[str, ...] | None:
    return tuple(v.strip() for v in value.split(",") if v.strip()) if value else None


def _severities(values: list[str] | None) -> dict[str, str]:
    out = {}
    for item in values or ():
        rule, _, level = item.partition("=")
        if not rule.strip() or level.strip() not in SEVERITIES:
            raise InputError(f"--severity {item}: expected ID_OR_SLUG=error or =warning")
        out[rule.strip()] = level.strip()
    return out


def _exit_status(report: Report, fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_OK
    if report.errors or report.rule_errors:
        return EXIT_ERRORS
    if fail_on == "warning" and report.active:
        return EXIT_ERRORS
    return EXIT_OK
