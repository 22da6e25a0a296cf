"""The device contract: the fast validator (readings.py) and the documented pydantic model
(models.py) give the same verdict and the same values on any input."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tap.local.functions import load_function

load_function("processor")  # puts lambda/processor on sys.path, as Lambda does
import models  # noqa: E402
import readings  # noqa: E402

VALID = {
    "sensor_id": "sensor-01",
    "segment_id": "seg-A",
    "ts": "2025-01-01T12:00:05Z",
    "vehicle_count": 10,
    "avg_speed_kmh": 80.5,
    "occupancy_pct": 6.5,
}


def _payload(**changes: object) -> bytes:
    return json.dumps({**VALID, **changes}).encode()


@pytest.mark.parametrize(
    ("changes", "ts_ms"),
    [
        ({}, 1735732805000),
        ({"ts": 1735732805123}, 1735732805123),
        ({"ts": "2025-01-01T13:00:05.9999+01:00"}, 1735732805999),  # offset applied, truncated
        ({"ts": "2025-01-01T12:00:05+00:00", "firmware": "1.2"}, 1735732805000),  # extra key ok
        ({"vehicle_count": 0, "avg_speed_kmh": 0, "occupancy_pct": 100}, 1735732805000),
        ({"avg_speed_kmh": 300}, 1735732805000),
    ],
)
def test_valid_readings_are_accepted(changes, ts_ms):
    # GIVEN a payload within the contract  WHEN parsed  THEN a reading with ts in epoch ms
    reading = readings.parse_reading(_payload(**changes))
    assert isinstance(reading, readings.Reading), reading
    assert reading.ts_ms == ts_ms


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "not-json"),
        (b"{", "not-json"),
        (b'{"a": Infinity}', "not-json"),
        (b"\xc3\x28", "not-utf8"),
        (b"[1]", "not-an-object"),
        (b"x" * 5000, "oversized"),
        (_payload(sensor_id=""), "out-of-range: sensor_id"),
        (_payload(segment_id="a\nb"), "invalid-characters: segment_id"),
        (_payload(segment_id=7), "wrong-type: segment_id"),
        (_payload(ts="yesterday"), "invalid-ts: not ISO-8601"),
        (_payload(ts="2025-01-01T12:00:05"), "invalid-ts: ISO-8601 time without a UTC offset"),
        (_payload(ts=1.5e12), "wrong-type: ts"),
        (_payload(ts=True), "wrong-type: ts"),
        (_payload(ts=5), "out-of-range: ts"),
        (_payload(vehicle_count=-1), "out-of-range: vehicle_count"),
        (_payload(vehicle_count=2.0), "wrong-type: vehicle_count"),
        (_payload(vehicle_count=True), "wrong-type: vehicle_count"),
        (_payload(avg_speed_kmh=300.01), "out-of-range: avg_speed_kmh"),
        (_payload(avg_speed_kmh="80"), "wrong-type: avg_speed_kmh"),
        (_payload(occupancy_pct=-0.5), "out-of-range: occupancy_pct"),
        (
            b'{"sensor_id":"s","segment_id":"g","ts":1735732805000,"vehicle_count":1,'
            b'"avg_speed_kmh":1e999,"occupancy_pct":1}',
            "out-of-range: avg_speed_kmh",
        ),
        (b"[" * 100_000, "oversized"),
    ],
)
def test_invalid_readings_get_a_reason(payload, reason):
    # GIVEN a payload that breaks the contract  WHEN parsed  THEN the reason names the rule
    result = readings.parse_reading(payload)
    assert isinstance(result, str) and result.startswith(reason), result


def test_deeply_nested_json_is_rejected_not_raised():
    # GIVEN JSON nested deeper than the decoder's recursion limit, under the size limit
    result = readings.parse_reading(b"[" * 4000)
    # THEN it is a reject (not-json), not a RecursionError out of the handler
    assert isinstance(result, str) and result.startswith("not-json")


# ---- agreement with the documented pydantic model -------------------------------------

_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.datetimes(timezones=st.one_of(st.none(), st.timezones())).map(lambda d: d.isoformat()),
    st.integers(min_value=readings.TS_MIN_MS - 10, max_value=readings.TS_MAX_MS + 10),
    st.sampled_from([0, 100, 300, 300.0000001, 2**31 - 1, 2**31, "", "s" * 129, "a\x00"]),
)
_near_valid = st.fixed_dictionaries(
    {},
    optional={name: st.one_of(st.just(value), _scalar) for name, value in VALID.items()},
)


def _model_verdict(obj: object) -> tuple | str:
    try:
        m = models.DeviceReading.model_validate(obj)
    except ValidationError:
        return "invalid"
    return (
        m.sensor_id,
        m.segment_id,
        m.ts,
        m.vehicle_count,
        round(m.avg_speed_kmh * 1000),
        round(m.occupancy_pct * 1000),
    )


@settings(max_examples=400, deadline=None)
@given(obj=st.one_of(_near_valid, _scalar, st.lists(_scalar, max_size=3)))
def test_fast_validator_agrees_with_the_pydantic_model(obj):
    # GIVEN any JSON-like value, mostly readings with some fields replaced
    # WHEN both validators judge it
    fast = readings.validate_object(obj)
    model = _model_verdict(obj)
    # THEN they agree on valid/invalid and on every value of a valid reading
    if isinstance(fast, str):
        assert model == "invalid", (obj, fast)
    else:
        assert model == fast.as_tuple(), obj


def test_model_rejects_nan_like_the_fast_validator():
    obj = {**VALID, "avg_speed_kmh": math.nan}
    assert isinstance(readings.validate_object(obj), str)
    assert _model_verdict(obj) == "invalid"
