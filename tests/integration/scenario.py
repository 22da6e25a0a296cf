"""One end-to-end scenario shared by the deployed test and the local run: messages (valid,
invalid, duplicated) and what the pipeline must make of them, computed here independently of
the processor's code."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any


@dataclass
class Scenario:
    lines: list[str]
    valid: dict[int, dict[str, Any]] = field(default_factory=dict)  # line -> reading
    invalid: set[int] = field(default_factory=set)
    #: lines repeating a counted (sensor_id, ts) with other values: rejected, not counted
    conflicts: set[int] = field(default_factory=set)

    def expected_aggregates(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(segment, minute) -> aggregates over the distinct valid readings."""
        distinct: dict[tuple[str, str], dict[tuple[str, int], dict]] = defaultdict(dict)
        for reading in self.valid.values():
            minute = datetime.fromtimestamp(reading["ts_ms"] // 60_000 * 60, UTC)
            group = (reading["segment_id"], minute.strftime("%Y-%m-%dT%H:%MZ"))
            distinct[group].setdefault((reading["sensor_id"], reading["ts_ms"]), reading)
        result = {}
        for group, readings in distinct.items():
            vehicles = sum(r["vehicle_count"] for r in readings.values())
            weighted = sum(
                r["vehicle_count"] * Fraction(str(r["avg_speed_kmh"])) for r in readings.values()
            )
            occupancy = max(Fraction(str(r["occupancy_pct"])) for r in readings.values())
            speed = weighted / vehicles if vehicles else None
            result[group] = {
                "segment_id": group[0],
                "minute": group[1],
                "vehicle_count": vehicles,
                "samples": len(readings),
                "avg_speed_kmh": round(float(speed), 3) if speed is not None else None,
                "max_occupancy_pct": float(occupancy),
                "congestion_level": congestion(occupancy, speed),
            }
        return result

    def raw_readings_per_segment(self) -> dict[str, int]:
        """What a query over the raw archive counts: every JSON object with a segment_id."""
        counts: dict[str, int] = defaultdict(int)
        for line in self.lines:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and isinstance(obj.get("segment_id"), str):
                counts[obj["segment_id"]] += 1
        return dict(counts)


def congestion(occupancy: Fraction, speed: Fraction | None) -> int:
    """Level 0-3 as documented (aggregate.py): occupancy 8/15/25 %, speed 80/56/32 km/h."""
    level = sum(occupancy >= bound for bound in (8, 15, 25))
    if level == 0 or speed is None:
        return level
    return max(level, sum(speed < bound for bound in (80, 56, 32)))


def build(base_ms: int, tag: str = "t") -> Scenario:
    """~70 messages over 3 minutes on 3 segments; 1 in 6 duplicated; 1 in 9 followed by a
    conflicting duplicate (same sensor and ts, other values); 7 kinds of garbage.

    ``tag`` makes sensor and segment ids unique per run (a deployed table is shared).
    """
    scenario = Scenario(lines=[])

    def add(line: str, reading: dict[str, Any] | None) -> None:
        scenario.lines.append(line)
        number = len(scenario.lines)
        if reading is None:
            scenario.invalid.add(number)
        else:
            scenario.valid[number] = reading

    for n in range(54):
        reading = {
            "sensor_id": f"{tag}-sensor-{n % 6}",
            "segment_id": f"{tag}-seg-{n % 3}",
            "ts_ms": base_ms + n * 3_217,
            "vehicle_count": (n * 7) % 23,
            "avg_speed_kmh": [95.5, 61.25, 20.0][n % 3] + n % 4,
            "occupancy_pct": [4.5, 12.0, 41.75][n % 3],
        }
        payload = {k: v for k, v in reading.items() if k != "ts_ms"}
        if n % 2:
            ts = datetime.fromtimestamp(reading["ts_ms"] / 1000, UTC)
            payload["ts"] = ts.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        else:
            payload["ts"] = reading["ts_ms"]
        line = json.dumps(payload)
        add(line, reading)
        if n % 6 == 0:
            add(line, reading)  # the device published it twice
        if n % 9 == 4:
            # a clock or device fault: the same identity with other values
            scenario.lines.append(
                json.dumps({**payload, "vehicle_count": reading["vehicle_count"] + 1})
            )
            scenario.conflicts.add(len(scenario.lines))
    seg = f"{tag}-seg-0"
    good = {
        "sensor_id": f"{tag}-bad",
        "segment_id": seg,
        "ts": base_ms,
        "vehicle_count": 1,
        "avg_speed_kmh": 50,
        "occupancy_pct": 5,
    }
    for bad in [
        "garbage",
        '{"sensor_id": "truncated',
        json.dumps({**good, "vehicle_count": -1}),
        json.dumps({**good, "avg_speed_kmh": 999}),
        json.dumps({**good, "ts": "2025-01-01 12:00"}),
        json.dumps({k: v for k, v in good.items() if k != "occupancy_pct"}),
        json.dumps([good]),
    ]:
        add(bad, None)
    return scenario


def local_aggregates(result: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(a["segment_id"], a["minute"]): a for a in result["aggregates"]}
