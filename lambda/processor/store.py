"""The processor's two sinks: the aggregates table (exactly-once in effect) and the rejects.

Aggregates: read-modify-write of one item per (segment, minute)
--------------------------------------------------------------
For each :class:`aggregate.Group` of a batch, :meth:`AggregateStore.apply`

1. ``GetItem`` (consistent read) the item ``pk=SEG#<segment>, sk=MIN#<minute>``;
2. drops the readings whose key ``<sensor_id>|<ts-ms>`` is already in the item's ``readings``
   string set (one entry per counted reading, its identity and values:
   :attr:`readings.Reading.entry`): with the same values they were counted by an earlier
   delivery (a silent duplicate); with other values they are a :class:`Conflict` (a device
   or clock fault) that the caller keeps among the rejects with both values. If nothing is
   left, nothing is written: a redelivered batch changes nothing;
3. adds the new readings to the totals and writes them with ONE ``UpdateItem`` that also adds
   their entries to ``readings`` and bumps ``version``, on the condition that ``version`` is
   still the one read (or that the item still does not exist). Counting a reading and
   recording that it was counted are one atomic write, so no crash between two calls can count
   it twice or lose it;
4. on ``ConditionalCheckFailedException`` (a concurrent writer, e.g. with a parallelization
   factor > 1) starts again from 1, at most ``max_attempts`` times.

Errors are classified for the handler: :class:`TransientStoreError` (throttling, service
errors, timeouts, lost races: retry the records) and :class:`PermanentStoreError`
(``ValidationException``: the write can never succeed, e.g. an item over 400 KB; the records
go to the rejects sink with the reason instead of blocking the shard).

Calls made: ``dynamodb:GetItem``, ``dynamodb:UpdateItem``, ``s3:PutObject``.
"""

from __future__ import annotations

import json
from base64 import b64encode
from dataclasses import dataclass
from decimal import Decimal
from time import gmtime, strftime
from typing import TYPE_CHECKING, Any

from aggregate import MinuteTotals
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from aggregate import Group
    from readings import Reading

__all__ = [
    "AggregateStore",
    "ApplyResult",
    "Conflict",
    "PermanentStoreError",
    "RejectsSink",
    "StoreError",
    "TransientStoreError",
    "entry_key",
    "entry_values",
    "item_key",
    "totals_from_item",
]

_PERMANENT_CODES = frozenset({"ValidationException", "SerializationException"})


class StoreError(Exception):
    """A write that did not happen."""


class TransientStoreError(StoreError):
    """May succeed later: the records are reported as batch item failures."""


class PermanentStoreError(StoreError):
    """Can never succeed for these readings: they go to the rejects sink."""


def _classify(exc: Exception, what: str) -> StoreError:
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "Unknown")
        kind = PermanentStoreError if code in _PERMANENT_CODES else TransientStoreError
        return kind(f"{what}: {code}: {exc.response.get('Error', {}).get('Message', '')}")
    return TransientStoreError(f"{what}: {type(exc).__name__}: {exc}")


def item_key(segment_id: str, minute_label: str) -> dict[str, dict[str, str]]:
    """Primary key of the aggregate item (DEVELOPERS.md: ``SEG#<segment>``, ``MIN#<minute>``)."""
    return {"pk": {"S": f"SEG#{segment_id}"}, "sk": {"S": f"MIN#{minute_label}"}}


def _milli(number: dict[str, str] | None) -> int:
    return int(Decimal(number["N"]).scaleb(3)) if number else 0


def _decimal_text(milli: int) -> str:
    return f"{milli // 1000}.{milli % 1000:03d}"


def totals_from_item(item: dict[str, Any] | None) -> MinuteTotals:
    """Totals stored in an aggregate item (low-level attribute values)."""
    if not item:
        return MinuteTotals()
    return MinuteTotals(
        vehicle_count=int(item["vehicle_count"]["N"]),
        samples=int(item["samples"]["N"]),
        speed_weighted_milli=_milli(item.get("speed_weighted_sum")),
        max_occupancy_milli=_milli(item.get("max_occupancy_pct")),
    )


def entry_key(entry: str, minute: int) -> str:
    """``<sensor_id>|<ts-ms>`` of an idempotency entry (:attr:`readings.Reading.entry`) of the
    item of epoch minute ``minute``.

    Entries written before values were recorded are the bare key; they are their own key.
    """
    parts = entry.rsplit("|", 4)
    if len(parts) == 5 and parts[1].isdigit() and int(parts[1]) < 60_000:
        return f"{parts[0]}|{minute * 60_000 + int(parts[1])}"
    return entry


def entry_values(segment_id: str, minute: int, entry: str) -> dict[str, Any]:
    """The counted reading an entry records, with the device contract's field names."""
    sensor_id, offset, count, speed, occupancy = entry.rsplit("|", 4)
    return {
        "sensor_id": sensor_id,
        "segment_id": segment_id,
        "ts": minute * 60_000 + int(offset),
        "vehicle_count": int(count),
        "avg_speed_kmh": int(speed) / 1000,
        "occupancy_pct": int(occupancy) / 1000,
    }


@dataclass(frozen=True, slots=True)
class Conflict:
    """A record whose reading has the identity of a counted one but other values."""

    sequence_number: str
    reading: Reading
    counted: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """What one group did: readings newly counted, already counted, attempts used, and the
    conflicting duplicates (not counted; the caller keeps them as rejects)."""

    counted: int
    duplicates: int
    attempts: int
    conflicts: tuple[Conflict, ...] = ()


def _conflicts(group: Group, counted: dict[str, str]) -> tuple[Conflict, ...]:
    """Readings of ``group`` whose key is counted (``key -> entry``) with other values."""
    found: list[Conflict] = []
    for key, reading in group.readings.items():
        entry = counted[key]
        candidates = [(group.origins[key], reading), *group.variants.get(key, ())]
        for sequence_number, candidate in candidates:
            if entry_key(entry, group.minute) == entry or candidate.entry == entry:
                continue  # the counted reading itself, or a legacy entry without values
            found.append(
                Conflict(
                    sequence_number,
                    candidate,
                    entry_values(group.segment_id, group.minute, entry),
                )
            )
    return tuple(found)


class AggregateStore:
    """Exactly-once-in-effect writer of per-minute aggregates (see the module docstring).

    Parameters
    ----------
    client:
        A low-level boto3 DynamoDB client.
    table_name:
        The aggregates table (``TABLE_NAME``).
    ttl_days:
        Items expire (``expires_at``) this many days after their minute. Default 30.
    max_attempts:
        Optimistic-lock attempts per group before giving up (transient). Default 5.
    """

    def __init__(
        self, client: Any, table_name: str, *, ttl_days: int = 30, max_attempts: int = 5
    ) -> None:
        self._client = client
        self._table = table_name
        self._ttl_seconds = ttl_days * 86_400
        self._max_attempts = max_attempts

    def apply(self, group: Group) -> ApplyResult:
        """Count the readings of ``group`` that the item has not counted yet. One write.

        A reading whose key the item (or this group) already counted with the same values is
        a duplicate; with other values, a :class:`Conflict`.
        """
        key = item_key(group.segment_id, group.minute_label)
        for attempt in range(1, self._max_attempts + 1):
            try:
                response = self._client.get_item(
                    TableName=self._table, Key=key, ConsistentRead=True
                )
            except (ClientError, BotoCoreError) as exc:
                raise _classify(exc, "GetItem") from exc
            item = response.get("Item")
            seen = {
                entry_key(e, group.minute): e
                for e in (item["readings"]["SS"] if item and "readings" in item else ())
            }
            new = {k: r for k, r in group.readings.items() if k not in seen}
            counted = {**seen, **{k: r.entry for k, r in new.items()}}
            conflicts = _conflicts(group, counted) if group.variants or seen else ()
            duplicates = (
                len(group.readings)
                - len(new)
                - sum(1 for c in conflicts if group.origins.get(c.reading.key) == c.sequence_number)
            )
            if not new:
                return ApplyResult(0, duplicates, attempt, conflicts)
            totals = totals_from_item(item)
            for reading in new.values():
                totals.add(reading)
            version = int(item["version"]["N"]) if item and "version" in item else None
            try:
                self._client.update_item(**self._update(key, group, totals, new, version))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                    continue
                raise _classify(exc, "UpdateItem") from exc
            except BotoCoreError as exc:
                raise _classify(exc, "UpdateItem") from exc
            return ApplyResult(len(new), duplicates, attempt, conflicts)
        raise TransientStoreError(
            f"UpdateItem: version conflict on {key['pk']['S']} {key['sk']['S']} "
            f"after {self._max_attempts} attempts"
        )

    def _update(
        self,
        key: dict[str, Any],
        group: Group,
        totals: MinuteTotals,
        new: dict[str, Any],
        version: int | None,
    ) -> dict[str, Any]:
        names = {
            "#seg": "segment_id",
            "#min": "minute",
            "#vc": "vehicle_count",
            "#n": "samples",
            "#sws": "speed_weighted_sum",
            "#occ": "max_occupancy_pct",
            "#lvl": "congestion_level",
            "#exp": "expires_at",
            "#ver": "version",
            "#rd": "readings",
        }
        values: dict[str, Any] = {
            ":seg": {"S": group.segment_id},
            ":min": {"S": group.minute_label},
            ":vc": {"N": str(totals.vehicle_count)},
            ":n": {"N": str(totals.samples)},
            ":sws": {"N": _decimal_text(totals.speed_weighted_milli)},
            ":occ": {"N": _decimal_text(totals.max_occupancy_milli)},
            ":lvl": {"N": str(totals.congestion_level)},
            ":exp": {"N": str(group.minute * 60 + self._ttl_seconds)},
            ":ver": {"N": str((version or 0) + 1)},
            ":rd": {"SS": [r.entry for r in new.values()]},
        }
        assignments = [f"{name} = {name.replace('#', ':')}" for name in names if name != "#rd"]
        if totals.avg_speed_kmh is not None:
            names["#avg"] = "avg_speed_kmh"
            values[":avg"] = {"N": f"{totals.avg_speed_kmh:.3f}"}
            assignments.append("#avg = :avg")
        if version is None:
            condition = "attribute_not_exists(pk)"
        else:
            condition = "#ver = :prev"
            values[":prev"] = {"N": str(version)}
        return {
            "TableName": self._table,
            "Key": key,
            "UpdateExpression": f"SET {', '.join(assignments)} ADD #rd :rd",
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }


class RejectsSink:
    """Keeps each invalid record, with its reason and raw payload, as one S3 object.

    The key is derived from the record alone (arrival date, shard, sequence number), so a
    redelivered invalid record overwrites its own object: rejects are exactly-once too.
    """

    def __init__(self, client: Any, bucket: str, prefix: str = "rejects/") -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix

    def key(self, record: dict[str, Any]) -> str:
        kinesis = record.get("kinesis") or {}
        arrival = kinesis.get("approximateArrivalTimestamp")
        day = (
            strftime("%Y-%m-%d", gmtime(arrival)) if isinstance(arrival, int | float) else "unknown"
        )
        shard = str(record.get("eventID", "")).split(":", 1)[0] or "unknown-shard"
        return f"{self._prefix}dt={day}/{shard}/{kinesis.get('sequenceNumber', 'unknown')}.json"

    def put(
        self,
        record: dict[str, Any],
        payload: bytes,
        reason: str,
        detail: dict[str, Any] | None = None,
    ) -> str:
        """Write the reject; raises :class:`TransientStoreError` if it could not be kept.

        ``detail`` is merged into the object (a conflicting duplicate's ``counted`` and
        ``received`` values)."""
        kinesis = record.get("kinesis") or {}
        body: dict[str, Any] = {
            "reason": reason,
            "sequence_number": kinesis.get("sequenceNumber"),
            "partition_key": kinesis.get("partitionKey"),
            "event_id": record.get("eventID"),
            "event_source_arn": record.get("eventSourceARN"),
            "approximate_arrival_timestamp": kinesis.get("approximateArrivalTimestamp"),
            "payload_base64": b64encode(payload).decode("ascii"),
            **(detail or {}),
        }
        try:
            body["payload_text"] = payload.decode("utf-8")
        except UnicodeDecodeError:
            pass
        key = self.key(record)
        try:
            self._client.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=json.dumps(body, ensure_ascii=True).encode(),
                ContentType="application/json",
            )
        except (ClientError, BotoCoreError) as exc:
            raise TransientStoreError(f"PutObject: {_classify(exc, 'PutObject')}") from exc
        return key
