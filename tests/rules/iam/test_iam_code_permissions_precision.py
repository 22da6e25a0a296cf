"""iam-code-permissions (TAP-IAM-1) on apps written the way CDK's docs show (issue 9).

CDK-vended handlers are trusted (their grants are CDK's), a function is charged only with
the code its handler reaches, and code or policies nested too deeply are not judged instead
of raising.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import custom_resources as cr
from conftest import of_class

from tap.rules.engine import Options, evaluate
from tap.rules.iam._pycode import CodeNotAnalysed, find_sdk_calls_in_sources
from tap.rules.iam._vended import (
    _DATA,
    installed_tarball,
    shipped_handler_fingerprints,
)
from tap.rules.model import StackTemplate, load_path

SLUG = "iam-code-permissions"


def _asset(tmp_path: Path, name: str, files: dict[str, str]) -> str:
    root = tmp_path / name
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text))
    return str(root)


def _inline_fn(stack: cdk.Stack, cid: str, code: str = "def handler(e, c):\n    return {}\n"):
    return lambda_.Function(
        stack,
        cid,
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline(code),
    )


def _python_functions(report_dir: Path) -> list[str]:
    stack = load_path(report_dir)[0]
    return [
        r.logical_id
        for r in stack.of_type("AWS::Lambda::Function")
        if str(r.properties.get("Runtime", "")).startswith("python")
    ]


# -- CDK-vended handlers ------------------------------------------------------------------


def test_s3_notifications_on_a_managed_bucket_trust_cdks_grant(synth):
    # GIVEN a bucket of the stack notifying a function, a queue and a topic, as CDK's docs
    # show: CDK's Python handler calls get_bucket_notification_configuration (used only for
    # imported buckets) while CDK grants it s3:PutBucketNotification alone
    def build(stack):
        bucket = s3.Bucket(stack, "Uploads")
        fn = _inline_fn(stack, "OnUpload")
        bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(fn))
        bucket.add_event_notification(
            s3.EventType.OBJECT_REMOVED, s3n.SqsDestination(sqs.Queue(stack, "Removed"))
        )
        bucket.add_object_created_notification(s3n.SnsDestination(sns.Topic(stack, "Topic")))

    # WHEN the stack is checked
    report = synth(build, rules=(SLUG,))

    # THEN CDK's notifications handler draws no finding
    assert of_class(report, SLUG) == []


def test_cdk_code_is_recognised_without_assembly_metadata(synth, tmp_path):
    # GIVEN the same stack read as a bare template (no construct paths, no metadata file)
    # and a user function that runs the very code CDK ships for S3 notifications
    def build(stack):
        s3.Bucket(stack, "Uploads").add_event_notification(
            s3.EventType.OBJECT_CREATED, s3n.SqsDestination(sqs.Queue(stack, "Q"))
        )

    synth(build, rules=(SLUG,))
    outdir = sorted(tmp_path.glob("cdk.out.*"))[-1]
    template = json.loads((outdir / "TestStack.template.json").read_text())
    handler = next(
        res
        for res in template["Resources"].values()
        if res["Type"] == "AWS::Lambda::Function" and "ZipFile" in res["Properties"]["Code"]
    )
    copy = dict(handler, Metadata={})
    template["Resources"]["MyOwnNotifier"] = copy
    for res in template["Resources"].values():
        res.pop("Metadata", None)
    bare = tmp_path / "bare.template.json"
    bare.write_text(json.dumps(template))

    # WHEN the bare template is checked
    report = evaluate(load_path(bare), Options(rules=(SLUG,)))

    # THEN neither CDK's handler (its GUID id) nor the copy (CDK's code) is charged
    assert not report.rule_errors
    assert [f for f in report.active if f.slug == SLUG] == []


def test_bucket_deployment_with_and_without_a_distribution_is_trusted(synth, tmp_path):
    # GIVEN two BucketDeployments: one invalidating a CloudFront distribution (CDK grants
    # cloudfront:CreateInvalidation), one without (the handler's CloudFront calls never run)
    site = _asset(tmp_path, "site", {"index.html": "<h1>hi</h1>"})

    def build(stack):
        bucket = s3.Bucket(stack, "Site")
        dist = cloudfront.Distribution(
            stack,
            "Cdn",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(bucket)
            ),
        )
        s3deploy.BucketDeployment(
            stack,
            "Deploy",
            sources=[s3deploy.Source.asset(site)],
            destination_bucket=bucket,
            distribution=dist,
            distribution_paths=["/*"],
        )
        s3deploy.BucketDeployment(
            stack,
            "Data",
            sources=[s3deploy.Source.data("config.json", "{}")],
            destination_bucket=s3.Bucket(stack, "DataBucket"),
            memory_limit=512,
        )

    # WHEN the stack is checked
    report = synth(build, rules=(SLUG,))

    # THEN the deployment handlers (Python, staged as assets) draw no finding
    outdir = sorted(tmp_path.glob("cdk.out.*"))[-1]
    assert len(_python_functions(outdir)) == 2
    assert of_class(report, SLUG) == []


def test_user_handlers_behind_cdk_constructs_are_still_judged(synth, tmp_path):
    # GIVEN a provider framework whose on_event handler is the user's (it writes an SSM
    # parameter it was never granted), an AwsCustomResource, and a user SingletonFunction
    # with the same mistake
    code = _asset(
        tmp_path,
        "provider",
        {
            "app.py": """\
                import boto3

                ssm = boto3.client("ssm")


                def on_event(event, context):
                    ssm.put_parameter(Name="/app/x", Value="1", Overwrite=True)
                    return {"PhysicalResourceId": "x"}
            """
        },
    )

    def build(stack):
        on_event = lambda_.Function(
            stack,
            "OnEvent",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.on_event",
            code=lambda_.Code.from_asset(code),
        )
        provider = cr.Provider(stack, "Provider", on_event_handler=on_event)
        cdk.CustomResource(stack, "Thing", service_token=provider.service_token)
        cr.AwsCustomResource(
            stack,
            "Lookup",
            on_create=cr.AwsSdkCall(
                service="SSM",
                action="getParameter",
                parameters={"Name": "/app/x"},
                physical_resource_id=cr.PhysicalResourceId.of("x"),
            ),
            policy=cr.AwsCustomResourcePolicy.from_sdk_calls(
                resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE
            ),
            install_latest_aws_sdk=False,
        )
        lambda_.SingletonFunction(
            stack,
            "Mine",
            uuid="7a3c1f2e-0b4d-4e5f-8a9b-0c1d2e3f4a5b",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.on_event",
            code=lambda_.Code.from_asset(code),
        )

    # WHEN the stack is checked
    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    # THEN the two user functions are charged with ssm:PutParameter, CDK's are not
    assert sorted(f.logical_id[:7] for f in findings) == ["OnEvent", "Singlet"]
    assert all("ssm:PutParameter (app.py:7)" in f.message for f in findings)


def test_a_function_carrying_cdks_vended_marker_is_trusted(synth, tmp_path):
    # GIVEN two functions with the same ungranted SSM call, one of them marked the way
    # aws-cdk-lib marks the singletons it vends (its generated handler classes call
    # addMetadata): a vended handler this pack has no id or fingerprint for
    code = _asset(
        tmp_path,
        "handler",
        {
            "app.py": (
                "import boto3\n\n\ndef handler(e, c):\n"
                '    boto3.client("ssm").get_parameter(Name="x")\n'
            )
        },
    )

    def build(stack):
        for cid in ("Vended", "Plain"):
            fn = lambda_.Function(
                stack,
                cid,
                runtime=lambda_.Runtime.PYTHON_3_12,
                handler="app.handler",
                code=lambda_.Code.from_asset(code),
            )
            if cid == "Vended":
                fn.node.add_metadata("aws:cdk:is-custom-resource-handler-singleton", True)

    # WHEN the stack is checked
    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    # THEN only the unmarked function is charged
    assert [f.logical_id[:5] for f in findings] == ["Plain"]
    assert "ssm:GetParameter (app.py:5)" in findings[0].message


def test_committed_handler_fingerprints_match_the_installed_aws_cdk_lib():
    # GIVEN the aws-cdk-lib this project pins
    found = installed_tarball()
    assert found is not None
    version, tgz = found

    # WHEN its Python handlers are fingerprinted
    shipped = shipped_handler_fingerprints(tgz)

    # THEN the committed table is current (else: python -m tap.rules.iam._vended)
    data = json.loads(_DATA.read_text())
    assert data["aws-cdk-lib"] == version
    assert data["handlers"] == shipped
    assert "aws-s3/notifications-resource-handler/index.py" in shipped.values()
    assert "aws-s3-deployment/bucket-deployment-handler/index.py" in shipped.values()


# -- only the code a function runs --------------------------------------------------------

SHARED = {
    "ingest.py": """\
        import boto3

        sqs = boto3.client("sqs")


        def handler(event, context):
            sqs.send_message(QueueUrl="u", MessageBody="m")
    """,
    "save.py": """\
        import os

        import boto3

        from lib.archive import archive

        table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


        def handler(event, context):
            table.put_item(Item={"pk": "x"})
            archive(event)
    """,
    "lib/__init__.py": "",
    "lib/archive.py": """\
        import boto3

        s3 = boto3.client("s3")


        def archive(event):
            s3.put_object(Bucket="b", Key="k", Body=b"")
    """,
    "tools/backfill.py": """\
        import boto3

        kinesis = boto3.client("kinesis")
        kinesis.put_record(StreamName="s", Data=b"", PartitionKey="p")
    """,
}


def test_functions_sharing_an_asset_folder_are_charged_with_their_own_code(synth, tmp_path):
    # GIVEN two functions staged from one folder: "ingest" sends to a queue (granted),
    # "save" writes the table (granted) and, through lib/archive.py, puts an S3 object
    # (not granted); tools/backfill.py belongs to neither
    code = _asset(tmp_path, "shared", SHARED)

    def build(stack):
        table = dynamodb.Table(
            stack,
            "Table",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        )
        queue = sqs.Queue(stack, "Queue")
        fns = {}
        for name in ("ingest", "save"):
            fns[name] = lambda_.Function(
                stack,
                name.title(),
                runtime=lambda_.Runtime.PYTHON_3_12,
                handler=f"{name}.handler",
                code=lambda_.Code.from_asset(code),
                environment={"TABLE": table.table_name},
            )
        queue.grant_send_messages(fns["ingest"])
        table.grant_write_data(fns["save"])

    # WHEN the stack is checked
    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    # THEN only "save" is charged, only with the S3 call its imports reach
    assert len(findings) == 1
    f = findings[0]
    assert f.logical_id.startswith("Save")
    assert "s3:PutObject (lib/archive.py:7)" in f.message
    for other in ("sqs:", "dynamodb:", "kinesis:"):
        assert other not in f.message


def test_handler_in_a_package_follows_relative_and_dynamic_imports(synth, tmp_path):
    # GIVEN handler "src/app.handler" importing a sibling module relatively and another
    # through importlib.import_module; both publish to SNS, which is not granted
    code = _asset(
        tmp_path,
        "pkg",
        {
            "src/__init__.py": "",
            "src/app.py": """\
                import importlib

                from .notify import notify

                metrics = importlib.import_module("src.metrics")


                def handler(event, context):
                    notify()
                    metrics.emit()
            """,
            "src/notify.py": """\
                import boto3


                def notify():
                    boto3.client("sns").publish(TopicArn="t", Message="m")
            """,
            "src/metrics.py": """\
                import boto3


                def emit():
                    boto3.client("cloudwatch").put_metric_data(Namespace="n", MetricData=[])
            """,
        },
    )

    def build(stack):
        lambda_.Function(
            stack,
            "Fn",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="src/app.handler",
            code=lambda_.Code.from_asset(code),
        )

    # WHEN the stack is checked
    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    # THEN both imported modules' calls are charged to the function
    assert len(findings) == 1
    assert "sns:Publish (src/notify.py:5)" in findings[0].message
    assert "cloudwatch:PutMetricData (src/metrics.py:5)" in findings[0].message


# -- robustness: deep nesting never raises ------------------------------------------------

DEEP_APP = """\
import boto3

s3 = boto3.client("s3")


def handler(event, context):
    s3.put_object(Bucket="b", Key="k", Body=b"")


TOTAL = {expr}
"""


def test_deeply_nested_handler_code_is_not_judged_instead_of_raising(synth, tmp_path):
    # GIVEN a handler module nested too deeply for Python's parser (20,000 additions)
    code = _asset(tmp_path, "deep", {"app.py": DEEP_APP.format(expr="+".join(["1"] * 20000))})

    def build(stack):
        lambda_.Function(
            stack,
            "Deep",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler",
            code=lambda_.Code.from_asset(code),
        )

    # WHEN the stack is checked (the synth fixture fails on any rule error)
    report = synth(build, rules=(SLUG,))

    # THEN the function is not judged: no finding, no internal error
    assert of_class(report, SLUG) == []


def test_code_too_deep_for_the_analysis_is_reported_as_not_analysed():
    # GIVEN code the parser accepts but whose analysis exhausts the remaining stack (as
    # inside CDK's plugin callback, where the stack is already deep)
    source = DEEP_APP.format(expr="+".join(["1"] * 900))

    def at_depth(n: int) -> object:
        if n:
            return at_depth(n - 1)
        try:
            return find_sdk_calls_in_sources({"app.py": source}, "app.handler")
        except CodeNotAnalysed as e:
            return e

    # WHEN it is analysed close to the recursion limit
    result = at_depth(sys.getrecursionlimit() - 700)

    # THEN the analysis says why it did not analyse the code, rather than raising
    assert isinstance(result, CodeNotAnalysed)
    assert "app.py: nested too deeply" in str(result)


def _nest(value: object, depth: int) -> object:
    for _ in range(depth):
        value = {"Fn::Join": ["", [value]]}
    return value


@pytest.mark.parametrize("depth", [3000])
def test_deeply_nested_policy_document_makes_the_role_unknown(synth, tmp_path, depth):
    # GIVEN a function whose code puts S3 objects with no grant (a finding), then the
    # same template with its role's policy statement nested thousands of levels deep
    code = _asset(tmp_path, "app", {"app.py": DEEP_APP.format(expr="1")})

    def build(stack):
        fn = lambda_.Function(
            stack,
            "Fn",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler",
            code=lambda_.Code.from_asset(code),
        )
        fn.add_to_role_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=["*"]))

    before = of_class(synth(build), SLUG)
    assert len(before) == 1
    outdir = sorted(tmp_path.glob("cdk.out.*"))[-1]
    stack = load_path(outdir)[0]
    template = stack.template
    policy = next(r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    statements[0]["Resource"] = _nest("*", depth)
    policy["Properties"]["PolicyDocument"] = _nest(policy["Properties"]["PolicyDocument"], depth)
    stacks = [StackTemplate(name=stack.name, template=template, assembly_dir=outdir)]

    # WHEN every rule checks it
    report = evaluate(stacks, Options())

    # THEN no rule of the IAM package raises, and the code is no longer judged
    assert not [e for e in report.rule_errors if "TAP-IAM" in e], report.rule_errors
    assert [f for f in report.active if f.slug == SLUG] == []


@pytest.mark.parametrize("asset_path", ["/", "..", "../../..", "/proc"])
def test_asset_paths_outside_the_assembly_are_not_read(synth, tmp_path, asset_path):
    # GIVEN a function whose code misses a grant (a finding), then its template pointed at
    # a folder outside the cloud assembly (a template from an untrusted pull request)
    code = _asset(tmp_path, "app", {"app.py": DEEP_APP.format(expr="1")})
    (tmp_path / "app.py").write_text(DEEP_APP.format(expr="2"))  # beside the assembly

    def build(stack):
        lambda_.Function(
            stack,
            "Fn",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler",
            code=lambda_.Code.from_asset(code),
        )

    assert len(of_class(synth(build, rules=(SLUG,)), SLUG)) == 1
    outdir = sorted(tmp_path.glob("cdk.out.*"))[-1]
    stack = load_path(outdir)[0]
    template = stack.template
    fn = next(r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function")
    fn["Metadata"] = {"aws:asset:path": asset_path}
    fn["Properties"]["Code"] = {"S3Bucket": "b", "S3Key": "k.zip"}

    # WHEN the rule checks it
    report = evaluate(
        [StackTemplate(name=stack.name, template=template, assembly_dir=outdir)],
        Options(rules=(SLUG,)),
    )

    # THEN nothing outside the assembly is read: no finding, no error
    assert report.rule_errors == []
    assert [f for f in report.active if f.slug == SLUG] == []
