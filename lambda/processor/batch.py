"""One Kinesis batch: decode and validate (pure), then write each group and each reject.

:func:`fold_batch` is the pure path the benchmark measures: it never touches the network.
:func:`process_batch` adds the two sinks and decides, record by record, what the handler must
report to Lambda:

======================================  ==========================================
what happened to the record             outcome
======================================  ==========================================
valid, its group written (or already    success
counted by an earlier delivery)
invalid, reject kept in S3              success (never retried: it would fail again)
valid, its (sensor_id, ts) counted      reject kept with reason ``conflicting-duplicate``
with other values                       and both values (``counted``, ``received``)
valid, group write failed permanently   reject kept with reason ``store-rejected``
group write / reject write failed       batch item failure: Lambda retries from it,
transiently                             then the mapping's on-failure destination
======================================  ==========================================

A failed group reports the sequence numbers of exactly its own records (duplicates
included); other groups of the batch are written and are not touched again on retry because
their readings are then in the idempotency set.
"""

from __future__ import annotations

from binascii import Error as BinasciiError
from binascii import a2b_base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aggregate import Group, group_readings
from readings import Reading, parse_reading
from store import PermanentStoreError, StoreError

if TYPE_CHECKING:
    from store import AggregateStore, RejectsSink

__all__ = [
    "CONFLICT_REASON",
    "BatchOutcome",
    "Folded",
    "Invalid",
    "fold_batch",
    "process_batch",
]

#: Reason of a reading whose (sensor_id, ts) was counted with other values: a device or clock
#: fault. The reject object carries both readings (``counted``, ``received``).
CONFLICT_REASON = "conflicting-duplicate: (sensor_id, ts) already counted with other values"


@dataclass(slots=True)
class Invalid:
    """A record that breaks the device contract."""

    record: dict[str, Any]
    payload: bytes
    reason: str
    detail: dict[str, Any] | None = None


@dataclass(slots=True)
class Folded:
    """The pure result of a batch: groups of valid readings and the invalid records."""

    groups: dict[tuple[str, int], Group]
    invalid: list[Invalid]
    records: int


@dataclass(slots=True)
class BatchOutcome:
    """Counts and failures of one batch. ``failures`` maps sequence number -> cause."""

    records: int = 0
    counted: int = 0
    duplicates: int = 0
    rejected: int = 0
    conflicts: int = 0
    groups_written: int = 0
    write_attempts: int = 0
    failures: dict[str, BaseException] = field(default_factory=dict)


def _payload(record: Any) -> bytes | None:
    try:
        return a2b_base64(record["kinesis"]["data"], strict_mode=True)
    except (KeyError, TypeError, ValueError, BinasciiError):
        return None


def fold_batch(records: Sequence[Any]) -> Folded:
    """Decode, validate and group a batch of Kinesis event records. Pure; never raises."""
    valid: list[tuple[str, Reading]] = []
    invalid: list[Invalid] = []
    for record in records:
        payload = _payload(record)
        if payload is None:
            shape = record if isinstance(record, dict) else {}
            invalid.append(Invalid(shape, b"", "malformed-record: no base64 kinesis.data"))
            continue
        result = parse_reading(payload)
        if type(result) is str:
            invalid.append(Invalid(record, payload, result))
        else:
            valid.append((_sequence_number(record) or "", result))
    return Folded(group_readings(valid), invalid, len(records))


def _sequence_number(record: Any) -> str | None:
    kinesis = record.get("kinesis") if isinstance(record, dict) else None
    return kinesis.get("sequenceNumber") if isinstance(kinesis, dict) else None


def _reject_all(items: Iterable[Invalid], rejects: RejectsSink, outcome: BatchOutcome) -> None:
    for item in items:
        try:
            rejects.put(item.record, item.payload, item.reason, item.detail)
        except StoreError as exc:
            sequence_number = _sequence_number(item.record)
            if sequence_number:
                outcome.failures[sequence_number] = exc
        else:
            outcome.rejected += 1


def process_batch(
    records: Sequence[Any], store: AggregateStore, rejects: RejectsSink
) -> BatchOutcome:
    """Fold the batch, write one aggregate per group, keep every reject; never raises
    :class:`store.StoreError` (failures are returned in ``BatchOutcome.failures``)."""
    folded = fold_batch(records)
    outcome = BatchOutcome(records=folded.records)
    by_sequence = {_sequence_number(r) or "": r for r in records if isinstance(r, dict)}
    store_rejects: list[Invalid] = []
    for group in folded.groups.values():
        try:
            result = store.apply(group)
        except PermanentStoreError as exc:
            for sequence_number in dict.fromkeys(group.sequence_numbers):
                record = by_sequence.get(sequence_number, {})
                payload = _payload(record) or b""
                store_rejects.append(Invalid(record, payload, f"store-rejected: {exc}"))
            continue
        except StoreError as exc:
            for sequence_number in group.sequence_numbers:
                outcome.failures[sequence_number] = exc
            continue
        outcome.counted += result.counted
        # Every record of the group is counted, a conflicting duplicate, or a silent duplicate
        # (already counted by an earlier delivery, or repeated inside this batch).
        outcome.duplicates += len(group.sequence_numbers) - result.counted - len(result.conflicts)
        outcome.conflicts += len(result.conflicts)
        for conflict in result.conflicts:
            record = by_sequence.get(conflict.sequence_number, {})
            store_rejects.append(
                Invalid(
                    record,
                    _payload(record) or b"",
                    CONFLICT_REASON,
                    {"counted": conflict.counted, "received": conflict.reading.values()},
                )
            )
        outcome.write_attempts += result.attempts
        outcome.groups_written += 1 if result.counted else 0
    _reject_all(folded.invalid, rejects, outcome)
    _reject_all(store_rejects, rejects, outcome)
    return outcome
