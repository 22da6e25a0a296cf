"""The device contract as a pydantic model: the documented schema of a reading.

``DeviceReading`` is the readable statement of the contract (DEVELOPERS.md, "Device contract")
and what tools and tests use to describe a reading; :func:`readings.parse_reading` is the fast
validator the handler runs. ``tests/functions/test_processor_contract.py`` feeds both the same
arbitrary input and requires the same verdict and the same values, so they cannot drift.

Example
-------
>>> DeviceReading.model_validate({"sensor_id": "s1", "segment_id": "A",
...     "ts": "2025-01-01T12:00:00Z", "vehicle_count": 3, "avg_speed_kmh": 61.5,
...     "occupancy_pct": 7}).ts
1735732800000
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator
from readings import MAX_ID_LENGTH, MAX_VEHICLE_COUNT, parse_ts

__all__ = ["DeviceReading"]

Identifier = Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH)]
Measure = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class DeviceReading(BaseModel):
    """One telemetry message published on ``traffic/v1/<sensor_id>/telemetry``."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    sensor_id: Identifier
    segment_id: Identifier
    ts: int = Field(description="Epoch milliseconds (UTC); the payload may carry ISO-8601 text")
    vehicle_count: Annotated[StrictInt, Field(ge=0, le=MAX_VEHICLE_COUNT)]
    avg_speed_kmh: Annotated[Measure, Field(le=300)]
    occupancy_pct: Annotated[Measure, Field(le=100)]

    @field_validator("sensor_id", "segment_id")
    @classmethod
    def _printable(cls, value: str) -> str:
        if not value.isprintable():
            raise ValueError("control or unpaired surrogate characters")
        return value

    @field_validator("ts", mode="before")
    @classmethod
    def _epoch_ms(cls, value: object) -> int:
        result = parse_ts(value)
        if isinstance(result, str):
            raise ValueError(result)
        return result
