"""cfn-schema's pre-check (tap/rules/cfn/_precheck.py) never calls a resource clean that
cfn-lint finds wrong, and spares the cfn-lint import on a clean stack (issue 10, start-up).

GIVEN real CDK stacks (and mutated copies of their resources: wrong types, unknown, missing
and camelCase keys, numbers and booleans as strings, intrinsics, ``Fn::If``/``NoValue``,
lists for scalars, empty objects), WHEN the pre-check judges each key ``_schema`` validates,
THEN every CLEAN verdict agrees with cfn-lint's own validation, and the walk's kinds of error
equal cfn-lint's wherever it is sure. The knowledge it reads from cfn-lint's files is pinned
against the imported cfn-lint. Class covered: ``cfn-schema``. The large run is
``python bench/schema_precheck.py`` (coverage catalogue, precision apps, benchmark stacks).
"""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_iot as iot
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn

from bench import schema_precheck
from tap.rules.cfn import _precheck, _schema
from tests.rules.test_startup import _check  # the CLI in a fresh process

ROOT = Path(__file__).resolve().parents[3]


def _build(stack: cdk.Stack) -> None:
    """Many resource types, as CDK users write them (every schema keyword CDK output meets)."""
    key = kms.Key(stack, "Key", removal_policy=RemovalPolicy.DESTROY, enable_key_rotation=True)
    key.add_alias("alias/precheck-dev")
    bucket = s3.Bucket(
        stack,
        "Bucket",
        bucket_name="precheck-dev",
        encryption_key=key,
        versioned=True,
        lifecycle_rules=[
            s3.LifecycleRule(prefix="tmp/", expiration=Duration.days(7)),
            s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30)),
        ],
        cors=[s3.CorsRule(allowed_methods=[s3.HttpMethods.GET], allowed_origins=["*"])],
        removal_policy=RemovalPolicy.DESTROY,
        auto_delete_objects=True,
    )
    table = dynamodb.Table(
        stack,
        "Table",
        table_name="precheck-dev",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.NUMBER),
        time_to_live_attribute="ttl",
        stream=dynamodb.StreamViewType.NEW_IMAGE,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        removal_policy=RemovalPolicy.DESTROY,
    )
    table.add_global_secondary_index(
        index_name="by-sk",
        partition_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.NUMBER),
    )
    stream = kinesis.Stream(
        stack,
        "Stream",
        stream_mode=kinesis.StreamMode.ON_DEMAND,
        encryption=kinesis.StreamEncryption.MANAGED,
    )
    kinesis.Stream(stack, "Plain")  # default encryption: an Fn::If with AWS::NoValue
    dlq = sqs.Queue(stack, "Dlq", retention_period=Duration.days(14))
    queue = sqs.Queue(
        stack,
        "Queue",
        visibility_timeout=Duration.seconds(120),
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=dlq),
    )
    topic = sns.Topic(stack, "Topic", fifo=False, master_key=key)
    log_group = logs.LogGroup(
        stack, "Logs", retention=logs.RetentionDays.ONE_WEEK, removal_policy=RemovalPolicy.DESTROY
    )
    fn = lambda_.Function(
        stack,
        "Fn",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(e, c):\n    return None\n"),
        memory_size=256,
        timeout=Duration.seconds(20),
        environment={"TABLE": table.table_name, "FLAG": "true"},
        log_group=log_group,
        reserved_concurrent_executions=2,
    )
    fn.add_event_source(
        sources.KinesisEventSource(
            stream,
            starting_position=lambda_.StartingPosition.LATEST,
            batch_size=50,
            bisect_batch_on_error=True,
            retry_attempts=2,
            report_batch_item_failures=True,
            on_failure=sources.SqsDlq(dlq),
        )
    )
    fn.add_event_source(sources.SqsEventSource(queue, batch_size=5))
    table.grant_read_write_data(fn)
    bucket.grant_read(fn)
    topic.grant_publish(fn)
    iam.ManagedPolicy(
        stack,
        "Managed",
        statements=[
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[bucket.arn_for_objects("*")],
                conditions={"Bool": {"aws:SecureTransport": "true"}},
            )
        ],
    )
    metric = cloudwatch.Metric(namespace="Precheck", metric_name="Errors")
    cloudwatch.Alarm(stack, "Alarm", metric=metric, threshold=1, evaluation_periods=2)
    logs.MetricFilter(
        stack,
        "Filter",
        log_group=log_group,
        metric_namespace="Precheck",
        metric_name="Errors",
        filter_pattern=logs.FilterPattern.literal("ERROR"),
        metric_value="1",
    )
    events.Rule(
        stack,
        "Every5",
        schedule=events.Schedule.rate(Duration.minutes(5)),
        targets=[targets.LambdaFunction(fn)],
    )
    sfn.StateMachine(
        stack,
        "Machine",
        definition_body=sfn.DefinitionBody.from_chainable(sfn.Pass(stack, "Start")),
        timeout=Duration.minutes(5),
    )
    api = apigw.RestApi(stack, "Api", deploy_options=apigw.StageOptions(stage_name="dev"))
    api.root.add_method("GET", apigw.MockIntegration())
    iot.CfnTopicRule(
        stack,
        "Rule",
        rule_name="precheck_dev",
        topic_rule_payload=iot.CfnTopicRule.TopicRulePayloadProperty(
            sql="SELECT * FROM 'a/b'",
            aws_iot_sql_version="2016-03-23",
            actions=[
                iot.CfnTopicRule.ActionProperty(
                    kinesis=iot.CfnTopicRule.KinesisActionProperty(
                        role_arn=fn.role.role_arn,
                        stream_name=stream.stream_name,
                        partition_key="${topic(2)}",
                    )
                )
            ],
        ),
    )
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0)
    sg = ec2.SecurityGroup(stack, "Sg", vpc=vpc, allow_all_outbound=False)
    sg.add_ingress_rule(ec2.Peer.ipv4("10.0.0.0/16"), ec2.Port.tcp(443))
    task = ecs.FargateTaskDefinition(stack, "Task", cpu=256, memory_limit_mib=512)
    task.add_container("app", image=ecs.ContainerImage.from_registry("nginx"), essential=True)


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("precheck") / "cdk.out"
    app = cdk.App(outdir=str(out))
    _build(cdk.Stack(app, "PrecheckStack"))
    app.synth()
    return out


def test_cfn_schema_precheck_clean_verdicts_agree_with_cfn_lint_on_real_stacks_and_mutants(
    assembly, monkeypatch
):
    monkeypatch.setenv("TAP_RULES_NO_CACHE", "1")
    result = schema_precheck.run([assembly], seed=7)
    assert result["input_keys"] > 100 and result["mutant_keys"] > 3000
    assert result["unsound"] == 0, result["examples"]
    assert result["walk_mismatch"] == 0, result["examples"]
    # The start-up gain: CDK's own output is judged clean without cfn-lint.
    assert result["input_clean_of_cfn_lint_clean"] == result["input_cfn_lint_clean"]
    # Mutants are judged too: most of those cfn-lint finds clean, none it finds wrong.
    assert result["mutant_clean_of_cfn_lint_clean"] > 0.8 * result["mutant_cfn_lint_clean"]
    assert result["mutant_clean"] < result["mutant_keys"]


# Schemas exercising each keyword and cfn-lint quirk, and values to try against each.
_GRID_SCHEMAS: list[dict] = [
    {"type": "string"},
    {"type": "integer"},
    {"type": "number", "minimum": 1, "maximum": 10},
    {"type": "boolean"},
    {"type": ["object", "string"]},
    {"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": True},
    {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}},
    {"type": "array", "prefixItems": [{"type": "integer"}], "items": False},
    {"type": "array", "maxUniqueItems": 1},
    {"type": "object"},
    {"type": "object", "required": ["A"], "properties": {"A": {"type": "string"}}},
    {"type": "object", "properties": {"A": {}}, "additionalProperties": False},
    {
        "type": "object",
        "patternProperties": {"^x": {"type": "integer"}},
        "additionalProperties": False,
    },
    {"type": "object", "requiredXor": ["A", "B"]},
    {"type": "object", "requiredOr": ["A", "B"]},
    {"type": "object", "dependentRequired": {"A": ["B"]}, "dependentExcluded": {"B": ["C"]}},
    {"type": "object", "dependencies": {"A": ["B"], "B": {"required": ["C"]}}},
    {"type": "object", "minProperties": 1, "maxProperties": 1},
    {"enum": ["a", "true", 1, True]},
    {"enumCaseInsensitive": ["Abc"]},
    {"const": "x"},
    {"type": "string", "minLength": 2, "maxLength": 3},
    {"exclusiveMinimum": 0, "exclusiveMaximum": 5},
    {"multipleOf": 2},
    {"format": "date-time"},
    {"format": "date"},
    {"format": "time"},
    {"format": "email"},
    {"format": "ipv4"},
    {"format": "ipv4-network"},
    {"format": "ipv6"},
    {"format": "ipv6-network"},
    {"format": "AWS::IAM::Role.Arn"},
    {"anyOf": [{"type": "integer"}, {"type": "object", "required": ["A"]}]},
    {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    {"oneOf": [{"required": ["A"]}, {"required": ["B"]}]},
    {"not": {"type": "integer"}},
    {"allOf": [{"type": "object"}, {"required": ["A"]}]},
    {"if": {"properties": {"A": {"const": "x"}}}, "then": {"required": ["B"]}, "else": {}},
    {"$ref": "#/definitions/D"},
    {"type": "object", "properties": {"A": {"oneOf": [{"type": "string"}, {"type": "object"}]}}},
]
_GRID_VALUES: list = [
    *schema_precheck._SCALARS,
    *schema_precheck._SHAPES,
    {"A": "x"},
    {"A": "x", "B": 1},
    {"A": {"Ref": "X"}, "B": "y"},
    {"B": 1, "C": 2},
    {"x1": 1, "y": 2},
    {"A": None},
    [1, "1"],
    ["a", "b", "c"],
    ["a", None],
    [True, "true"],
    ["Abc"],
    "abc",
    "ABC",
    "2024-01-01T00:00:00Z",
    "2024-01-01T00:00:00++01:00",
    "2024-02-30",
    "10.0.0.0/16",
    "10.0.0.1/16",
    "::1",
    "fe80::1%eth0",
    4,
    4.0,
    7,
]


def test_cfn_schema_precheck_walk_equals_cfn_lint_keyword_by_keyword():
    checked = 0
    for case in _GRID_SCHEMAS:
        schema = {"definitions": {"D": {"type": "object", "required": ["A"]}}, **case}
        validator = _schema.validator_for(schema)
        for value in _GRID_VALUES:
            raw = list(validator.iter_errors(value))
            kept = any(_schema._convert(e) is not None for e in raw)
            unknown = any(getattr(e, "unknown", False) for e in raw)
            try:
                bits = _precheck._Walker(schema).validate(value, schema, False)
            except _precheck._Unsure:
                continue
            checked += 1
            assert bits == (_precheck._E if kept else 0) | (_precheck._U if unknown else 0), (
                case,
                value,
                [e.message for e in raw],
            )
    assert checked > 0.6 * len(_GRID_SCHEMAS) * len(_GRID_VALUES)


def test_cfn_schema_precheck_reads_the_schemas_and_facts_cfn_lint_validates_with():
    from cfnlint.helpers import BOOLEAN_STRINGS, FUNCTIONS, PSEUDOPARAMS, REGIONS
    from cfnlint.jsonschema import CfnTemplateValidator
    from cfnlint.jsonschema import _format as cfn_format
    from cfnlint.jsonschema._filter import FunctionFilter
    from cfnlint.jsonschema._format import cfn_format_checker
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    k = _precheck._knowledge()
    assert k["keywords"] == set(CfnTemplateValidator({}).validators)
    assert k["formats"] == set(cfn_format_checker.checkers)
    assert (k["functions"], k["pseudo"]) == (FUNCTIONS, PSEUDOPARAMS)
    assert k["booleans"] == BOOLEAN_STRINGS
    for kind in ("date", "date-time"):
        theirs = getattr(cfn_format, "_RE_" + kind.upper().replace("-", "_"))
        ours = _precheck._format_regex(kind)
        assert (ours.pattern, ours.flags) == (theirs.pattern, theirs.flags)
    assert k["regions"] == set(REGIONS)
    assert _precheck.GROUP_KEYWORDS == set(FunctionFilter().group_functions)
    dirs = _precheck._schema_dirs()
    assert dirs is not None
    assert (dirs[0].resolve(), dirs[1].resolve()) == (
        PROVIDER_SCHEMA_MANAGER._providers_dir.resolve(),
        PROVIDER_SCHEMA_MANAGER._resources_dir.resolve(),
    )
    # Every type cfn-lint knows in us-east-1 (SAM's included): same schema, same key facts.
    region = "us-east-1"
    types = [t for t in _precheck._providers(region) if not t.startswith("Custom::")]
    assert len(types) > 1000
    for resource_type in types:
        info = _precheck.type_info(region, resource_type, _schema._VALUE_KEYWORDS)
        validator = _schema._validator(region, resource_type)
        assert info is not None and info.known == (validator is not None), resource_type
        if validator is None:
            continue
        assert _precheck._schema(region, resource_type) == validator.schema, resource_type
        split = _schema._split(region, resource_type)
        assert info.props == (None if split is None else frozenset(split[1])), resource_type
    assert _precheck.type_info(region, "AWS::No::Such", frozenset()).known is False
    # Other regions' provider maps (and their fallback), on a sample of types.
    for other in ("eu-west-1", "cn-north-1", "us-gov-west-1", "us-isob-east-1"):
        for resource_type in types[::40]:
            info = _precheck.type_info(other, resource_type, _schema._VALUE_KEYWORDS)
            validator = _schema._validator(other, resource_type)
            assert info is not None and info.known == (validator is not None), (
                other,
                resource_type,
            )
    assert _precheck.type_info("xx-nowhere-1", "AWS::S3::Bucket", frozenset()) is None


def test_cfn_schema_clean_stack_is_checked_without_importing_cfn_lint(assembly, tmp_path):
    cache = tmp_path / "cache"
    findings, probe = _check(assembly, tmp_path, cache, "--no-cache")
    off, off_probe = _check(
        assembly, tmp_path, cache, "--no-cache", TAP_RULES_NO_SCHEMA_PRECHECK="1"
    )
    assert findings == off
    assert not any(f["class"] == "cfn-schema" for f in findings)
    assert "cfnlint" not in probe["heavy"] and "cfnlint" in off_probe["heavy"]


def test_cfn_schema_error_still_comes_from_cfn_lint_with_the_same_message(assembly, tmp_path):
    template = json.loads((assembly / "PrecheckStack.template.json").read_text())
    for res in template["Resources"].values():
        if res["Type"] == "AWS::Kinesis::Stream":
            res["Properties"]["StreamModeDetails"] = {"streamMode": "ON_DEMAND"}  # seed 000 #2
        if res["Type"] == "AWS::SQS::Queue":
            res["Properties"]["VisibilityTimeout"] = "120"  # a number as a string: valid
    path = tmp_path / "mutated.template.json"
    path.write_text(json.dumps(template))
    cache = tmp_path / "cache"
    findings, probe = _check(path, tmp_path, cache, "--no-cache")
    off, _ = _check(path, tmp_path, cache, "--no-cache", TAP_RULES_NO_SCHEMA_PRECHECK="1")
    schema = [f for f in findings if f["class"] == "cfn-schema"]
    assert findings == off
    assert schema and all(f["logical_id"].startswith(("Stream", "Plain")) for f in schema)
    assert any("'streamMode' was unexpected" in f["message"] for f in schema)
    assert "cfnlint" in probe["heavy"]  # the wrong resource is asked of cfn-lint
