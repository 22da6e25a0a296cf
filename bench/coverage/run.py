"""`make coverage`: which tool catches the documented failures, and which alarms on the fixes.

Every case of ``bench/coverage/cases.py`` is synthesized twice into ONE CDK app (stacks
``<case>-bad`` and ``<case>-good``), then each tool looks at every stack:

- **tap**: ``tap.rules.evaluate`` in process on the cloud assembly (what the plugin and the CLI
  run).
- **CDK validation**: CDK's built-in CloudFormation validation (plugin "CloudFormation
  Validate"), which runs by default in 2.275 (``CDK_VALIDATION`` unset). Without
  ``@aws-cdk/core:validateAgainstDefaultRules`` its findings are warnings; they are counted all
  the same. A bad build that CDK refuses outright (an exception while the construct is built,
  e.g. a deprecated API under ``JSII_DEPRECATED=fail``) is counted as caught by CDK.
- **cdk-nag**: v3 ``AwsSolutionsChecks`` registered as a validation plugin on the case app
  itself, as app.py does: it sees the real construct tree (not a CfnInclude copy); errors and
  warnings count.
- **cfn-lint**: ``cfn-lint --format json`` with its default rules and regions, one process over
  every template.
- **checkov**: ``checkov -f T... -o json --framework cloudformation --quiet``, from its own venv
  ``bench/results/.venv-checkov`` (created with ``pip install checkov`` on first run, reused
  after); when it cannot be installed the column says "not available".

A tool **catches** a case when it reports at least one finding (check id) on an offending
resource of the bad stack that it does not also report on an offending resource of the good
stack (same check id, whichever resource): generic findings that fire on both do not count.
Any tap finding on a good stack is a **false alarm**.

Usage: python bench/coverage/run.py [--json FILE] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_DEPRECATED", "fail")
if __name__ == "__main__":
    # CDK's built-in validation must run: the Node process behind aws_cdk reads its
    # environment once, when the first aws_cdk import starts it (just below).
    os.environ.pop("CDK_VALIDATION", None)

from bench.coverage.cases import (  # noqa: E402
    CASES,
    PART2_CASES,  # noqa: E402
    Case,
    apply_environment,
    relative_path,
)
from bench.coverage.report import PEERS, SYNTH_ERROR, TOOLS, markdown  # noqa: E402

RESULTS = ROOT / "bench" / "results"
CHECKOV_VENV = RESULTS / ".venv-checkov"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"

Key = tuple[str, str]  # (check id, construct path under the stack)


@dataclass
class Synthesized:
    outdir: Path
    refused: dict[str, str] = field(default_factory=dict)
    """Stack id → why CDK refused to build it."""
    seconds: float = 0.0


def synthesize(outdir: Path, *, nag: bool = True, cases: tuple[Case, ...] = CASES) -> Synthesized:
    """Build every case's bad and good stack in one app and synthesize it into ``outdir``.

    CDK's built-in validation runs unless ``CDK_VALIDATION=false`` was set when aws_cdk was
    first imported (``main`` removes it); with ``nag`` cdk-nag's AwsSolutions pack runs as a
    validation plugin too. Both write ``outdir/validation-report.json``; a failing report
    makes ``synth`` raise after the assembly and the report are written, as expected here.
    """
    import aws_cdk as cdk

    t0 = time.perf_counter()
    app = cdk.App(outdir=str(outdir))
    out = Synthesized(outdir)
    for case in cases:
        for variant, build in (("bad", case.build_bad), ("good", case.build_good)):
            sid = case.stack_id(variant)
            stack = cdk.Stack(app, sid)
            apply_environment(stack, ephemeral=case.ephemeral)
            try:
                build(stack)
            except Exception as error:  # CDK refused the construct: no template for it
                out.refused[sid] = str(error).splitlines()[0][:300]
                app.node.try_remove_child(sid)
    if nag:
        from cdk_nag import AwsSolutionsChecks

        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    try:
        app.synth()
    except RuntimeError as error:
        if "ValidationFailed" not in str(error):
            raise
    out.seconds = time.perf_counter() - t0
    return out


# --- findings of each tool, as {stack: {(check id, relative construct path)}} ----------------

Findings = dict[str, set[Key]]


def _template_paths(outdir: Path) -> dict[str, dict[str, str]]:
    """Stack → logical id → construct path under the stack.

    A plain ``cdk.App()`` writes no ``aws:cdk:path`` into templates; the assembly's
    ``aws:cdk:logicalId`` metadata has the mapping, and tap's model reads both.
    """
    from tap.rules.model import load_path

    out: dict[str, dict[str, str]] = {}
    for stack in load_path(outdir):
        paths = {}
        for lid in stack.resources:
            rel = relative_path(stack.construct_path(lid))
            if rel:
                paths[lid] = rel[1]
        out[stack.name] = paths
    return out


def tap_findings(outdir: Path) -> tuple[Findings, list[dict[str, Any]], float]:
    from tap.rules.engine import evaluate
    from tap.rules.model import load_path

    t0 = time.perf_counter()
    report = evaluate(load_path(outdir))
    seconds = time.perf_counter() - t0
    found: Findings = defaultdict(set)
    raw = []
    for f in report.active:
        rel = relative_path(f.construct_path)
        found[f.stack].add((f.rule_id, rel[1] if rel else ""))
        raw.append(
            {
                "stack": f.stack,
                "rule_id": f.rule_id,
                "class": f.slug,
                "path": rel[1] if rel else None,
                "property_path": f.property_path,
                "message": f.message,
            }
        )
    if report.rule_errors:
        raise RuntimeError(f"tap rule errors: {report.rule_errors}")
    return found, raw, seconds


def _check_id(rule_name: str) -> str:
    """cdk-nag appends the finding to the rule (``AwsSolutions-IAM4[Policy::<arn>]``): the
    check is the part before ``[``, so a rule firing on both stacks with different details
    (one managed policy, then another) is not mistaken for a catch."""
    return rule_name.split("[", 1)[0]


def report_findings(outdir: Path) -> dict[str, Findings]:
    """CDK validation and cdk-nag violations from ``validation-report.json``."""
    report_file = outdir / "validation-report.json"
    out: dict[str, Findings] = {"cdk": defaultdict(set), "cdk-nag": defaultdict(set)}
    if not report_file.exists():
        return out
    for plugin in json.loads(report_file.read_text()).get("pluginReports", []):
        name = plugin.get("pluginName", "")
        tool = (
            "cdk"
            if name == "CloudFormation Validate"
            else "cdk-nag"
            if "AwsSolutions" in name
            else None
        )
        if tool is None:
            continue
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                rel = relative_path(construct.get("constructPath"))
                if rel:
                    out[tool][rel[0]].add((_check_id(violation["ruleName"]), rel[1]))
    return out


def cfn_lint_findings(outdir: Path) -> tuple[Findings, float, str]:
    templates = sorted(str(p) for p in outdir.glob("*.template.json"))
    paths = _template_paths(outdir)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(CFN_LINT), "--format", "json", "--", *templates], capture_output=True, text=True
    )
    seconds = time.perf_counter() - t0
    version = subprocess.run(
        [str(CFN_LINT), "--version"], capture_output=True, text=True
    ).stdout.strip()
    found: Findings = defaultdict(set)
    for match in json.loads(proc.stdout or "[]"):
        stack = Path(match["Filename"]).name.removesuffix(".template.json")
        loc = match.get("Location", {}).get("Path") or []
        if len(loc) >= 2 and loc[0] == "Resources":
            rel = paths.get(stack, {}).get(str(loc[1]))
            if rel:
                found[stack].add((match["Rule"]["Id"], rel))
    return found, seconds, version


def ensure_checkov() -> tuple[Path | None, str]:
    """The checkov executable of ``bench/results/.venv-checkov`` (installed on first use)."""
    exe = CHECKOV_VENV / "bin" / "checkov"
    if not exe.exists():
        print(f"installing checkov into {CHECKOV_VENV} ...", file=sys.stderr)
        try:
            subprocess.run(
                [sys.executable, "-m", "venv", "--clear", str(CHECKOV_VENV)],
                check=True,
                capture_output=True,
                text=True,
            )
            subprocess.run(
                [
                    str(CHECKOV_VENV / "bin" / "pip"),
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "checkov",
                ],
                check=True,
                capture_output=True,
                text=True,
            )
        except (subprocess.CalledProcessError, OSError) as error:
            detail = getattr(error, "stderr", "") or str(error)
            shutil.rmtree(CHECKOV_VENV, ignore_errors=True)
            return None, f"not available ({detail.strip().splitlines()[-1][:200]})"
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
    if version.returncode != 0:
        return None, f"not available (checkov --version exited {version.returncode})"
    return exe, version.stdout.strip()


def checkov_findings(outdir: Path) -> tuple[Findings | None, float, str]:
    exe, version = ensure_checkov()
    if exe is None:
        return None, 0.0, version
    templates = sorted(outdir.glob("*.template.json"))
    paths = _template_paths(outdir)
    cmd = [str(exe), "-o", "json", "--framework", "cloudformation", "--quiet", "--compact"]
    for t in templates:
        cmd += ["-f", str(t)]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_NO_OUTPUT_FILE": "1"}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=outdir)
    seconds = time.perf_counter() - t0
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return None, seconds, f"{version}: failed ({tail[0][:200]})"
    found: Findings = defaultdict(set)
    for report in data if isinstance(data, list) else [data]:
        for check in (report.get("results") or {}).get("failed_checks", []):
            stack = Path(check["file_path"]).name.removesuffix(".template.json")
            lid = str(check.get("resource", "")).split(".", 1)[-1]
            rel = paths.get(stack, {}).get(lid)
            if rel:
                found[stack].add((check["check_id"], rel))
    return found, seconds, version


# --- scoring ---------------------------------------------------------------------------------


def catches(case: Case, bad: set[Key], good: set[Key]) -> list[str]:
    """Check ids a tool reports on the case's offending resources of the bad stack only.

    A check that the good stack also draws on one of its offending resources does not count,
    even at another construct path: a fix may move the statements (``Archive`` policy →
    ``Worker/DefaultPolicy``), and a generic check (cdk-nag's wildcard resource) then follows
    them without saying anything about the failure.
    """
    on_fix = {check for check, rel in good if case.offends(rel)}
    return sorted({check for check, rel in bad - good if case.offends(rel)} - on_fix)


def part_of(case: Case) -> int:
    """1 for the seeds' catalogue (``cases.py``), 2 for RULES-SPEC Part 2's (``part2/``)."""
    return 2 if any(case.id == c.id for c in PART2_CASES) else 1


def score(synth: Synthesized, tools: dict[str, Findings | None]) -> list[dict[str, Any]]:
    rows = []
    for case in CASES:
        bad_id, good_id = case.stack_id("bad"), case.stack_id("good")
        row: dict[str, Any] = {
            "case": case.id,
            "part": part_of(case),
            "class": case.slug,
            "seed": case.seed,
            "description": case.description,
            "refused": synth.refused.get(bad_id),
            "tools": {},
        }
        if good_id in synth.refused:
            raise RuntimeError(
                f"the good stack of {case.id} does not build: {synth.refused[good_id]}"
            )
        for tool in TOOLS:
            found = tools.get(tool)
            if found is None:
                row["tools"][tool] = None
            elif bad_id in synth.refused:
                # no template: only CDK (which refused it) and the guardrail that made it
                # refuse (tap's JSII_DEPRECATED=fail) caught it
                row["tools"][tool] = [SYNTH_ERROR] if tool in ("cdk", "tap") else []
            else:
                row["tools"][tool] = catches(
                    case, found.get(bad_id, set()), found.get(good_id, set())
                )
        rows.append(row)
    return rows


def _tally(rows: list[dict[str, Any]], available: list[str], peers: list[str]) -> dict[str, Any]:
    """Cases caught per class and in total, by each tool and by all peers together."""
    by_class: dict[str, dict[str, Any]] = {}
    for row in rows:
        c = by_class.setdefault(row["class"], {"cases": 0, **{t: 0 for t in TOOLS}, "peers": 0})
        c["cases"] += 1
        for tool in available:
            c[tool] += bool(row["tools"][tool])
        c["peers"] += any(row["tools"][t] for t in peers)
    return {
        "cases": len(rows),
        "classes": len(by_class),
        "by_class": by_class,
        "caught": {t: sum(bool(r["tools"][t]) for r in rows) for t in available},
        "all_peers_caught": sum(any(r["tools"][t] for t in peers) for r in rows),
    }


def summarize(rows: list[dict[str, Any]], available: list[str]) -> dict[str, Any]:
    """Totals over every case, and the same per part (``parts["1"]``, ``parts["2"]``)."""
    peers = [t for t in PEERS if t in available]
    out = _tally(rows, available, peers)
    totals = out["caught"]
    best = max(peers, key=lambda t: totals[t]) if peers else None
    parts = sorted({r.get("part", 1) for r in rows})
    return {
        **out,
        "best_peer": best,
        "best_peer_caught": totals[best] if best else 0,
        "peers": peers,
        "parts": {
            str(p): _tally([r for r in rows if r.get("part", 1) == p], available, peers)
            for p in parts
        },
    }


def tap_class_misses(rows: list[dict[str, Any]], tap_raw: list[dict[str, Any]]) -> list[str]:
    """Cases where tap reports nothing of the case's own class on an offending resource."""
    by_case = {c.id: c for c in CASES}
    misses = []
    for row in rows:
        case = by_case[row["case"]]
        if row["refused"]:
            continue
        hit = [
            f
            for f in tap_raw
            if f["stack"] == case.stack_id("bad")
            and f["class"] == case.slug
            and case.offends(f["path"])
        ]
        if not hit:
            misses.append(case.id)
    return misses


def run(keep: Path | None = None) -> dict[str, Any]:
    t0 = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="tap-coverage-"))
    outdir = keep or work / "cdk.out"
    if keep and keep.exists():
        shutil.rmtree(keep)
    try:
        print(f"coverage: synthesizing {len(CASES)} cases x 2 stacks ...", file=sys.stderr)
        synth = synthesize(outdir)
        print("coverage: tap, CDK validation, cdk-nag, cfn-lint, checkov ...", file=sys.stderr)
        tap, tap_raw, tap_s = tap_findings(outdir)
        reports = report_findings(outdir)
        lint, lint_s, lint_version = cfn_lint_findings(outdir)
        checkov, checkov_s, checkov_version = checkov_findings(outdir)
        tools: dict[str, Findings | None] = {
            "tap": tap,
            "cdk": reports["cdk"],
            "cdk-nag": reports["cdk-nag"],
            "cfn-lint": lint,
            "checkov": checkov,
        }
        available = [t for t in TOOLS if tools[t] is not None]
        rows = score(synth, tools)
        good = {c.stack_id("good") for c in CASES}
        false_alarms = [f for f in tap_raw if f["stack"] in good]
        on_good = {
            t: sum(len(v) for s, v in tools[t].items() if s in good)  # type: ignore[union-attr]
            for t in available
        }
        data = {
            "cases": rows,
            "summary": summarize(rows, available),
            "tap_false_alarms": false_alarms,
            "tap_class_misses": tap_class_misses(rows, tap_raw),
            "findings_on_good_stacks": on_good,
            "tools": {
                "cdk": "aws-cdk-lib 2.275 built-in CloudFormation validation (warnings included)",
                "cdk-nag": "cdk-nag 3 AwsSolutionsChecks as a validation plugin on the case app",
                "cfn-lint": lint_version,
                "checkov": checkov_version,
            },
            "seconds": {
                "synth_with_cdk_validation_and_cdk_nag": round(synth.seconds, 1),
                "tap": round(tap_s, 2),
                "cfn_lint": round(lint_s, 1),
                "checkov": round(checkov_s, 1),
            },
        }
        data["seconds"]["total"] = round(time.perf_counter() - t0, 1)
        return data
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, default=RESULTS / "coverage.json")
    parser.add_argument("--keep", type=Path, help="synthesize into DIR and keep it")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = run(keep=args.keep)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(data, indent=2))
    print(markdown(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
