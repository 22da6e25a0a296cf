"""A sample input for ``make demo``: valid readings, duplicates, a conflicting duplicate, a
blank line and garbage, near now.

The timestamps are recent so that the workgroup's named queries (which look at the last days)
find the rows, and congestion builds up on one segment so that the alert fires.
"""

from __future__ import annotations

import json
import random
import time

__all__ = ["sample_lines"]


def sample_lines(*, sensors: int = 6, minutes: int = 5, seed: int = 1) -> list[str]:
    """Readings every 15 s from ``sensors`` sensors on 3 segments, plus bad lines."""
    rng = random.Random(seed)
    start = (int(time.time()) // 60 - minutes) * 60
    lines: list[str] = []
    for m in range(minutes):
        for s in range(sensors):
            segment = f"seg-{s % 3 + 1}"
            jam = segment == "seg-3" and m >= minutes // 2  # congestion builds on seg-3
            for k in range(4):
                ts = start + m * 60 + k * 15
                reading = {
                    "sensor_id": f"sensor-{s + 1:02d}",
                    "segment_id": segment,
                    "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
                    if k % 2
                    else ts * 1000,
                    "vehicle_count": rng.randint(2, 9) if jam else rng.randint(5, 25),
                    "avg_speed_kmh": round(rng.uniform(8, 25) if jam else rng.uniform(70, 110), 1),
                    "occupancy_pct": round(rng.uniform(30, 60) if jam else rng.uniform(2, 7), 1),
                }
                lines.append(json.dumps(reading))
    duplicates = rng.sample(lines, k=max(1, len(lines) // 10))
    lines += duplicates
    # A device or clock fault: a counted (sensor_id, ts) again, with another vehicle count.
    faulty = json.loads(lines[0])
    lines.append(json.dumps({**faulty, "vehicle_count": faulty["vehicle_count"] + 7}))
    lines += [
        "not json at all",
        '{"sensor_id": "sensor-01", "segment_id": "seg-1"}',
        json.dumps(
            {
                "sensor_id": "sensor-02",
                "segment_id": "seg-2",
                "ts": 1,
                "vehicle_count": 3,
                "avg_speed_kmh": 50,
                "occupancy_pct": 5,
            }
        ),
        json.dumps(
            {
                "sensor_id": "sensor-03",
                "segment_id": "seg-3",
                "ts": start * 1000,
                "vehicle_count": -4,
                "avg_speed_kmh": 50,
                "occupancy_pct": 5,
            }
        ),
        json.dumps(
            {
                "sensor_id": "sensor-04",
                "segment_id": "seg-1",
                "ts": start * 1000,
                "vehicle_count": 4,
                "avg_speed_kmh": "fast",
                "occupancy_pct": 5,
            }
        ),
    ]
    rng.shuffle(lines)
    lines.insert(len(lines) // 2, "")  # a blank line: ignored, not a message
    return lines
