"""The rule pack's configuration: one loader for the plugin and the command line.

Where it is read from: a ``.tap-rules.toml`` file, or the ``[tool.tap-rules]`` table of a
``pyproject.toml``, in the working directory (where ``cdk.json`` is, when ``cdk synth`` runs
the app) or the nearest parent that has one; ``.tap-rules.toml`` first (ruff's way). The
plugin's keyword arguments and the command line's flags override it.

Keys mirror the command line's long options (``--environment-suffix`` → ``environment-suffix``),
so an option of ``tap-rules check`` can be set here too; the tables have no flag::

    [tool.tap-rules]
    environment-suffix = "dev"          # physical names carry it (default: template metadata)
    ephemeral = true                    # false: persistent (prod) removal policies
    rules = ["TAP-S3-1", "log-retention"]   # run only these rule ids / class slugs
    ignore = ["s3-lifecycle-filter"]    # never run these
    exclude = ["Sandbox-*", "*/Legacy/*"]   # stacks or construct paths left out
    fail-on = "error"                   # CLI exit status 1 on: error | warning | never

    [tool.tap-rules.severity]           # per rule id or class slug: error | warning
    log-retention = "error"

    [tool.tap-rules.settings.lambda-runtime]   # per-rule settings (read by the rule)
    horizon_days = 180

    [tool.tap-rules.stacks."*-prod"]    # environment of the stacks whose id matches
    environment-suffix = "prod"
    ephemeral = false

A bad file raises :class:`ConfigError` with a one-line message (the CLI exits 2). Loading
imports nothing heavier than ``tomllib``: no rule, no cfn-lint, no CDK.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tap.rules.engine import Options, StackEnvironment
from tap.rules.model import InputError

__all__ = [
    "CONFIG_FILE",
    "FAIL_ON",
    "PYPROJECT",
    "ConfigError",
    "TapRulesConfig",
    "find_config",
    "load_config",
]

CONFIG_FILE = ".tap-rules.toml"
PYPROJECT = "pyproject.toml"
TOOL_KEY = "tap-rules"
FAIL_ON = ("error", "warning", "never")
SEVERITIES = ("error", "warning")


class ConfigError(InputError):
    """The configuration is malformed: unknown key, wrong type, bad value (exit status 2)."""


@dataclass(frozen=True, slots=True)
class TapRulesConfig:
    """A loaded configuration; every field has the default of "not configured"."""

    source: Path | None = None
    environment_suffix: str | None = None
    ephemeral: bool | None = None
    rules: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: str | None = None
    severity: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    stacks: tuple[StackEnvironment, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    """Other keys: long options of ``tap-rules check`` (``format``, ``output``, ...), checked
    against the command line's options by :func:`load_config`'s ``option_keys``."""

    def environments(self) -> tuple[StackEnvironment, ...]:
        """Per-stack environments, most specific first; the top-level keys last as ``*``."""
        top: tuple[StackEnvironment, ...] = ()
        if self.environment_suffix is not None or self.ephemeral is not None:
            top = (StackEnvironment("*", self.environment_suffix, self.ephemeral),)
        return self.stacks + top

    def to_options(self, **overrides: Any) -> Options:
        """Engine options from this configuration; ``overrides`` (the plugin's arguments,
        the command line's flags) win where they are not ``None``."""
        explicit = {k: v for k, v in overrides.items() if v is not None}
        severity = {**self.severity, **explicit.pop("severity", {})}
        settings = {**self.settings, **explicit.pop("settings", {})}
        rules = explicit.pop("rules", self.rules)
        return Options(
            environment_suffix=explicit.pop("environment_suffix", None),
            ephemeral=explicit.pop("ephemeral", None),
            rules=tuple(rules) if rules else None,
            ignore=tuple(explicit.pop("ignore", self.ignore)),
            exclude=tuple(explicit.pop("exclude", self.exclude)),
            severity=severity,
            settings=settings,
            environments=self.environments(),
            **explicit,
        )


def find_config(start: str | Path | None = None) -> Path | None:
    """The configuration file for ``start`` (default: the working directory): the nearest
    directory, going up, with ``.tap-rules.toml`` or a ``pyproject.toml`` that has
    ``[tool.tap-rules]``."""
    here = Path(start) if start is not None else Path.cwd()
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        return TOOL_KEY in _read_toml(pyproject).get("tool", {})
    except ConfigError:
        return False  # someone else's broken pyproject.toml is not our configuration


def load_config(
    path: str | os.PathLike[str] | None = None,
    *,
    start: str | Path | None = None,
    option_keys: Mapping[str, Callable[[Any], Any]] | None = None,
) -> TapRulesConfig:
    """Read the configuration at ``path`` (a ``.tap-rules.toml``-style file or a
    ``pyproject.toml``), or the one :func:`find_config` finds from ``start``.

    ``option_keys`` maps other accepted keys (the command line's long options) to a checker
    that returns the value to use or raises ``ValueError`` with what is expected. Without
    it, such keys are accepted as they are (the plugin ignores the command line's options).
    """
    if path is None:
        found = find_config(start)
        if found is None:
            return TapRulesConfig()
        path = found
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"{file}: no such configuration file")
    data = _read_toml(file)
    if file.name == PYPROJECT:
        table = data.get("tool", {}).get(TOOL_KEY, {})
        where = f"{file} [tool.{TOOL_KEY}]"
    else:
        table = data
        where = str(file)
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.{TOOL_KEY}] must be a table")
    return _parse(table, file, where, option_keys)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from exc


def _parse(
    table: dict[str, Any],
    file: Path,
    where: str,
    option_keys: Mapping[str, Callable[[Any], Any]] | None,
) -> TapRulesConfig:
    values: dict[str, Any] = {"source": file}
    options: dict[str, Any] = {}
    for key, value in table.items():
        parse = _KEYS.get(key)
        if parse is not None:
            attr, convert = parse
            values[attr] = _convert(convert, value, f"{where}: {key}")
        elif option_keys is None:
            options[key] = value
        elif key in option_keys:
            options[key] = _convert(option_keys[key], value, f"{where}: {key}")
        else:
            known = ", ".join(sorted({*_KEYS, *option_keys}))
            raise ConfigError(f"{where}: unknown key {key!r} (known: {known})")
    return TapRulesConfig(**values, options=options)


def _convert(convert: Callable[[Any], Any], value: Any, what: str) -> Any:
    try:
        return convert(value)
    except ValueError as exc:
        raise ConfigError(f"{what}: {exc}") from exc


# -- value checkers: return the value to use or raise ValueError("expected ...") -------------


def text(value: Any) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, found {value!r}")
    return value


def boolean(value: Any) -> bool:
    """``true`` or ``false``."""
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, found {value!r}")
    return value


def names(value: Any) -> tuple[str, ...]:
    """A list of strings, or one comma-separated string (as on the command line)."""
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")]
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = [v.strip() for v in value]
    else:
        raise ValueError(f"expected a list of strings, found {value!r}")
    return tuple(v for v in items if v)


def choice(*allowed: str) -> Callable[[Any], str]:
    """One of ``allowed``."""

    def check(value: Any) -> str:
        if value not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, found {value!r}")
        return str(value)

    return check


def _severity(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError('expected a table of rule = "error" | "warning"')
    check = choice(*SEVERITIES)
    out = {}
    for rule, level in value.items():
        try:
            out[rule] = check(level)
        except ValueError as exc:
            raise ValueError(f"{rule}: {exc}") from exc
    return out


def _settings(value: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ValueError("expected a table per rule id or class slug, e.g. [settings.<rule>]")
    return {rule: dict(values) for rule, values in value.items()}


def _stacks(value: Any) -> tuple[StackEnvironment, ...]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ValueError('expected a table per stack pattern, e.g. [stacks."*-prod"]')
    out = []
    for pattern, env in value.items():
        unknown = set(env) - {"environment-suffix", "ephemeral"}
        if unknown:
            raise ValueError(
                f"{pattern}: unknown key {sorted(unknown)[0]!r} "
                "(known: environment-suffix, ephemeral)"
            )
        try:
            suffix = text(env["environment-suffix"]) if "environment-suffix" in env else None
            ephemeral = boolean(env["ephemeral"]) if "ephemeral" in env else None
        except ValueError as exc:
            raise ValueError(f"{pattern}: {exc}") from exc
        out.append(StackEnvironment(pattern, suffix, ephemeral))
    return tuple(out)


_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "environment-suffix": ("environment_suffix", text),
    "ephemeral": ("ephemeral", boolean),
    "rules": ("rules", names),
    "ignore": ("ignore", names),
    "exclude": ("exclude", names),
    "fail-on": ("fail_on", choice(*FAIL_ON)),
    "severity": ("severity", _severity),
    "settings": ("settings", _settings),
    "stacks": ("stacks", _stacks),
}
"""The keys this module owns: config key → (field, checker)."""
