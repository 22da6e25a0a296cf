"""Alert: per-segment congestion from the latest aggregates -> CloudWatch metrics and SNS.

Lambda entry point ``app.handler``, run on a schedule (an EventBridge event's ``time`` is the
reference time; without it, the clock). Each run:

1. ``Query``s the aggregates table's ``by-minute`` index for each of the last
   ``LOOKBACK_MINUTES`` minutes (current minute included), following pagination; never a Scan;
2. takes, per segment, its most recent minute in that window;
3. publishes per-segment gauges (``CongestionLevel``, ``VehicleCount``, ``AvgSpeedKmh``,
   ``MaxOccupancyPct``, dimension ``SegmentId``) and ``CongestedSegments`` with as few
   ``PutMetricData`` calls as the API allows: at most 1,000 metric data per call (botocore's
   model for CloudWatch 2010-08-01: "The array can include no more than 1000 metrics per
   call"; raised from 20 in 2023) and at most 1 MB per request;
4. tracks congestion *episodes* in the item ``pk=ALERT#<segment>, sk=STATE``: an episode opens
   when the level reaches ``CONGESTION_LEVEL_THRESHOLD`` and closes when it drops below. The
   open is a conditional ``UpdateItem``, so one SNS message goes out per segment per episode,
   however many runs see the congestion. The message is marked sent only after ``Publish``
   succeeded; a failed publish is retried by the next run (at least once, never silently lost).

Segments without data in the window are left as they are (an open episode stays open).

Environment: ``TABLE_NAME``, ``MINUTE_INDEX_NAME`` (``by-minute``), ``TOPIC_ARN``,
``METRIC_NAMESPACE`` (``TapTraffic``), ``CONGESTION_LEVEL_THRESHOLD`` (3),
``LOOKBACK_MINUTES`` (5).

AWS calls: ``dynamodb:Query`` (index), ``dynamodb:UpdateItem``, ``cloudwatch:PutMetricData``,
``sns:Publish``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

__all__ = [
    "MAX_METRIC_DATA_PER_CALL",
    "MAX_REQUEST_BYTES",
    "SegmentState",
    "chunk_metric_data",
    "handler",
    "latest_by_segment",
    "lookback_minutes",
    "metric_data",
]

logger = Logger()
tracer = Tracer()

#: PutMetricData: "no more than 1000 metrics per call" (botocore cloudwatch/2010-08-01 model).
MAX_METRIC_DATA_PER_CALL = 1000
#: PutMetricData: "Each PutMetricData request is limited to 1 MB"; keep a margin for encoding.
MAX_REQUEST_BYTES = 800_000

_PROJECTION = "segment_id, #m, congestion_level, vehicle_count, avg_speed_kmh, max_occupancy_pct"
_BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3})


@lru_cache(maxsize=1)
def _clients() -> tuple[Any, Any, Any]:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    session = boto3.session.Session(region_name=region)
    return (
        session.client("dynamodb", config=_BOTO_CONFIG),
        session.client("cloudwatch", config=_BOTO_CONFIG),
        session.client("sns", config=_BOTO_CONFIG),
    )


@dataclass(frozen=True, slots=True)
class SegmentState:
    """A segment's most recent minute in the lookback window."""

    segment_id: str
    minute: str
    congestion_level: int
    vehicle_count: int
    avg_speed_kmh: float | None
    max_occupancy_pct: float


# --------------------------------------------------------------------------- pure functions


def lookback_minutes(now: datetime, count: int) -> list[str]:
    """Labels ``YYYY-MM-DDTHH:MMZ`` of the ``count`` minutes ending with ``now``'s, newest first."""
    base = int(now.timestamp()) // 60
    return [time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime((base - i) * 60)) for i in range(count)]


def _number(item: dict[str, Any], name: str) -> float | None:
    value = item.get(name)
    return float(value["N"]) if value and "N" in value else None


def latest_by_segment(items: Iterable[dict[str, Any]]) -> dict[str, SegmentState]:
    """Per segment, the item of its latest minute (low-level DynamoDB items)."""
    latest: dict[str, SegmentState] = {}
    for item in items:
        segment = item["segment_id"]["S"]
        minute = item["minute"]["S"]
        if segment in latest and latest[segment].minute >= minute:
            continue
        latest[segment] = SegmentState(
            segment_id=segment,
            minute=minute,
            congestion_level=int(_number(item, "congestion_level") or 0),
            vehicle_count=int(_number(item, "vehicle_count") or 0),
            avg_speed_kmh=_number(item, "avg_speed_kmh"),
            max_occupancy_pct=_number(item, "max_occupancy_pct") or 0.0,
        )
    return latest


def metric_data(
    states: Iterable[SegmentState], threshold: int, timestamp: datetime
) -> list[dict[str, Any]]:
    """The run's gauges: four per segment plus ``CongestedSegments``."""
    data: list[dict[str, Any]] = []
    congested = 0
    for state in states:
        dimensions = [{"Name": "SegmentId", "Value": state.segment_id}]
        gauges = [
            ("CongestionLevel", state.congestion_level, "None"),
            ("VehicleCount", state.vehicle_count, "Count"),
            ("MaxOccupancyPct", state.max_occupancy_pct, "Percent"),
        ]
        if state.avg_speed_kmh is not None:
            gauges.append(("AvgSpeedKmh", state.avg_speed_kmh, "None"))
        for name, value, unit in gauges:
            data.append(
                {
                    "MetricName": name,
                    "Dimensions": dimensions,
                    "Timestamp": timestamp,
                    "Value": float(value),
                    "Unit": unit,
                }
            )
        congested += state.congestion_level >= threshold
    data.append(
        {
            "MetricName": "CongestedSegments",
            "Timestamp": timestamp,
            "Value": float(congested),
            "Unit": "Count",
        }
    )
    return data


def chunk_metric_data(
    data: list[dict[str, Any]],
    max_items: int = MAX_METRIC_DATA_PER_CALL,
    max_bytes: int = MAX_REQUEST_BYTES,
) -> Iterator[list[dict[str, Any]]]:
    """Split into the fewest calls that respect both per-call limits (greedy, in order)."""
    chunk: list[dict[str, Any]] = []
    size = 0
    for datum in data:
        datum_size = len(json.dumps(datum, default=str)) + 64  # + per-member encoding overhead
        if chunk and (len(chunk) == max_items or size + datum_size > max_bytes):
            yield chunk
            chunk, size = [], 0
        chunk.append(datum)
        size += datum_size
    if chunk:
        yield chunk


# --------------------------------------------------------------------------- AWS calls


def _query_minute(dynamodb: Any, table: str, index: str, minute: str) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": "#m = :m",
        "ProjectionExpression": _PROJECTION,
        "ExpressionAttributeNames": {"#m": "minute"},
        "ExpressionAttributeValues": {":m": {"S": minute}},
    }
    while True:
        page = dynamodb.query(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _state_key(segment_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"ALERT#{segment_id}"}, "sk": {"S": "STATE"}}


def _is_conditional_failure(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def _open_episode(dynamodb: Any, table: str, state: SegmentState) -> dict[str, Any] | None:
    """Open an episode unless one is open. The episode's item if a message is owed, else None."""
    try:
        response = dynamodb.update_item(
            TableName=table,
            Key=_state_key(state.segment_id),
            UpdateExpression=(
                "SET #open = :true, #notified = :false, opened_minute = :minute, "
                "segment_id = :segment, congestion_level = :level, "
                "episode = if_not_exists(episode, :zero) + :one"
            ),
            ConditionExpression="attribute_not_exists(pk) OR #open = :false",
            ExpressionAttributeNames={"#open": "open", "#notified": "notified"},
            ExpressionAttributeValues={
                ":true": {"BOOL": True},
                ":false": {"BOOL": False},
                ":minute": {"S": state.minute},
                ":segment": {"S": state.segment_id},
                ":level": {"N": str(state.congestion_level)},
                ":zero": {"N": "0"},
                ":one": {"N": "1"},
            },
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        return response["Attributes"]
    except ClientError as exc:
        if not _is_conditional_failure(exc):
            raise
        old = exc.response.get("Item") or {}
        # Already open: a message is owed only if the previous publish did not go out.
        return old if old.get("notified", {}).get("BOOL") is False else None


def _mark_notified(dynamodb: Any, table: str, segment_id: str, episode: str) -> None:
    try:
        dynamodb.update_item(
            TableName=table,
            Key=_state_key(segment_id),
            UpdateExpression="SET #notified = :true",
            ConditionExpression="episode = :episode",
            ExpressionAttributeNames={"#notified": "notified"},
            ExpressionAttributeValues={":true": {"BOOL": True}, ":episode": {"N": episode}},
        )
    except ClientError as exc:
        if not _is_conditional_failure(exc):
            raise


def _close_episode(dynamodb: Any, table: str, state: SegmentState) -> bool:
    """Close the segment's open episode; False if none was open."""
    try:
        dynamodb.update_item(
            TableName=table,
            Key=_state_key(state.segment_id),
            UpdateExpression="SET #open = :false, closed_minute = :minute",
            ConditionExpression="#open = :true",
            ExpressionAttributeNames={"#open": "open"},
            ExpressionAttributeValues={
                ":true": {"BOOL": True},
                ":false": {"BOOL": False},
                ":minute": {"S": state.minute},
            },
        )
    except ClientError as exc:
        if _is_conditional_failure(exc):
            return False
        raise
    return True


def _message(state: SegmentState, threshold: int, episode: str) -> tuple[str, str]:
    subject = f"tap: congestion level {state.congestion_level} on segment {state.segment_id}"
    subject = subject.encode("ascii", "replace").decode()[:100]  # SNS: ASCII, <= 100 chars
    body = {
        "segment_id": state.segment_id,
        "minute": state.minute,
        "congestion_level": state.congestion_level,
        "threshold": threshold,
        "episode": int(episode),
        "vehicle_count": state.vehicle_count,
        "avg_speed_kmh": state.avg_speed_kmh,
        "max_occupancy_pct": state.max_occupancy_pct,
    }
    return subject, json.dumps(body)


def _reference_time(event: Any) -> datetime:
    text = event.get("time") if isinstance(event, dict) else None
    if isinstance(text, str):
        try:
            parsed = datetime.fromisoformat(text)
            if parsed.tzinfo is not None:
                return parsed.astimezone(UTC)
        except ValueError:
            logger.warning("event time is not ISO-8601; using the clock", extra={"time": text})
    return datetime.now(UTC)


def _settings() -> dict[str, Any]:
    return {
        "table": os.environ["TABLE_NAME"],
        "index": os.environ.get("MINUTE_INDEX_NAME", "by-minute"),
        "topic": os.environ["TOPIC_ARN"],
        "namespace": os.environ.get("METRIC_NAMESPACE", "TapTraffic"),
        "threshold": int(os.environ.get("CONGESTION_LEVEL_THRESHOLD", "3")),
        "lookback": int(os.environ.get("LOOKBACK_MINUTES", "5")),
    }


def _episodes(
    dynamodb: Any, sns: Any, cfg: dict[str, Any], states: Iterable[SegmentState]
) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {"alerted": [], "closed": [], "publish_failed": []}
    for state in states:
        if state.congestion_level < cfg["threshold"]:
            if _close_episode(dynamodb, cfg["table"], state):
                result["closed"].append(state.segment_id)
            continue
        owed = _open_episode(dynamodb, cfg["table"], state)
        if owed is None:
            continue
        episode = owed.get("episode", {}).get("N", "1")
        subject, message = _message(state, cfg["threshold"], episode)
        try:
            sns.publish(TopicArn=cfg["topic"], Subject=subject, Message=message)
        except (ClientError, BotoCoreError):
            # The episode stays "not notified": the next run publishes it.
            logger.exception("alert not published", extra={"segment_id": state.segment_id})
            result["publish_failed"].append(state.segment_id)
            continue
        _mark_notified(dynamodb, cfg["table"], state.segment_id, episode)
        result["alerted"].append(state.segment_id)
    return result


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Scheduled entry point. Returns a summary of the run."""
    cfg = _settings()
    dynamodb, cloudwatch, sns = _clients()
    now = _reference_time(event)
    items: list[dict[str, Any]] = []
    for minute in lookback_minutes(now, cfg["lookback"]):
        items.extend(_query_minute(dynamodb, cfg["table"], cfg["index"], minute))
    states = sorted(latest_by_segment(items).values(), key=lambda s: s.segment_id)
    calls = 0
    for chunk in chunk_metric_data(metric_data(states, cfg["threshold"], now)):
        cloudwatch.put_metric_data(Namespace=cfg["namespace"], MetricData=chunk)
        calls += 1
    episodes = _episodes(dynamodb, sns, cfg, states)
    summary = {
        "minutes": cfg["lookback"],
        "segments": len(states),
        "congested": [s.segment_id for s in states if s.congestion_level >= cfg["threshold"]],
        "metric_calls": calls,
        **episodes,
    }
    logger.info("alert run", extra=summary)
    return summary
