"""The one table of explicit physical names: which property names a resource, and the
limits its service puts on that name.

Used by ``environment-suffix`` (every explicit name carries the suffix),
``resource-name-format`` (the service accepts the name, Athena can query it) and
``s3-bucket-name``. A name is evaluated *resolved*: ``Fn::Join``/``Fn::Sub`` of literals
and tokens. Pseudo parameters take their worst case (a 12-digit account id, the longest
region name botocore knows); other tokens (``Ref`` to a parameter, ``GetAtt``, imports,
``AWS::StackName``) are unknown: their characters are not checked and the name's length
is only bounded from below.

Limits come from the services' API references and the CloudFormation resource schemas
(the ones cfn-lint bundles, ``cfnlint/data/schemas``); each entry says where.

Example
-------
>>> from tap.rules.resolve import Resolver
>>> text = Resolver({"Resources": {}}).text(
...     {"Fn::Join": ["_", ["tap", {"Ref": "AWS::Region"}]]})
>>> spec = NAME_SPECS["AWS::IoT::TopicRule"][0]
>>> name_problems(spec, NameValue.of(text))[0]
"has characters not allowed: '-' (allowed: letters, digits and '_' (no '-'))"
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from tap.rules.common.regions import shortest_region_name
from tap.rules.resolve import WORST_CASE_ACCOUNT, Text, Token, longest_region_name

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.model import Resource

__all__ = [
    "NAME_SPECS",
    "ExplicitName",
    "NameSpec",
    "NameValue",
    "explicit_names",
    "name_problems",
    "query_problems",
    "specs_for",
    "without_dynamic_references",
]

Scope = Literal["global", "account", "region", "parent", "none"]
"""Where a name must be unique, i.e. where two environments' names collide:
``global`` (S3: every account of the partition), ``account`` (IAM: every region),
``region`` (account and region), ``parent`` (unique inside another named resource: a Glue
table in its database, an inline IAM policy in its role), ``none`` (not unique at all)."""


@dataclass(frozen=True, slots=True)
class NameSpec:
    """One physical-name property of a resource type and its service's limits.

    ``chars``, ``first`` and ``last`` are regular-expression character-class bodies
    (``"a-z0-9_"``); ``None`` means the service states no limit we check.
    """

    path: tuple[str, ...]
    max_length: int | None
    min_length: int = 1
    chars: str | None = None
    chars_text: str = ""
    first: str | None = None
    last: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    bad_prefixes: tuple[str, ...] = ()
    bad_suffixes: tuple[str, ...] = ()
    bad_substrings: tuple[str, ...] = ()
    not_ip_address: bool = False
    scope: Scope = "region"
    query_chars: tuple[str, str] | None = None
    """Characters a name needs to be used unquoted where it is queried (Athena SQL), as
    ``(class body, text)``: outside them the service accepts the name, so a warning."""

    @property
    def property_path(self) -> str:
        return "Properties/" + "/".join(self.path)

    @property
    def property_name(self) -> str:
        return self.path[-1] if len(self.path) == 1 else "/".join(self.path)


# Character sets: (regular-expression class body, the same for people).
_LETTERS_DIGITS_UD = ("a-zA-Z0-9_-", "letters, digits, '_' and '-'")
_LETTERS_DIGITS_UDD = ("a-zA-Z0-9_.-", "letters, digits and _.-")
_IAM = ("A-Za-z0-9_+=,.@-", "letters, digits and _+=,.@-")
_IOT_THING = ("a-zA-Z0-9:_-", "letters, digits and :_-")
_ATHENA = ("a-z0-9_", "lowercase letters, digits and '_'")
# Glue's single-line string pattern: [\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*
_GLUE = ("\t\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff", "a single line of text")
# Step Functions names: "must not contain white space, brackets < > { } [ ], wildcard
# characters ? *, special characters \" # % \\ ^ | ~ ` $ & , ; : /, control characters"
# (API reference, CreateStateMachine `name`).
_SFN = (
    r"^\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f",
    'no white space, brackets, wildcards or "#%\\^|~`$&,;:/',
)


def _spec(
    path: str | tuple[str, ...],
    max_length: int | None,
    min_length: int = 1,
    charset: tuple[str, str] | None = None,
    **kwargs: Any,
) -> tuple[NameSpec]:
    chars, text = charset if charset else (None, "")
    keys = (path,) if isinstance(path, str) else path
    return (NameSpec(keys, max_length, min_length, chars, text, **kwargs),)


NAME_SPECS: dict[str, tuple[NameSpec, ...]] = {
    # S3 general purpose bucket naming rules,
    # https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
    "AWS::S3::Bucket": _spec(
        "BucketName",
        63,
        3,
        ("a-z0-9.-", "lowercase letters, digits, '.' and '-'"),
        first="a-z0-9",
        last="a-z0-9",
        bad_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
        bad_suffixes=("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"),
        bad_substrings=("..",),
        not_ip_address=True,
        scope="global",
    ),
    # DynamoDB: 3-255 of a-z A-Z 0-9 _ - . (Developer Guide, "Naming rules").
    "AWS::DynamoDB::Table": _spec("TableName", 255, 3, _LETTERS_DIGITS_UDD),
    "AWS::DynamoDB::GlobalTable": _spec("TableName", 255, 3, _LETTERS_DIGITS_UDD),
    # Lambda CreateFunction FunctionName: [a-zA-Z0-9-_]{1,64} for a bare name.
    "AWS::Lambda::Function": _spec("FunctionName", 64, 1, _LETTERS_DIGITS_UD),
    # Publishing a layer under an existing name adds a version: no collision.
    "AWS::Lambda::LayerVersion": _spec("LayerName", 140, 1, _LETTERS_DIGITS_UD, scope="none"),
    # Kinesis CreateStream: [a-zA-Z0-9_.-]+, 1-128.
    "AWS::Kinesis::Stream": _spec("Name", 128, 1, _LETTERS_DIGITS_UDD),
    # Firehose CreateDeliveryStream: [a-zA-Z0-9_.-]+, 1-64.
    "AWS::KinesisFirehose::DeliveryStream": _spec("DeliveryStreamName", 64, 1, _LETTERS_DIGITS_UDD),
    # SNS CreateTopic: "uppercase and lowercase ASCII letters, numbers, underscores, and
    # hyphens, 1-256 characters"; FIFO topics end in ".fifo" (see specs_for).
    "AWS::SNS::Topic": _spec("TopicName", 256, 1, _LETTERS_DIGITS_UD),
    # SQS CreateQueue: "up to 80 characters: alphanumeric characters, hyphens (-), and
    # underscores (_)"; FIFO queues end in ".fifo", counted in the 80 (see specs_for).
    "AWS::SQS::Queue": _spec("QueueName", 80, 1, _LETTERS_DIGITS_UD),
    # IAM object quotas (IAM User Guide): role and user names 64 characters, policy,
    # group and instance profile names 128. IAM names are account-wide (every region).
    "AWS::IAM::Role": _spec("RoleName", 64, 1, _IAM, scope="account"),
    "AWS::IAM::ManagedPolicy": _spec("ManagedPolicyName", 128, 1, _IAM, scope="account"),
    # Inline policies live inside their role, user or group; CDK names them itself.
    "AWS::IAM::Policy": _spec("PolicyName", 128, 1, _IAM, scope="parent"),
    "AWS::IAM::User": _spec("UserName", 64, 1, _IAM, scope="account"),
    "AWS::IAM::Group": _spec("GroupName", 128, 1, _IAM, scope="account"),
    "AWS::IAM::InstanceProfile": _spec("InstanceProfileName", 128, 1, _IAM, scope="account"),
    # IoT CreateTopicRule: ^[a-zA-Z0-9_]+$, 1-128. No hyphen: the seeds' recurring mistake.
    "AWS::IoT::TopicRule": _spec(
        "RuleName", 128, 1, ("a-zA-Z0-9_", "letters, digits and '_' (no '-')")
    ),
    # IoT CreatePolicy: [\w+=,.@-]+, 1-128; CreateThingType/CreateThing: [a-zA-Z0-9:_-]+.
    "AWS::IoT::Policy": _spec("PolicyName", 128, 1, _IAM),
    "AWS::IoT::ThingType": _spec("ThingTypeName", 128, 1, _IOT_THING),
    "AWS::IoT::Thing": _spec("ThingName", 128, 1, _IOT_THING),
    # Athena CreateWorkGroup: [a-zA-Z0-9._-]{1,128}.
    "AWS::Athena::WorkGroup": _spec("Name", 128, 1, _LETTERS_DIGITS_UDD),
    # Named queries are identified by a generated id; their names may repeat.
    "AWS::Athena::NamedQuery": _spec("Name", 128, 1, scope="none"),
    # Glue CreateDatabase / CreateTable (API reference, DatabaseInput/TableInput Name):
    # 1-255 bytes of the single-line string pattern, so "log-database" is valid. Athena
    # (User Guide, "Name databases, tables, and columns") wants lowercase letters, digits
    # and '_': other names must be quoted in every query (backticks in DDL, double quotes
    # in DML), and Glue folds capitals to lowercase, so IAM ARNs naming them miss: a
    # warning (query_chars), not an error.
    "AWS::Glue::Database": _spec(("DatabaseInput", "Name"), 255, 1, _GLUE, query_chars=_ATHENA),
    "AWS::Glue::Table": _spec(
        ("TableInput", "Name"), 255, 1, _GLUE, scope="parent", query_chars=_ATHENA
    ),
    "AWS::Glue::Crawler": _spec("Name", 255),
    "AWS::Glue::Job": _spec("Name", 255),
    # CloudWatch Logs CreateLogGroup: [\.\-_/#A-Za-z0-9]+, 1-512.
    "AWS::Logs::LogGroup": _spec(
        "LogGroupName", 512, 1, ("A-Za-z0-9._/#-", "letters, digits and ._/#-")
    ),
    # CloudWatch PutMetricAlarm / PutCompositeAlarm: 1-255.
    "AWS::CloudWatch::Alarm": _spec("AlarmName", 255),
    "AWS::CloudWatch::CompositeAlarm": _spec("AlarmName", 255),
    # PutDashboard: "alphanumerics, dash (-), and underscore (_)", 1-255; account-wide.
    "AWS::CloudWatch::Dashboard": _spec(
        "DashboardName", 255, 1, _LETTERS_DIGITS_UD, scope="account"
    ),
    # EventBridge PutRule: [\.\-_A-Za-z0-9]+, 1-64; CreateEventBus: 1-256, '/' allowed.
    "AWS::Events::Rule": _spec("Name", 64, 1, _LETTERS_DIGITS_UDD),
    "AWS::Events::EventBus": _spec("Name", 256, 1, ("A-Za-z0-9/._-", "letters, digits and /._-")),
    # EventBridge Scheduler CreateSchedule / CreateScheduleGroup: [0-9a-zA-Z-_.]+, 1-64.
    "AWS::Scheduler::Schedule": _spec("Name", 64, 1, _LETTERS_DIGITS_UDD),
    "AWS::Scheduler::ScheduleGroup": _spec("Name", 64, 1, _LETTERS_DIGITS_UDD),
    "AWS::Pipes::Pipe": _spec("Name", 64, 1, _LETTERS_DIGITS_UDD),
    # Step Functions CreateStateMachine / CreateActivity: 1-80, see _SFN.
    "AWS::StepFunctions::StateMachine": _spec("StateMachineName", 80, 1, _SFN),
    "AWS::StepFunctions::Activity": _spec("Name", 80, 1, _SFN),
    # CloudTrail CreateTrail: 3-128 letters, digits and ._-, starting and ending with a
    # letter or digit, no adjacent '.', '_' or '-', not an IP address.
    "AWS::CloudTrail::Trail": _spec(
        "TrailName",
        128,
        3,
        ("A-Za-z0-9._-", "letters, digits and ._-"),
        first="A-Za-z0-9",
        last="A-Za-z0-9",
        bad_substrings=("..", "--", "__", "._", "_.", ".-", "-.", "_-", "-_"),
        not_ip_address=True,
    ),
    # KMS CreateAlias: "alias/" then [a-zA-Z0-9:/_-]+, 1-256; "alias/aws/" is reserved.
    "AWS::KMS::Alias": _spec(
        "AliasName",
        256,
        1,
        ("A-Za-z0-9:/_-", "letters, digits and :/_-"),
        prefix="alias/",
        bad_prefixes=("alias/aws/",),
    ),
    # REST API names need not be unique (APIs are identified by generated ids).
    "AWS::ApiGateway::RestApi": _spec("Name", None, scope="none"),
    # SSM parameter names: letters, digits and _.-/, at most 1011 characters as given.
    "AWS::SSM::Parameter": _spec("Name", 1011, 1, ("A-Za-z0-9_./-", "letters, digits and _./-")),
    # Secrets Manager CreateSecret: letters, digits and /_+=.@-, 1-512.
    "AWS::SecretsManager::Secret": _spec(
        "Name", 512, 1, ("A-Za-z0-9/_+=.@-", "letters, digits and /_+=.@-")
    ),
    # ECR CreateRepository: lowercase, 2-256, starts and ends with a letter or digit.
    "AWS::ECR::Repository": _spec(
        "RepositoryName",
        256,
        2,
        ("a-z0-9._/-", "lowercase letters, digits and ._/-"),
        first="a-z0-9",
        last="a-z0-9",
    ),
    # ECS CreateCluster: letters, digits, '_' and '-', 1-255.
    "AWS::ECS::Cluster": _spec("ClusterName", 255, 1, _LETTERS_DIGITS_UD),
    # CodeBuild CreateProject: [A-Za-z0-9][A-Za-z0-9\-_]{1,254}.
    "AWS::CodeBuild::Project": _spec("Name", 255, 2, _LETTERS_DIGITS_UD, first="A-Za-z0-9"),
}

# FIFO variants: the name ends in ".fifo" (counted in the length), the only '.' allowed.
_FIFO = {
    ("AWS::SQS::Queue", "FifoQueue"): NameSpec(
        ("QueueName",),
        80,
        6,
        "A-Za-z0-9_.-",
        "letters, digits, '_' and '-', then '.fifo'",
        suffix=".fifo",
    ),
    ("AWS::SNS::Topic", "FifoTopic"): NameSpec(
        ("TopicName",),
        256,
        6,
        "A-Za-z0-9_.-",
        "letters, digits, '_' and '-', then '.fifo'",
        suffix=".fifo",
    ),
}


def specs_for(res: Resource, ctx: Context) -> tuple[NameSpec, ...]:
    """The name specs of ``res``: its type's row, with FIFO queues and topics resolved."""
    specs = NAME_SPECS.get(res.type, ())
    for (rtype, flag), fifo in _FIFO.items():
        if res.type != rtype or flag not in res.properties:
            continue
        value = ctx.resolve(res.properties[flag])
        if value is True or value == "true":
            return (fifo,)
        if isinstance(value, Text):  # FIFO or not is decided at deploy time
            return (NameSpec(fifo.path, fifo.max_length),)
    return specs


@dataclass(frozen=True, slots=True)
class ExplicitName:
    """An explicit physical name of one resource, resolved."""

    spec: NameSpec
    text: Text

    @property
    def property_path(self) -> str:
        return self.spec.property_path


def explicit_names(res: Resource, ctx: Context) -> Iterator[ExplicitName]:
    """The explicit names ``res`` sets (none when CloudFormation generates the name)."""
    for spec in specs_for(res, ctx):
        raw: Any = res.properties
        for key in spec.path:
            raw = raw.get(key) if isinstance(raw, dict) else None
        if raw is None:
            continue
        text = ctx.text(raw)
        if text is not None:
            yield ExplicitName(spec, without_dynamic_references(text))


_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:[^{}]*\}\}")


def without_dynamic_references(text: Text) -> Text:
    """``text`` with each CloudFormation dynamic reference (``{{resolve:ssm:/name}}``,
    ``{{resolve:secretsmanager:...}}``) as an unknown token: CloudFormation replaces it
    with a value read at deploy time, so its own characters say nothing about the name."""
    if not any(isinstance(p, str) and "{{resolve:" in p for p in text.parts):
        return text
    parts: list[str | Token] = []
    for part in text.parts:
        if not isinstance(part, str):
            parts.append(part)
            continue
        last = 0
        for m in _DYNAMIC_REFERENCE.finditer(part):
            parts.append(part[last : m.start()])
            parts.append(Token("Unknown", "dynamic reference " + m.group(0)))
            last = m.end()
        parts.append(part[last:])
    return Text.of(*parts)


@cache
def _pseudo_worst() -> dict[str, str]:
    return {
        "AWS::AccountId": WORST_CASE_ACCOUNT,
        "AWS::Region": longest_region_name(),
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
    }


@cache
def _pseudo_shortest() -> dict[str, int]:
    return {
        "AWS::AccountId": len(WORST_CASE_ACCOUNT),
        "AWS::Region": len(shortest_region_name()),
        "AWS::Partition": len("aws"),
        "AWS::URLSuffix": len("amazonaws.com"),
    }


@dataclass(frozen=True, slots=True)
class NameValue:
    """A resolved name as known segments (literals and pseudo parameters at their worst
    case) and unknown ones (``None``: a parameter, a resource attribute, ...)."""

    text: Text
    segments: tuple[str | None, ...]

    @classmethod
    def of(cls, text: Text) -> NameValue:
        worst = _pseudo_worst()
        segments = tuple(
            part if isinstance(part, str) else worst.get(part.kind) for part in text.parts
        )
        return cls(text, segments)

    @property
    def full(self) -> str | None:
        """The whole name at its worst case, or ``None`` when part of it is unknown."""
        if any(s is None for s in self.segments):
            return None
        return "".join(s for s in self.segments if s is not None)

    @property
    def min_length(self) -> int:
        """A lower bound of the name's length (unknown parts count as empty)."""
        shortest = _pseudo_shortest()
        return sum(
            len(part) if isinstance(part, str) else shortest.get(part.kind, 0)
            for part in self.text.parts
        )

    @property
    def worst_case_note(self) -> str:
        kinds = {t.kind for t in self.text.tokens}
        notes = []
        if "AWS::AccountId" in kinds:
            notes.append("a 12-digit account id")
        if "AWS::Region" in kinds:
            notes.append(f"the longest region name ({longest_region_name()})")
        return " with " + " and ".join(notes) if notes else ""


_IP_ADDRESS = re.compile(r"\d{1,3}(\.\d{1,3}){3}")


@cache
def _char_class(body: str) -> re.Pattern[str]:
    return re.compile(f"[{body}]")


def _describe(chars: list[str]) -> str:
    return ", ".join(repr(c) for c in chars)


def name_problems(spec: NameSpec, value: NameValue) -> list[str]:
    """What the service would reject in ``value`` (empty: nothing certain)."""
    return _char_problems(spec, value) + _length_problems(spec, value) + _edge_problems(spec, value)


def query_problems(spec: NameSpec, value: NameValue) -> list[str]:
    """What a query language would need quoted in ``value`` (the service accepts it)."""
    if spec.query_chars is None:
        return []
    chars, text = spec.query_chars
    allowed = _char_class(chars)
    known = [s for s in value.segments if s is not None]
    bad = sorted({c for s in known for c in s if not allowed.fullmatch(c)})
    if not bad:
        return []
    return [f"has characters Athena needs quoted: {_describe(bad)} (unquoted: {text})"]


def _char_problems(spec: NameSpec, value: NameValue) -> list[str]:
    out: list[str] = []
    known = [s for s in value.segments if s is not None]
    if spec.chars:
        allowed = _char_class(spec.chars)
        bad = sorted({c for s in known for c in s if not allowed.fullmatch(c)})
        if bad:
            out.append(f"has characters not allowed: {_describe(bad)} (allowed: {spec.chars_text})")
    bad_subs = sorted({b for b in spec.bad_substrings for s in known if b in s})
    if bad_subs:
        out.append(f"contains {_describe(bad_subs)}")
    if spec.not_ip_address and value.full is not None and _IP_ADDRESS.fullmatch(value.full):
        out.append("is formatted as an IP address")
    return out


def _length_problems(spec: NameSpec, value: NameValue) -> list[str]:
    full = value.full
    if full is None:
        # Unknown parts: only a lower bound, which can prove "too long" but not "too short".
        if spec.max_length is not None and value.min_length > spec.max_length:
            return [f"is at least {value.min_length} characters (max {spec.max_length})"]
        return []
    if spec.max_length is not None and len(full) > spec.max_length:
        return [f"is {len(full)} characters{value.worst_case_note} (max {spec.max_length})"]
    if len(full) < spec.min_length:
        return [f"is {len(full)} characters (min {spec.min_length})"]
    return []


def _edge_problems(spec: NameSpec, value: NameValue) -> list[str]:
    # The start and end of the name: the whole name when known, else its first and last
    # segments when those are known (a token in between does not change them).
    full = value.full
    head = full if full is not None else (value.segments[0] if value.segments else None)
    tail = full if full is not None else (value.segments[-1] if value.segments else None)
    out: list[str] = []
    if head:
        if spec.first and not _char_class(spec.first).fullmatch(head[0]):
            out.append(f"starts with {head[0]!r} (must start with [{spec.first}])")
        if spec.prefix and not _may_start(head, spec.prefix, full):
            out.append(f"does not start with {spec.prefix!r}")
        out.extend(
            f"starts with the reserved prefix {p!r}"
            for p in spec.bad_prefixes
            if head.startswith(p)
        )
    if tail:
        if spec.last and not _char_class(spec.last).fullmatch(tail[-1]):
            out.append(f"ends with {tail[-1]!r} (must end with [{spec.last}])")
        if spec.suffix and not _may_end(tail, spec.suffix, full):
            out.append(f"does not end with {spec.suffix!r}")
        out.extend(
            f"ends with the reserved suffix {x!r}" for x in spec.bad_suffixes if tail.endswith(x)
        )
    return out


def _may_start(head: str, prefix: str, full: str | None) -> bool:
    if full is not None or len(head) >= len(prefix):
        return head.startswith(prefix)
    return prefix.startswith(head)  # the rest of the prefix may come from a token


def _may_end(tail: str, suffix: str, full: str | None) -> bool:
    if full is not None or len(tail) >= len(suffix):
        return tail.endswith(suffix)
    return suffix.endswith(tail)
