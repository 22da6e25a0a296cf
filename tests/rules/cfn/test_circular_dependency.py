"""circular-dependency (TAP-CFN-20): no resource waits for itself."""

from __future__ import annotations

from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from conftest import of_class

SLUG = "circular-dependency"


def _trigger(stack):
    return lambda_.Function(
        stack,
        "PreSignUp",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
    )


def test_circular_dependency_trigger_reading_its_user_pool_id_is_a_finding(synth):
    # A reported CDK failure: the pool references the trigger, the trigger's environment the pool.
    def build(stack):
        fn = _trigger(stack)
        pool = cognito.UserPool(
            stack, "Users", lambda_triggers=cognito.UserPoolTriggers(pre_sign_up=fn)
        )
        fn.add_environment("USER_POOL_ID", pool.user_pool_id)

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert len(findings) == 1
    f = findings[0]
    assert f.rule_id == "TAP-CFN-20"
    assert f.message.startswith("circular dependency: ")
    cycle = f.message.split(": ", 1)[1].split(";")[0].split(" → ")
    assert cycle[0] == cycle[-1] == f.logical_id
    assert any(c.startswith("Users") for c in cycle) and any(
        c.startswith("PreSignUp") for c in cycle
    )


def test_circular_dependency_trigger_reading_the_pool_from_its_event_passes(synth):
    def build(stack):
        cognito.UserPool(
            stack, "Users", lambda_triggers=cognito.UserPoolTriggers(pre_sign_up=_trigger(stack))
        )

    assert of_class(synth(build, rules=(SLUG,)), SLUG) == []


def test_circular_dependency_depends_on_loop_names_the_cycle_in_order(synth):
    def build(stack):
        a, b, c = (sqs.Queue(stack, n) for n in ("A", "B", "C"))
        b.node.add_dependency(a)
        c.node.add_dependency(b)
        a.node.default_child.add_override("DependsOn", [c.node.default_child.logical_id])

    findings = of_class(synth(build, rules=(SLUG,)), SLUG)

    assert [f.property_path for f in findings] == ["DependsOn"]
    names = findings[0].message.split(": ", 1)[1].split(" → ")
    assert [n[0] for n in names] == ["A", "C", "B", "A"]
