"""In-memory stand-ins for the local run's two hot paths, with the services' semantics.

Under moto every AWS call costs milliseconds of request parsing and response serialization;
replaying 100,000 readings makes tens of thousands of them. Two stand-ins keep the run fast:

* :class:`MemoryStream`: the Kinesis stream as the IoT rule fills it. A record goes to the shard
  whose hash key range holds the MD5 of its partition key (as Kinesis maps keys; the ranges
  are the stream's own, read from moto), records of a shard keep their put order, and each
  gets an increasing sequence number and an arrival time.
* :class:`MemoryObjects`: the processor's ``PutObject`` of rejects (an object store);
* :class:`MemoryTable`: the aggregates table for the processor's calls: ``GetItem`` and
  ``UpdateItem`` with ``SET name = :value`` / ``ADD name :set`` update expressions and
  ``attribute_not_exists(name)`` / ``#name = :value`` conditions (anything else raises, so a
  change in the processor cannot silently go unsimulated), plus ``Scan``. Numbers are
  normalized as DynamoDB returns them; a failed condition raises
  ``ConditionalCheckFailedException``; ``meta.events`` is a botocore emitter, so
  ``before-call.dynamodb.<Operation>`` hooks (the run's injected throttling) behave as on a
  real client.

``python -m tap.local run --processor-aws moto`` runs the processor against moto instead, and
``tests/local`` checks that both give the same result.
"""

from __future__ import annotations

import copy
import hashlib
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError
from botocore.hooks import HierarchicalEmitter

__all__ = ["MemoryObjects", "MemoryStream", "MemoryTable", "UnsupportedCall"]


class UnsupportedCall(Exception):
    """The processor made a call this stand-in does not simulate (``--processor-aws moto``)."""


# --------------------------------------------------------------------------- Kinesis


class MemoryStream:
    """Records of one stream by shard (GetRecords shape: ``Data``, ``PartitionKey``,
    ``SequenceNumber``, ``ApproximateArrivalTimestamp``)."""

    def __init__(self, shards: list[dict[str, Any]]) -> None:
        self._ranges = sorted(
            (
                int(s["HashKeyRange"]["StartingHashKey"]),
                int(s["HashKeyRange"]["EndingHashKey"]),
                s["ShardId"],
            )
            for s in shards
        )
        self.records: dict[str, list[dict[str, Any]]] = {r[2]: [] for r in self._ranges}
        self._sequence = 0

    def shard_for(self, partition_key: str) -> str:
        point = int.from_bytes(hashlib.md5(partition_key.encode()).digest(), "big")
        for start, end, shard_id in self._ranges:
            if start <= point <= end:
                return shard_id
        raise ValueError(f"no shard holds hash key {point}")  # the ranges cover 0..2**128-1

    def put(self, data: bytes, partition_key: str) -> tuple[str, str]:
        """Append one record; (shard id, sequence number)."""
        shard_id = self.shard_for(partition_key)
        self._sequence += 1
        sequence = f"{49_600_000_000 + self._sequence:056d}"
        self.records[shard_id].append(
            {
                "Data": data,
                "PartitionKey": partition_key,
                "SequenceNumber": sequence,
                "ApproximateArrivalTimestamp": datetime.now(UTC),
            }
        )
        return shard_id, sequence


# --------------------------------------------------------------------------- DynamoDB

_SET = re.compile(r"^\s*(#?\w+)\s*=\s*(:\w+)\s*$")
_ADD = re.compile(r"^\s*(#?\w+)\s+(:\w+)\s*$")
_NOT_EXISTS = re.compile(r"^\s*attribute_not_exists\(\s*(#?\w+)\s*\)\s*$")
_EQUALS = re.compile(r"^\s*(#?\w+)\s*=\s*(:\w+)\s*$")


def _number(text: str) -> str:
    """A number as DynamoDB returns it: no exponent, no trailing zeros."""
    value = Decimal(text)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def _normalized(value: dict[str, Any]) -> dict[str, Any]:
    if "N" in value:
        return {"N": _number(value["N"])}
    if "SS" in value:
        return {"SS": list(dict.fromkeys(value["SS"]))}
    return copy.deepcopy(value)


def _copy(item: dict[str, Any]) -> dict[str, Any]:
    """A copy of an item whose values are scalars (S, N) or string sets: fast deepcopy."""
    return {k: {"SS": list(v["SS"])} if "SS" in v else dict(v) for k, v in item.items()}


class _Meta:
    def __init__(self) -> None:
        self.events = HierarchicalEmitter()


def _before_call(
    events: HierarchicalEmitter, service: str, operation: str, params: dict[str, Any]
) -> None:
    """Run ``before-call.<service>.<operation>`` hooks; an error they return is raised, as a
    botocore client does with a short-circuited response."""
    response = events.emit_until_response(
        f"before-call.{service}.{operation}", model=None, params=params, context={}
    )
    if response and response[1] is not None:
        _http, parsed = response[1]
        if isinstance(parsed, dict) and "Error" in parsed:
            raise ClientError(parsed, operation)


class MemoryObjects:
    """A low-level S3 client for ``PutObject`` only: ``objects[(bucket, key)] = body``."""

    def __init__(self, buckets: set[str]) -> None:
        self._buckets = buckets
        self.objects: dict[tuple[str, str], bytes] = {}
        self.meta = _Meta()

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, **_: Any) -> dict[str, Any]:
        _before_call(self.meta.events, "s3", "PutObject", {"Bucket": Bucket, "Key": Key})
        if Bucket not in self._buckets:
            raise ClientError({"Error": {"Code": "NoSuchBucket", "Message": Bucket}}, "PutObject")
        self.objects[(Bucket, Key)] = bytes(Body)
        return {}


class MemoryTable:
    """A low-level DynamoDB client over in-memory tables (see the module docstring)."""

    def __init__(self, key_names: dict[str, tuple[str, ...]]) -> None:
        #: table name -> key attribute names (hash, range)
        self._keys = key_names
        self._items: dict[str, dict[tuple[str, ...], dict[str, Any]]] = {
            name: {} for name in key_names
        }
        self.meta = _Meta()

    # -- plumbing ---------------------------------------------------------------------------

    def _before_call(self, operation: str, params: dict[str, Any]) -> None:
        _before_call(self.meta.events, "dynamodb", operation, params)

    def _table(self, name: str) -> dict[tuple[str, ...], dict[str, Any]]:
        if name not in self._items:
            raise ClientError(
                {"Error": {"Code": "ResourceNotFoundException", "Message": name}}, "GetItem"
            )
        return self._items[name]

    def _key(self, table: str, key: dict[str, Any]) -> tuple[str, ...]:
        names = self._keys[table]
        if set(key) != set(names):
            raise ClientError(
                {"Error": {"Code": "ValidationException", "Message": "key mismatch"}}, "GetItem"
            )
        return tuple(next(iter(key[n].values())) for n in names)

    # -- API --------------------------------------------------------------------------------

    def get_item(self, *, TableName: str, Key: dict[str, Any], **_: Any) -> dict[str, Any]:
        self._before_call("GetItem", {"TableName": TableName, "Key": Key})
        item = self._table(TableName).get(self._key(TableName, Key))
        return {"Item": _copy(item)} if item is not None else {}

    def update_item(
        self,
        *,
        TableName: str,
        Key: dict[str, Any],
        UpdateExpression: str,
        ConditionExpression: str | None = None,
        ExpressionAttributeNames: dict[str, str] | None = None,
        ExpressionAttributeValues: dict[str, Any] | None = None,
        **unsupported: Any,
    ) -> dict[str, Any]:
        params = {
            "TableName": TableName,
            "Key": Key,
            "UpdateExpression": UpdateExpression,
            "ConditionExpression": ConditionExpression,
            "ExpressionAttributeNames": ExpressionAttributeNames,
            "ExpressionAttributeValues": ExpressionAttributeValues,
            **unsupported,
        }
        self._before_call("UpdateItem", params)
        if unsupported:
            raise UnsupportedCall(f"UpdateItem with {sorted(unsupported)}")
        names = ExpressionAttributeNames or {}
        values = ExpressionAttributeValues or {}

        def name(token: str) -> str:
            return names[token] if token.startswith("#") else token

        table = self._table(TableName)
        key = self._key(TableName, Key)
        current = table.get(key)
        if ConditionExpression and not self._holds(ConditionExpression, current, name, values):
            raise ClientError(
                {
                    "Error": {
                        "Code": "ConditionalCheckFailedException",
                        "Message": "The conditional request failed",
                    }
                },
                "UpdateItem",
            )
        item = _copy(current) if current is not None else _copy(Key)
        for clause, body in re.findall(
            r"\b(SET|ADD)\b(.*?)(?=\bSET\b|\bADD\b|$)", UpdateExpression
        ):
            for action in body.split(","):
                if not action.strip():
                    continue
                if clause == "SET":
                    match = _SET.match(action)
                    if not match:
                        raise UnsupportedCall(f"SET {action.strip()}")
                    item[name(match[1])] = _normalized(values[match[2]])
                else:
                    match = _ADD.match(action)
                    if not match or "SS" not in values[match[2]]:
                        raise UnsupportedCall(f"ADD {action.strip()}")
                    existing = item.get(name(match[1]), {}).get("SS", [])
                    item[name(match[1])] = {
                        "SS": list(dict.fromkeys([*existing, *values[match[2]]["SS"]]))
                    }
        table[key] = item
        return {}

    @staticmethod
    def _holds(
        condition: str, item: dict[str, Any] | None, name: Any, values: dict[str, Any]
    ) -> bool:
        match = _NOT_EXISTS.match(condition)
        if match:
            return item is None or name(match[1]) not in item
        match = _EQUALS.match(condition)
        if match:
            if item is None or name(match[1]) not in item:
                return False
            return _normalized(item[name(match[1])]) == _normalized(values[match[2]])
        raise UnsupportedCall(f"ConditionExpression {condition}")

    def scan(self, *, TableName: str, **_: Any) -> dict[str, Any]:
        items = [_copy(i) for i in self._table(TableName).values()]
        return {"Items": items, "Count": len(items)}

    def put_raw(self, table: str, item: dict[str, Any]) -> None:
        """Store ``item`` as is (to copy items in)."""
        self._table(table)[self._key(table, {n: item[n] for n in self._keys[table]})] = item
