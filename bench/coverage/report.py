"""Markdown of ``make coverage`` (no CDK import: ``bench/run.py`` renders it too)."""

from __future__ import annotations

from typing import Any

__all__ = ["LABELS", "PARTS", "PEERS", "SYNTH_ERROR", "TOOLS", "markdown"]

TOOLS = ("tap", "cdk", "cdk-nag", "cfn-lint", "checkov")
PEERS = ("cdk", "cdk-nag", "cfn-lint", "checkov")
LABELS = {
    "tap": "tap",
    "cdk": "CDK validation",
    "cdk-nag": "cdk-nag",
    "cfn-lint": "cfn-lint",
    "checkov": "checkov",
}
SYNTH_ERROR = "synth error"


def _cell(row: dict[str, Any], tool: str) -> str:
    v = row["tools"].get(tool)
    if v is None:
        return "n/a"
    return "✓ " + ", ".join(v) if v else "·"


PARTS = {
    1: "Part 1: the seeds' classes",
    2: "Part 2: deploy-time failures that CDK users reported",
}


def _pct(k: int, n: int) -> str:
    return f"{k / n:.0%}" if n else "–"


def _class_table(part: dict[str, Any], tools: list[str], label: str) -> list[str]:
    """One part's per-class rows and its subtotal."""
    lines = [
        "| class | cases | " + " | ".join(LABELS[t] for t in tools) + " | all peers |",
        "|---|---:|" + "---:|" * (len(tools) + 1),
    ]
    for slug, c in part["by_class"].items():
        cells = " | ".join(f"{c[t]}/{c['cases']}" for t in tools)
        lines.append(f"| `{slug}` | {c['cases']} | {cells} | {c['peers']}/{c['cases']} |")
    n = part["cases"]
    cells = " | ".join(f"**{part['caught'][t]}/{n}**" for t in tools)
    lines.append(f"| **{label}** | {n} | {cells} | **{part['all_peers_caught']}/{n}** |")
    return lines


def _part_tables(s: dict[str, Any], tools: list[str], peers: list[str]) -> list[str]:
    """Part 1's and Part 2's per-class rows with their subtotals, then each part's share."""
    lines: list[str] = []
    for key, part in s["parts"].items():
        lines += [
            f"**{PARTS.get(int(key), f'Part {key}')}** "
            f"({part['cases']} cases, {part['classes']} classes)",
            "",
            *_class_table(part, tools, f"Part {key} subtotal"),
            "",
        ]
    lines += [
        "**Share of cases caught**, by part (all peers: a case caught by at least one of "
        + ", ".join(LABELS[p] for p in peers)
        + "):",
        "",
        "| cases | n | " + " | ".join(LABELS[t] for t in tools) + " | all peers |",
        "|---|---:|" + "---:|" * (len(tools) + 1),
    ]
    for key, part in [*s["parts"].items(), ("all", s)]:
        m = part["cases"]
        label = "**all**" if key == "all" else f"Part {key}"
        cells = " | ".join(f"{part['caught'][t]} ({_pct(part['caught'][t], m)})" for t in tools)
        together = part["all_peers_caught"]
        lines.append(f"| {label} | {m} | {cells} | {together} ({_pct(together, m)}) |")
    return lines


def markdown(data: dict[str, Any], *, detail: bool = True) -> str:
    s = data["summary"]
    tools = [t for t in TOOLS if t in s["caught"]]
    peers = s["peers"]
    missing = [t for t in TOOLS if t not in tools]
    parts: dict[str, Any] = s.get("parts") or {}
    lines = [
        f"{s['cases']} failure cases over {s['classes']} classes (`bench/coverage/cases.py`, "
        "Part 2's in `bench/coverage/part2/`); cell = cases caught / cases. A tool catches a "
        "case with a finding on an offending resource of the bad stack that the good stack "
        "(the fix) does not also draw on its offending resources. A class widened by Part 2 "
        "has rows in both parts.",
        "",
    ]
    lines += _part_tables(s, tools, peers) if parts else _class_table(s, tools, "total")
    n = s["cases"]
    best = [p for p in peers if s["caught"][p] == s["best_peer_caught"]]
    together = ", ".join(LABELS[p] for p in peers)
    lines += [
        "",
        f"Best peer: **{' = '.join(LABELS[b] for b in best)} {s['best_peer_caught']}/{n}** "
        f"({s['best_peer_caught'] / n:.0%}); all peers together ({together}): "
        f"**{s['all_peers_caught']}/{n}** ({s['all_peers_caught'] / n:.0%}); "
        f"tap: **{s['caught']['tap']}/{n}** ({s['caught']['tap'] / n:.0%}). "
        f"tap false alarms on the {n} good stacks: **{len(data['tap_false_alarms'])}**.",
        "",
    ]
    if missing:
        lines += [
            "Not run: " + "; ".join(f"{LABELS[t]}: {data['tools'].get(t)}" for t in missing),
            "",
        ]
    lines += [
        "Findings on the good stacks (correct fixes; peers' best-practice checks included): "
        + ", ".join(f"{LABELS[t]} {data['findings_on_good_stacks'][t]}" for t in tools)
        + ".  ",
        "Versions: "
        + "; ".join(f"{LABELS[t]}: {data['tools'][t]}" for t in PEERS if t in data["tools"])
        + ".  ",
        f"`{SYNTH_ERROR}`: CDK refused to build the bad stack (a deprecated API under "
        "`JSII_DEPRECATED=fail`, which tap's app.py sets); no template exists for the other "
        "tools to read.  ",
        "Timing (s): "
        + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in data["seconds"].items())
        + ".",
        "",
    ]
    if data["tap_class_misses"]:
        lines += [
            "**tap misses** (no finding of the case's own class on an offending resource): "
            + ", ".join(f"`{c}`" for c in data["tap_class_misses"]),
            "",
        ]
    if data["tap_false_alarms"]:
        lines += ["**tap false alarms on good stacks:**", ""]
        for f in data["tap_false_alarms"]:
            lines.append(
                f"- `{f['stack']}` {f['rule_id']} ({f['class']}) on `{f['path']}`: {f['message']}"
            )
        lines.append("")
    if detail:
        lines += [
            "<details><summary>Per case: the check ids that caught it</summary>",
            "",
            "| case | part | class | seed | " + " | ".join(LABELS[t] for t in tools) + " |",
            "|---|---|---|---|" + "---|" * len(tools),
        ]
        for row in data["cases"]:
            lines.append(
                f"| `{row['case']}` | {row.get('part', 1)} | `{row['class']}` | {row['seed']} | "
                + " | ".join(_cell(row, t) for t in tools)
                + " |"
            )
        lines += ["", "</details>", ""]
    return "\n".join(lines)
