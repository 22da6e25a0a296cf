"""What a resolved bucket policy grants a service principal (no rules here).

Verdicts are tri-state: ``True`` granted, ``False`` not granted, ``None`` decided at deploy
time (a value the resolver could not follow).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from tap.rules.resolve import WORST_CASE_ACCOUNT, Text, Token

__all__ = ["Renderer", "any_verdict", "glob", "statement_grants", "has_acl_condition"]


def glob(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """An IAM wildcard pattern (``*``, ``?``) as a regular expression."""
    body = ".*".join(".".join(map(re.escape, p.split("?"))) for p in pattern.split("*"))
    return re.compile(body, re.IGNORECASE if ignore_case else 0)


def any_verdict(verdicts: Iterable[bool | None]) -> bool | None:
    """True if any is True, else None if any is None, else False."""
    seen_none = False
    for v in verdicts:
        if v is True:
            return True
        seen_none = seen_none or v is None
    return None if seen_none else False


class Renderer:
    """Renders ARNs of one bucket to comparable strings.

    The bucket's ``Ref`` becomes its name (its literal ``BucketName``, or a placeholder
    when CloudFormation generates it) and its ``Arn`` attribute ``arn:aws:s3:::<name>``;
    pseudo parameters become the stack's values or worst-case stand-ins. Any other
    token makes the value unknown (``None``).
    """

    def __init__(self, bucket_id: str, bucket_name: Text | None, account: str | None) -> None:
        self.bucket_id = bucket_id
        self.account = account or WORST_CASE_ACCOUNT
        self._pseudo = {
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::AccountId": self.account,
            "AWS::Region": "region-1",
        }
        rendered = bucket_name.render(self._pseudo) if bucket_name is not None else None
        self.name = rendered or f"{bucket_id.lower()}-generated-name"

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"

    def render(self, value: Any) -> str | None:
        if isinstance(value, str):
            return value
        if not isinstance(value, Text):
            return None
        out = []
        for part in value.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            text = self._token(part)
            if text is None:
                return None
            out.append(text)
        return "".join(out)

    def _token(self, tok: Token) -> str | None:
        if tok.kind in self._pseudo:
            return self._pseudo[tok.kind]
        if tok.name == self.bucket_id and tok.kind == "Ref":
            return self.name
        if tok.name == self.bucket_id and tok.kind == "GetAtt" and tok.attr == "Arn":
            return self.arn
        return None


def _strings(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _principal_matches(principal: Any, service: str) -> bool | None:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return None if isinstance(principal, Text) else False
    verdicts: list[bool | None] = []
    for key, values in principal.items():
        for v in _strings(values):
            if isinstance(v, Text):
                verdicts.append(None)
            elif key == "Service":
                verdicts.append(isinstance(v, str) and v.lower() == service)
            elif key == "AWS":
                verdicts.append(v == "*")
    return any_verdict(verdicts)


def _action_matches(actions: Any, action: str) -> bool | None:
    verdicts: list[bool | None] = []
    for a in _strings(actions):
        if isinstance(a, Text):
            verdicts.append(None)
        elif isinstance(a, str):
            verdicts.append(bool(glob(a, ignore_case=True).fullmatch(action)))
    return any_verdict(verdicts)


def _resource_matches(resources: Any, arn: str, renderer: Renderer) -> bool | None:
    verdicts: list[bool | None] = []
    for r in _strings(resources):
        rendered = renderer.render(r)
        verdicts.append(None if rendered is None else bool(glob(rendered).fullmatch(arn)))
    return any_verdict(verdicts)


def statement_grants(
    statement: Any, service: str, action: str, arn: str, renderer: Renderer
) -> bool | None:
    """Whether one resolved policy statement allows ``service`` to do ``action`` on ``arn``
    (conditions aside)."""
    if not isinstance(statement, dict):
        return None if isinstance(statement, Text) else False
    if statement.get("Effect") != "Allow":
        return None if isinstance(statement.get("Effect"), Text) else False
    if not {"Principal", "Action", "Resource"} <= statement.keys():
        return False  # NotPrincipal / NotAction / NotResource grants are not what we want
    verdicts = (
        _principal_matches(statement["Principal"], service),
        _action_matches(statement["Action"], action),
        _resource_matches(statement["Resource"], arn, renderer),
    )
    if False in verdicts:
        return False
    return None if None in verdicts else True


def has_acl_condition(statement: dict[str, Any], acl: str) -> bool | None:
    """Whether the statement requires the canned ACL ``s3:x-amz-acl`` = ``acl``."""
    condition = statement.get("Condition")
    if isinstance(condition, Text):
        return None
    if not isinstance(condition, dict):
        return False
    verdicts: list[bool | None] = []
    for operator, tests in condition.items():
        if not (isinstance(operator, str) and operator.startswith("String")):
            continue
        if "Not" in operator or not isinstance(tests, dict):
            continue
        for key, values in tests.items():
            if key.lower() != "s3:x-amz-acl":
                continue
            for v in _strings(values):
                verdicts.append(None if isinstance(v, Text) else v == acl)
    return any_verdict(verdicts)
