"""What the local run needs from the synthesized template, read generically.

Names are resolved with the rule pack's one intrinsic resolver (:mod:`tap.rules.resolve`);
references to resources are then rendered with *local* physical names: the literal name when
the template sets one (``TableName``, ``Name``, ``QueueName``...), otherwise a name derived
from the logical id, the way CloudFormation would generate one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tap.rules.resolve import Resolver, Text

__all__ = ["ACCOUNT", "REGION", "StackModel", "TemplateError", "load_stack"]

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account

# Property that carries a resource's literal physical name, per type.
_NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::KinesisFirehose::DeliveryStream": "DeliveryStreamName",
    "AWS::Athena::WorkGroup": "Name",
}
_ARN_FORMAT = {
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:{r}:{a}:table/{n}",
    "AWS::Kinesis::Stream": "arn:aws:kinesis:{r}:{a}:stream/{n}",
    "AWS::S3::Bucket": "arn:aws:s3:::{n}",
    "AWS::SQS::Queue": "arn:aws:sqs:{r}:{a}:{n}",
    "AWS::SNS::Topic": "arn:aws:sns:{r}:{a}:{n}",
    "AWS::Lambda::Function": "arn:aws:lambda:{r}:{a}:function:{n}",
    "AWS::KinesisFirehose::DeliveryStream": "arn:aws:firehose:{r}:{a}:deliverystream/{n}",
}


class TemplateError(Exception):
    """The template lacks something the local run needs (one line, for the user)."""


@dataclass
class StackModel:
    """The template plus local physical names for its resources."""

    path: Path
    template: dict[str, Any]
    stack_name: str
    resolver: Resolver = field(init=False)
    _names: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.template, region=REGION, account=ACCOUNT)

    # -- resources ------------------------------------------------------------------

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.template.get("Resources") or {}

    def of_type(self, type_name: str) -> dict[str, dict[str, Any]]:
        return {lid: r for lid, r in self.resources.items() if r.get("Type") == type_name}

    def one(self, type_name: str) -> tuple[str, dict[str, Any]]:
        found = self.of_type(type_name)
        if len(found) != 1:
            raise TemplateError(
                f"{self.path}: expected exactly one {type_name}, found {len(found)}"
            )
        return next(iter(found.items()))

    def props(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id].get("Properties") or {}

    # -- names ----------------------------------------------------------------------

    def physical_name(self, logical_id: str) -> str:
        if logical_id not in self._names:
            resource = self.resources.get(logical_id)
            if resource is None:
                raise TemplateError(f"{self.path}: reference to undefined resource {logical_id}")
            prop = _NAME_PROPERTY.get(resource.get("Type", ""))
            literal = self.render(self.props(logical_id).get(prop)) if prop else None
            if not literal:
                literal = f"{self.stack_name}-{logical_id}".lower()[:63]
            self._names[logical_id] = literal
        return self._names[logical_id]

    def arn(self, logical_id: str) -> str:
        kind = self.resources[logical_id].get("Type", "")
        fmt = _ARN_FORMAT.get(kind, "arn:aws:local:{r}:{a}:{n}")
        return fmt.format(r=REGION, a=ACCOUNT, n=self.physical_name(logical_id))

    def ref(self, logical_id: str) -> str:
        """What ``Ref`` returns for the resource (URL for queues, ARN for topics)."""
        kind = self.resources[logical_id].get("Type", "")
        name = self.physical_name(logical_id)
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
        if kind == "AWS::SNS::Topic":
            return self.arn(logical_id)
        return name

    def render(self, value: Any) -> Any:
        """Resolve intrinsics and substitute local names; ``None`` if not knowable."""
        if value is None:
            return None
        resolved = self.resolver.resolve(value)
        return self._render_resolved(resolved)

    def _render_resolved(self, resolved: Any) -> Any:
        if isinstance(resolved, Text):
            out: list[str] = []
            for part in resolved.parts:
                if isinstance(part, str):
                    out.append(part)
                elif part.kind == "Ref" and part.name in self.resources:
                    out.append(self.ref(part.name))
                elif part.kind == "GetAtt" and part.name in self.resources:
                    out.append(self.arn(part.name) if part.attr == "Arn" else self.ref(part.name))
                elif part.kind == "AWS::Partition":
                    out.append("aws")
                elif part.kind == "AWS::URLSuffix":
                    out.append("amazonaws.com")
                elif part.kind == "AWS::StackName":
                    out.append(self.stack_name)
                else:
                    return None
            return "".join(out)
        if isinstance(resolved, dict):
            return {k: self._render_resolved(v) for k, v in resolved.items()}
        if isinstance(resolved, list):
            return [self._render_resolved(v) for v in resolved]
        return resolved

    def logical_id_of(self, value: Any) -> str | None:
        """The logical id a ``Ref``/``Fn::GetAtt`` points at."""
        if isinstance(value, dict):
            if "Ref" in value and value["Ref"] in self.resources:
                return value["Ref"]
            att = value.get("Fn::GetAtt")
            if isinstance(att, list) and att and att[0] in self.resources:
                return att[0]
            if isinstance(att, str) and att.split(".")[0] in self.resources:
                return att.split(".")[0]
        return None

    # -- functions ------------------------------------------------------------------

    def function_environment(self, logical_id: str) -> dict[str, str]:
        variables = (self.props(logical_id).get("Environment") or {}).get("Variables") or {}
        env: dict[str, str] = {}
        for key, value in variables.items():
            rendered = self.render(value)
            if rendered is None:
                raise TemplateError(f"{self.path}: cannot resolve {logical_id} env {key}")
            env[key] = str(rendered)
        return env

    def function_by_env(self, marker: str) -> str:
        """The Lambda function whose environment defines ``marker`` (e.g. ``REJECTS_BUCKET``)."""
        for lid, resource in self.of_type("AWS::Lambda::Function").items():
            variables = ((resource.get("Properties") or {}).get("Environment") or {}).get(
                "Variables"
            ) or {}
            if marker in variables:
                return lid
        raise TemplateError(f"{self.path}: no Lambda function with environment {marker}")


def load_stack(path: Path) -> StackModel:
    """Read a synthesized template; :class:`TemplateError` with one line if unusable."""
    try:
        template = json.loads(path.read_text())
    except FileNotFoundError:
        raise TemplateError(
            f"{path}: template not found; run `make synth` first (or pass --template)"
        ) from None
    except (OSError, ValueError) as exc:
        raise TemplateError(f"{path}: not a readable JSON template ({exc})") from None
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise TemplateError(f"{path}: not a CloudFormation template (no Resources)")
    stack_name = path.name.removesuffix(".template.json")
    return StackModel(path=path, template=template, stack_name=stack_name)
