"""Does a key policy let a service principal use the key? No rules here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tap.rules.iam._policy import parse_statements, principal_services, service_principal_matches

if TYPE_CHECKING:
    from tap.rules.base import Context


def stack_key(ctx: Context, value: Any) -> str | None:
    """The ``AWS::KMS::Key`` of the stack a ``KmsKeyId``/``KmsMasterKeyId`` names."""
    text = ctx.text(value)
    if text is None or len(text.parts) != 1 or isinstance(text.parts[0], str):
        return None
    tok = text.parts[0]
    res = ctx.resource(tok.name) if tok.kind in ("Ref", "GetAtt") else None
    return res.logical_id if res is not None and res.type == "AWS::KMS::Key" else None


def missing_for_service(
    ctx: Context, key_lid: str, service: str, actions: tuple[str, ...]
) -> list[str] | None:
    """The ``actions`` no Allow statement of the key policy grants to ``service``
    (``logs.amazonaws.com``, regional forms and URLSuffix tokens included);
    ``None`` when the key policy cannot be read."""
    key = ctx.resource(key_lid)
    if key is None:
        return None
    statements = parse_statements(ctx.resolve(key.properties.get("KeyPolicy")))
    if statements is None:
        return None
    out = []
    for action in actions:
        granted = False
        for st in statements:
            if st.effect != "Allow" or not st.matches_action(action):
                continue
            services = principal_services(st.principal)
            if services is None:
                return None  # an unresolvable principal: unknown
            if any(service_principal_matches(s, service) for s in services):
                granted = True
                break
        if not granted:
            out.append(action)
    return out
