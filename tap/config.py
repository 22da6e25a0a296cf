"""The one config loader: environment name -> TapStackProps.

Environments live in ``cdk.json`` under the context key ``tap:environments``; the environment is
chosen with ``--context env=<name>`` (default ``dev`` when the option is absent; an empty name is
an unknown environment, never a silent ``dev``). Every user mistake becomes a
:class:`ConfigError` whose message is one line, so ``app.py`` can print it without a traceback.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from tap.props import TapStackProps

__all__ = ["ConfigError", "DEFAULT_ENV", "ENVIRONMENTS_KEY", "load_props"]

ENVIRONMENTS_KEY = "tap:environments"
DEFAULT_ENV = "dev"

_FIELDS = {f.name for f in dataclasses.fields(TapStackProps)} - {"env_name"}


class ConfigError(Exception):
    """A configuration mistake; ``str(error)`` is one line meant for the user."""


def load_props(env_name: str | None, environments: Any) -> TapStackProps:
    """Build the props of environment ``env_name`` from the ``tap:environments`` context.

    Parameters
    ----------
    env_name:
        The value of ``--context env=...``; ``None`` (no option) selects ``dev``. An empty
        name (``--context env=``) is an unknown environment, like any other name not defined.
    environments:
        The ``tap:environments`` context value: a mapping of name -> settings.

    Raises
    ------
    ConfigError
        Unknown environment (the message lists the known ones), unknown setting keys, or
        settings that TapStackProps rejects.

    Examples
    --------
    >>> load_props(None, {"dev": {"suffix": "dev"}}).suffix
    'dev'
    """
    if not isinstance(environments, Mapping) or not environments:
        raise ConfigError(
            f"cdk.json has no '{ENVIRONMENTS_KEY}' context: define dev, staging, prod"
        )
    name = DEFAULT_ENV if env_name is None else str(env_name)
    known = ", ".join(sorted(environments))
    if name not in environments:
        raise ConfigError(f"unknown environment {name!r}: known environments are {known}")
    settings = environments[name]
    if not isinstance(settings, Mapping):
        raise ConfigError(f"environment {name!r} in cdk.json must be an object of settings")
    unknown = sorted(set(settings) - _FIELDS)
    if unknown:
        raise ConfigError(
            f"environment {name!r} has unknown settings {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(_FIELDS))}"
        )
    try:
        return TapStackProps(env_name=name, **settings)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"environment {name!r}: {error}") from None
