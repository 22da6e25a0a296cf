"""End to end: publish a scenario, read the aggregates back, query the raw archive.

Two backends run the same scenario and the same checks:

* ``deployed``: the stack of ``cfn-outputs/flat-outputs.json`` (written by ``make deploy``):
  IoT Core publish -> DynamoDB polled -> Athena query in the workgroup. Skipped, with that
  reason, when the file is missing;
* ``local``: ``tap.local`` on the synthesized template (moto + DuckDB), always run (CI).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.integration.scenario import Scenario, build, local_aggregates

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
OUTPUTS = REPO / "cfn-outputs" / "flat-outputs.json"
POLL_SECONDS = 240
#: Firehose buffers up to 300 s before writing the archive Athena reads.
ARCHIVE_SECONDS = 480


def _outputs() -> dict[str, str]:
    if not OUTPUTS.exists():
        pytest.skip(f"{OUTPUTS.relative_to(REPO)} not found: deploy a stack (make deploy) first")
    raw = json.loads(OUTPUTS.read_text())
    flat: dict[str, str] = {}
    for key, value in raw.items():  # `cdk deploy --outputs-file` nests outputs by stack
        flat.update(value if isinstance(value, dict) else {key: value})
    return flat


class Deployed:
    def __init__(self, outputs: dict[str, str]) -> None:
        import boto3

        self.outputs = outputs
        endpoint = boto3.client("iot").describe_endpoint(endpointType="iot:Data-ATS")
        self.iot = boto3.client("iot-data", endpoint_url=f"https://{endpoint['endpointAddress']}")
        self.dynamodb = boto3.client("dynamodb")
        self.athena = boto3.client("athena")

    def publish(self, scenario: Scenario, tag: str) -> None:
        prefix = self.outputs.get("IotTopicPrefix", "traffic/v1")
        for line in scenario.lines:
            try:
                sensor = json.loads(line).get("sensor_id") or f"{tag}-bad"
            except (ValueError, AttributeError):
                sensor = f"{tag}-bad"
            self.iot.publish(topic=f"{prefix}/{sensor}/telemetry", qos=1, payload=line.encode())

    def aggregates(self, expected: dict[tuple[str, str], Any]) -> dict[tuple[str, str], Any]:
        deadline = time.monotonic() + POLL_SECONDS
        while True:
            seen = {}
            for segment, minute in expected:
                item = self.dynamodb.get_item(
                    TableName=self.outputs["TableName"],
                    Key={"pk": {"S": f"SEG#{segment}"}, "sk": {"S": f"MIN#{minute}"}},
                    ConsistentRead=True,
                ).get("Item")
                if item:
                    seen[(segment, minute)] = {
                        "segment_id": segment,
                        "minute": minute,
                        "vehicle_count": int(item["vehicle_count"]["N"]),
                        "samples": int(item["samples"]["N"]),
                        "avg_speed_kmh": float(item["avg_speed_kmh"]["N"])
                        if "avg_speed_kmh" in item
                        else None,
                        "max_occupancy_pct": float(item["max_occupancy_pct"]["N"]),
                        "congestion_level": int(item["congestion_level"]["N"]),
                    }
            if seen == expected or time.monotonic() > deadline:
                return seen
            time.sleep(10)

    def raw_counts(self, tag: str) -> dict[str, int]:
        database = self.outputs["GlueDatabaseName"]
        table = self.outputs["RawTableName"]
        query = (
            f"SELECT segment_id, COUNT(*) AS n FROM {database}.{table} "
            f"WHERE dt >= date_format(current_date - INTERVAL '1' DAY, '%Y-%m-%d') "
            f"AND segment_id LIKE '{tag}-%' GROUP BY segment_id"
        )
        deadline = time.monotonic() + ARCHIVE_SECONDS
        while True:
            rows = self._athena(query)
            counts = {r[0]: int(r[1]) for r in rows}
            if counts or time.monotonic() > deadline:
                return counts
            time.sleep(30)

    def _athena(self, query: str) -> list[list[str]]:
        started = self.athena.start_query_execution(
            QueryString=query, WorkGroup=self.outputs["AthenaWorkGroupName"]
        )["QueryExecutionId"]
        while True:
            state = self.athena.get_query_execution(QueryExecutionId=started)["QueryExecution"][
                "Status"
            ]["State"]
            if state in ("SUCCEEDED", "FAILED", "CANCELLED"):
                break
            time.sleep(2)
        assert state == "SUCCEEDED", f"Athena query {state}"
        result = self.athena.get_query_results(QueryExecutionId=started)["ResultSet"]["Rows"]
        return [[c.get("VarCharValue") for c in row["Data"]] for row in result[1:]]


class Local:
    def __init__(self, template: Path, workdir: Path) -> None:
        self.template = template
        self.workdir = workdir
        self.result: dict[str, Any] = {}

    def publish(self, scenario: Scenario, tag: str) -> None:
        from tap.local.run import RunOptions, run_pipeline

        path = self.workdir / f"{tag}.jsonl"
        path.write_text("\n".join(scenario.lines) + "\n")
        self.result = run_pipeline(RunOptions(input=path, template=self.template))

    def aggregates(self, expected: dict[tuple[str, str], Any]) -> dict[tuple[str, str], Any]:
        return local_aggregates(self.result)

    def raw_counts(self, tag: str) -> dict[str, int]:
        # The same question as the deployed check, asked of the archive's Glue table on DuckDB
        # through the workgroup's audit query (the one query that reads the raw archive).
        audit = next(
            rows for name, rows in self.result["queries"].items() if "raw-archive-audit" in name
        )
        counts: dict[str, int] = {}
        for row in audit:
            segment = row["segment_id"]
            if segment and segment.startswith(f"{tag}-"):
                counts[segment] = counts.get(segment, 0) + row["messages"]
        return counts


@pytest.fixture(params=["local", "deployed"])
def backend(request, tmp_path):
    if request.param == "deployed":
        return Deployed(_outputs())
    return Local(request.getfixturevalue("dev_template"), tmp_path)


def test_scenario_end_to_end(backend):
    # GIVEN a scenario of valid, duplicated and invalid messages, unique to this run
    tag = f"it{int(time.time())}"
    scenario = build(base_ms=(int(time.time()) // 60 - 3) * 60_000, tag=tag)
    expected = scenario.expected_aggregates()
    # WHEN every message is published
    backend.publish(scenario, tag)
    # THEN the aggregates are those of the distinct valid readings
    assert backend.aggregates(expected) == expected
    # AND the raw archive, queried as Athena does, holds every message with a segment
    assert backend.raw_counts(tag) == scenario.raw_readings_per_segment()
