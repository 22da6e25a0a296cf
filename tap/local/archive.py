"""Writers of what lands in S3 outside the functions: Firehose's raw archive and the
aggregates table's incremental export.

Firehose (``AWS::KinesisFirehose::DeliveryStream`` with an ``ExtendedS3DestinationConfiguration``):
each record read from the source stream is written under ``Prefix`` with ``!{timestamp:...}``
evaluated at the record's arrival time (Firehose's default: arrival, not event time),
compressed as ``CompressionFormat`` says, one object per prefix, records followed by a newline
only when the ``AppendDelimiterToRecord`` processor is configured (as in Firehose).

Export: lines of DynamoDB's incremental export format (``Metadata``, ``Keys``, ``NewImage``),
GZIP, under the export Glue table's ``storage.location.template`` for the current hour.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import defaultdict
from functools import lru_cache
from typing import Any

__all__ = ["firehose_key_prefix", "java_time_format", "write_export", "write_firehose_archive"]

_JAVA_TO_STRFTIME = (("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"))
_EXPRESSION = re.compile(r"!\{([^}:]+):([^}]*)\}")


def java_time_format(pattern: str, epoch: float) -> str:
    fmt = pattern
    for java, c in _JAVA_TO_STRFTIME:
        fmt = fmt.replace(java, c)
    fmt = fmt.replace("ss", "%S")
    return time.strftime(fmt, time.gmtime(epoch))


def firehose_key_prefix(prefix: str, arrival: float) -> str:
    """Evaluate a Firehose ``Prefix`` (``!{timestamp:yyyy-MM-dd}``) at ``arrival``."""
    return _key_prefix(prefix, int(arrival))


@lru_cache(maxsize=4096)
def _key_prefix(prefix: str, arrival: int) -> str:

    def substitute(match: re.Match[str]) -> str:
        namespace, argument = match.groups()
        if namespace == "timestamp":
            return java_time_format(argument, arrival)
        if namespace == "firehose" and argument == "random-string":
            return "local"
        raise ValueError(f"Firehose prefix expression !{{{namespace}:{argument}}} not supported")

    text = _EXPRESSION.sub(substitute, prefix)
    if not prefix or "!{" not in prefix:
        # Without expressions Firehose appends its default YYYY/MM/dd/HH/ (UTC).
        text = prefix + time.strftime("%Y/%m/%d/%H/", time.gmtime(arrival))
    return text


def write_firehose_archive(
    s3: Any, destination: dict[str, Any], bucket: str, stream_name: str, records: list[dict]
) -> list[str]:
    """Write Kinesis ``records`` (GetRecords shape) as the delivery stream would. Keys written."""
    processors = (destination.get("ProcessingConfiguration") or {}).get("Processors") or []
    delimiter = (
        b"\n" if any(p.get("Type") == "AppendDelimiterToRecord" for p in processors) else b""
    )
    compression = destination.get("CompressionFormat", "UNCOMPRESSED")
    by_prefix: dict[str, list[bytes]] = defaultdict(list)
    for record in records:
        arrival = record["ApproximateArrivalTimestamp"].timestamp()
        by_prefix[firehose_key_prefix(destination.get("Prefix", ""), arrival)].append(
            record["Data"] + delimiter
        )
    keys = []
    for n, (prefix, chunks) in enumerate(sorted(by_prefix.items())):
        body = b"".join(chunks)
        name = f"{prefix}{stream_name}-1-local-{n:04d}"
        if compression == "GZIP":
            body, name = gzip.compress(body, compresslevel=1, mtime=0), name + ".gz"
        elif compression != "UNCOMPRESSED":
            raise ValueError(f"Firehose CompressionFormat {compression} not supported locally")
        s3.put_object(Bucket=bucket, Key=name, Body=body)
        keys.append(name)
    return keys


def write_export(s3: Any, bucket: str, key_prefix: str, items: list[dict[str, Any]]) -> str:
    """Write ``items`` (low-level DynamoDB items) as one incremental-export data file."""
    micros = str(int(time.time() * 1_000_000))
    lines = [
        json.dumps(
            {
                "Metadata": {"WriteTimestampMicros": {"N": micros}},
                "Keys": {"pk": item["pk"], "sk": item["sk"]},
                "NewImage": item,
            }
        )
        for item in items
    ]
    key = f"{key_prefix}AWSDynamoDB/local-export/data/local-0000.json.gz"
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=1),
    )
    return key
