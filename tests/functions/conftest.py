"""Fixtures of the function tests: fake AWS on moto, the functions loaded as Lambda does,
events from ``tests/events/``."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tap.local.functions import LambdaContext, load_function

EVENTS = Path(__file__).resolve().parents[1] / "events"
REGION = "us-east-1"
TABLE = "tap-aggregates-test"
BUCKET = "tap-archive-test"
TOPIC = "tap-alerts-test"


def load_event(name: str) -> dict[str, Any]:
    """A copy of ``tests/events/<name>.json``."""
    return copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))


def create_aggregates_table(dynamodb: Any, name: str = TABLE) -> None:
    """The aggregates table of the DEVELOPERS.md contract (keys, GSI ``by-minute``)."""
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "minute", "segment_id")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-minute",
                "KeySchema": [
                    {"AttributeName": "minute", "KeyType": "HASH"},
                    {"AttributeName": "segment_id", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "TapTraffic",
    }.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def processor_env(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("REJECTS_BUCKET", BUCKET)
    monkeypatch.setenv("REJECTS_PREFIX", "rejects/")
    monkeypatch.setenv("TTL_DAYS", "30")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "processor")


@pytest.fixture
def processor(processor_env: None) -> Iterator[Any]:
    """The processor module on a fresh moto account with its table and bucket."""
    with mock_aws():
        create_aggregates_table(boto3.client("dynamodb", region_name=REGION))
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
        # fresh: the local run (tests/local) replaces a loaded module's client factory
        module = load_function("processor", fresh=True)
        module._clients.cache_clear()
        yield module
        module._clients.cache_clear()


@pytest.fixture
def invoke(processor: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def call(event: dict[str, Any]) -> dict[str, Any]:
        return processor.handler(event, LambdaContext(function_name="processor"))

    return call


def aggregate_items() -> dict[tuple[str, str], dict[str, Any]]:
    """(segment, minute) -> item of the aggregates table (moto)."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    items = dynamodb.scan(TableName=TABLE, ConsistentRead=True)["Items"]
    return {
        (i["segment_id"]["S"], i["minute"]["S"]): i
        for i in items
        if i["pk"]["S"].startswith("SEG#")
    }


def reject_objects() -> list[dict[str, Any]]:
    s3 = boto3.client("s3", region_name=REGION)
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="rejects/").get("Contents", [])
    return [json.loads(s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read()) for o in listed]


def sequence_numbers(event: dict[str, Any]) -> list[str]:
    return [r["kinesis"]["sequenceNumber"] for r in event["Records"]]


def fail_calls(client: Any, operation: str, code: str, when: Callable[[dict], bool]) -> list[dict]:
    """Make ``client``'s ``operation`` answer ``code`` whenever ``when(params)``; the failed
    calls' params are recorded in the returned list."""
    from botocore.awsrequest import AWSResponse

    failed: list[dict] = []
    service = client.meta.service_model.service_id.hyphenize()

    def hook(params: dict[str, Any], **_: Any) -> Any:
        try:
            request = json.loads(params.get("body") or b"{}")
        except (TypeError, ValueError):
            request = {}
        if not when(request):
            return None
        failed.append(request)
        error = {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {}}
        return AWSResponse("https://local", 400, {}, None), error

    client.meta.events.register(f"before-call.{service}.{operation}", hook)
    return failed
