"""Precision of the rule pack on CDK apps this project did not write (``make precision``).

Each app under ``bench/precision/apps/<name>/app.py`` is synthesized in its own process
(offline: no lookups, no Docker bundling) into ``bench/precision/out/<name>/``; the pack
then runs on the assembly with its defaults (``Options()``: no environment suffix, no
settings), the way a platform team would first run it. Every finding is compared with
``labels.json``, where a person judged it: key ``app/stack/rule id/logical id``, value
``{"true": bool, "reason": "..."}``.

Printed and written to ``bench/precision/out/results.md`` (and ``results.json``): findings,
true, false and unlabelled, by rule and severity; the precision of errors and of warnings
(true / labelled); the apps whose synth would fail on false alarms only.

    .venv/bin/python bench/precision/run.py [--apps a,b] [--no-synth] [--unlabelled]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
APPS = HERE / "apps"
OUT = HERE / "out"
DEPS = HERE / ".deps"
LABELS = HERE / "labels.json"

sys.path.insert(0, str(ROOT))

from tap.rules.engine import Options, evaluate  # noqa: E402
from tap.rules.finding import Finding  # noqa: E402
from tap.rules.model import load_path  # noqa: E402


def apps() -> list[str]:
    return sorted(p.parent.name for p in APPS.glob("*/app.py"))


def synth(name: str) -> tuple[bool, str, float]:
    """Synthesize one app in its own process; ``(ok, last stderr lines, seconds)``."""
    outdir = OUT / name
    if outdir.exists():
        for f in sorted(outdir.rglob("*"), reverse=True):
            f.unlink() if f.is_file() or f.is_symlink() else f.rmdir()
    env = dict(os.environ)
    env.update(
        CDK_OUTDIR=str(outdir),
        PYTHONPATH=os.pathsep.join([str(DEPS), str(ROOT)]),
        PYTHONDONTWRITEBYTECODE="1",
        JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1",
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
        JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION="1",
        # Other people's libraries call deprecated CDK APIs internally: `make` exports
        # JSII_DEPRECATED=fail for our own app, which would refuse them before any rule runs.
        JSII_DEPRECATED="quiet",
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "app.py"],
        cwd=APPS / name,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    took = time.perf_counter() - start
    tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
    return proc.returncode == 0 and outdir.exists(), tail, took


def label_key(app: str, f: Finding) -> str:
    return f"{app}/{f.stack}/{f.rule_id}/{f.logical_id or '-'}"


def load_labels() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(LABELS.read_text(encoding="utf-8"))
    return data


def measure(names: list[str], labels: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rows: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    per_app: dict[str, dict[str, Any]] = {}
    unlabelled: list[str] = []
    for name in names:
        outdir = OUT / name
        if not (outdir / "manifest.json").exists():
            per_app[name] = {"synth": False}
            continue
        report = evaluate(load_path(outdir), Options())
        errors = {"true": 0, "false": 0, "unlabelled": 0}
        for f in report.active:
            key = label_key(name, f)
            verdict = labels.get(key)
            kind = "unlabelled" if verdict is None else ("true" if verdict["true"] else "false")
            row = rows[(f.rule_id, f.slug, f.severity)]
            row["findings"] += 1
            row[kind] += 1
            if f.severity == "error":
                errors[kind] += 1
            if verdict is None:
                unlabelled.append(f"{key}  [{f.severity}] {f.property_path}: {f.message[:160]}")
        per_app[name] = {
            "synth": True,
            "stacks": len(report.stacks),
            "resources": report.resources,
            "findings": len(report.active),
            "errors": errors,
            "rule_errors": report.rule_errors,
        }
    return {"rows": rows, "apps": per_app, "unlabelled": unlabelled}


def _precision(rows: dict[tuple[str, str, str], Counter[str]], severity: str) -> tuple[int, int]:
    true = sum(c["true"] for k, c in rows.items() if k[2] == severity)
    false = sum(c["false"] for k, c in rows.items() if k[2] == severity)
    return true, false


def render(result: dict[str, Any], synth_times: dict[str, float]) -> str:
    rows = result["rows"]
    apps_ = result["apps"]
    ok = [a for a, v in apps_.items() if v["synth"]]
    lines = [
        f"Apps: {len(apps_)} ({len(ok)} synthesized), stacks: "
        f"{sum(v.get('stacks', 0) for v in apps_.values())}, resources: "
        f"{sum(v.get('resources', 0) for v in apps_.values())}",
        "",
        "| rule | class | severity | findings | true | false | unlabelled |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for (rule, slug, sev), c in sorted(rows.items()):
        lines.append(
            f"| {rule} | {slug} | {sev} | {c['findings']} | {c['true']} | {c['false']} | "
            f"{c['unlabelled']} |"
        )
    total: Counter[str] = Counter()
    for c in rows.values():
        total.update(c)
    lines.append(
        f"| **all** | | | {total['findings']} | {total['true']} | {total['false']} | "
        f"{total['unlabelled']} |"
    )
    lines.append("")
    for sev in ("error", "warning"):
        t, f = _precision(rows, sev)
        share = f"{100 * t / (t + f):.1f} %" if t + f else "n/a (none labelled)"
        lines.append(f"- precision of {sev}s: {t} true / {t + f} labelled = {share}")
    # An app fails synth on any error finding; "on false alarms only" when every one of
    # its error findings is labelled false.
    failing = sorted(a for a, v in apps_.items() if v["synth"] and sum(v["errors"].values()))
    false_only = sorted(
        a
        for a in failing
        if apps_[a]["errors"]["false"]
        and not apps_[a]["errors"]["true"]
        and not apps_[a]["errors"]["unlabelled"]
    )
    lines.append(f"- apps whose synth the pack would fail: {len(failing)} of {len(ok)}")
    lines.append(
        f"- apps that would fail synth on false alarms only: {len(false_only)}"
        + (f" ({', '.join(false_only)})" if false_only else "")
    )
    broken = sorted(a for a, v in apps_.items() if not v["synth"])
    if broken:
        lines.append(f"- apps that did not synthesize: {', '.join(broken)}")
    internal = sorted(a for a, v in apps_.items() if v.get("rule_errors"))
    if internal:
        lines.append(f"- apps with rule errors: {', '.join(internal)}")
    if synth_times:
        lines.append(f"- synth time: {sum(synth_times.values()):.0f} s for {len(synth_times)} apps")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", help="comma-separated app names (default: all)")
    parser.add_argument("--no-synth", action="store_true", help="reuse bench/precision/out/")
    parser.add_argument("--unlabelled", action="store_true", help="list unlabelled findings")
    args = parser.parse_args(argv)
    names = args.apps.split(",") if args.apps else apps()
    times: dict[str, float] = {}
    if not args.no_synth:
        for name in names:
            ok, tail, took = synth(name)
            times[name] = took
            print(f"synth {name}: {'ok' if ok else 'FAILED'} ({took:.1f} s)", file=sys.stderr)
            if not ok:
                print(tail, file=sys.stderr)
    labels = load_labels()
    result = measure(names, labels)
    table = render(result, times)
    print(table)
    if args.unlabelled:
        print("\nUnlabelled findings:")
        print("\n".join(result["unlabelled"]) or "(none)")
    OUT.mkdir(exist_ok=True)
    (OUT / "results.md").write_text(table + "\n", encoding="utf-8")
    serial = {
        "apps": result["apps"],
        "rows": [
            {"rule": r, "class": s, "severity": v, **c} for (r, s, v), c in result["rows"].items()
        ],
        "unlabelled": result["unlabelled"],
    }
    (OUT / "results.json").write_text(json.dumps(serial, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
