"""Processor cost: readings per second on the pure path, DynamoDB writes per 1,000 readings.

The input is a realistic day-part of a city deployment: ``SEGMENTS`` road segments with
``SENSORS_PER_SEGMENT`` detectors each, one reading per detector every ``PERIOD_S`` seconds,
partitioned over ``SHARDS`` shards by sensor (the IoT rule's ``${topic(3)}`` key), a few
malformed payloads and redelivered records mixed in. Lambda's batching is simulated per
shard with the stack's own batch size and batching window: a batch closes when it holds
``batch_size`` records or its first record has waited ``window`` seconds.

1. Pure path: ``fold_batch`` (decode, validate, group) over every batch, on one core.
2. Writes: the real handler on moto counts DynamoDB write requests (UpdateItem/PutItem) for
   the first ``MOTO_READINGS`` readings, against a naive one-write-per-reading handler run on
   the same batches (UpdateItem ADD per valid reading).
"""

from __future__ import annotations

import base64
import contextlib
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
MOTO_READINGS = 3_000


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


def batches(items: list[tuple[float, str, bytes]], size: int, window: float) -> list[list[dict]]:
    """Lambda's batching per shard: close at ``size`` records or ``window`` seconds."""
    per_shard: dict[int, list[tuple[float, str, bytes]]] = defaultdict(list)
    for item in items:
        per_shard[hash_sensor(item[1]) % SHARDS].append(item)
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


def hash_sensor(sensor: str) -> int:
    # Kinesis hashes the partition key with MD5; any stable spread serves here.
    return int.from_bytes(sensor.encode(), "big") * 2654435761 % (2**32)


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


def writes_on_moto(all_batches: list[list[dict]]) -> dict[str, Any]:
    """Count DynamoDB write requests of our handler and of the naive design, same input."""
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
    import boto3
    from moto import mock_aws

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "lambda" / "processor"))
    from batch import fold_batch  # the processor's own module

    from tap.local.functions import LambdaContext, load_function

    picked: list[list[dict]] = []
    total = 0
    for i, b in enumerate(all_batches):
        if total >= MOTO_READINGS:
            break
        picked.append(b)
        if i % REDELIVER_EVERY == REDELIVER_EVERY - 1:
            picked.append(b)  # redelivery: must change nothing
        total += len(b)
    delivered = sum(len(b) for b in picked)
    # distinct (segment, minute) per delivered batch: the most writes the design allows
    groups = sum(len(fold_batch(b).groups) for b in picked)

    def count_writes(client: Any) -> dict[str, int]:
        counts = {"writes": 0}

        def hook(**_: Any) -> None:
            counts["writes"] += 1

        for op in ("UpdateItem", "PutItem", "BatchWriteItem"):
            client.meta.events.register(f"before-call.dynamodb.{op}", hook)
        return counts

    results: dict[str, Any] = {
        "batches": len(picked),
        "records_delivered": delivered,
        "groups_per_batch_total": groups,
    }
    with mock_aws():
        _create_table(boto3.client("dynamodb"), "tap-aggregates-bench")
        boto3.client("s3").create_bucket(Bucket="tap-rejects-bench")
        app = load_function("processor", fresh=True)
        ours = count_writes(app._clients()[0])
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # the handler's EMF metric lines
            for b in picked:
                app.handler({"Records": b}, LambdaContext())
        results["ours_seconds"] = time.perf_counter() - t0
        results["ours_writes"] = ours["writes"]

        naive_client = boto3.client("dynamodb")
        naive = count_writes(naive_client)
        t0 = time.perf_counter()
        for b in picked:
            naive_batch(naive_client, b)
        results["naive_seconds"] = time.perf_counter() - t0
        results["naive_writes"] = naive["writes"]
    per_k = 1000 / delivered
    results["ours_writes_per_1000"] = results["ours_writes"] * per_k
    results["naive_writes_per_1000"] = results["naive_writes"] * per_k
    return results


def naive_batch(client: Any, records: list[dict]) -> None:
    """The naive design: one UpdateItem (ADD) per valid reading, no idempotency."""
    for rec in records:
        try:
            body = json.loads(base64.b64decode(rec["kinesis"]["data"]))
            minute = int(body["ts"]) // 60_000
            client.update_item(
                TableName="tap-aggregates-naive",
                Key={"pk": {"S": f"SEG#{body['segment_id']}"}, "sk": {"S": f"MIN#{minute}"}},
                UpdateExpression="ADD vehicle_count :v, samples :one",
                ExpressionAttributeValues={
                    ":v": {"N": str(int(body["vehicle_count"]))},
                    ":one": {"N": "1"},
                },
            )
        except (ValueError, KeyError, TypeError):
            continue
        except client.exceptions.ResourceNotFoundException:
            _create_table(client, "tap-aggregates-naive")
            naive_batch(client, [rec])


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
    # the stack's batching, and the small batches it had before `make bench` measured both
    configs = [("stack", BATCH_SIZE, MAX_BATCHING_WINDOW_S), ("small batches", 100, 5)]
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
    for name, size, window in configs:
        bs = batches(items, size, window)
        pure = pure_path(bs)
        entry: dict[str, Any] = {
            "batch_size": size,
            "window_s": window,
            "batches": len(bs),
            "pure_readings_per_s": round(pure["readings_per_s"]),
            "groups_per_1000": round(pure["groups"] * 1000 / pure["records"], 1),
        }
        moto = writes_on_moto(bs)
        entry.update({k: (round(v, 3) if isinstance(v, float) else v) for k, v in moto.items()})
        out["configs"][name] = entry
        print(f"  processor [{name}]: {entry}", file=sys.stderr)
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
