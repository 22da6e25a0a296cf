"""``make report``: synthesize every environment, check them all, write the three reports.

::

    python -m tap.reports [--env NAME]... [--dir cdk.out] [--cdk node_modules/.bin/cdk]
        [--baseline BASE.json] [--tools TOOL,...] [--docs-url URL] [--expect TOOL,...]

For each environment: ``cdk synth --context env=NAME --output DIR/NAME`` with construct
creation traces (``CDK_DEBUG=true JSII_HOST_STACK_TRACES=1``: the Python line that created
each construct, for SARIF), its output in ``DIR/tap-synth-NAME.log``. A synthesis that fails
for any reason (a guardrail's error, a Python exception in the app, an unknown environment)
is recorded with the first lines of its error, and the run goes on. Then every assembly that
was written is checked (our rules, and the other plugins' violations from its
``validation-report.json``), and ``DIR/tap-report.{md,sarif,json}`` are written from that one
report: the Markdown heading, SARIF's ``executionSuccessful``, JSON's ``summary.status`` and
the exit status all say the same thing. This is what the pull-request workflow posts.

Exit status: 0 passed; 1 an unacknowledged error of any guardrail, a rule that failed, or a
failed synthesis; 2 the reports could not be written (one line on stderr).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from tap.reports import render
from tap.reports.guardrails import (
    VALIDATION_REPORT,
    GuardrailReport,
    SynthFailure,
    combine,
    failed,
    summary_line,
)
from tap.rules.engine import Notice, Report, evaluate
from tap.rules.model import InputError, StackTemplate, load_path

__all__ = ["FILES", "error_excerpt", "main", "run", "synthesize"]

PROG = "python -m tap.reports"
FILES = {"markdown": "tap-report.md", "sarif": "tap-report.sarif", "json": "tap-report.json"}
EXCERPT_LINES = 12
_APP_EXIT = re.compile(r"Subprocess exited with error (\d+)")


def _noise(line: str) -> bool:
    s = line.strip()
    # the jsii runtime's Node version banners, blank lines
    return not s or s.startswith(("!!", "b'!!", 'b"!!'))


def error_excerpt(text: str, limit: int = EXCERPT_LINES) -> tuple[str, ...]:
    """The first lines that say why a synthesis failed.

    A Python traceback is told by its exception (first), then its innermost frame; any other
    output by its first meaningful lines. The CDK CLI's ``Subprocess exited with error N``
    (N is the app's own exit status, which the CLI turns into 1) is kept last.
    """
    lines = [line.rstrip() for line in text.splitlines() if not _noise(line)]
    exits = [line.strip() for line in lines if _APP_EXIT.search(line)]
    lines = [line for line in lines if not _APP_EXIT.search(line)]
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent")]
    if starts:
        tb = lines[starts[-1] + 1 :]
        frames = [i for i, line in enumerate(tb) if line.startswith("  File ")]
        after = frames[-1] + 1 if frames else 0
        # the frame's source line (indented) follows the "File" line, then the exception
        exc = [line for line in tb[after:] if not line.startswith("    ")]
        where = [tb[frames[-1]].strip()] if frames else []
        excerpt = [*exc[: limit - 2], *where]
    else:
        excerpt = lines[: limit - 1]
    return tuple([*excerpt, *exits[-1:]][:limit])


def _validation_failed(assembly: Path) -> list[str]:
    """The plugins whose conclusion in the assembly's validation report is ``failure``."""
    import json

    try:
        data = json.loads((assembly / VALIDATION_REPORT).read_text(encoding="utf-8"))
        plugins = data.get("pluginReports") or []
        return [str(p.get("pluginName")) for p in plugins if p.get("conclusion") == "failure"]
    except (OSError, ValueError, AttributeError, TypeError):
        return []


def synthesize(
    env: str, out_dir: Path, cdk: str, log: Path
) -> tuple[Path | None, SynthFailure | None]:
    """``cdk synth`` one environment into ``out_dir``: its assembly (if written) and failure."""
    shutil.rmtree(out_dir, ignore_errors=True)
    command = [cdk, "synth", "--context", f"env={env}", "--quiet", "--output", str(out_dir)]
    shown = " ".join(command)
    environ = {**os.environ, "CDK_DEBUG": "true", "JSII_HOST_STACK_TRACES": "1"}
    try:
        with log.open("w", encoding="utf-8") as fh:
            code = subprocess.run(
                command, stdout=fh, stderr=subprocess.STDOUT, env=environ, check=False
            ).returncode
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return None, SynthFailure(env, shown, None, (f"cannot run {cdk}: {exc}",), None)
    assembly = out_dir if (out_dir / "manifest.json").is_file() else None
    if code == 0:
        return assembly, None
    excerpt = error_excerpt(text)
    plugins = _validation_failed(out_dir) if assembly is not None else []
    if plugins:
        cause = f"validation failed ({', '.join(plugins)}): the findings are listed in this report"
        excerpt = (cause, *[line for line in excerpt if _APP_EXIT.search(line)])
    elif assembly is None:
        excerpt = (*excerpt, "no cloud assembly was written: no findings for this environment")
    return assembly, SynthFailure(env, shown, code, excerpt, str(log))


def _load(assemblies: Sequence[tuple[str, Path]]) -> tuple[list[StackTemplate], list[Path], list]:
    stacks: list[StackTemplate] = []
    read: list[Path] = []
    failures: list[SynthFailure] = []
    for env, path in assemblies:
        try:
            stacks.extend(load_path(path))
            read.append(path)
        except InputError as exc:
            failures.append(SynthFailure(env, f"read {path}", None, (str(exc),), None))
    return stacks, read, failures


def run(
    envs: Sequence[str],
    report_dir: Path,
    *,
    cdk: str = "node_modules/.bin/cdk",
    baseline: str | None = None,
    tools: Sequence[str] | None = None,
    docs_url: str | None = None,
    expected: Sequence[str] = (),
) -> GuardrailReport:
    """Synthesize ``envs`` into ``report_dir``, check them and write the three reports."""
    report_dir.mkdir(parents=True, exist_ok=True)
    for name in FILES.values():
        (report_dir / name).unlink(missing_ok=True)
    written: list[tuple[str, Path]] = []
    failures: list[SynthFailure] = []
    for env in envs:
        print(f"synth {env} -> {report_dir / env}/ (creation traces on)", file=sys.stderr)
        log = report_dir / f"tap-synth-{env}.log"
        assembly, failure = synthesize(env, report_dir / env, cdk, log)
        if failure is not None:
            failures.append(failure)
            print(f"tap: {failure.headline} (see {log})", file=sys.stderr)
        if assembly is not None:
            written.append((env, assembly))
    stacks, read, unreadable = _load(written)
    report: Report = evaluate(stacks)
    full = combine(
        report, read, synth_failures=[*failures, *unreadable], tools=tools, expected=expected
    )
    if baseline:
        from tap.reports.baseline import apply_baseline

        try:
            apply_baseline(full, baseline)
        except InputError as exc:
            full.notices.append(Notice("", f"{exc}: findings are not marked new or existing"))
    for fmt, name in FILES.items():
        text = render(full, fmt, docs_url=docs_url)
        try:
            (report_dir / name).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{report_dir / name}: cannot write ({exc.strerror})") from exc
    return full


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``make report``'s steps; return the exit status."""
    parser = _Parser(prog=PROG, description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--env", action="append", dest="envs", metavar="NAME", required=True)
    parser.add_argument("--dir", default="cdk.out", help="assemblies and reports (cdk.out)")
    parser.add_argument("--cdk", default="node_modules/.bin/cdk", help="the CDK CLI")
    parser.add_argument("--baseline", metavar="BASE.json", help="mark findings new/existing")
    parser.add_argument("--tools", metavar="TOOL,...", help="report only these guardrails")
    parser.add_argument("--docs-url", metavar="URL", help="the rules' documentation page")
    parser.add_argument(
        "--expect",
        metavar="TOOL,...",
        help="tools the app runs (cdk-nag, cdk-validation): reported, with a SARIF run, even "
        "when clean",
    )
    args = parser.parse_args(argv)
    tools = [t.strip() for t in args.tools.split(",") if t.strip()] if args.tools else None
    report_dir = Path(args.dir)
    try:
        report = run(
            args.envs,
            report_dir,
            cdk=args.cdk,
            baseline=args.baseline,
            tools=tools,
            docs_url=args.docs_url,
            expected=[t.strip() for t in (args.expect or "").split(",") if t.strip()],
        )
    except InputError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    names = ", ".join(str(report_dir / n) for n in FILES.values())
    print(f"tap: {summary_line(report)}")
    print(f"tap: wrote {names}")
    return 1 if failed(report) else 0
