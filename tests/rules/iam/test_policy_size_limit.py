"""policy-size-limit (TAP-IAM-20 identity policies, TAP-IAM-21 resource policies): policies
fit their service's size quota."""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from conftest import of_class

SLUG = "policy-size-limit"


def _statements(n, prefix="arn:aws:s3:::traffic-archive-bucket-number"):
    # one statement per resource: ~150 characters each
    return [
        iam.PolicyStatement(actions=["s3:GetObject", "s3:PutObject"], resources=[f"{prefix}-{i}/*"])
        for i in range(n)
    ]


def _role(stack):
    return iam.Role(stack, "Worker", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def test_policy_size_limit_standalone_policy_over_the_role_quota_is_a_finding(synth):
    def build(stack):
        iam.Policy(stack, "Archive", statements=_statements(90), roles=[_role(stack)])

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-IAM-20", "Properties/Policies")
    ]
    assert findings[0].logical_id.startswith("Worker")
    assert "10,240 per role" in findings[0].message


def test_policy_size_limit_role_default_policy_is_split_by_cdk_and_passes(synth):
    def build(stack):
        role = _role(stack)
        for statement in _statements(90):
            role.add_to_policy(statement)

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_policy_size_limit_managed_policy_over_its_quota_is_a_finding(synth):
    def build(stack):
        iam.ManagedPolicy(stack, "Archive", statements=_statements(60), roles=[_role(stack)])

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-IAM-20", "Properties/PolicyDocument")
    ]
    assert "6,144" in findings[0].message


def test_policy_size_limit_wildcarded_policy_passes(synth):
    def build(stack):
        iam.Policy(
            stack,
            "Archive",
            statements=[
                iam.PolicyStatement(
                    actions=["s3:GetObject", "s3:PutObject"],
                    resources=["arn:aws:s3:::traffic-archive-bucket-number-*/*"],
                )
            ],
            roles=[_role(stack)],
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def _api(stack, methods, **options):
    fn = lambda_.Function(
        stack,
        "Handler",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
    )
    api = apigw.RestApi(stack, "Api")
    integration = apigw.LambdaIntegration(fn, **options)
    for i in range(methods):
        api.root.add_resource(f"segment{i}").add_method("GET", integration)


def test_policy_size_limit_function_behind_many_methods_is_a_finding(synth):
    # two permissions per method (the stage and the console's test invoke)
    findings = of_class(synth(lambda st: _api(st, 40), rules=(SLUG,)), SLUG)

    assert [f.rule_id for f in findings] == ["TAP-IAM-21"]
    assert findings[0].logical_id.startswith("Handler")
    assert "80 AWS::Lambda::Permission" in findings[0].message


def test_policy_size_limit_function_with_one_permission_per_api_passes(synth):
    def build(stack):
        _api(stack, 40, scope_permission_to_method=False, allow_test_invoke=False)

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_policy_size_limit_queue_policy_over_8_kb_is_a_finding(synth):
    def build(stack):
        queue = sqs.Queue(stack, "Jobs")
        for i in range(40):
            queue.add_to_resource_policy(
                iam.PolicyStatement(
                    actions=["sqs:SendMessage"],
                    resources=[queue.queue_arn],
                    principals=[iam.ServicePrincipal("sns.amazonaws.com")],
                    conditions={
                        "ArnEquals": {"aws:SourceArn": f"arn:aws:sns:eu-west-1:111122223333:t{i}"}
                    },
                )
            )

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-IAM-21", "Properties/PolicyDocument")
    ]
    assert "8,192" in findings[0].message
