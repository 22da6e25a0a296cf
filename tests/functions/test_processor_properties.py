"""Property: whatever arrives and however often, the handler never raises and the aggregates
equal an independent computation over the distinct valid readings.

Batches are random cuts of a random mix of valid readings, exact duplicates, mutated readings,
arbitrary JSON and arbitrary bytes; every batch may be redelivered (whole or a random slice,
across batch boundaries) and DynamoDB may throttle any write, in which case the test plays
Lambda: it retries from the lowest reported sequence number until the batch succeeds.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from tap.local.functions import LambdaContext, load_function
from tests.functions.conftest import (
    BUCKET,
    REGION,
    TABLE,
    aggregate_items,
    create_aggregates_table,
    fail_calls,
    reject_objects,
)

T0 = 1_735_732_800_000  # 2025-01-01T12:00Z
STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/tap-telemetry-test"

# ---- inputs ------------------------------------------------------------------------------

_valid = st.fixed_dictionaries(
    {
        "sensor_id": st.sampled_from(["s1", "s2", "s3", "sensor|4", "séns-5"]),
        "segment_id": st.sampled_from(["A", "B", "C"]),
        "ts_ms": st.integers(min_value=T0, max_value=T0 + 3 * 60_000 - 1),
        "iso": st.booleans(),
        "vehicle_count": st.integers(min_value=0, max_value=60),
        "avg_speed_kmh": st.one_of(
            st.floats(min_value=0, max_value=300), st.integers(min_value=0, max_value=300)
        ),
        "occupancy_pct": st.one_of(
            st.floats(min_value=0, max_value=100), st.sampled_from([0, 8, 15, 25, 100])
        ),
    }
)


def _encode(reading: dict[str, Any]) -> bytes:
    ts: int | str = reading["ts_ms"]
    if reading["iso"]:
        seconds, millis = divmod(reading["ts_ms"], 1000)
        from time import gmtime, strftime

        ts = strftime("%Y-%m-%dT%H:%M:%S", gmtime(seconds)) + f".{millis:03d}Z"
    body = {k: v for k, v in reading.items() if k not in ("ts_ms", "iso")}
    return json.dumps({**body, "ts": ts}).encode()


_BAD_VALUES = {
    "sensor_id": ["", 5, None, "a\x00b"],
    "segment_id": ["", ["A"], None],
    "ts": ["2025-01-01T12:00:00", "noon", True, 1.7e12, 10],
    "vehicle_count": [-1, "3", 1.5, None, True],
    "avg_speed_kmh": [300.5, -0.1, "80", None],
    "occupancy_pct": [100.01, -1, "5", False],
}


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    reading = json.loads(_encode(draw(_valid)))
    field = draw(st.sampled_from(sorted(_BAD_VALUES)))
    if draw(st.booleans()):
        del reading[field]
    else:
        reading[field] = draw(st.sampled_from(_BAD_VALUES[field]))
    return json.dumps(reading).encode()


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)

_invalid = st.one_of(
    _mutated(),
    _json.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=64),
)
# Mostly valid readings: every invalid one costs an S3 write, the slow part under moto.
_item = st.one_of(
    _valid.map(lambda r: ("valid", r)),
    _valid.map(lambda r: ("valid", r)),
    _valid.map(lambda r: ("valid", r)),
    _invalid.map(lambda b: ("invalid", b)),
)


@st.composite
def _scenario(draw: st.DrawFn) -> dict[str, Any]:
    items = draw(st.lists(_item, min_size=1, max_size=25))
    # One reading per (segment, sensor, ts): a second *different* reading with the same
    # identity is not a redelivery, and which one wins would depend on arrival order.
    seen, unique = set(), []
    for kind, value in items:
        if kind == "valid":
            identity = (value["segment_id"], value["sensor_id"], value["ts_ms"])
            if identity in seen:
                continue
            seen.add(identity)
        unique.append((kind, value))
    # Exact duplicates: the same message published twice (new sequence numbers).
    copies = draw(st.lists(st.sampled_from(unique), max_size=8))
    stream = unique + copies
    stream = draw(st.permutations(stream))
    cuts = sorted(draw(st.lists(st.integers(1, len(stream)), max_size=6, unique=True)))
    bounds = [0, *[c for c in cuts if c < len(stream)], len(stream)]
    return {
        "stream": stream,
        "batches": [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if a < b],
        "redeliver": draw(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20)), max_size=4)),
        "throttle": draw(st.lists(st.booleans(), max_size=12)),
    }


# ---- the independent computation ---------------------------------------------------------


def _minute_label(ts_ms: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts_ms // 60_000 * 60, UTC).strftime("%Y-%m-%dT%H:%MZ")


def _level(vehicles: int, weighted_milli: int, max_occ_milli: int) -> int:
    """The congestion table of aggregate.py's docstring, written again from the doc."""
    occ = Fraction(max_occ_milli, 1000)
    occ_level = 3 if occ >= 25 else 2 if occ >= 15 else 1 if occ >= 8 else 0
    if occ_level == 0 or vehicles == 0:
        return occ_level
    speed = Fraction(weighted_milli, 1000 * vehicles)
    speed_level = 3 if speed < 32 else 2 if speed < 56 else 1 if speed < 80 else 0
    return max(occ_level, speed_level)


def expected_aggregates(stream: list[tuple[str, Any]]) -> dict[tuple[str, str], dict]:
    groups: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for kind, value in stream:
        if kind == "valid":
            key = (
                f"{value['sensor_id']}|{value['ts_ms'] % 60_000}|{value['vehicle_count']}"
                f"|{round(value['avg_speed_kmh'] * 1000)}|{round(value['occupancy_pct'] * 1000)}"
            )
            groups[(value["segment_id"], _minute_label(value["ts_ms"]))][key] = value
    result = {}
    for group, readings in groups.items():
        vehicles = sum(r["vehicle_count"] for r in readings.values())
        weighted = sum(
            r["vehicle_count"] * round(r["avg_speed_kmh"] * 1000) for r in readings.values()
        )
        max_occ = max(round(r["occupancy_pct"] * 1000) for r in readings.values())
        result[group] = {
            "vehicle_count": vehicles,
            "samples": len(readings),
            "avg_speed_kmh": round(weighted / vehicles / 1000, 3) if vehicles else None,
            "max_occupancy_pct": max_occ / 1000,
            "congestion_level": _level(vehicles, weighted, max_occ),
            "readings": set(readings),
        }
    return result


def _observed(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "vehicle_count": int(item["vehicle_count"]["N"]),
        "samples": int(item["samples"]["N"]),
        "avg_speed_kmh": float(item["avg_speed_kmh"]["N"]) if "avg_speed_kmh" in item else None,
        "max_occupancy_pct": float(item["max_occupancy_pct"]["N"]),
        "congestion_level": int(item["congestion_level"]["N"]),
        "readings": set(item["readings"]["SS"]),
    }


# ---- playing Lambda ----------------------------------------------------------------------


def _records(stream: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    records = []
    for n, (kind, value) in enumerate(stream):
        payload = _encode(value) if kind == "valid" else value
        seq = f"{49_600_000 + n:056d}"
        records.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": "p",
                    "sequenceNumber": seq,
                    "data": base64.b64encode(payload).decode(),
                    "approximateArrivalTimestamp": 1735732860.0 + n,
                },
                "eventSource": "aws:kinesis",
                "eventID": f"shardId-000000000000:{seq}",
                "eventSourceARN": STREAM_ARN,
            }
        )
    return records


def _deliver_until_done(processor: Any, batch: list[dict[str, Any]]) -> None:
    context = LambdaContext(function_name="processor")
    for _attempt in range(50):
        response = processor.handler({"Records": batch}, context)  # must not raise
        failures = response["batchItemFailures"]
        if not failures:
            return
        failed = {f["itemIdentifier"] for f in failures}
        batch_seqs = [r["kinesis"]["sequenceNumber"] for r in batch]
        assert failed <= set(batch_seqs)
        batch = batch[min(batch_seqs.index(s) for s in failed) :]  # Lambda's checkpoint
    raise AssertionError("batch never succeeded although throttling stops")


@pytest.fixture(scope="module")
def stack() -> Iterator[Any]:
    """One moto account for all examples (reset between them): setting up an account per
    example costs more than the example."""
    with pytest.MonkeyPatch.context() as mp, mock_aws():
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "TABLE_NAME": TABLE,
            "REJECTS_BUCKET": BUCKET,
            "REJECTS_PREFIX": "rejects/",
        }.items():
            mp.setenv(key, value)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        s3 = boto3.client("s3", region_name=REGION)
        create_aggregates_table(dynamodb)
        s3.create_bucket(Bucket=BUCKET)
        processor = load_function("processor", fresh=True)
        processor._clients.cache_clear()
        throttles: list[bool] = []
        fail_calls(
            processor._clients()[0],
            "UpdateItem",
            "ThrottlingException",
            lambda _request: throttles.pop() if throttles else False,
        )
        yield processor, dynamodb, s3, throttles
        processor._clients.cache_clear()


def _reset(dynamodb: Any, s3: Any) -> None:
    for item in dynamodb.scan(TableName=TABLE, ProjectionExpression="pk, sk")["Items"]:
        dynamodb.delete_item(TableName=TABLE, Key=item)
    for obj in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=obj["Key"])


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=_scenario())
def test_aggregates_are_exactly_once_whatever_the_delivery(stack, scenario):
    processor, dynamodb, s3, throttles = stack
    _reset(dynamodb, s3)
    # GIVEN DynamoDB that throttles the writes the scenario says
    throttles[:] = list(reversed(scenario["throttle"]))
    records = _records(scenario["stream"])
    # WHEN the stream is delivered in random batches, some again (whole or sliced)
    with contextlib.redirect_stdout(io.StringIO()):  # EMF metrics
        for start, end in scenario["batches"]:
            _deliver_until_done(processor, records[start:end])
        for start, length in scenario["redeliver"]:
            if start < len(records):
                _deliver_until_done(processor, records[start : start + length])
    # THEN the aggregates are those of the distinct valid readings
    observed = {key: _observed(item) for key, item in aggregate_items().items()}
    assert observed == expected_aggregates(scenario["stream"])
    # AND every invalid record is kept once, with its reason
    invalid = sum(1 for kind, _ in scenario["stream"] if kind == "invalid")
    rejects = reject_objects()
    assert len(rejects) == invalid
    assert all(r["reason"] for r in rejects)


# ---- conflicting duplicates ----------------------------------------------------------------


@st.composite
def _conflict_scenario(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario whose stream also holds conflicting duplicates: readings with the identity
    (segment, sensor, ts) of another one but another vehicle count."""
    base = draw(_scenario())
    stream = list(base["stream"])
    valid = [value for kind, value in stream if kind == "valid"]
    for value in draw(st.lists(st.sampled_from(valid), max_size=4)) if valid else []:
        twin = {**value, "vehicle_count": value["vehicle_count"] + draw(st.integers(1, 3))}
        stream.insert(draw(st.integers(0, len(stream))), ("valid", twin))
    cuts = sorted(draw(st.lists(st.integers(1, len(stream)), max_size=6, unique=True)))
    bounds = [0, *[c for c in cuts if c < len(stream)], len(stream)]
    return {
        **base,
        "stream": stream,
        "batches": [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if a < b],
    }


def _identity(value: dict[str, Any]) -> tuple[str, str, int]:
    return (value["segment_id"], value["sensor_id"], value["ts_ms"])


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=_conflict_scenario())
def test_first_reading_of_an_identity_counts_and_later_variants_are_rejected(stack, scenario):
    processor, dynamodb, s3, throttles = stack
    _reset(dynamodb, s3)
    throttles[:] = list(reversed(scenario["throttle"]))
    records = _records(scenario["stream"])
    # WHEN the stream, with conflicting duplicates, is delivered in batches, some again
    with contextlib.redirect_stdout(io.StringIO()):
        for start, end in scenario["batches"]:
            _deliver_until_done(processor, records[start:end])
        for start, length in scenario["redeliver"]:
            if start < len(records):
                _deliver_until_done(processor, records[start : start + length])
    # THEN the aggregates are those of the first reading of each identity, in stream order
    first: dict[tuple[str, str, int], dict[str, Any]] = {}
    for kind, value in scenario["stream"]:
        if kind == "valid":
            first.setdefault(_identity(value), value)
    expected = expected_aggregates([("valid", v) for v in first.values()])
    observed = {key: _observed(item) for key, item in aggregate_items().items()}
    assert observed == expected
    # AND every later variant with other values is kept as a conflicting duplicate, with the
    # counted reading beside it; nothing else is called a conflict
    variants = {
        (_identity(v), v["vehicle_count"])
        for kind, v in scenario["stream"]
        if kind == "valid" and v["vehicle_count"] != first[_identity(v)]["vehicle_count"]
    }
    conflicts = [r for r in reject_objects() if r["reason"].startswith("conflicting-duplicate")]
    seen = set()
    for reject in conflicts:
        received, counted = reject["received"], reject["counted"]
        identity = (received["segment_id"], received["sensor_id"], received["ts"])
        assert counted["vehicle_count"] == first[identity]["vehicle_count"]
        seen.add((identity, received["vehicle_count"]))
    assert seen == variants
