"""Processor cost: readings per second on the pure path, DynamoDB writes per 1,000 readings.

The input is a realistic day-part of a city deployment: ``SEGMENTS`` road segments with
``SENSORS_PER_SEGMENT`` detectors each, one reading per detector every ``PERIOD_S`` seconds,
partitioned over ``SHARDS`` shards by the IoT rule's key (``segment``: the payload's
``segment_id``, the stack's ``tap.pipeline.ingest.PARTITION_KEY``; ``sensor``: the topic's
sensor id, the design before), a few malformed payloads and redelivered batches mixed in.
Lambda's batching is simulated per shard with the stack's own batch size and batching window:
a batch closes when it holds ``batch_size`` records or its first record has waited ``window``
seconds.

1. Pure path: ``fold_batch`` (decode, validate, group) over every batch, on one core.
2. Writes: the real handler counts DynamoDB write requests (UpdateItem/PutItem) over the
   whole input, delivered as the stack batches it, against the local run's in-memory table
   (``TAP_BENCH_MOTO=1``: against moto, about 5 minutes; both make the same calls). The
   floor is computed from the same input in the same run: one write per distinct
   (segment, minute) of the valid readings.
   The other designs' writes are counted without moto, by replaying the store's rule (a group
   is written when it holds a reading its item has not counted) on their batches; for the
   stack's batching that count must equal the handler's, which checks the replay. The naive
   design is one write per valid reading delivered.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEGMENTS = 60
SENSORS_PER_SEGMENT = 8
PERIOD_S = 20
DURATION_S = 30 * 60
SHARDS = 4
MALFORMED_EVERY = 500
REDELIVER_EVERY = 40  # one batch in 40 is delivered twice (Lambda retries)


def readings() -> list[tuple[float, str, bytes]]:
    """(arrival time, sensor id, payload) in arrival order; deterministic."""
    rnd = random.Random(42)
    base_ms = 1_763_800_000_000  # 2025-11-22T08:26:40Z
    out = []
    for seg in range(SEGMENTS):
        for lane in range(SENSORS_PER_SEGMENT):
            sensor = f"s-{seg:03d}-{lane}"
            phase = rnd.uniform(0, PERIOD_S)
            t = phase
            while t < DURATION_S:
                occ = max(0.0, min(100.0, rnd.gauss(12 + 6 * (seg % 5), 5)))
                body = {
                    "sensor_id": sensor,
                    "segment_id": f"seg-{seg:03d}",
                    "ts": base_ms + int(t * 1000),
                    "vehicle_count": rnd.randint(0, 25),
                    "avg_speed_kmh": round(max(0.0, rnd.gauss(70 - occ, 10)), 1),
                    "occupancy_pct": round(occ, 1),
                }
                out.append((t + rnd.uniform(0.05, 1.5), sensor, json.dumps(body).encode()))
                t += PERIOD_S
    out.sort(key=lambda r: r[0])
    for i in range(MALFORMED_EVERY // 2, len(out), MALFORMED_EVERY):
        out[i] = (out[i][0], out[i][1], b'{"sensor_id": "s-x", "vehicle_count": -3')
    return out


def partition_key(sensor: str, payload: bytes, by: str) -> str:
    """The IoT rule's partition key: ``by="segment"`` (the stack) or ``"sensor"`` (before)."""
    if by == "segment":
        try:
            segment = json.loads(payload).get("segment_id")
        except (ValueError, AttributeError):
            segment = None
        if isinstance(segment, str) and segment:
            return segment
    return sensor


def batches(
    items: list[tuple[float, str, bytes]], size: int, window: float, by: str = "segment"
) -> list[list[dict]]:
    """Lambda's batching per shard: close at ``size`` records or ``window`` seconds.
    Batches are returned shard by shard, in order (what one shard's consumer sees)."""
    per_shard: dict[int, list[tuple[float, str, bytes]]] = defaultdict(list)
    for item in items:
        per_shard[hash_sensor(partition_key(item[1], item[2], by)) % SHARDS].append(item)
    out: list[list[dict]] = []
    seq = 0
    for shard, shard_items in sorted(per_shard.items()):
        current: list[dict] = []
        opened = 0.0
        for arrival, _sensor, payload in shard_items:
            if current and (len(current) >= size or arrival - opened > window):
                out.append(current)
                current = []
            if not current:
                opened = arrival
            seq += 1
            current.append(_record(shard, seq, payload))
        if current:
            out.append(current)
    return out


def hash_sensor(key: str) -> int:
    """Kinesis maps the MD5 of the partition key onto the shards' hash key ranges."""
    return int.from_bytes(hashlib.md5(key.encode()).digest()[:8], "big")


def _record(shard: int, seq: int, payload: bytes) -> dict[str, Any]:
    return {
        "eventSource": "aws:kinesis",
        "eventID": f"shardId-{shard:012d}:{seq:056d}",
        "kinesis": {
            "partitionKey": "p",
            "sequenceNumber": f"{seq:056d}",
            "data": base64.b64encode(payload).decode(),
            "approximateArrivalTimestamp": 0,
            "kinesisSchemaVersion": "1.0",
        },
    }


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def pure_path(all_batches: list[list[dict]], repeat: int = 3) -> dict[str, float]:
    sys.path.insert(0, str(ROOT / "lambda" / "processor"))
    from batch import fold_batch  # the processor's own module

    n = sum(len(b) for b in all_batches)
    best = float("inf")
    groups = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        groups = sum(len(fold_batch(b).groups) for b in all_batches)
        best = min(best, time.perf_counter() - t0)
    return {"records": n, "seconds": best, "readings_per_s": n / best, "groups": groups}


def delivered(all_batches: list[list[dict]]) -> list[list[dict]]:
    """The batches as delivered: one in ``REDELIVER_EVERY`` twice (a Lambda retry)."""
    picked: list[list[dict]] = []
    for i, b in enumerate(all_batches):
        picked.append(b)
        if i % REDELIVER_EVERY == REDELIVER_EVERY - 1:
            picked.append(b)  # redelivery: must change nothing
    return picked


def replay_writes(picked: list[list[dict]]) -> dict[str, int]:
    """Writes of the store's rule without DynamoDB, and the floor, for these batches."""
    sys.path.insert(0, str(ROOT / "lambda" / "processor"))
    from batch import fold_batch  # the processor's own module

    counted: dict[tuple[str, int], set[str]] = defaultdict(set)
    writes = valid = 0
    for b in picked:
        for key, group in fold_batch(b).groups.items():
            valid += len(group.sequence_numbers)
            new = group.readings.keys() - counted[key]
            if new:
                writes += 1
                counted[key] |= new
    return {"writes": writes, "floor": len(counted), "valid_delivered": valid}


def writes_of_handler(picked: list[list[dict]], on_moto: bool = False) -> dict[str, Any]:
    """Count the DynamoDB write requests of the real handler on these batches, against the
    local run's in-memory table (``tap.local.memory``, the processor's calls with DynamoDB's
    semantics; tests/local checks it against moto) or, with ``on_moto``, against moto."""
    os.environ.update(
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        TABLE_NAME="tap-aggregates-bench",
        REJECTS_BUCKET="tap-rejects-bench",
        POWERTOOLS_METRICS_NAMESPACE="TapTraffic",
        POWERTOOLS_SERVICE_NAME="processor",
        POWERTOOLS_TRACE_DISABLED="true",
        POWERTOOLS_LOG_LEVEL="WARNING",
    )
    import functools

    import boto3
    from moto import mock_aws

    sys.path.insert(0, str(ROOT))
    from tap.local.functions import LambdaContext, load_function
    from tap.local.memory import MemoryObjects, MemoryTable

    counts = {"writes": 0, "write_units": 0}

    def hook(**_: Any) -> None:
        counts["writes"] += 1

    with mock_aws():
        app = load_function("processor", fresh=True)
        app._clients.cache_clear()
        if on_moto:
            _create_table(boto3.client("dynamodb"), "tap-aggregates-bench")
            boto3.client("s3").create_bucket(Bucket="tap-rejects-bench")
        else:
            table = MemoryTable({"tap-aggregates-bench": ("pk", "sk")})
            objects = MemoryObjects({"tap-rejects-bench"})
            app._clients = functools.lru_cache(maxsize=1)(lambda: (table, objects))
            update = table.update_item

            def measured(**kwargs: Any) -> Any:
                result = update(**kwargs)
                item = table.get_item(TableName=kwargs["TableName"], Key=kwargs["Key"])["Item"]
                counts["write_units"] += -(-_item_bytes(item) // 1024)
                return result

            table.update_item = measured  # type: ignore[method-assign]
        client = app._clients()[0]
        for op in ("UpdateItem", "PutItem", "BatchWriteItem"):
            client.meta.events.register(f"before-call.dynamodb.{op}", hook)
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # the handler's EMF metric lines
            for b in picked:
                app.handler({"Records": b}, LambdaContext())
        seconds = time.perf_counter() - t0
    return {**counts, "seconds": seconds}


def _item_bytes(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills writes, approximately: attribute names and string
    values in UTF-8 bytes, numbers as their text (DynamoDB stores about half that)."""
    size = 0
    for name, value in item.items():
        size += len(name.encode())
        for kind, v in value.items():
            size += sum(len(e.encode()) for e in v) if kind == "SS" else len(str(v).encode())
    return size


def _create_table(client: Any, name: str) -> None:
    """A table with the aggregates table's keys (pk, sk), on demand."""
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
    )


def run() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from tap.pipeline.processing import BATCH_SIZE, MAX_BATCHING_WINDOW_S

    items = readings()
    # (name, partition key, batch size, window): the stack first (measured on moto), then the
    # designs it replaced (replayed): keyed by sensor with the same batching, and by sensor
    # with the small batches of the first version.
    configs = [
        ("stack", "segment", BATCH_SIZE, MAX_BATCHING_WINDOW_S),
        ("by sensor", "sensor", BATCH_SIZE, MAX_BATCHING_WINDOW_S),
        ("by sensor, small batches", "sensor", 100, 5),
    ]
    out: dict[str, Any] = {
        "input": {
            "readings": len(items),
            "segments": SEGMENTS,
            "sensors": SEGMENTS * SENSORS_PER_SEGMENT,
            "period_s": PERIOD_S,
            "shards": SHARDS,
        },
        "configs": {},
    }
    _pin_one_core()
    for name, by, size, window in configs:
        bs = batches(items, size, window, by)
        picked = delivered(bs)
        replay = replay_writes(picked)
        records = sum(len(b) for b in picked)
        per_k = 1000 / records
        entry: dict[str, Any] = {
            "partition_key": by,
            "batch_size": size,
            "window_s": window,
            "batches": len(picked),
            "records_delivered": records,
            "floor_writes": replay["floor"],
            "floor_per_1000": round(replay["floor"] * per_k, 1),
            "naive_writes_per_1000": round(replay["valid_delivered"] * per_k, 1),
        }
        if name == "stack":
            pure = pure_path(bs)
            entry["pure_readings_per_s"] = round(pure["readings_per_s"])
            on_moto = os.environ.get("TAP_BENCH_MOTO") == "1"
            handler = writes_of_handler(picked, on_moto=on_moto)
            if handler["writes"] != replay["writes"]:
                raise SystemExit(
                    f"bench/processor.py: the handler made {handler['writes']} writes, the "
                    f"replay of its rule {replay['writes']}: the replay is wrong"
                )
            where = "moto" if on_moto else "in-memory DynamoDB"
            entry.update(writes=handler["writes"], measured=f"handler on {where}")
            if handler["write_units"]:
                entry["write_units_per_1000"] = round(handler["write_units"] * per_k, 1)
            entry["handler_seconds"] = round(handler["seconds"], 1)
        else:
            entry.update(writes=replay["writes"], measured="replay")
        entry["writes_per_1000"] = round(entry["writes"] * per_k, 1)
        entry["ratio_to_floor"] = round(entry["writes"] / replay["floor"], 2)
        out["configs"][name] = entry
        print(f"  processor [{name}]: {entry}", file=sys.stderr)
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
