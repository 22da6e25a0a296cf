"""IoT substitution templates and policy variables are escaped inside Fn::Sub."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tap.rules.base import Rule
from tap.rules.iot._substitution import iter_sub_problems

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.finding import Violation
    from tap.rules.model import Resource

_WHERE = {
    "AWS::IoT::TopicRule": ("TopicRulePayload", "substitution template"),
    "AWS::IoT::Policy": ("PolicyDocument", "policy variable"),
}


class SubstitutionEscaped(Rule):
    """IoT substitution templates and policy variables inside Fn::Sub are escaped as ${!...}."""

    id = "TAP-IOT-1"
    slug = "iot-substitution"
    severity = "error"
    title = "IoT substitution templates inside Fn::Sub are escaped"
    explanation = (
        "Why: IoT and CloudFormation's Fn::Sub share the ${...} syntax. Inside Fn::Sub, "
        "${topic(3)}, ${timestamp()} or ${iot:ClientId} is read as a CloudFormation variable; "
        "no parameter, resource or pseudo parameter has that name, so the stack fails "
        "template validation before anything is created ('Unresolved resource "
        "dependencies'). ${!topic(3)} renders the literal ${topic(3)} for IoT to evaluate. "
        "The reverse mistake, ${!...} in a plain string, hands IoT the '!' verbatim "
        "(seed 000 #7: the same mistake with Terraform's $${...} escape)."
    )
    fix = (
        "Write IoT expressions as ${!topic(3)} / ${!iot:ClientId} inside Fn.sub(...), or keep "
        "them out of Fn.sub: a plain Python string '${topic(3)}' reaches the template as is "
        "(combine with tokens via f-strings, which render Fn::Join)."
    )
    seeds = ("000 #7",)
    resource_types = ("AWS::IoT::TopicRule", "AWS::IoT::Policy")

    def check(self, res: Resource, ctx: Context) -> Iterator[Violation]:
        prop, kind = _WHERE[res.type]
        if prop not in res.properties:
            return
        template = ctx.stack.template
        for p in iter_sub_problems(res.properties[prop], f"Properties/{prop}", template):
            if p.escaped_outside_sub:
                yield self.violation(
                    res,
                    p.path,
                    f"${{!{p.name}}} outside Fn::Sub reaches IoT with the '!': the IoT "
                    f"{kind} ${{{p.name}}} is not evaluated",
                    fix=f"Write ${{{p.name}}} (the ${{!...}} escape only applies inside Fn::Sub).",
                )
            else:
                yield self.violation(
                    res,
                    p.path,
                    f"Fn::Sub reads the IoT {kind} ${{{p.name}}} as a CloudFormation variable, "
                    f"and {p.name!r} is no parameter, resource or pseudo parameter: the "
                    "deployment fails",
                    fix=f"Escape it as ${{!{p.name}}} inside Fn::Sub.",
                )
