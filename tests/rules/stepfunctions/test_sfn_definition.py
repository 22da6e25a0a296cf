"""Class ``sfn-definition``: Step Functions definitions are valid Amazon States Language
(TAP-SFN-1): StartAt, Next, Default and Catch name existing states, Choice states have
Choices, other states have Next or End; Parallel branches and Map processors alike.
Written from the Step Functions Developer Guide's "State machine structure"."""

from __future__ import annotations

import json

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks

from tests.rules.conftest import of_class

SLUG = "sfn-definition"


def _machine(definition: dict, *, with_function: bool = False):
    def build(stack):
        body = json.dumps(definition)
        if with_function:
            fn = lambda_.Function(
                stack,
                "Worker",
                runtime=lambda_.Runtime.PYTHON_3_12,
                handler="index.handler",
                code=lambda_.Code.from_inline("def handler(e, c):\n    return e\n"),
            )
            body = body.replace("WORKER_ARN", fn.function_arn)
        sfn.StateMachine(stack, "Flow", definition_body=sfn.DefinitionBody.from_string(body))

    return build


def _messages(report) -> list[str]:
    return [f.message for f in of_class(report, SLUG)]


def test_sfn_definition_next_to_unknown_state_is_flagged(synth):
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Task", "Resource": "WORKER_ARN", "Next": "Done"},
            "Finished": {"Type": "Succeed"},
        },
    }
    findings = of_class(synth(_machine(definition, with_function=True)), SLUG)

    # THEN the Next is named, though the definition string is an Fn::Join with the ARN, and
    # so is the state nothing reaches (as Step Functions' own MISSING_TRANSITION_TARGET)
    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-SFN-1", "Properties/DefinitionString")
    ] * 2
    assert findings[0].logical_id.startswith("Flow")
    assert [f.message for f in findings] == [
        "state 'Work': Next 'Done' is not a state of this machine (at /States/Work/Next)",
        "state 'Finished' is not reachable from StartAt (at /States/Finished)",
    ]


def test_sfn_definition_missing_start_at_target_is_flagged(synth):
    definition = {"StartAt": "Begin", "States": {"Start": {"Type": "Pass", "End": True}}}

    assert any("StartAt 'Begin'" in m for m in _messages(synth(_machine(definition))))


def test_sfn_definition_choice_without_choices_is_flagged(synth):
    definition = {
        "StartAt": "Route",
        "States": {
            "Route": {"Type": "Choice", "Default": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }

    assert _messages(synth(_machine(definition))) == [
        "Choice state 'Route' has no Choices (at /States/Route)"
    ]


def test_sfn_definition_state_without_next_or_end_in_a_map_is_flagged(synth):
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Clean",
                    "States": {"Clean": {"Type": "Pass"}},
                },
                "End": True,
            }
        },
    }

    assert _messages(synth(_machine(definition))) == [
        "Pass state 'Clean' has neither Next nor \"End\": true "
        "(at /States/Each/ItemProcessor/States/Clean)"
    ]


def test_sfn_definition_cdk_chains_and_valid_hand_written_definitions_pass(synth):
    # GIVEN a machine built from CDK's state classes (Choice, Parallel, Map, Catch) and a
    # valid hand-written one
    def build(stack):
        fn = lambda_.Function(
            stack,
            "Worker",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(e, c):\n    return e\n"),
        )
        invoke = tasks.LambdaInvoke(stack, "Invoke", lambda_function=fn)
        failed = sfn.Fail(stack, "Failed")
        invoke.add_catch(failed)
        each = sfn.Map(stack, "Each", items_path="$.items")
        each.item_processor(sfn.Pass(stack, "Clean"))
        both = sfn.Parallel(stack, "Both")
        both.branch(sfn.Pass(stack, "Left"))
        both.branch(sfn.Wait(stack, "Pause", time=sfn.WaitTime.duration(Duration.seconds(1))))
        route = (
            sfn.Choice(stack, "Route")
            .when(sfn.Condition.is_present("$.items"), each)
            .otherwise(both)
        )
        sfn.StateMachine(
            stack,
            "Chained",
            definition_body=sfn.DefinitionBody.from_chainable(invoke.next(route)),
            logs=sfn.LogOptions(
                destination=logs.LogGroup(
                    stack,
                    "FlowLogs",
                    retention=logs.RetentionDays.ONE_MONTH,
                    removal_policy=RemovalPolicy.DESTROY,
                )
            ),
        )
        valid = {
            "StartAt": "Route",
            "States": {
                "Route": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Done"}],
                    "Default": "Failed",
                },
                "Done": {"Type": "Succeed"},
                "Failed": {"Type": "Fail", "Error": "NotOk"},
            },
        }
        sfn.StateMachine(
            stack, "Literal", definition_body=sfn.DefinitionBody.from_string(json.dumps(valid))
        )

    # THEN no sfn-definition finding
    assert of_class(synth(build), SLUG) == []
