"""Where the engine's time goes: load vs evaluate, and each rule's share (opt-in, not in
``make bench``).

    python -m bench.rule_costs ASSEMBLY [--source DIR] [--repeat N] [--top K]

``--source``: the project tree whose engine to measure (default: this one), e.g. a baseline
extracted by :func:`bench.rules_scale.source_tree`. CPU time (``time.process_time``), best of
``--repeat`` runs in this one process; the first run also pays the imports. Per rule: the
time of ``list(rule.check_stack(ctx))`` summed over the stacks, best of the runs; a rule that
first builds something shared (the resolver, the graph) is charged for it. The per-rule loop
mirrors ``engine._evaluate`` (the rules it calls on each stack) without its bookkeeping
(findings, acknowledgements, sorting): the evaluate time less the per-rule sum is that.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Any


def measure(assembly: Path, repeat: int) -> dict[str, Any]:
    from tap.rules.base import Context
    from tap.rules.engine import Options, _environment, evaluate
    from tap.rules.model import load_path
    from tap.rules.registry import select_rules

    load_s: list[float] = []
    eval_s: list[float] = []
    per_rule: dict[str, float] = {}
    resources = 0
    for _ in range(repeat):
        t0 = time.process_time()
        stacks = load_path(assembly)
        load_s.append(time.process_time() - t0)
        resources = sum(len(s.resources) for s in stacks)
        t0 = time.process_time()
        evaluate(stacks)
        eval_s.append(time.process_time() - t0)

        stacks = load_path(assembly)
        rules = [cls() for cls in select_rules(None)]
        took: dict[str, float] = dict.fromkeys((r.id for r in rules), 0.0)
        gc.disable()
        try:
            for stack in stacks:
                ctx = Context(stack=stack, environment=_environment(stack, Options()))
                for rule in rules:
                    if not _runs(rule, stack):
                        continue
                    t0 = time.process_time()
                    try:
                        list(rule.check_stack(ctx))
                    except Exception:  # noqa: BLE001,S112 - counted as run, as the engine does
                        pass
                    took[rule.id] += time.process_time() - t0
        finally:
            gc.enable()
        for rid, t in took.items():
            per_rule[rid] = min(per_rule.get(rid, t), t)
    return {
        "resources": resources,
        "load_s": min(load_s),
        "evaluate_s": min(eval_s),
        "per_rule_s": per_rule,
    }


def _runs(rule: Any, stack: Any) -> bool:
    """Whether the engine calls ``rule`` on ``stack`` (engines without per-type dispatch
    call every rule)."""
    from tap.rules import engine

    dispatch = getattr(engine, "_dispatch_types", None)
    types = dispatch(type(rule)) if dispatch is not None else None
    return types is None or not types.isdisjoint(stack.by_type)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assembly", type=Path)
    parser.add_argument("--source", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.source.resolve()))
    for name in [m for m in sys.modules if m == "tap" or m.startswith("tap.")]:
        del sys.modules[name]
    out = measure(args.assembly, args.repeat)
    n = out["resources"]
    total = sum(out["per_rule_s"].values())
    print(
        f"{args.source}: {n} resources; load {out['load_s'] / n * 1e6:.1f} µs/res, "
        f"evaluate {out['evaluate_s'] / n * 1e6:.1f} µs/res "
        f"(rules {total / n * 1e6:.1f}), best of {args.repeat}"
    )
    ranked = sorted(out["per_rule_s"].items(), key=lambda kv: -kv[1])
    for rid, t in ranked[: args.top]:
        print(f"  {rid:14} {t / n * 1e6:7.2f} µs/res")


if __name__ == "__main__":
    main()
