"""Start-up of ``python -m tap.rules check`` (issue 10): lazy imports and the on-disk cache.

GIVEN a synthesized CDK stack, WHEN the CLI runs in a fresh process (as a pre-commit hook or
an editor runs it), THEN it imports cfn-lint and sqlglot only when the template needs them
and the cache (``tap/rules/common/cache.py``) has no answer (cfn-lint: only for a resource the
cfn-schema pre-check cannot call clean), never botocore's session, and every finding is
the same with a cold cache, a warm one, a corrupt one or none. Classes covered through the
findings compared: ``cfn-schema`` (an escape-hatch property), ``iot-substitution`` and
``iam-code-permissions`` (a topic rule and a handler's SDK calls). No timing here: the
figures are in ``make bench`` (bench/startup.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iot as iot
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from tap.rules.common.cache import DiskCache

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("botocore.session", "cfnlint", "sqlglot")

# Runs the CLI in this process, then says which heavy libraries it imported.
_RUN = f"""
import json, sys
from tap.rules.cli import main
code = main(sys.argv[2:])
heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)
open(sys.argv[1], "w").write(json.dumps({{"exit": code, "heavy": heavy}}))
"""


def _synth(outdir: Path, build) -> Path:
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "StartupStack")
    stack.template_options.metadata = {
        "TapEnvironment": {"name": "test", "suffix": "dev", "ephemeral": True}
    }
    build(stack)
    app.synth()
    return outdir


def _full(stack: cdk.Stack) -> None:
    bucket = s3.Bucket(stack, "State", bucket_name="state-dev")
    bucket.node.default_child.add_property_override("UseLockfile", True)  # cfn-schema
    iot.CfnTopicRule(
        stack,
        "Ingest",
        rule_name="ingest_dev",
        topic_rule_payload=iot.CfnTopicRule.TopicRulePayloadProperty(
            sql="SELECT * FROM 'traffic/+/telemetry' GROUP BY x",  # iot-sql: no GROUP BY
            actions=[],
            aws_iot_sql_version="2016-03-23",
        ),
    )
    lambda_.Function(
        stack,
        "Fn",
        function_name="fn-dev",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline(
            "import boto3\n"
            "def handler(event, context):\n"
            "    boto3.client('sqs').send_message(QueueUrl='q', MessageBody='b')\n"
        ),
    )


def _plain(stack: cdk.Stack) -> None:
    sqs.Queue(stack, "Jobs", queue_name="jobs-dev", removal_policy=cdk.RemovalPolicy.DESTROY)
    sns.Topic(stack, "Alerts", topic_name="alerts-dev")


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("startup")
    return {"full": _synth(base / "full", _full), "plain": _synth(base / "plain", _plain)}


def _check(
    path: Path, tmp: Path, cache_dir: Path, *flags: str, **env: str
) -> tuple[list[dict], dict]:
    """Run the CLI in a fresh process: (JSON findings, {"exit", "heavy"})."""
    report, probe = tmp / "report.json", tmp / "probe.json"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TAP_RULES_")}
    environ |= {"TAP_RULES_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT), **env}
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, str(probe), "check", str(path), "--format", "json"]
        + ["--tools", "tap-rules", "--output", str(report), *flags],
        cwd=tmp,
        env=environ,
        capture_output=True,
        text=True,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(report.read_text())["findings"], json.loads(probe.read_text())


def _classes(findings: list[dict]) -> set[str]:
    return {f["class"] for f in findings}


def test_warm_cache_gives_the_same_findings_without_importing_heavy_libraries(assemblies, tmp_path):
    cache_dir = tmp_path / "cache"
    cold, cold_probe = _check(assemblies["full"], tmp_path, cache_dir)
    warm, warm_probe = _check(assemblies["full"], tmp_path, cache_dir)
    off, _ = _check(assemblies["full"], tmp_path, cache_dir, TAP_RULES_NO_CACHE="1")

    assert {"cfn-schema", "iot-substitution", "iam-code-permissions"} <= _classes(cold)
    assert any("UseLockfile" in f["message"] for f in cold)
    assert warm == cold == off
    assert cold_probe["exit"] == warm_probe["exit"] == 1
    assert "cfnlint" in cold_probe["heavy"]  # the escape-hatch property is wrong: cfn-lint says why
    assert "botocore.session" not in cold_probe["heavy"]  # SDK models read as files
    assert warm_probe["heavy"] == []


def test_template_without_iot_rule_or_lambda_code_imports_neither_sqlglot_nor_botocore(
    assemblies, tmp_path
):
    findings, probe = _check(assemblies["plain"], tmp_path, tmp_path / "cache")
    assert probe["exit"] == 0 and findings == []
    assert probe["heavy"] == []


def test_a_new_cfn_lint_version_is_a_cache_miss(assemblies, tmp_path):
    cache_dir = tmp_path / "cache"
    first, _ = _check(assemblies["full"], tmp_path, cache_dir)
    files = set(cache_dir.iterdir())
    # GIVEN cfn-lint "upgraded": a newer dist-info found first on sys.path
    upgraded = tmp_path / "site"
    (upgraded / "cfn_lint-99.0.0.dist-info").mkdir(parents=True)
    again, probe = _check(
        assemblies["full"], tmp_path, cache_dir, PYTHONPATH=f"{upgraded}{os.pathsep}{ROOT}"
    )
    assert again == first
    assert "cfnlint" in probe["heavy"]  # schema verdicts recomputed, not read
    new = {p.name for p in set(cache_dir.iterdir()) - files}
    assert any(n.startswith("cfn-schema-") for n in new)


def test_corrupt_cache_files_are_ignored_and_rewritten(assemblies, tmp_path):
    cache_dir = tmp_path / "cache"
    first, _ = _check(assemblies["full"], tmp_path, cache_dir)
    files = sorted(cache_dir.glob("*.json"))
    assert files
    for i, f in enumerate(files):  # truncated, not JSON, JSON of the wrong shape
        f.write_text(['{"format": 1, "entries": {"s|', "\x00garbage", '{"format": 1}'][i % 3])
    entries = files[0]
    again, probe = _check(assemblies["full"], tmp_path, cache_dir)
    assert again == first
    assert probe["exit"] == 1
    assert json.loads(entries.read_text())["entries"]


def test_wrong_values_in_a_valid_cache_file_are_ignored(assemblies, tmp_path):
    cache_dir = tmp_path / "cache"
    first, _ = _check(assemblies["full"], tmp_path, cache_dir)
    for f in cache_dir.glob("*.json"):
        doc = json.loads(f.read_text())
        doc["entries"] = {k: {"unexpected": [1]} for k in doc["entries"]}
        f.write_text(json.dumps(doc))
    again, _ = _check(assemblies["full"], tmp_path, cache_dir)
    assert again == first


@pytest.mark.parametrize("how", ["env", "flag"])
def test_cache_can_be_turned_off(assemblies, tmp_path, how):
    cache_dir = tmp_path / "cache"
    flags, env = (("--no-cache",), {}) if how == "flag" else ((), {"TAP_RULES_NO_CACHE": "1"})
    findings, probe = _check(assemblies["full"], tmp_path, cache_dir, *flags, **env)
    again, probe_again = _check(assemblies["full"], tmp_path, cache_dir, *flags, **env)
    assert not cache_dir.exists()
    assert again == findings and "cfn-schema" in _classes(findings)
    assert "cfnlint" in probe_again["heavy"]


def test_concurrent_writers_keep_each_others_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("TAP_RULES_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("TAP_RULES_NO_CACHE", raising=False)
    a, b = DiskCache("demo", version="v1"), DiskCache("demo", version="v1")
    a.get("x"), b.get("y")  # both loaded the (empty) file before either wrote
    a.put("x", 1)
    b.put("y", 2)
    a.flush()
    b.flush()
    reader = DiskCache("demo", version="v1")
    assert (reader.get("x"), reader.get("y")) == (1, 2)
    assert DiskCache("demo", version="v2").get("x") is None  # another version: another file
