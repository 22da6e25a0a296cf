"""Rule discovery: every ``Rule`` subclass in a module under ``tap/rules/<service>/``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from functools import cache

from tap.rules.base import FAILURE_CLASSES, Rule

__all__ = ["RuleRegistryError", "all_rules", "select_rules"]

RULE_ID = re.compile(r"^TAP-[A-Z0-9]+-\d+$")


class RuleRegistryError(Exception):
    """A rule's metadata is malformed (a bug in the pack, caught by the registry tests)."""


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class of the pack, sorted by id; metadata checked."""
    import tap.rules as pkg

    found: dict[str, type[Rule]] = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        if not info.ispkg:
            continue
        service = importlib.import_module(f"tap.rules.{info.name}")
        for mod in pkgutil.walk_packages(service.__path__, prefix=f"{service.__name__}."):
            module = importlib.import_module(mod.name)
            for obj in vars(module).values():
                if (
                    inspect.isclass(obj)
                    and issubclass(obj, Rule)
                    and obj is not Rule
                    and obj.__module__ == module.__name__
                    and "id" in vars(obj)
                ):
                    _validate(obj)
                    if obj.id in found and found[obj.id] is not obj:
                        raise RuleRegistryError(f"duplicate rule id {obj.id}")
                    found[obj.id] = obj
    return tuple(sorted(found.values(), key=lambda r: _sort_key(r.id)))


def _sort_key(rule_id: str) -> tuple[str, int]:
    prefix, _, num = rule_id.rpartition("-")
    return prefix, int(num)


def _validate(rule: type[Rule]) -> None:
    where = f"{rule.__module__}.{rule.__name__}"
    if not RULE_ID.match(rule.id):
        raise RuleRegistryError(f"{where}: rule id {rule.id!r} is not TAP-<SERVICE>-<n>")
    if rule.slug not in FAILURE_CLASSES:
        raise RuleRegistryError(f"{where}: unknown class slug {rule.slug!r}")
    if rule.severity not in ("error", "warning"):
        raise RuleRegistryError(f"{where}: severity must be 'error' or 'warning'")
    for attr in ("title", "explanation", "fix"):
        if not getattr(rule, attr, "").strip():
            raise RuleRegistryError(f"{where}: missing {attr}")
    if not (rule.__doc__ or "").strip():
        raise RuleRegistryError(f"{where}: missing docstring (the compliant state)")


def select_rules(selection: tuple[str, ...] | None = None) -> tuple[type[Rule], ...]:
    """Rules whose id or class slug is in ``selection`` (all when ``None``)."""
    rules = all_rules()
    if not selection:
        return rules
    wanted = set(selection)
    unknown = wanted - {r.id for r in rules} - {r.slug for r in rules}
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    return tuple(r for r in rules if r.id in wanted or r.slug in wanted)
