"""Stage 5: analytics. Raw archive (Firehose -> S3), Glue catalog, Athena, PITR exports.

Two paths reach Athena, as in AWS's connected-mobility solution:

- **raw telemetry**: a Firehose delivery stream reads the Kinesis stream and writes GZIP JSON
  lines to ``s3://<archive>/raw/telemetry/dt=YYYY-MM-DD/hour=HH/``. The partition is Firehose's
  ``!{timestamp}`` namespace, i.e. the record's Kinesis arrival time, which for live devices is
  the event hour within seconds; queries that need exact event time filter on ``ts`` as well.
- **aggregates**: every hour an incremental export of the DynamoDB table (it needs
  point-in-time recovery) lands in ``s3://<archive>/exports/aggregates/export_hour=.../`` and is
  read through its own Glue table.

Both Glue tables use partition projection, so no crawler or ``MSCK REPAIR`` is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration, Size, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from tap.pipeline.common import (
    acknowledge_nag,
    arn_ref,
    data_removal_policy,
    log_group,
    secure_bucket,
)

if TYPE_CHECKING:
    from aws_cdk import aws_dynamodb as dynamodb
    from aws_cdk import aws_kinesis as kinesis

    from tap.props import TapStackProps

__all__ = [
    "EXPORT_PREFIX",
    "RAW_PREFIX",
    "TelemetryAnalytics",
    "counted_readings_sql",
    "named_queries",
]

RAW_PREFIX = "raw/telemetry/"
EXPORT_PREFIX = "exports/aggregates/"
RESULTS_PREFIX = "results/"
_JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
_TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
_TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

_RAW_COLUMNS = [
    ("sensor_id", "string"),
    ("segment_id", "string"),
    ("ts", "string"),  # ISO-8601 UTC or epoch milliseconds, as the device sent it
    ("vehicle_count", "bigint"),
    ("avg_speed_kmh", "double"),
    ("occupancy_pct", "double"),
]
_N = "struct<n:string>"
_S = "struct<s:string>"
_IMAGE = (
    f"struct<pk:{_S},sk:{_S},segment_id:{_S},minute:{_S},vehicle_count:{_N},samples:{_N},"
    f"avg_speed_kmh:{_N},max_occupancy_pct:{_N},congestion_level:{_N},expires_at:{_N},"
    f"version:{_N},readings:struct<ss:array<string>>>"
)
_EXPORT_COLUMNS = [
    ("metadata", "struct<writetimestampmicros:struct<n:string>>"),
    ("keys", f"struct<pk:{_S},sk:{_S}>"),
    ("newimage", _IMAGE),
    ("oldimage", _IMAGE),
]


#: Days of data the named queries read.
QUERY_DAYS = 2
#: ``<sensor_id>|<ms-in-minute>|<vehicle_count>|<speed-milli>|<occupancy-milli>``: an
#: idempotency entry of an aggregate item (``lambda/processor/readings.py``,
#: ``Reading.entry``). The sensor id may itself contain ``|``: the fields are taken from the
#: right.
_ENTRY = r"^(.+)\|(\d+)\|(\d+)\|(\d+)\|(\d+)$"


def counted_readings_sql(db: str, aggregates: str, days: int = QUERY_DAYS) -> str:
    """``WITH`` clauses: ``latest_aggregates`` and ``counted_readings`` of the last ``days``.

    The readings the processor counted are the idempotency entries of the aggregate items
    (``readings`` string set). Each hourly incremental export holds the items written in that
    hour; the latest image of an item has every reading of its minute. So ``counted_readings``
    is, by construction, the set of readings the aggregates are computed from: valid under the
    device contract, each (sensor_id, ts) once, conflicting duplicates excluded.
    """
    since_minute = f"date_format(current_timestamp - INTERVAL '{days}' DAY, '%Y-%m-%dT%H:%i')"
    since_export = (
        f"date_format(current_timestamp - INTERVAL '{days}' DAY - INTERVAL '1' HOUR, '%Y-%m-%d-%H')"
    )

    def field(n: int) -> str:
        return f"regexp_extract(entry, '{_ENTRY}', {n})"

    return (
        "WITH latest_aggregates AS (\n"
        "  SELECT newimage AS image, row_number() OVER (PARTITION BY keys.pk.s, keys.sk.s "
        "ORDER BY CAST(metadata.writetimestampmicros.n AS bigint) DESC) AS rn\n"
        f"  FROM {db}.{aggregates}\n"
        f"  WHERE export_hour >= {since_export} AND keys.pk.s LIKE 'SEG#%' "
        "AND newimage IS NOT NULL\n"
        "), counted_entries AS (\n"
        "  SELECT image.segment_id.s AS segment_id, image.minute.s AS minute, entry\n"
        "  FROM latest_aggregates CROSS JOIN UNNEST(image.readings.ss) AS t (entry)\n"
        f"  WHERE rn = 1 AND image.minute.s >= {since_minute}\n"
        "), counted_readings AS (\n"
        f"  SELECT segment_id, minute, {field(1)} AS sensor_id,\n"
        f"    CAST({field(2)} AS integer) AS ms_in_minute,\n"
        f"    CAST({field(3)} AS bigint) AS vehicle_count,\n"
        f"    CAST({field(4)} AS double) / 1000 AS avg_speed_kmh,\n"
        f"    CAST({field(5)} AS double) / 1000 AS occupancy_pct\n"
        "  FROM counted_entries\n"
        ")\n"
    )


def named_queries(db: str, raw: str, aggregates: str) -> dict[str, tuple[str, str]]:
    """Short name -> (description, Trino SQL) of the workgroup's saved queries.

    Every query over *readings* reads ``counted_readings`` (:func:`counted_readings_sql`): the
    same readings as the aggregates. Only ``raw-archive-audit`` reads the raw archive, which
    keeps every message as it arrived (rejected, duplicated and malformed ones included).
    """
    counted = counted_readings_sql(db, aggregates)
    # "Severe" as in the processor's congestion level 3 (lambda/processor/aggregate.py):
    # occupancy >= 25 %, or speed < 32 km/h once occupancy is >= 8 %.
    severe = "(occupancy_pct >= 25 OR (occupancy_pct >= 8 AND avg_speed_kmh < 32))"
    recent = f"dt >= date_format(current_date - INTERVAL '{QUERY_DAYS - 1}' DAY, '%Y-%m-%d')"
    return {
        "hourly-volume-per-segment": (
            "Vehicles and readings per road segment and hour, as counted (last 2 days)",
            counted + "SELECT segment_id, substr(minute, 1, 10) AS dt, substr(minute, 12, 2) "
            "AS hour, SUM(vehicle_count) AS vehicles, COUNT(*) AS readings\n"
            "FROM counted_readings\nGROUP BY segment_id, substr(minute, 1, 10), "
            "substr(minute, 12, 2)\nORDER BY dt, hour, segment_id",
        ),
        "congestion-hotspots": (
            "Segments ranked by counted readings at severe congestion (last 2 days)",
            counted + f"SELECT segment_id, SUM(CASE WHEN {severe} THEN 1 ELSE 0 END) "
            "AS severe_readings, COUNT(*) AS readings, "
            "AVG(occupancy_pct) AS mean_occupancy_pct, AVG(avg_speed_kmh) AS mean_speed_kmh\n"
            "FROM counted_readings\nGROUP BY segment_id\n"
            f"HAVING SUM(CASE WHEN {severe} THEN 1 ELSE 0 END) > 0\n"
            "ORDER BY severe_readings DESC, mean_occupancy_pct DESC, segment_id\nLIMIT 20",
        ),
        "speed-percentiles": (
            "p50/p85/p95 of the counted readings' average speed per segment (last 2 days)",
            counted + "SELECT segment_id, approx_percentile(avg_speed_kmh, 0.5) AS p50_kmh, "
            "approx_percentile(avg_speed_kmh, 0.85) AS p85_kmh, "
            "approx_percentile(avg_speed_kmh, 0.95) AS p95_kmh, COUNT(*) AS readings\n"
            "FROM counted_readings\nGROUP BY segment_id\nORDER BY segment_id",
        ),
        "aggregates-from-pitr-export": (
            "Per-minute aggregates, latest exported image of each item (last 2 days)",
            counted + "SELECT image.segment_id.s AS segment_id, image.minute.s AS minute, "
            "CAST(image.vehicle_count.n AS bigint) AS vehicle_count, "
            "CAST(image.samples.n AS bigint) AS samples, "
            "CAST(image.avg_speed_kmh.n AS double) AS avg_speed_kmh, "
            "CAST(image.max_occupancy_pct.n AS double) AS max_occupancy_pct, "
            "CAST(image.congestion_level.n AS integer) AS congestion_level\n"
            "FROM latest_aggregates\nWHERE rn = 1 AND image.minute.s >= "
            f"date_format(current_timestamp - INTERVAL '{QUERY_DAYS}' DAY, '%Y-%m-%dT%H:%i')\n"
            "ORDER BY minute DESC, segment_id",
        ),
        "raw-archive-audit": (
            "Audit: messages per segment and hour as they arrived (raw archive, last 2 days), "
            "including the rejected, duplicated and malformed ones the aggregates do not count",
            "SELECT dt, hour, segment_id, COUNT(*) AS messages, "
            "COUNT(DISTINCT sensor_id || '|' || ts) AS distinct_identities\n"
            f"FROM {db}.{raw}\nWHERE {recent}\nGROUP BY dt, hour, segment_id\n"
            "ORDER BY dt, hour, segment_id",
        ),
    }


class TelemetryAnalytics(Construct):
    """Archive bucket, Firehose, Glue database/tables, Athena workgroup and PITR exports.

    Attributes
    ----------
    access_logs_bucket, archive_bucket, results_bucket:
        S3 buckets (CloudFormation-named). The archive holds ``raw/``, ``rejects/`` and
        ``exports/``; the results bucket belongs to the Athena workgroup alone.
    delivery_stream:
        ``tap-archive-<suffix>``, Kinesis stream -> archive bucket.
    database_name, raw_table_name, aggregates_table_name:
        Glue catalog names (``[a-z0-9_]``).
    workgroup:
        ``tap-analytics-<suffix>``; enforces its configuration, SSE-S3 results, bytes cap.
    named_queries:
        The saved queries, by short name.
    export_state_machine, export_schedule:
        The hourly incremental PITR export of the aggregates table.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: TapStackProps,
        stream: kinesis.IStream,
        table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        self._props = props
        suffix = props.suffix
        self._build_buckets(props)
        self._build_delivery_stream(props, stream)

        self._database_name = f"tap_analytics_{suffix}"
        self._raw_table_name = f"telemetry_raw_{suffix}"
        self._aggregates_table_name = f"aggregates_export_{suffix}"
        self._database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=Stack.of(self).account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=self._database_name,
                description="tap traffic analytics: raw telemetry and aggregate exports",
            ),
        )
        self._raw_table = self._json_table(
            "RawTable",
            name=self._raw_table_name,
            description="Raw sensor telemetry archived by Firehose (GZIP JSON lines)",
            columns=_RAW_COLUMNS,
            location=self._archive.s3_url_for_object(RAW_PREFIX),
            partitions=[("dt", "string"), ("hour", "string")],
            projection={
                "projection.dt.type": "date",
                "projection.dt.format": "yyyy-MM-dd",
                "projection.dt.range": "NOW-1YEARS,NOW",
                "projection.dt.interval": "1",
                "projection.dt.interval.unit": "DAYS",
                "projection.hour.type": "integer",
                "projection.hour.range": "0,23",
                "projection.hour.digits": "2",
                "storage.location.template": self._archive.s3_url_for_object(
                    RAW_PREFIX + "dt=${dt}/hour=${hour}/"
                ),
            },
        )
        self._aggregates_table = self._json_table(
            "AggregatesTable",
            name=self._aggregates_table_name,
            description="Incremental PITR exports of the DynamoDB aggregates (DYNAMODB_JSON)",
            columns=_EXPORT_COLUMNS,
            location=self._archive.s3_url_for_object(EXPORT_PREFIX),
            partitions=[("export_hour", "string")],
            projection={
                "projection.export_hour.type": "date",
                "projection.export_hour.format": "yyyy-MM-dd-HH",
                "projection.export_hour.range": "NOW-90DAYS,NOW",
                "projection.export_hour.interval": "1",
                "projection.export_hour.interval.unit": "HOURS",
                "storage.location.template": self._archive.s3_url_for_object(
                    EXPORT_PREFIX + "export_hour=${export_hour}/"
                ),
            },
        )
        self._build_workgroup(props)
        self._build_exports(props, table)

    # -- buckets ----------------------------------------------------------------------------

    def _build_buckets(self, props: TapStackProps) -> None:
        self._access_logs = secure_bucket(
            self,
            "AccessLogsBucket",
            props=props,
            access_logs=None,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs", prefix="s3/", expiration=Duration.days(90)
                )
            ],
        )
        acknowledge_nag(
            self._access_logs,
            "AwsSolutions-S1",
            "This is the server access log bucket of the other buckets; logging it into "
            "itself would create a log loop.",
        )
        self._archive = secure_bucket(
            self,
            "ArchiveBucket",
            props=props,
            access_logs=self._access_logs,
            access_logs_prefix="s3/archive/",
        )
        self._results = secure_bucket(
            self,
            "ResultsBucket",
            props=props,
            access_logs=self._access_logs,
            access_logs_prefix="s3/athena-results/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-query-results",
                    prefix=RESULTS_PREFIX,
                    expiration=Duration.days(30),
                )
            ],
        )

    # -- Firehose ---------------------------------------------------------------------------

    def _build_delivery_stream(self, props: TapStackProps, stream: kinesis.IStream) -> None:
        self._firehose_logs = log_group(
            self, "DeliveryLogs", name=f"/tap/firehose/archive-{props.suffix}", props=props
        )
        self._delivery_stream = firehose.DeliveryStream(
            self,
            "DeliveryStream",
            delivery_stream_name=f"tap-archive-{props.suffix}",
            source=firehose.KinesisStreamSource(stream),
            destination=firehose.S3Bucket(
                self._archive,
                data_output_prefix=RAW_PREFIX + "dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/",
                error_output_prefix=(
                    "raw/errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/"
                ),
                compression=firehose.Compression.GZIP,
                buffering_interval=Duration.minutes(5),
                buffering_size=Size.mebibytes(64),
                # IoT forwards each message as-is: without a newline the objects would hold
                # concatenated JSON that Athena's JSON SerDe cannot split into rows.
                processors=[firehose.AppendDelimiterToRecordProcessor()],
                logging_config=firehose.EnableLogging(self._firehose_logs),
            ),
        )
        # The S3 destination adds a log stream to our log group with CDK's default RETAIN.
        log_stream = self._firehose_logs.node.try_find_child("S3Destination")
        if log_stream is not None:
            log_stream.apply_removal_policy(data_removal_policy(props))  # type: ignore[attr-defined]
        destination_policy = self._delivery_stream.node.find_child("S3 Destination Role")
        for finding in (
            "Action::s3:Abort*",
            "Action::s3:DeleteObject*",
            "Action::s3:GetBucket*",
            "Action::s3:GetObject*",
            "Action::s3:List*",
            f"Resource::{arn_ref(self._archive)}/*",
        ):
            acknowledge_nag(
                destination_policy,
                f"AwsSolutions-IAM5[{finding}]",
                "Grant made by CDK's Firehose S3 destination (bucket.grantReadWrite on its own "
                "role): Firehose writes objects under keys it generates and aborts or cleans up "
                "failed multipart uploads; the grant covers only the archive bucket.",
            )
        acknowledge_nag(
            self._delivery_stream,
            "AwsSolutions-KDF1",
            "A delivery stream whose source is a Kinesis stream cannot enable its own "
            "server-side encryption; data stays encrypted by the source stream's KMS key, in "
            "transit by TLS, and at rest in S3 by SSE-S3.",
        )

    # -- Glue -------------------------------------------------------------------------------

    def _json_table(
        self,
        construct_id: str,
        *,
        name: str,
        description: str,
        columns: list[tuple[str, str]],
        location: str,
        partitions: list[tuple[str, str]],
        projection: dict[str, str],
    ) -> glue.CfnTable:
        table = glue.CfnTable(
            self,
            construct_id,
            catalog_id=Stack.of(self).account,
            database_name=self._database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name=name,
                description=description,
                table_type="EXTERNAL_TABLE",
                parameters={
                    "classification": "json",
                    "compressionType": "gzip",
                    "projection.enabled": "true",
                    **projection,
                },
                partition_keys=[
                    glue.CfnTable.ColumnProperty(name=n, type=t) for n, t in partitions
                ],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    location=location,
                    input_format=_TEXT_INPUT,
                    output_format=_TEXT_OUTPUT,
                    columns=[glue.CfnTable.ColumnProperty(name=n, type=t) for n, t in columns],
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library=_JSON_SERDE,
                        parameters={"ignore.malformed.json": "true"},
                    ),
                ),
            ),
        )
        table.node.add_dependency(self._database)
        return table

    # -- Athena -----------------------------------------------------------------------------

    def _build_workgroup(self, props: TapStackProps) -> None:
        self._workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=f"tap-analytics-{props.suffix}",
            description="tap traffic analytics",
            state="ENABLED",
            # The workgroup holds no data (results live in the results bucket): let
            # CloudFormation delete it with its saved queries in every environment.
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=props.athena_bytes_scanned_cutoff,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=self._results.s3_url_for_object(RESULTS_PREFIX),
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_S3"
                    ),
                    expected_bucket_owner=Stack.of(self).account,
                ),
            ),
        )
        queries = named_queries(
            self._database_name, self._raw_table_name, self._aggregates_table_name
        )
        self._named_queries: dict[str, athena.CfnNamedQuery] = {}
        for short, (description, sql) in queries.items():
            query = athena.CfnNamedQuery(
                self,
                f"Query-{short}",
                name=f"tap-{short}-{props.suffix}",
                description=description,
                database=self._database_name,
                work_group=self._workgroup.ref,
                query_string=sql + ";",
            )
            query.node.add_dependency(self._database)
            self._named_queries[short] = query

    # -- DynamoDB PITR -> S3 exports ----------------------------------------------------------

    def _build_exports(self, props: TapStackProps, table: dynamodb.ITable) -> None:
        """Hourly incremental export of the previous full hour (needs PITR on the table).

        A Step Functions JSONata state computes the window, so no function code is involved:
        [previous hour, this hour) in UTC, written under ``export_hour=YYYY-MM-DD-HH/``. The
        schedule fires at minute 15, leaving PITR's few minutes of lag behind the window end.
        The client token makes a retried run of the same hour idempotent.
        """
        window = sfn.Pass.jsonata(
            self,
            "Window",
            comment="Previous full UTC hour",
            assign={
                "start": "{% $floor($toMillis($now()) / 3600000) * 3600000 - 3600000 %}",
            },
        )
        export = tasks.CallAwsService.jsonata(
            self,
            "ExportTableToPointInTime",
            service="dynamodb",
            action="exportTableToPointInTime",
            iam_action="dynamodb:ExportTableToPointInTime",
            iam_resources=[table.table_arn],
            additional_iam_statements=[
                iam.PolicyStatement(
                    actions=["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectAcl"],
                    resources=[self._archive.arn_for_objects(f"{EXPORT_PREFIX}*")],
                )
            ],
            parameters={
                "TableArn": table.table_arn,
                "S3Bucket": self._archive.bucket_name,
                "S3BucketOwner": Stack.of(self).account,
                "S3Prefix": (
                    f"{{% '{EXPORT_PREFIX}export_hour=' & "
                    "$fromMillis($start, '[Y0001]-[M01]-[D01]-[H01]') %}"
                ),
                "ExportFormat": "DYNAMODB_JSON",
                "ExportType": "INCREMENTAL_EXPORT",
                "IncrementalExportSpecification": {
                    "ExportFromTime": "{% $fromMillis($start) %}",
                    "ExportToTime": "{% $fromMillis($start + 3600000) %}",
                    "ExportViewType": "NEW_AND_OLD_IMAGES",
                },
                "ClientToken": "{% 'tap-aggregates-' & $string($start) %}",
            },
        )
        self._export_logs = log_group(
            self,
            "ExportLogs",
            name=f"/aws/vendedlogs/states/tap-aggregates-export-{props.suffix}",
            props=props,
        )
        self._export_state_machine = sfn.StateMachine(
            self,
            "ExportStateMachine",
            state_machine_name=f"tap-aggregates-export-{props.suffix}",
            query_language=sfn.QueryLanguage.JSONATA,
            definition_body=sfn.DefinitionBody.from_chainable(window.next(export)),
            timeout=Duration.minutes(5),
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=self._export_logs,
                level=sfn.LogLevel.ALL,
                include_execution_data=False,
            ),
        )
        acknowledge_nag(
            self._export_state_machine,
            f"AwsSolutions-IAM5[Resource::{arn_ref(self._archive)}/{EXPORT_PREFIX}*]",
            "DynamoDB chooses the object keys of an export (AWSDynamoDB/<export id>/...); the "
            "grant is limited to the exports/aggregates/ prefix of the archive bucket.",
        )
        acknowledge_nag(
            self._export_state_machine,
            "AwsSolutions-IAM5[Resource::*]",
            "Step Functions logging to CloudWatch Logs (logs:CreateLogDelivery and related "
            "vended-log actions) and X-Ray tracing only support Resource '*'.",
        )
        self._export_schedule = events.Rule(
            self,
            "ExportSchedule",
            rule_name=f"tap-aggregates-export-{props.suffix}",
            description="Hourly incremental PITR export of the aggregates table",
            schedule=events.Schedule.cron(minute="15"),
            targets=[targets.SfnStateMachine(self._export_state_machine, retry_attempts=2)],
        )

    # -- read-only attributes -----------------------------------------------------------------

    @property
    def access_logs_bucket(self) -> s3.Bucket:
        return self._access_logs

    @property
    def archive_bucket(self) -> s3.Bucket:
        return self._archive

    @property
    def results_bucket(self) -> s3.Bucket:
        return self._results

    @property
    def delivery_stream(self) -> firehose.DeliveryStream:
        return self._delivery_stream

    @property
    def database_name(self) -> str:
        return self._database_name

    @property
    def raw_table_name(self) -> str:
        return self._raw_table_name

    @property
    def aggregates_table_name(self) -> str:
        return self._aggregates_table_name

    @property
    def workgroup(self) -> athena.CfnWorkGroup:
        return self._workgroup

    @property
    def named_queries(self) -> dict[str, athena.CfnNamedQuery]:
        return dict(self._named_queries)

    @property
    def export_state_machine(self) -> sfn.StateMachine:
        return self._export_state_machine

    @property
    def export_schedule(self) -> events.Rule:
        return self._export_schedule
