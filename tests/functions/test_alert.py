"""The alert function against moto: Query (never Scan), batched metrics, one SNS message per
segment per congestion episode. GIVEN / WHEN / THEN."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tap.local.functions import LambdaContext, load_function
from tests.functions.conftest import REGION, TABLE, create_aggregates_table, fail_calls, load_event


@pytest.fixture
def alert(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_aggregates_table(dynamodb)
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        topic = sns.create_topic(Name="tap-alerts-test")["TopicArn"]
        queue = sqs.create_queue(QueueName="capture")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn["Attributes"]["QueueArn"])
        for key, value in {
            "TABLE_NAME": TABLE,
            "MINUTE_INDEX_NAME": "by-minute",
            "TOPIC_ARN": topic,
            "METRIC_NAMESPACE": "TapTraffic",
            "CONGESTION_LEVEL_THRESHOLD": "2",
            "LOOKBACK_MINUTES": "5",
            "POWERTOOLS_SERVICE_NAME": "alert",
        }.items():
            monkeypatch.setenv(key, value)
        module = load_function("alert", fresh=True)
        module._clients.cache_clear()
        calls: Counter[str] = Counter()
        for client in module._clients():
            client.meta.events.register(
                "before-call.*.*",
                lambda model, **_: calls.update([model.name]),
            )
        module.calls = calls
        module.queue = queue
        yield module
        module._clients.cache_clear()


def put_minute(segment: str, minute: str, level: int, vehicles: int = 10) -> None:
    boto3.client("dynamodb", region_name=REGION).put_item(
        TableName=TABLE,
        Item={
            "pk": {"S": f"SEG#{segment}"},
            "sk": {"S": f"MIN#{minute}"},
            "segment_id": {"S": segment},
            "minute": {"S": minute},
            "vehicle_count": {"N": str(vehicles)},
            "samples": {"N": "2"},
            "avg_speed_kmh": {"N": "42.5"},
            "max_occupancy_pct": {"N": "17.5"},
            "congestion_level": {"N": str(level)},
            "readings": {"SS": [f"s|{len(minute)}"]},
            "version": {"N": "1"},
        },
    )


def run(alert: Any, time: str = "2025-01-01T12:04:30Z") -> dict[str, Any]:
    event = load_event("alert_scheduled_event")
    event["time"] = time
    return alert.handler(event, LambdaContext(function_name="alert"))


def messages(alert: Any) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=REGION)
    out = []
    while batch := sqs.receive_message(QueueUrl=alert.queue, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        for m in batch:
            out.append(json.loads(json.loads(m["Body"])["Message"]))
            sqs.delete_message(QueueUrl=alert.queue, ReceiptHandle=m["ReceiptHandle"])
    return out


def test_latest_minute_per_segment_decides_and_only_query_is_used(alert):
    # GIVEN segment A was congested at 12:01 but is fine at 12:03; B is congested at 12:04;
    # C's data is older than the 5-minute window
    put_minute("A", "2025-01-01T12:01Z", 3)
    put_minute("A", "2025-01-01T12:03Z", 0)
    put_minute("B", "2025-01-01T12:04Z", 2)
    put_minute("C", "2025-01-01T11:50Z", 3)
    # WHEN the alert runs at 12:04:30
    summary = run(alert)
    # THEN only B is congested and alerted, with one Query per minute and no Scan
    assert summary["congested"] == ["B"] and summary["alerted"] == ["B"]
    assert summary["segments"] == 2
    assert alert.calls["Query"] == 5 and alert.calls["Scan"] == 0
    [message] = messages(alert)
    assert message["segment_id"] == "B" and message["congestion_level"] == 2


def test_one_message_per_episode_not_per_run(alert):
    # GIVEN a segment that stays congested over three runs, recovers, then jams again
    put_minute("A", "2025-01-01T12:00Z", 3)
    run(alert, "2025-01-01T12:00:30Z")
    put_minute("A", "2025-01-01T12:01Z", 3)
    run(alert, "2025-01-01T12:01:30Z")
    run(alert, "2025-01-01T12:01:45Z")
    assert len(messages(alert)) == 1  # THEN one message for the first episode
    # WHEN it recovers
    put_minute("A", "2025-01-01T12:02Z", 1)
    summary = run(alert, "2025-01-01T12:02:30Z")
    assert summary["closed"] == ["A"] and messages(alert) == []
    # WHEN it jams again: a new episode, a new message
    put_minute("A", "2025-01-01T12:03Z", 2)
    run(alert, "2025-01-01T12:03:30Z")
    [message] = messages(alert)
    assert message["episode"] == 2


def test_failed_publish_is_sent_by_the_next_run(alert):
    # GIVEN SNS fails during the first run of an episode
    put_minute("A", "2025-01-01T12:00Z", 3)
    fail_calls(alert._clients()[2], "Publish", "InternalError", lambda _: True)
    summary = run(alert, "2025-01-01T12:00:30Z")
    assert summary["publish_failed"] == ["A"] and messages(alert) == []
    # WHEN SNS works again at the next run
    alert._clients.cache_clear()
    summary = run(alert, "2025-01-01T12:00:50Z")
    # THEN the alert goes out once
    assert summary["alerted"] == ["A"]
    assert len(messages(alert)) == 1
    assert run(alert, "2025-01-01T12:00:55Z")["alerted"] == []


def test_metrics_use_the_fewest_put_metric_data_calls(alert):
    # GIVEN 300 segments with data (4 gauges each + 1 total = 1201 metric data)
    for n in range(300):
        put_minute(f"S{n:03d}", "2025-01-01T12:04Z", 0)
    # WHEN the alert runs
    summary = run(alert)
    # THEN two calls carry them: PutMetricData takes at most 1,000 metric data per call
    assert summary["metric_calls"] == 2 == alert.calls["PutMetricData"]


def test_chunking_respects_both_limits(alert):
    data = [{"MetricName": "M", "Value": 1.0, "Dimensions": [{"Name": "x", "Value": "y" * 200}]}]
    chunks = list(alert.chunk_metric_data(data * 2500))
    assert [len(c) for c in chunks] == [1000, 1000, 500]
    small = list(alert.chunk_metric_data(data * 10, max_bytes=1000))
    assert all(len(c) <= 3 for c in small) and sum(map(len, small)) == 10


def test_query_follows_pagination(alert, monkeypatch):
    # GIVEN more items in one minute than fit one page (forced small pages)
    for n in range(7):
        put_minute(f"S{n}", "2025-01-01T12:04Z", 3)
    original = alert._clients()[0].query

    def small_pages(**kwargs):
        return original(**kwargs, Limit=2)

    monkeypatch.setattr(alert._clients()[0], "query", small_pages)
    # WHEN the alert runs THEN it sees all seven segments
    assert run(alert)["segments"] == 7
