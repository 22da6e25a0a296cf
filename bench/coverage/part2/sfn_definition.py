"""``sfn-definition``: a hand-written definition whose Next names no state."""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_stepfunctions as sfn

from bench.coverage.cases import Case


def _machine(next_state: str):
    definition = {
        "StartAt": "Validate",
        "States": {
            "Validate": {"Type": "Pass", "Next": next_state},
            "Store": {"Type": "Pass", "End": True},
        },
    }

    def build(stack: cdk.Stack) -> None:
        sfn.StateMachine(
            stack,
            "Ingest",
            definition_body=sfn.DefinitionBody.from_string(json.dumps(definition)),
        )

    return build


CASES = (
    Case(
        "sfn-next-unknown-state",
        "sfn-definition",
        "Part 2",
        "hand-written definition: Validate's Next names 'Save', the state is 'Store'",
        _machine("Save"),
        _machine("Store"),
        ("Ingest",),
    ),
)
