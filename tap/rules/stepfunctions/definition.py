"""Step Functions state machine definitions are valid Amazon States Language
(``sfn-definition``).

CDK's state classes chain states for you; a definition written by hand
(``sfn.DefinitionBody.from_string``/``from_file``, ``CfnStateMachine``) reaches the service
unchecked. This rule follows the transitions: ``StartAt`` names a state, every ``Next``,
``Default`` and ``Catch`` target exists in its scope, every state is reachable, a ``Choice``
has ``Choices``, every state that is not ``Choice``/``Succeed``/``Fail`` has ``Next`` or
``End``, and ``Parallel``
branches and ``Map`` processors are checked as machines of their own. cfn-lint's E3601
validates the shape of each state against a JSON schema (and since 1.x ``StartAt``), but not
the ``Next`` targets; no maintained Python ASL validator exists on PyPI, and the checks are
the spec's own wording (states-language.net; Step Functions Developer Guide, "State machine
structure in Amazon States Language").

``DefinitionString`` is often an ``Fn::Join`` of JSON text and ARNs: tokens are replaced by
a placeholder string before parsing; a definition that still does not parse (a token where
JSON needs a number, an S3 location) is not judged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tap.rules.base import Rule

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

__all__ = ["StateMachineDefinitionValid", "definition_problems"]

_TYPES = {"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}
_TERMINAL = {"Choice", "Succeed", "Fail"}  # no Next/End of their own
_PLACEHOLDER = "TOKEN"


def definition_problems(machine: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(JSON path, problem) for each transition of ``machine`` the service refuses."""
    if not isinstance(machine, dict):
        yield path or "/", "the definition is not a JSON object"
        return
    states = machine.get("States")
    start = machine.get("StartAt")
    if not isinstance(states, dict) or not states:
        yield f"{path}/States", "no States"
        return
    if start is None:
        yield f"{path}/StartAt", "no StartAt"
    elif isinstance(start, str) and start not in states:
        yield f"{path}/StartAt", f"StartAt {start!r} is not a state of this machine"
    for name, state in states.items():
        yield from _state(name, state, states, f"{path}/States/{name}")
    if isinstance(start, str) and start in states:
        for name in _unreachable(start, states):
            yield f"{path}/States/{name}", f"state {name!r} is not reachable from StartAt"


def _targets(state: Any) -> Iterator[Any]:
    """Every state name ``state`` can transition to (Next, Choices, Default, Catch)."""
    if not isinstance(state, dict):
        return
    yield state.get("Next")
    yield state.get("Default")
    for key in ("Choices", "Catch"):
        items = state.get(key)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                yield item.get("Next")


def _unreachable(start: str, states: dict[str, Any]) -> list[str]:
    """States no transition reaches from ``start`` (Step Functions refuses them: 'State
    "X" is not reachable.'). A transition target that is not a literal stops the check."""
    seen, todo = {start}, [start]
    while todo:
        for target in _targets(states.get(todo.pop())):
            if target is None:
                continue
            if not isinstance(target, str):
                return []  # decided at deploy time: cannot tell
            if target in states and target not in seen:
                seen.add(target)
                todo.append(target)
    return [name for name in states if name not in seen]


def _state(name: str, state: Any, states: dict[str, Any], at: str) -> Iterator[tuple[str, str]]:
    if not isinstance(state, dict):
        yield at, f"state {name!r} is not an object"
        return
    kind = state.get("Type")
    if kind not in _TYPES:
        yield f"{at}/Type", f"state {name!r} has Type {kind!r}, not one of {sorted(_TYPES)}"
        return
    nxt, end = state.get("Next"), state.get("End")
    if kind in _TERMINAL:
        if nxt is not None or end is not None:
            yield at, f"{kind} state {name!r} takes neither Next nor End"
    elif nxt is None and end is not True:
        yield at, f'{kind} state {name!r} has neither Next nor "End": true'
    elif nxt is not None and end is True:
        yield at, f"{kind} state {name!r} has both Next and End"
    if isinstance(nxt, str) and nxt not in states:
        yield f"{at}/Next", f"state {name!r}: Next {nxt!r} is not a state of this machine"
    if kind == "Choice":
        yield from _choice(name, state, states, at)
    for i, catcher in enumerate(state.get("Catch") or []):
        target = catcher.get("Next") if isinstance(catcher, dict) else None
        if isinstance(target, str) and target not in states:
            yield f"{at}/Catch/{i}/Next", f"state {name!r}: Catch Next {target!r} is not a state"
    yield from _children(name, kind, state, at)


def _children(name: str, kind: str, state: dict[str, Any], at: str) -> Iterator[tuple[str, str]]:
    """Parallel branches and Map processors: machines of their own."""
    if kind == "Parallel":
        branches = state.get("Branches")
        if not isinstance(branches, list) or not branches:
            yield at, f"Parallel state {name!r} has no Branches"
        else:
            for i, branch in enumerate(branches):
                yield from definition_problems(branch, f"{at}/Branches/{i}")
    if kind == "Map":
        processor = state.get("ItemProcessor", state.get("Iterator"))
        if processor is None:
            yield at, f"Map state {name!r} has no ItemProcessor"
        else:
            key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
            yield from definition_problems(processor, f"{at}/{key}")


def _choice(
    name: str, state: dict[str, Any], states: dict[str, Any], at: str
) -> Iterator[tuple[str, str]]:
    choices = state.get("Choices")
    if not isinstance(choices, list) or not choices:
        yield at, f"Choice state {name!r} has no Choices"
        return
    for i, rule in enumerate(choices):
        target = rule.get("Next") if isinstance(rule, dict) else None
        if not isinstance(target, str):
            yield f"{at}/Choices/{i}", f"Choice state {name!r}: choice {i} has no Next"
        elif target not in states:
            yield (
                f"{at}/Choices/{i}/Next",
                (f"Choice state {name!r}: Next {target!r} is not a state of this machine"),
            )
    default = state.get("Default")
    if isinstance(default, str) and default not in states:
        yield f"{at}/Default", f"Choice state {name!r}: Default {default!r} is not a state"


def _load(ctx: Context, res: Resource) -> tuple[str, Any] | None:
    """(property, parsed definition), or ``None`` when the template cannot tell."""
    if "Definition" in res.properties:
        value = ctx.resolve(res.properties["Definition"])
        return ("Definition", value) if isinstance(value, dict) else None
    text = ctx.text(res.properties.get("DefinitionString"))
    if text is None or text.has_unknown:
        return None
    source = text.render(default=_PLACEHOLDER) or ""
    subs = ctx.resolve(res.properties.get("DefinitionSubstitutions"))
    if isinstance(subs, dict) and "${" in source:
        # Step Functions replaces ${key} before validating: do the same
        for key, value in subs.items():
            shown = value if isinstance(value, str) else _PLACEHOLDER
            if isinstance(value, int | float) and not isinstance(value, bool):
                shown = str(value)
            source = source.replace("${" + str(key) + "}", shown)
    try:
        return "DefinitionString", json.loads(source)
    except RecursionError:
        return None  # nested deeper than the parser goes: not judged
    except ValueError:
        if text.is_literal:
            return "DefinitionString", ValueError("not JSON")
        return None


class StateMachineDefinitionValid(Rule):
    """A state machine's ``StartAt``, ``Next``, ``Default`` and ``Catch`` targets name
    states of their machine; ``Choice`` states have ``Choices``; other non-terminal states
    have ``Next`` or ``End``."""

    id = "TAP-SFN-1"
    slug = "sfn-definition"
    severity = "error"
    title = "Step Functions definitions are valid Amazon States Language"
    explanation = (
        "Why: Step Functions validates the definition when CloudFormation creates the state "
        "machine: 'Invalid State Machine Definition: ... MISSING_TRANSITION_TARGET: Missing "
        "'Next' target' or 'SCHEMA_VALIDATION_FAILED' (InvalidDefinition), after the "
        "template synthesized cleanly; 'State \"X\" is not reachable.' for a state no "
        "transition reaches. A hand-written definition (DefinitionBody.from_string "
        "or from_file) is not checked by CDK. AWS documentation: Step Functions Developer "
        "Guide, 'State machine structure in Amazon States Language' "
        "(amazon-states-language-state-machine-structure.html) and 'Transitioning between "
        "states' (concepts-transitions.html); the spec at states-language.net."
    )
    fix = (
        "In CDK: build the machine from sfn.Chain / state classes "
        "(sfn.DefinitionBody.from_chainable(tasks.LambdaInvoke(...).next(...))), which "
        "write every Next/End for you; in a hand-written definition, name existing states in "
        'StartAt/Next/Default/Catch and end each branch with "End": true.'
    )
    resource_types = ("AWS::StepFunctions::StateMachine",)

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        loaded = _load(ctx, res)
        if loaded is None:
            return
        prop, definition = loaded
        if isinstance(definition, ValueError):
            yield self.violation(res, f"Properties/{prop}", "definition is not valid JSON")
            return
        for where, problem in definition_problems(definition):
            yield self.violation(res, f"Properties/{prop}", f"{problem} (at {where})")
