"""The tap rule pack: the seeds' failure classes, enforced on synthesized templates.

One engine (:func:`tap.rules.engine.evaluate`) behind three doors: the CDK validation
plugin (:class:`TapRules`, in :mod:`tap.rules.plugin`), the command line (``tap-rules
check``, or ``python -m tap.rules check``) and the tests.

Example
-------
.. code-block:: python

    from tap.rules import TapRules

    cdk.Validations.of(app).add_plugins(TapRules())
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from tap.rules.engine import Options, Report, evaluate, evaluate_paths
from tap.rules.finding import Finding, Violation
from tap.rules.model import InputError, load_path

if TYPE_CHECKING:
    from tap.rules.plugin import TapRules

__all__ = [
    "DISTRIBUTION",
    "Finding",
    "InputError",
    "Options",
    "Report",
    "TapRules",
    "Violation",
    "evaluate",
    "evaluate_paths",
    "load_path",
    "version",
]

DISTRIBUTION = "tap-rules"
"""The name the pack is installed under (``pip install``, package metadata)."""


@cache
def version() -> str:
    """The installed distribution's version (package metadata); in a source checkout that
    is not installed, the source's own version. Imports nothing heavy."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version(DISTRIBUTION)
    except PackageNotFoundError:
        import tap

        return tap.__version__


def __getattr__(name: str) -> Any:
    # The plugin imports the CDK (jsii starts a Node process): only when it is asked for, so
    # that the command line and `tap-rules --version` stay light.
    if name == "TapRules":
        from tap.rules.plugin import TapRules

        return TapRules
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
