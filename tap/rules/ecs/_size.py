"""Task and container CPU/memory values of ECS task definitions, in CPU units and MiB.

The task-level values may be written as numbers or as ``"1 vCPU"``/``"2 GB"`` (the ECS API
converts them at registration); the Fargate table is the one of the Amazon ECS Developer
Guide, "Task size" (task_definition_parameters.html#task_size) and "Troubleshoot Amazon ECS
task definition invalid CPU or memory errors" (task-cpu-memory-error.html). cfn-lint's E3047
carries the same table as a JSON schema written for its own validator (its patterns use
inline flags Python's ``re`` refuses), so the table is held here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tap.rules.base import Context

__all__ = ["FARGATE_SIZES", "cpu_units", "fargate_memory_ok", "memory_mib"]

GIB = 1024

# CPU units → (lowest MiB, highest MiB, step MiB) or the exact MiB values allowed.
FARGATE_SIZES: dict[int, tuple[int, ...] | range] = {
    256: (512, 1024, 2048),
    512: (1024, 2048, 3072, 4096),
    1024: tuple(range(2 * GIB, 8 * GIB + 1, GIB)),
    2048: range(4 * GIB, 16 * GIB + 1, GIB),
    4096: range(8 * GIB, 30 * GIB + 1, GIB),
    8192: range(16 * GIB, 60 * GIB + 1, 4 * GIB),
    16384: range(32 * GIB, 120 * GIB + 1, 8 * GIB),
}


def _number(ctx: Context, value: Any, unit: str, scale: int) -> int | None:
    text = ctx.text(value)
    if text is None or not text.is_literal:
        return None
    raw = str(text).strip()
    if raw.isdigit():
        return int(raw)
    m = re.fullmatch(rf"(\d*\.?\d+)\s*{unit}", raw, re.IGNORECASE)
    if m is None:
        return None
    return round(float(m.group(1)) * scale)


def cpu_units(ctx: Context, value: Any) -> int | None:
    """CPU units of a ``Cpu`` value (``"256"``, ``1024``, ``".25 vCPU"``); ``None`` if unknown."""
    return _number(ctx, value, "vcpu", 1024)


def memory_mib(ctx: Context, value: Any) -> int | None:
    """MiB of a ``Memory`` value (``"512"``, ``2048``, ``"2 GB"``); ``None`` if unknown."""
    return _number(ctx, value, "gb", GIB)


def fargate_memory_ok(cpu: int, memory: int) -> bool | None:
    """Whether Fargate offers the pair; ``None`` for a CPU value Fargate does not have."""
    allowed = FARGATE_SIZES.get(cpu)
    if allowed is None:
        return None
    return memory in allowed


def describe(cpu: int) -> str:
    allowed = FARGATE_SIZES[cpu]
    if isinstance(allowed, range):
        return f"{allowed.start}-{allowed.stop - 1} MiB in steps of {allowed.step}"
    return ", ".join(str(m) for m in allowed) + " MiB"
