"""The CloudWatch dashboard: named with the suffix, a stack output, and every graph drawing a
metric that a resource of the stack really publishes under that namespace and dimensions."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Template

from tests.unit.stack_helpers import only

REPO = Path(__file__).resolve().parents[2]


def _render(value: Any) -> str:
    """DashboardBody (Fn::Join of text and references) as text; a reference becomes
    ``<Ref:LogicalId>`` or ``<GetAtt:LogicalId.Attribute>``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_render(p) for p in parts)
    if isinstance(value, dict) and "Ref" in value:
        return f"<Ref:{value['Ref']}>"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return f"<GetAtt:{'.'.join(value['Fn::GetAtt'])}>"
    raise AssertionError(f"unexpected intrinsic in the dashboard body: {value}")


def _metrics(dev: Template) -> list[tuple[str, list[dict[str, Any]]]]:
    """(widget title, [{namespace, name, dimensions}]) of every graph."""
    dashboard = only(dev, "AWS::CloudWatch::Dashboard")["Properties"]
    body = json.loads(_render(dashboard["DashboardBody"]))
    found = []
    for widget in body["widgets"]:
        metrics = []
        for row in widget["properties"]["metrics"]:
            fields = [f for f in row if not isinstance(f, dict)]
            namespace, name, *dims = fields
            metrics.append(
                {
                    "namespace": namespace,
                    "name": name,
                    "dimensions": dict(zip(dims[::2], dims[1::2], strict=True)),
                }
            )
        found.append((widget["properties"]["title"], metrics))
    return found


def _ref(dev: Template, type_name: str, **match: Any) -> str:
    for lid, resource in dev.find_resources(type_name).items():
        props = resource.get("Properties", {})
        if all(props.get(k) == v for k, v in match.items()):
            return lid
    raise AssertionError(f"no {type_name} with {match}")


def _emitted_by_code(name: str) -> bool:
    """A TapTraffic metric name that one of the functions publishes."""
    code = (REPO / "lambda/processor/app.py").read_text() + (
        REPO / "lambda/alert/app.py"
    ).read_text()
    return re.search(rf'"{re.escape(name)}"', code) is not None


def test_dashboard_is_named_with_the_suffix_and_is_an_output(dev: Template) -> None:
    dashboard = only(dev, "AWS::CloudWatch::Dashboard")["Properties"]
    assert dashboard["DashboardName"] == "tap-pipeline-dev"
    outputs = dev.to_json()["Outputs"]
    assert outputs["DashboardName"]["Value"] == {
        "Ref": next(iter(dev.find_resources("AWS::CloudWatch::Dashboard")))
    }


def test_every_graph_draws_a_metric_the_stack_publishes(dev: Template) -> None:
    stream = _ref(dev, "AWS::Kinesis::Stream")
    processor = _ref(dev, "AWS::Lambda::Function", FunctionName="tap-processor-dev")
    table = _ref(dev, "AWS::DynamoDB::Table")
    rule = _ref(dev, "AWS::IoT::TopicRule")
    topic = _ref(dev, "AWS::SNS::Topic")
    dlq = _ref(dev, "AWS::SQS::Queue", QueueName="tap-processor-dlq-dev")
    processor_env = dev.find_resources("AWS::Lambda::Function")[processor]["Properties"][
        "Environment"
    ]["Variables"]
    # What each AWS namespace publishes, and under which dimension of which resource.
    expected_dimensions = {
        "AWS/IoT": {"RuleName": f"<Ref:{rule}>"},
        "AWS/Kinesis": {"StreamName": f"<Ref:{stream}>"},
        "AWS/Lambda": {"FunctionName": f"<Ref:{processor}>"},
        "AWS/SQS": {"QueueName": f"<GetAtt:{dlq}.QueueName>"},
        "AWS/DynamoDB": {"TableName": f"<Ref:{table}>"},
        "AWS/SNS": {"TopicName": f"<GetAtt:{topic}.TopicName>"},
    }
    seen: set[str] = set()
    for title, metrics in _metrics(dev):
        assert metrics, f"{title}: no metric"
        for metric in metrics:
            namespace, name, dims = metric["namespace"], metric["name"], metric["dimensions"]
            seen.add(name)
            if namespace in expected_dimensions:
                assert dims == expected_dimensions[namespace], (title, metric)
            else:
                # Our own metrics: published by the function code in the namespace it is
                # configured with; the processor's carry Powertools' service dimension.
                assert namespace == processor_env["POWERTOOLS_METRICS_NAMESPACE"], metric
                assert _emitted_by_code(name), f"{title}: no function publishes {name}"
                if name != "CongestedSegments":
                    assert dims == {"service": processor_env["POWERTOOLS_SERVICE_NAME"]}
                else:
                    assert dims == {}  # the alert function's fleet-wide gauge
    # THEN the rows the operator needs are all there
    assert {
        "TopicMatch",
        "IncomingRecords",
        "GetRecords.IteratorAgeMilliseconds",
        "IteratorAge",
        "Invocations",
        "Errors",
        "Throttles",
        "Duration",
        "ApproximateNumberOfMessagesVisible",
        "RecordsRejected",
        "ReadingsConflicting",
        "ConsumedWriteCapacityUnits",
        "CongestedSegments",
        "NumberOfMessagesPublished",
    } <= seen
