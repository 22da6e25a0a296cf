"""The processor handler on Kinesis events from tests/events/, against moto.

Each test reads GIVEN / WHEN / THEN.
"""

from __future__ import annotations

from tests.functions.conftest import (
    aggregate_items,
    fail_calls,
    load_event,
    reject_objects,
    sequence_numbers,
)


def _n(item: dict, name: str) -> float:
    return float(item[name]["N"])


def test_valid_batch_is_aggregated_per_segment_and_minute(invoke):
    # GIVEN a batch of four valid readings on two segments and two minutes
    event = load_event("kinesis_valid_batch")
    # WHEN the processor handles it
    response = invoke(event)
    # THEN nothing is retried and each (segment, minute) holds its aggregates
    assert response == {"batchItemFailures": []}
    items = aggregate_items()
    assert set(items) == {
        ("seg-A", "2025-01-01T12:00Z"),
        ("seg-A", "2025-01-01T12:01Z"),
        ("seg-B", "2025-01-01T12:00Z"),
    }
    a = items[("seg-A", "2025-01-01T12:00Z")]
    # 10 vehicles at 80 km/h and 30 at 40 km/h: weighted mean 50 km/h, not 60
    assert (_n(a, "vehicle_count"), _n(a, "samples"), _n(a, "avg_speed_kmh")) == (40, 2, 50.0)
    assert _n(a, "max_occupancy_pct") == 18.25
    assert _n(a, "congestion_level") == 2  # occupancy 18.25 % (>= 15) and 50 km/h (< 56)
    # the idempotency entries: key and values of each counted reading (what Athena reads)
    assert set(a["readings"]["SS"]) == {
        "sensor-01|5000|10|80000|6500",
        "sensor-02|30000|30|40000|18250",
    }
    assert a["pk"]["S"] == "SEG#seg-A" and a["sk"]["S"] == "MIN#2025-01-01T12:00Z"
    assert _n(a, "expires_at") == 1735732800 + 30 * 86400
    empty = items[("seg-A", "2025-01-01T12:01Z")]
    # no vehicles: no mean speed; occupancy 9 % alone makes it "moderate"
    assert "avg_speed_kmh" not in empty and _n(empty, "congestion_level") == 1
    assert _n(items[("seg-B", "2025-01-01T12:00Z")], "congestion_level") == 0


def test_same_batch_delivered_again_changes_nothing(invoke):
    # GIVEN a batch that was processed once
    event = load_event("kinesis_valid_batch")
    invoke(event)
    before = aggregate_items()
    # WHEN Lambda delivers it again (a retry after a timeout)
    response = invoke(load_event("kinesis_valid_batch"))
    # THEN the aggregates, their idempotency sets and versions are unchanged
    assert response == {"batchItemFailures": []}
    assert aggregate_items() == before


def test_duplicates_inside_one_batch_count_once(invoke):
    # GIVEN a batch where one reading appears three times (ISO and epoch-ms forms of one ts)
    event = load_event("kinesis_duplicates_batch")
    # WHEN it is processed
    invoke(event)
    # THEN the reading is counted once and the item is written once
    item = aggregate_items()[("seg-A", "2025-01-01T12:00Z")]
    assert (_n(item, "vehicle_count"), _n(item, "samples")) == (14, 2)
    assert _n(item, "version") == 1


def _record(seq: int, **reading) -> dict:
    import base64
    import json

    body = {
        "sensor_id": "sensor-01",
        "segment_id": "seg-A",
        "ts": "2025-01-01T12:00:05Z",
        "vehicle_count": 10,
        "avg_speed_kmh": 80.0,
        "occupancy_pct": 6.5,
        **reading,
    }
    number = f"{49_640_000 + seq:056d}"
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "seg-A",
            "sequenceNumber": number,
            "data": base64.b64encode(json.dumps(body).encode()).decode(),
            "approximateArrivalTimestamp": 1735732806.0 + seq,
        },
        "eventSource": "aws:kinesis",
        "eventID": f"shardId-000000000001:{number}",
    }


def test_conflicting_duplicate_is_rejected_with_both_values(invoke):
    # GIVEN a reading counted in an earlier batch
    invoke({"Records": [_record(1)]})
    # WHEN the same (sensor_id, ts) arrives with other values, and again exactly as counted
    conflicting = _record(2, vehicle_count=12, occupancy_pct=30)
    response = invoke({"Records": [conflicting, _record(3)]})
    # THEN the aggregates keep the counted reading; the exact repeat is a silent duplicate
    assert response == {"batchItemFailures": []}
    item = aggregate_items()[("seg-A", "2025-01-01T12:00Z")]
    assert (_n(item, "vehicle_count"), _n(item, "samples"), _n(item, "version")) == (10, 1, 1)
    # AND the conflicting one is kept among the rejects with its reason and both readings
    (reject,) = reject_objects()
    assert reject["reason"].startswith("conflicting-duplicate")
    assert reject["sequence_number"] == conflicting["kinesis"]["sequenceNumber"]
    assert reject["counted"]["vehicle_count"] == 10 and reject["counted"]["occupancy_pct"] == 6.5
    assert reject["received"]["vehicle_count"] == 12 and reject["received"]["occupancy_pct"] == 30
    assert reject["counted"]["ts"] == reject["received"]["ts"] == 1735732805000


def test_conflict_inside_one_batch_keeps_the_first_and_rejects_the_other(invoke):
    # GIVEN one batch: a reading, a conflicting one, the first again, the conflicting again
    records = [_record(1), _record(2, vehicle_count=3), _record(3), _record(4, vehicle_count=3)]
    # WHEN it is processed, then delivered again
    invoke({"Records": records})
    invoke({"Records": records})
    # THEN the first is counted once and the conflicting one is one reject (its first record)
    item = aggregate_items()[("seg-A", "2025-01-01T12:00Z")]
    assert (_n(item, "vehicle_count"), _n(item, "samples")) == (10, 1)
    rejects = reject_objects()
    assert [r["sequence_number"] for r in rejects] == [records[1]["kinesis"]["sequenceNumber"]]
    assert rejects[0]["received"]["vehicle_count"] == 3


def test_invalid_records_are_rejected_with_reason_and_not_retried(invoke):
    # GIVEN a batch of two valid readings among nine that break the device contract
    event = load_event("kinesis_mixed_batch")
    # WHEN it is processed
    response = invoke(event)
    # THEN no record is retried, valid ones are counted, each invalid one is kept with its
    # reason and raw payload
    assert response == {"batchItemFailures": []}
    item = aggregate_items()[("seg-A", "2025-01-01T12:00Z")]
    assert (_n(item, "vehicle_count"), _n(item, "samples")) == (17, 2)
    rejects = {r["sequence_number"]: r for r in reject_objects()}
    seqs = sequence_numbers(event)
    expected = {
        seqs[1]: "not-json",
        seqs[2]: "missing-field: occupancy_pct",
        seqs[3]: "out-of-range: avg_speed_kmh",
        seqs[4]: "wrong-type: vehicle_count",
        seqs[5]: "not-json",  # NaN is not JSON
        seqs[6]: "not-utf8",
        seqs[7]: "oversized",
        seqs[8]: "invalid-ts: ISO-8601 time without a UTC offset",
        seqs[9]: "not-an-object",
    }
    assert set(rejects) == set(expected)
    for seq, reason in expected.items():
        assert rejects[seq]["reason"].startswith(reason), rejects[seq]["reason"]
    assert rejects[seqs[1]]["payload_text"] == "this is not json"
    assert rejects[seqs[6]]["payload_base64"] == event["Records"][6]["kinesis"]["data"]


def test_throttled_group_reports_exactly_its_records_and_recovers_on_retry(invoke, processor):
    # GIVEN DynamoDB throttles writes to segment B only
    event = load_event("kinesis_valid_batch")
    dynamodb = processor._clients()[0]
    failed = fail_calls(
        dynamodb,
        "UpdateItem",
        "ProvisionedThroughputExceededException",
        lambda request: request.get("Key", {}).get("pk", {}).get("S") == "SEG#seg-B",
    )
    # WHEN the batch is processed
    response = invoke(event)
    # THEN only segment B's record is reported for retry; segment A is written
    seg_b_seq = sequence_numbers(event)[3]
    assert response == {"batchItemFailures": [{"itemIdentifier": seg_b_seq}]}
    assert failed and ("seg-B", "2025-01-01T12:00Z") not in aggregate_items()
    written = aggregate_items()
    # WHEN Lambda retries the batch after the throttling stopped
    processor._clients.cache_clear()  # a new client: without the throttling hook
    response = invoke(load_event("kinesis_valid_batch"))
    # THEN segment B is written once and the groups written before are untouched
    assert response == {"batchItemFailures": []}
    after = aggregate_items()
    assert _n(after[("seg-B", "2025-01-01T12:00Z")], "vehicle_count") == 5
    for key, item in written.items():
        assert after[key] == item


def test_reject_that_cannot_be_stored_is_retried(invoke, processor):
    # GIVEN S3 fails with a service error for the rejects of this batch
    event = load_event("kinesis_mixed_batch")
    fail_calls(processor._clients()[1], "PutObject", "ServiceUnavailable", lambda _: True)
    # WHEN the batch is processed
    response = invoke(event)
    # THEN every invalid record is reported for retry (not dropped), the valid ones are counted
    reported = {f["itemIdentifier"] for f in response["batchItemFailures"]}
    seqs = sequence_numbers(event)
    assert reported == set(seqs[1:10])
    assert _n(aggregate_items()[("seg-A", "2025-01-01T12:00Z")], "samples") == 2


def test_lost_optimistic_lock_is_retried_within_the_invocation(invoke, processor):
    # GIVEN a concurrent writer wins the first UpdateItem race
    event = load_event("kinesis_valid_batch")
    calls = {"n": 0}

    def first_only(_request):
        calls["n"] += 1
        return calls["n"] == 1

    fail_calls(processor._clients()[0], "UpdateItem", "ConditionalCheckFailedException", first_only)
    # WHEN the batch is processed
    response = invoke(event)
    # THEN the group is read again and written; nothing is retried by Lambda
    assert response == {"batchItemFailures": []}
    assert len(aggregate_items()) == 3


def test_misconfiguration_reports_every_record_instead_of_raising(invoke, monkeypatch):
    # GIVEN the function lacks its table setting
    monkeypatch.delenv("TABLE_NAME")
    event = load_event("kinesis_valid_batch")
    # WHEN a batch arrives
    response = invoke(event)
    # THEN the handler answers (no exception) and asks Lambda to retry every record
    assert response == {
        "batchItemFailures": [{"itemIdentifier": s} for s in sequence_numbers(event)]
    }


def test_empty_event_is_a_success(invoke):
    # GIVEN / WHEN an event without records  THEN nothing fails
    assert invoke({"Records": []}) == {"batchItemFailures": []}
