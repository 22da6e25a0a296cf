"""botocore's bundled data folder, found without importing botocore.

``import botocore.session`` costs ~0.1-0.2 s per process (docs/benchmarks.md, "Start-up"), to
end up reading JSON files from ``botocore/data``. Rules that only need those files (region
names, service models) read them from the installed package's folder instead, as long as that
folder is the only place a botocore session would read from; otherwise they ask botocore.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

__all__ = ["bundled_data_dir"]


def bundled_data_dir() -> Path | None:
    """``botocore/data`` of the installed botocore; ``None`` when a session could read data
    from elsewhere (``AWS_DATA_PATH``, ``~/.aws/models``, a ``data_path`` in the AWS config
    file), when there is no home directory to rule that out, or without botocore: there
    only botocore's own loader knows the answer."""
    try:
        home = Path.home() / ".aws"
    except (RuntimeError, KeyError):  # no home directory: ask botocore
        return None
    config = Path(os.environ.get("AWS_CONFIG_FILE") or home / "config")
    if os.environ.get("AWS_DATA_PATH") or (home / "models").exists():
        return None
    try:
        if "data_path" in config.read_text(encoding="utf-8", errors="replace"):
            return None
    except OSError:
        pass  # no config file: nothing it could redirect
    spec = find_spec("botocore")  # finds the package without running its __init__
    for where in (spec.submodule_search_locations or []) if spec else []:
        data = Path(where) / "data"
        if data.is_dir():
            return data
    return None
