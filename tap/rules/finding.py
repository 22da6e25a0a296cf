"""The one finding type every door (plugin, CLI, tests) and every report format uses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

__all__ = ["Finding", "Severity", "SourceLocation", "Violation"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where a finding points: a file, 1-based line and column."""

    file: str
    line: int
    column: int = 1


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule returns: the engine turns it into a :class:`Finding`.

    ``logical_id`` is ``None`` for a stack-level violation. ``property_path`` is
    slash-separated from the resource (``Properties/BucketName``) as in CDK's
    validation report.
    """

    logical_id: str | None
    property_path: str
    message: str
    fix: str | None = None
    severity: Severity | None = None
    """Overrides the rule's severity for this one violation (``None``: the rule's): a rule
    that cannot tell whether a value is a mistake warns instead of failing synth."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's verdict on one resource property of one stack."""

    rule_id: str
    slug: str
    severity: Severity
    stack: str
    logical_id: str | None
    property_path: str
    message: str
    fix: str
    title: str = ""
    resource_type: str | None = None
    construct_path: str | None = None
    template_path: str | None = None
    acknowledged: bool = False
    reason: str | None = None
    source: SourceLocation | None = None
    template_location: SourceLocation | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identity across runs (baselines): rule, stack, logical id, property path."""
        return (self.rule_id, self.stack, self.logical_id or "", self.property_path)

    def with_(self, **changes: Any) -> Finding:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of RULES-SPEC.md's contract (``class`` is the slug)."""
        data = asdict(self)
        data["class"] = data.pop("slug")
        if self.reason is None:
            data.pop("reason")
        for key in ("source", "template_location"):
            if data[key] is None:
                data.pop(key)
        # Extra fields (e.g. ``"baseline": "new"`` from tap.reports.baseline) are top-level
        # JSON fields; they never override the contract's own fields.
        for key, value in data.pop("extra").items():
            data.setdefault(key, value)
        return data
