"""The size a service counts for a policy document or an environment: compact JSON, tokens
estimated. No rules here.

IAM counts a policy's characters without white space ('IAM and AWS STS quotas'); Lambda,
S3, SQS and SNS count the bytes of the JSON they store, which is compact. Both are the length
of ``json.dumps(value, separators=(",", ":"))``. A value only known at deploy time is
estimated from below, so a size over the quota is over it whatever the tokens become:

- ``AWS::AccountId`` 12 characters, ``AWS::Region`` 9 (``us-east-1``, the shortest region
  names), ``AWS::Partition`` 3, ``AWS::URLSuffix`` 13;
- any other token (a resource's name or ARN, a parameter, an import) ``TOKEN_ESTIMATE``
  characters: CloudFormation's generated names are ``<stack>-<logical id>-<suffix>``, longer
  than that, and an ARN longer still.
"""

from __future__ import annotations

import json
from typing import Any

from tap.rules.resolve import Text

__all__ = ["TOKEN_ESTIMATE", "json_size"]

TOKEN_ESTIMATE = 20
_PSEUDO = {
    "AWS::AccountId": 12,
    "AWS::Region": 9,
    "AWS::Partition": 3,
    "AWS::URLSuffix": 13,
}


def _str_size(value: str) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode()) - 2


def json_size(value: Any) -> int:
    """Compact-JSON length (UTF-8 bytes) of a resolved value, tokens estimated from below."""
    if isinstance(value, Text):
        total = 2
        for part in value.parts:
            if isinstance(part, str):
                total += _str_size(part)
            else:
                total += _PSEUDO.get(part.kind, TOKEN_ESTIMATE)
        return total
    if isinstance(value, dict):
        items = [_str_size(str(k)) + 3 + json_size(v) for k, v in value.items()]
        return 2 + sum(items) + max(len(items) - 1, 0)
    if isinstance(value, list):
        items = [json_size(v) for v in value]
        return 2 + sum(items) + max(len(items) - 1, 0)
    if isinstance(value, str):
        return _str_size(value) + 2
    return len(json.dumps(value))
