"""The whole pipeline on one machine: moto for AWS, the real handlers, DuckDB for Athena.

Steps of :func:`run_pipeline`:

1. read the synthesized template (:mod:`tap.local.template`) and create, on moto, the DynamoDB
   tables (keys, GSIs, TTL), Kinesis streams, S3 buckets, SQS queues and SNS topics it defines,
   with the names it gives them: the schema under test is the deployed one;
2. publish each non-blank input line to the stream the way the IoT rule does (one record per
   message, partition key = segment id, else sensor id), onto the stream's shards in memory
   (:class:`tap.local.memory.MemoryStream`);
3. deliver the stream to the processor handler (``lambda/processor/app.py``, with the
   environment the template gives the function) with the event source mapping's semantics,
   including forced redeliveries and, optionally, injected DynamoDB throttling
   (:mod:`tap.local.delivery`); the processor's DynamoDB and S3 calls go to in-memory
   stand-ins (:mod:`tap.local.memory`) or, with ``processor_aws="moto"``, to moto;
4. write the raw archive as the Firehose delivery stream would, and an incremental export of
   the aggregates table (:mod:`tap.local.archive`);
5. run the alert handler once, with an SQS queue subscribed to the alert topic;
6. load the Glue tables into DuckDB and run the workgroup's named queries
   (:mod:`tap.local.athena`);
7. account for every input line: aggregated (its reading is in the idempotency set of its
   item), duplicate (of an earlier line), conflicting duplicate or rejected (its reject object
   exists, with its reason), dead-lettered (its batch went to the on-failure destination),
   blank (ignored) or lost (none of these: a bug).
"""

from __future__ import annotations

import calendar
import contextlib
import functools
import io
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tap.local.archive import java_time_format, write_export, write_firehose_archive
from tap.local.athena import GlueTable, NamedQuery, build_database, run_named_queries
from tap.local.delivery import MappingSettings, StreamDelivery
from tap.local.functions import LambdaContext, load_function
from tap.local.memory import MemoryObjects, MemoryStream, MemoryTable
from tap.local.template import REGION, StackModel, TemplateError

__all__ = ["IOT_MAX_MESSAGE_BYTES", "InputError", "RunOptions", "read_input", "run_pipeline"]

#: IoT Core refuses messages over 128 KiB: such lines never reach the stream.
IOT_MAX_MESSAGE_BYTES = 128 * 1024


class InputError(Exception):
    """The input file cannot be read (one line, for the user)."""


@dataclass(frozen=True)
class RunOptions:
    input: Path
    template: Path
    seed: int = 7
    redeliver_rate: float = 0.3
    throttle_rate: float = 0.0
    verbose: bool = False
    #: Progress bar on stderr: ``None`` = only when stderr is a terminal (tqdm's rule).
    progress: bool | None = None
    #: Where the processor's AWS calls (DynamoDB, S3 rejects) go: ``memory``
    #: (:mod:`tap.local.memory`, fast) or ``moto``. The alert function always uses moto.
    processor_aws: str = "memory"

    def __post_init__(self) -> None:
        for name in ("redeliver_rate", "throttle_rate"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0 <= value <= 1):
                raise InputError(f"--{name.replace('_', '-')} must be in [0, 1], got {value}")
        if self.processor_aws not in ("memory", "moto"):
            raise InputError(f"--processor-aws must be memory or moto, got {self.processor_aws}")


class _Sink(io.TextIOBase):
    """Where the functions' stdout (Powertools logs and EMF metrics) goes."""

    target: Any = None

    def write(self, text: str) -> int:
        if self.target is not None:
            self.target.write(text)
        return len(text)


_FUNCTION_OUTPUT = _Sink()


def read_input(path: Path) -> list[bytes]:
    """One message per line (``\\n``, optional ``\\r``); a final newline ends the last line.

    Blank (whitespace-only) lines are kept as ``b""`` so that line numbers stay those of the
    file; they are not messages (an editor's trailing blank line is not a device fault) and
    are never published."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: input file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read input file ({exc.strerror})") from None
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [b"" if not line.strip() else line.removesuffix(b"\r") for line in lines]


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_DEV": "false",
}


# --------------------------------------------------------------------------- provisioning


def _create_table(dynamodb: Any, props: dict[str, Any], name: str) -> None:
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    throughput = props.get("ProvisionedThroughput") or {
        "ReadCapacityUnits": 5,
        "WriteCapacityUnits": 5,
    }
    if kwargs["BillingMode"] == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = throughput
    indexes = []
    for gsi in props.get("GlobalSecondaryIndexes") or []:
        index = {k: gsi[k] for k in ("IndexName", "KeySchema", "Projection")}
        if kwargs["BillingMode"] == "PROVISIONED":
            index["ProvisionedThroughput"] = gsi.get("ProvisionedThroughput", throughput)
        indexes.append(index)
    if indexes:
        kwargs["GlobalSecondaryIndexes"] = indexes
    dynamodb.create_table(**kwargs)
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
        )


def _provision(stack: StackModel, clients: dict[str, Any]) -> None:
    for lid, resource in stack.of_type("AWS::DynamoDB::Table").items():
        _create_table(clients["dynamodb"], resource.get("Properties") or {}, stack.ref(lid))
    for lid, resource in stack.of_type("AWS::Kinesis::Stream").items():
        props = resource.get("Properties") or {}
        mode = (props.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED")
        if mode == "ON_DEMAND":
            clients["kinesis"].create_stream(
                StreamName=stack.ref(lid), StreamModeDetails={"StreamMode": "ON_DEMAND"}
            )
        else:
            clients["kinesis"].create_stream(
                StreamName=stack.ref(lid), ShardCount=int(props.get("ShardCount", 1))
            )
    for lid in stack.of_type("AWS::S3::Bucket"):
        clients["s3"].create_bucket(Bucket=stack.ref(lid))
    for lid in stack.of_type("AWS::SQS::Queue"):
        clients["sqs"].create_queue(QueueName=stack.physical_name(lid))
    for lid in stack.of_type("AWS::SNS::Topic"):
        clients["sns"].create_topic(Name=stack.physical_name(lid))


# --------------------------------------------------------------------------- the processor


def _mapping(stack: StackModel, function_lid: str) -> tuple[str, MappingSettings]:
    """The stream feeding the function and the mapping's settings."""
    for resource in stack.of_type("AWS::Lambda::EventSourceMapping").values():
        props = resource.get("Properties") or {}
        if stack.logical_id_of(props.get("FunctionName")) != function_lid:
            continue
        stream_lid = stack.logical_id_of(props.get("EventSourceArn"))
        if stream_lid is None:
            continue
        on_failure = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
            "Destination"
        )
        queue_lid = stack.logical_id_of(on_failure)
        settings = MappingSettings(
            batch_size=int(props.get("BatchSize", 100)),
            maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
            bisect_on_error=bool(props.get("BisectBatchOnFunctionError", False)),
            report_batch_item_failures="ReportBatchItemFailures"
            in (props.get("FunctionResponseTypes") or []),
            on_failure_queue_url=stack.ref(queue_lid) if queue_lid else None,
        )
        return stream_lid, settings
    raise TemplateError(f"{stack.path}: no event source mapping feeds {function_lid}")


def _publish(
    kinesis: Any, stream: str, lines: list[bytes]
) -> tuple[dict[int, tuple[str, str]], MemoryStream]:
    """Put each line as one record, keyed as the IoT rule keys it, on the stream's shards
    (:class:`tap.local.memory.MemoryStream`); line number (1-based) -> (shard, sequence)."""
    memory = MemoryStream(kinesis.list_shards(StreamName=stream)["Shards"])
    placed: dict[int, tuple[str, str]] = {}
    for n, line in enumerate(lines, start=1):
        if line and len(line) <= IOT_MAX_MESSAGE_BYTES:
            placed[n] = memory.put(line, _partition_key(n, line))
    return placed, memory


def _partition_key(line_number: int, line: bytes) -> str:
    """The IoT rule's key (``tap.pipeline.ingest.PARTITION_KEY``): the payload's segment_id,
    else the sensor id of the topic the device published on (here: the payload's sensor_id)."""
    try:
        body = json.loads(line)
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict):
        for name in ("segment_id", "sensor_id"):
            value = body.get(name)
            if value is not None and not isinstance(value, dict | list):
                text = value if isinstance(value, str) else json.dumps(value)
                if 0 < len(text) <= 256:
                    return text
    return f"line-{line_number}"


def _inject_throttling(client: Any, rate: float, rng: random.Random) -> dict[str, int]:
    """Make a share of the client's DynamoDB writes fail with a throttling error."""
    from botocore.awsrequest import AWSResponse

    counter = {"throttled": 0}

    def maybe_throttle(**_: Any) -> Any:
        if rng.random() >= rate:
            return None
        counter["throttled"] += 1
        error = {
            "Error": {
                "Code": "ProvisionedThroughputExceededException",
                "Message": "injected by tap.local --throttle-rate",
            },
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        return AWSResponse("https://dynamodb.local", 400, {}, None), error

    client.meta.events.register("before-call.dynamodb.UpdateItem", maybe_throttle)
    return counter


# --------------------------------------------------------------------------- analytics


def _glue_tables(stack: StackModel) -> list[GlueTable]:
    tables = []
    for lid, resource in stack.of_type("AWS::Glue::Table").items():
        props = resource.get("Properties") or {}
        table_input = props.get("TableInput") or {}
        descriptor = table_input.get("StorageDescriptor") or {}
        location = stack.render(descriptor.get("Location"))
        if not location:
            raise TemplateError(f"{stack.path}: cannot resolve the location of {lid}")
        tables.append(
            GlueTable(
                database=stack.render(props.get("DatabaseName")),
                name=stack.render(table_input.get("Name")) or lid.lower(),
                columns=[(c["Name"], c["Type"]) for c in descriptor.get("Columns") or []],
                partition_keys=[
                    (c["Name"], c["Type"]) for c in table_input.get("PartitionKeys") or []
                ],
                location=location if location.endswith("/") else location + "/",
                location_template=stack.render(
                    (table_input.get("Parameters") or {}).get("storage.location.template")
                ),
            )
        )
    return tables


def _named_queries(stack: StackModel) -> list[NamedQuery]:
    return [
        NamedQuery(
            name=stack.render(props.get("Name")) or lid,
            database=stack.render(props.get("Database")),
            query=props.get("QueryString", ""),
        )
        for lid, props in (
            (lid, r.get("Properties") or {})
            for lid, r in stack.of_type("AWS::Athena::NamedQuery").items()
        )
    ]


def _archive(stack: StackModel, clients: dict[str, Any], records: list[dict]) -> list[str]:
    keys: list[str] = []
    for lid, resource in stack.of_type("AWS::KinesisFirehose::DeliveryStream").items():
        props = resource.get("Properties") or {}
        destination = props.get("ExtendedS3DestinationConfiguration") or props.get(
            "S3DestinationConfiguration"
        )
        bucket_lid = stack.logical_id_of((destination or {}).get("BucketARN"))
        if not destination or not bucket_lid:
            continue
        keys += write_firehose_archive(
            clients["s3"], destination, stack.ref(bucket_lid), stack.ref(lid), records
        )
    return keys


def _export_aggregates(
    stack: StackModel, clients: dict[str, Any], tables: list[GlueTable], items: list[dict]
) -> str | None:
    """Write the items where the Glue table of DynamoDB exports (a ``newimage`` column) reads."""
    for lid, resource in stack.of_type("AWS::Glue::Table").items():
        table_input = (resource.get("Properties") or {}).get("TableInput") or {}
        columns = (table_input.get("StorageDescriptor") or {}).get("Columns") or []
        if not any(c["Name"].lower() == "newimage" for c in columns):
            continue
        table = next(
            t for t in tables if t.name == (stack.render(table_input.get("Name")) or lid.lower())
        )
        parameters = table_input.get("Parameters") or {}
        path = table.location_template or table.location
        for name, _ in table.partition_keys:
            java = parameters.get(f"projection.{name}.format", "yyyy-MM-dd-HH")
            path = path.replace("${" + name + "}", java_time_format(java, time.time()))
        bucket, _, prefix = path.removeprefix("s3://").partition("/")
        return write_export(clients["s3"], bucket, prefix, items)
    return None


# --------------------------------------------------------------------------- alerts


def _run_alert(stack: StackModel, clients: dict[str, Any], items: list[dict]) -> dict[str, Any]:
    try:
        function_lid = stack.function_by_env("TOPIC_ARN")
    except TemplateError:
        return {"skipped": "no alert function in the template"}
    env = stack.function_environment(function_lid)
    capture = clients["sqs"].create_queue(QueueName="tap-local-alert-capture")["QueueUrl"]
    capture_arn = clients["sqs"].get_queue_attributes(
        QueueUrl=capture, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    clients["sns"].subscribe(TopicArn=env["TOPIC_ARN"], Protocol="sqs", Endpoint=capture_arn)
    minutes = [i["minute"]["S"] for i in items if "minute" in i]
    reference = (
        time.strftime("%Y-%m-%dT%H:%M:59Z", time.strptime(max(minutes), "%Y-%m-%dT%H:%MZ"))
        if minutes
        else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    )
    with _environment(env), contextlib.redirect_stdout(_FUNCTION_OUTPUT):
        alert = load_function("alert", fresh=True)
        summary = alert.handler(
            {"source": "aws.events", "time": reference}, LambdaContext(function_name="alert")
        )
    messages = []
    while True:
        received = clients["sqs"].receive_message(QueueUrl=capture, MaxNumberOfMessages=10)
        batch = received.get("Messages", [])
        if not batch:
            break
        for message in batch:
            envelope = json.loads(message["Body"])
            messages.append(json.loads(envelope["Message"]))
            clients["sqs"].delete_message(QueueUrl=capture, ReceiptHandle=message["ReceiptHandle"])
    return {"reference_time": reference, "summary": summary, "messages": messages}


# --------------------------------------------------------------------------- results


def _aggregate_entry(item: dict[str, Any]) -> dict[str, Any]:
    def number(name: str) -> float | None:
        return float(item[name]["N"]) if name in item else None

    return {
        "segment_id": item["segment_id"]["S"],
        "minute": item["minute"]["S"],
        "vehicle_count": int(item["vehicle_count"]["N"]),
        "samples": int(item["samples"]["N"]),
        "avg_speed_kmh": number("avg_speed_kmh"),
        "max_occupancy_pct": number("max_occupancy_pct"),
        "congestion_level": int(item["congestion_level"]["N"]),
    }


def _key_names(stack: StackModel, table_name: str) -> tuple[str, ...]:
    for lid, resource in stack.of_type("AWS::DynamoDB::Table").items():
        if stack.ref(lid) == table_name:
            schema = (resource.get("Properties") or {}).get("KeySchema") or []
            order = {"HASH": 0, "RANGE": 1}
            return tuple(
                k["AttributeName"] for k in sorted(schema, key=lambda k: order[k["KeyType"]])
            )
    raise TemplateError(f"{stack.path}: no table named {table_name}")


def _copy_for_alert(
    stack: StackModel, dynamodb: Any, table: str, items: list[dict[str, Any]]
) -> None:
    """Copy into moto the aggregates the alert function reads: those of its lookback window
    (``LOOKBACK_MINUTES`` up to the latest minute, which is the run's reference time)."""
    try:
        lookback = int(
            stack.function_environment(stack.function_by_env("TOPIC_ARN")).get(
                "LOOKBACK_MINUTES", "5"
            )
        )
    except TemplateError:
        return
    minutes = sorted({i["minute"]["S"] for i in items if "minute" in i})
    recent = set(minutes[-(lookback + 1) :])
    chosen = [i for i in items if i.get("minute", {}).get("S") in recent]
    for start in range(0, len(chosen), 25):
        dynamodb.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": i}} for i in chosen[start : start + 25]]}
        )


def _scan(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        items.extend(page["Items"])
    return items


def _rejects(s3: Any, bucket: str, prefix: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(shard, sequence number) -> the processor's reject object."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            body = json.loads(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())
            shard = str(body.get("event_id", "")).split(":", 1)[0]
            found[(shard, str(body.get("sequence_number")))] = body
    return found


def _epoch_minute(label: str) -> int:
    """Epoch minute of an aggregate's ``YYYY-MM-DDTHH:MMZ`` label."""
    return calendar.timegm(time.strptime(label, "%Y-%m-%dT%H:%MZ")) // 60


def _memory_rejects(objects: MemoryObjects) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for body in objects.objects.values():
        reject = json.loads(body)
        shard = str(reject.get("event_id", "")).split(":", 1)[0]
        found[(shard, str(reject.get("sequence_number")))] = reject
    return found


@dataclass
class _Accounting:
    status: dict[int, str]
    rejected: list[dict[str, Any]]


def _account(
    lines: list[bytes],
    placed: dict[int, tuple[str, str]],
    rejects: dict[tuple[str, str], dict[str, Any]],
    dead: set[tuple[str, str]],
    items: list[dict[str, Any]],
) -> _Accounting:
    """Status of each line, from what the pipeline wrote (not from what it should have)."""
    readings = _parse_reading()
    from store import entry_key  # the processor's module, on sys.path once it is loaded

    counted = {
        (i["segment_id"]["S"], entry_key(entry, _epoch_minute(i["minute"]["S"])))
        for i in items
        if "readings" in i
        for entry in i["readings"]["SS"]
    }
    status: dict[int, str] = {}
    rejected: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for n, line in enumerate(lines, start=1):
        if not line:
            status[n] = "blank"
            continue
        if n not in placed:
            status[n] = "rejected"
            rejected.append({"line": n, "reason": "oversized: over IoT Core's 128 KiB limit"})
            continue
        reject = rejects.get(placed[n])
        if reject is not None:
            conflict = str(reject.get("reason", "")).startswith("conflicting-duplicate")
            status[n] = "conflicting-duplicate" if conflict else "rejected"
            entry: dict[str, Any] = {"line": n, "reason": reject.get("reason", "")}
            if conflict:
                entry.update(counted=reject.get("counted"), received=reject.get("received"))
            rejected.append(entry)
            continue
        reading = readings(line)
        identity = None if isinstance(reading, str) else (reading.segment_id, reading.key)
        if identity in counted:
            status[n] = "duplicate" if identity in seen else "aggregated"
            seen.add(identity)
        elif placed[n] in dead:
            status[n] = "dead-lettered"
        else:
            status[n] = "lost"
    return _Accounting(status, rejected)


def _parse_reading() -> Any:
    load_function("processor")
    import readings  # the processor's module, on sys.path once the function is loaded

    return readings.parse_reading


def run_pipeline(options: RunOptions) -> dict[str, Any]:
    """Run the pipeline on ``options.input``; the result object of ``--json``."""
    from tqdm import tqdm

    from tap.local.template import load_stack

    stack = load_stack(options.template)
    lines = read_input(options.input)
    bar = tqdm(
        total=sum(1 for line in lines if line),
        unit=" msg",
        desc="publishing",
        file=sys.stderr,
        disable=None if options.progress is None else not options.progress,
        leave=False,
        dynamic_ncols=True,
    )
    rng = random.Random(options.seed)
    _FUNCTION_OUTPUT.target = sys.stderr if options.verbose else None

    import boto3
    from moto import mock_aws

    with _environment(_FAKE_AWS), mock_aws():
        clients = {
            n: boto3.client(n, region_name=REGION)
            for n in ("dynamodb", "kinesis", "s3", "sqs", "sns")
        }
        _provision(stack, clients)
        processor_lid = stack.function_by_env("REJECTS_BUCKET")
        env = stack.function_environment(processor_lid)
        stream_lid, settings = _mapping(stack, processor_lid)
        stream = stack.ref(stream_lid)
        placed, memory_stream = _publish(clients["kinesis"], stream, lines)
        bar.set_description("processing")
        table_name = env["TABLE_NAME"]
        memory = options.processor_aws == "memory"
        memory_table = MemoryTable({table_name: _key_names(stack, table_name)}) if memory else None
        memory_s3 = MemoryObjects({env["REJECTS_BUCKET"]}) if memory else None

        with _environment(env), contextlib.redirect_stdout(_FUNCTION_OUTPUT):
            processor = load_function("processor", fresh=True)
            processor._clients.cache_clear()
            if memory_table is not None:
                # The handler's client factory, replaced by the stand-ins.
                processor._clients = functools.lru_cache(maxsize=1)(  # type: ignore[attr-defined]
                    lambda: (memory_table, memory_s3)
                )
            throttles = (
                _inject_throttling(processor._clients()[0], options.throttle_rate, rng)
                if options.throttle_rate > 0
                else {"throttled": 0}
            )
            delivery = StreamDelivery(
                kinesis=clients["kinesis"],
                sqs=clients["sqs"],
                stream_name=stream,
                stream_arn=stack.arn(stream_lid),
                settings=settings,
                handler=processor.handler,
                function_arn=stack.arn(processor_lid),
                rng=rng,
                redeliver_rate=options.redeliver_rate,
                output=_FUNCTION_OUTPUT,
                progress=bar.update,
                shards=memory_stream.records,
            )
            stats = delivery.run()
            all_records = [r for rs in memory_stream.records.values() for r in rs]

        scanned = (
            memory_table.scan(TableName=table_name)["Items"]
            if memory_table is not None
            else _scan(clients["dynamodb"], table_name)
        )
        items = [i for i in scanned if i["pk"]["S"].startswith("SEG#")]
        if memory_table is not None:
            _copy_for_alert(stack, clients["dynamodb"], table_name, items)
        bar.set_description("archiving, querying")
        archive_keys = _archive(stack, clients, all_records)
        tables = _glue_tables(stack)
        _export_aggregates(stack, clients, tables, items)
        alerts = _run_alert(stack, clients, items)
        queries = run_named_queries(build_database(clients["s3"], tables), _named_queries(stack))
        rejects = (
            _memory_rejects(memory_s3)
            if memory_s3 is not None
            else _rejects(clients["s3"], env["REJECTS_BUCKET"], env.get("REJECTS_PREFIX", ""))
        )
        accounting = _account(lines, placed, rejects, set(stats.dead_lettered), items)
    bar.close()

    statuses = list(accounting.status.values())
    aggregates = sorted(map(_aggregate_entry, items), key=lambda a: (a["segment_id"], a["minute"]))
    return {
        "aggregates": aggregates,
        "rejected": accounting.rejected,
        "queries": queries,
        "alerts": alerts,
        "counts": {
            "lines": len(lines) - statuses.count("blank"),
            "blank_lines": statuses.count("blank"),
            "aggregated": statuses.count("aggregated"),
            "duplicates": statuses.count("duplicate"),
            "conflicting_duplicates": statuses.count("conflicting-duplicate"),
            "rejected": statuses.count("rejected") + statuses.count("conflicting-duplicate"),
            "dead_lettered": statuses.count("dead-lettered"),
            "lost": statuses.count("lost"),
            "aggregates": len(aggregates),
            "invocations": stats.invocations,
            "retries": stats.retries,
            "redeliveries": stats.redeliveries,
            "reported_item_failures": stats.reported_failures,
            "dlq_messages": stats.dlq_messages,
            "injected_throttles": throttles["throttled"],
            "archive_objects": len(archive_keys),
        },
    }
