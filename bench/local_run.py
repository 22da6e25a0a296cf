"""Local run throughput: `python -m tap.local run` replaying ``READINGS`` device messages.

The input is ``bench/processor.py``'s city workload, extended in time to ``READINGS`` lines
(60 segments, 8 sensors each, one reading every 20 s), with its malformed payloads, plus one
exact duplicate and one conflicting duplicate (same sensor and ts, other values) every
``REPEAT_EVERY`` lines. The run is the CLI as a user starts it (`--json`, default settings:
30 % of batches redelivered, the dev template), in its own process; wall time and the CPU time
of that process are reported, with the counts the run printed. Timestamps are recent so that
the named queries' time filters keep them.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
READINGS = 100_000
SEGMENTS = 60
SENSORS_PER_SEGMENT = 8
PERIOD_S = 20
MALFORMED_EVERY = 500
REPEAT_EVERY = 1_000
TARGET_S = 60


def lines(count: int = READINGS) -> list[bytes]:
    """``count`` messages in arrival order; deterministic apart from the recent base time."""
    rnd = random.Random(42)
    sensors = SEGMENTS * SENSORS_PER_SEGMENT
    duration_s = count * PERIOD_S // sensors + PERIOD_S
    base_ms = (int(time.time()) - duration_s - 120) // 60 * 60_000
    out: list[tuple[float, bytes]] = []
    for seg in range(SEGMENTS):
        for lane in range(SENSORS_PER_SEGMENT):
            t = rnd.uniform(0, PERIOD_S)
            while t < duration_s:
                occ = max(0.0, min(100.0, rnd.gauss(12 + 6 * (seg % 5), 5)))
                body = {
                    "sensor_id": f"s-{seg:03d}-{lane}",
                    "segment_id": f"seg-{seg:03d}",
                    "ts": base_ms + int(t * 1000),
                    "vehicle_count": rnd.randint(0, 25),
                    "avg_speed_kmh": round(max(0.0, rnd.gauss(70 - occ, 10)), 1),
                    "occupancy_pct": round(occ, 1),
                }
                out.append((t + rnd.uniform(0.05, 1.5), json.dumps(body).encode()))
                t += PERIOD_S
    out.sort(key=lambda r: r[0])
    messages = [payload for _, payload in out[:count]]
    for i in range(MALFORMED_EVERY // 2, len(messages), MALFORMED_EVERY):
        messages[i] = b'{"sensor_id": "s-x", "vehicle_count": -3'
    for i in range(REPEAT_EVERY - 2, len(messages), REPEAT_EVERY):
        try:
            original = json.loads(messages[i - 1])
        except ValueError:
            continue
        messages[i] = messages[i - 1]  # exact duplicate
        conflicting = {**original, "vehicle_count": original["vehicle_count"] + 1}
        messages[i + 1] = json.dumps(conflicting).encode()
    return messages


def _template() -> Path:
    """TapStack-dev synthesized now (never a cached one: the run must test the code as is)."""
    template = ROOT / "cdk.out" / "bench-local" / "TapStack-dev.template.json"
    subprocess.run(
        [
            str(ROOT / "node_modules/.bin/cdk"),
            "synth",
            "--context",
            "env=dev",
            "--quiet",
            "--output",
            str(template.parent),
        ],
        cwd=ROOT,
        check=True,
    )
    return template


def run(count: int = READINGS, template: Path | None = None) -> dict[str, Any]:
    template = template or _template()
    with tempfile.TemporaryDirectory(prefix="tap-bench-") as folder:
        path = Path(folder) / "input.jsonl"
        path.write_bytes(b"\n".join(lines(count)) + b"\n")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "tap.local", "run", "--input", str(path), "--json"]
            + ["--template", str(template)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"bench/local_run.py: the local run exited {done.returncode}")
    counts = json.loads(done.stdout)["counts"]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result = {
        "readings": count,
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "readings_per_s": round(count / wall),
        "target_s": TARGET_S,
        "counts": {
            k: counts[k]
            for k in (
                "aggregated",
                "duplicates",
                "conflicting_duplicates",
                "rejected",
                "lost",
                "aggregates",
                "invocations",
                "redeliveries",
            )
        },
    }
    print(f"  local run: {result}", file=sys.stderr)
    return result


def markdown(r: dict[str, Any]) -> str:
    c = r["counts"]
    verdict = "under" if r["wall_s"] < r["target_s"] else "OVER"
    return "\n".join(
        [
            "### 3b. Local run throughput",
            "",
            f"`python -m tap.local run --json` on {r['readings']:,} messages (the city workload "
            f"above, extended; malformed lines, exact and conflicting duplicates; 30 % of batches "
            f"redelivered): **{r['wall_s']:.1f} s** wall ({verdict} the {r['target_s']} s "
            f"target), {r['cpu_s']:.1f} s CPU, {r['readings_per_s']:,} messages/s. The run "
            f"counted {c['aggregated']:,} readings into {c['aggregates']:,} aggregates, "
            f"{c['duplicates']:,} silent duplicates, {c['conflicting_duplicates']:,} "
            f"conflicting duplicates, {c['rejected']:,} rejects in all, {c['lost']} lost, over "
            f"{c['invocations']:,} invocations ({c['redeliveries']:,} redeliveries).",
        ]
    )


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else READINGS), indent=2))
