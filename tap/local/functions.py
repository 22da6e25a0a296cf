"""Load a function's code (``lambda/<name>/app.py``) the way Lambda does, in-process.

Lambda puts the asset folder on ``sys.path`` and imports ``app``. Two functions both have an
``app`` module, so each is imported under its own name (``processor_app``, ``alert_app``) with
its folder first on ``sys.path``: the function's sibling modules (``readings``, ``store``...)
import exactly as they do in Lambda.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

__all__ = ["FUNCTIONS_ROOT", "LambdaContext", "load_function"]

FUNCTIONS_ROOT = Path(__file__).resolve().parents[2] / "lambda"


def load_function(name: str, *, fresh: bool = False) -> ModuleType:
    """Import ``lambda/<name>/app.py`` as module ``<name>_app`` (cached unless ``fresh``)."""
    module_name = f"{name}_app"
    if module_name in sys.modules and not fresh:
        return sys.modules[module_name]
    folder = FUNCTIONS_ROOT / name
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(module_name, folder / "app.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"no function code at {folder / 'app.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that Powertools reads."""

    function_name: str = "local"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:local"
    aws_request_id: str = "local-request"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000
