"""``python -m tap.local run``: the whole pipeline on moto and DuckDB (see ``run.py``)."""

from __future__ import annotations

__all__ = ["run_pipeline"]

from tap.local.run import run_pipeline
