"""Shared fixtures of the packaging tests: hand-written templates in a throw-away project.

The project folder (``cdk.json`` and the templates) lives under ``tmp_path``, outside this
repository, so the configuration the rule pack finds is the one each test writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def template(*, bucket_name: str = "shop-named-dev", lifecycle: bool = True) -> dict[str, Any]:
    """A template with an explicit bucket name without the account id (``s3-bucket-name``,
    error TAP-S3-1) and, unless ``lifecycle=False``, an unscoped lifecycle rule
    (``s3-lifecycle-filter``, warning TAP-S3-3)."""
    resources: dict[str, Any] = {
        "Named": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket_name}},
    }
    if lifecycle:
        resources["Archive"] = {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "LifecycleConfiguration": {"Rules": [{"Status": "Enabled", "ExpirationInDays": 30}]}
            },
        }
    return {"Resources": resources}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with ``cdk.json`` and ``Shop-dev.template.json``, as the working
    directory."""
    root = tmp_path / "shop"
    root.mkdir()
    (root / "cdk.json").write_text('{"app": "python3 app.py"}')
    (root / "Shop-dev.template.json").write_text(json.dumps(template()))
    monkeypatch.chdir(root)
    return root
