"""Per (segment, minute) aggregates: the in-memory fold and the congestion level.

Aggregates of one segment and one UTC minute:

* ``vehicle_count``: sum of ``vehicle_count`` over the distinct readings;
* ``samples``: number of distinct readings;
* ``avg_speed_kmh``: vehicle-weighted mean speed, ``sum(count * speed) / sum(count)``; undefined
  (``None``, no attribute in DynamoDB) while ``vehicle_count`` is 0;
* ``max_occupancy_pct``: maximum occupancy;
* ``congestion_level``: 0-3, below.

A reading is identified by ``(sensor_id, ts)`` (``Reading.key``). "Distinct" means the first
delivery of a key counts and every later delivery of the same key changes nothing.

Congestion level
----------------
Detector occupancy is the share of time a vehicle is over the loop, a direct proxy for density
(density ~ occupancy * 5280 / effective vehicle length; with ~22 ft, density in veh/mi/lane
~ 2.4 x occupancy %). The Highway Capacity Manual's freeway level-of-service density bounds
(LOS A-B <= 18, C-D <= 35, E <= 45, F above, veh/mi/lane) translate to occupancy bounds of
about 8 %, 15 % and 19-20 %; traffic-engineering practice puts the onset of breakdown
("critical occupancy") around 15-25 %. Speed bounds follow Caltrans PeMS, which counts delay
below 60 mph (~ 97 km/h) and treats speeds under 35 mph (~ 56 km/h) as congested; 20 mph
(~ 32 km/h) is stop-and-go.

================  =====================================  ================================
level             max occupancy (%)                      or, when occupancy >= 8 %, speed
================  =====================================  ================================
0 free flow       < 8        (LOS A-B)                   -
1 moderate        8 - < 15   (LOS C-D)                   56 - < 80 km/h
2 heavy           15 - < 25  (LOS E, near capacity)      32 - < 56 km/h
3 severe          >= 25      (LOS F, breakdown)          < 32 km/h
================  =====================================  ================================

``level = occupancy_level`` when that is 0 (light traffic: speed reflects the speed limit, not
congestion), else ``max(occupancy_level, speed_level)``; with no vehicles the speed is unknown
and only occupancy counts. All comparisons are on the integer 0.001-unit sums, so a level never
depends on float rounding or on the order of redelivered batches.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from readings import Reading

__all__ = [
    "OCCUPANCY_BOUNDS_MILLI",
    "SPEED_BOUNDS_MILLI",
    "Group",
    "MinuteTotals",
    "congestion_level",
    "group_readings",
    "minute_label",
]

#: Occupancy (0.001 %) at which levels 1, 2, 3 start (8 %, 15 %, 25 %; see module docstring).
OCCUPANCY_BOUNDS_MILLI = (8_000, 15_000, 25_000)
#: Speeds (0.001 km/h) below which levels 1, 2, 3 start (80, 56, 32 km/h).
SPEED_BOUNDS_MILLI = (80_000, 56_000, 32_000)


@lru_cache(maxsize=4096)
def minute_label(minute: int) -> str:
    """``YYYY-MM-DDTHH:MMZ`` of an epoch minute (UTC)."""
    return time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(minute * 60))


def congestion_level(
    vehicle_count: int, speed_weighted_milli: int, max_occupancy_milli: int
) -> int:
    """Congestion level 0-3 from exact integer totals (see the module docstring)."""
    occupancy_level = sum(1 for bound in OCCUPANCY_BOUNDS_MILLI if max_occupancy_milli >= bound)
    if occupancy_level == 0 or vehicle_count == 0:
        return occupancy_level
    # avg speed < bound  <=>  speed_weighted_milli < bound * vehicle_count (exact)
    speed_level = sum(
        1 for bound in SPEED_BOUNDS_MILLI if speed_weighted_milli < bound * vehicle_count
    )
    return max(occupancy_level, speed_level)


@dataclass(slots=True)
class MinuteTotals:
    """Running totals of one (segment, minute); numbers in 0.001 units are exact integers."""

    vehicle_count: int = 0
    samples: int = 0
    speed_weighted_milli: int = 0
    max_occupancy_milli: int = -1

    def add(self, reading: Reading) -> None:
        self.vehicle_count += reading.vehicle_count
        self.samples += 1
        self.speed_weighted_milli += reading.vehicle_count * reading.speed_milli
        if reading.occupancy_milli > self.max_occupancy_milli:
            self.max_occupancy_milli = reading.occupancy_milli

    @property
    def avg_speed_kmh(self) -> float | None:
        if self.vehicle_count == 0:
            return None
        return round(self.speed_weighted_milli / self.vehicle_count / 1000, 3)

    @property
    def max_occupancy_pct(self) -> float:
        return max(self.max_occupancy_milli, 0) / 1000

    @property
    def congestion_level(self) -> int:
        return congestion_level(
            self.vehicle_count, self.speed_weighted_milli, max(self.max_occupancy_milli, 0)
        )


@dataclass(slots=True)
class Group:
    """The valid readings of one batch that fall in one (segment, minute).

    ``readings`` keeps the first reading of each key; ``origins`` the sequence number it came
    in. A later record of the same key with the same values is a duplicate; one with other
    values is kept in ``variants`` (sequence number, reading), in arrival order: whichever of
    them is *not* the reading that ends up counted is a conflicting duplicate.
    ``sequence_numbers`` lists every record that mapped here, duplicates included: if the
    group's write fails, all of them are reported as batch item failures.
    """

    segment_id: str
    minute: int
    readings: dict[str, Reading] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    variants: dict[str, list[tuple[str, Reading]]] = field(default_factory=dict)
    sequence_numbers: list[str] = field(default_factory=list)

    @property
    def minute_label(self) -> str:
        return minute_label(self.minute)


def group_readings(items: Iterable[tuple[str, Reading]]) -> dict[tuple[str, int], Group]:
    """Fold ``(sequence_number, reading)`` pairs into groups by (segment_id, minute)."""
    groups: dict[tuple[str, int], Group] = {}
    for sequence_number, reading in items:
        group_key = (reading.segment_id, reading.ts_ms // 60_000)
        group = groups.get(group_key)
        if group is None:
            group = groups[group_key] = Group(reading.segment_id, group_key[1])
        group.sequence_numbers.append(sequence_number)
        key = f"{reading.sensor_id}|{reading.ts_ms}"
        first = group.readings.get(key)
        if first is None:
            group.readings[key] = reading
            group.origins[key] = sequence_number
        elif first.entry != reading.entry:
            variants = group.variants.setdefault(key, [])
            if all(other.entry != reading.entry for _, other in variants):
                variants.append((sequence_number, reading))
    return groups
