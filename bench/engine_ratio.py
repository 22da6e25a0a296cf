"""The engine at HEAD against the baseline engine, side by side (opt-in, not in ``make bench``).

    python -m bench.engine_ratio ASSEMBLY [ASSEMBLY ...] [--rounds R] [--repeat N]
        [--baseline DIR]

Each round measures HEAD and the baseline as ``make bench`` does
(``bench.rules_scale.engines_side_by_side``: CPU time, best of ``--repeat`` evaluations, one
fresh process per engine, runs alternated); prints each round's ratio and µs per resource.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.rules_scale import BASELINE_REV, ROOT, engines_side_by_side, source_tree


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assemblies", type=Path, nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--baseline", type=Path, help="baseline source tree (default: extract)")
    parser.add_argument("--head", type=Path, default=ROOT, help="source tree (default: this)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        base = args.baseline or source_tree(BASELINE_REV, Path(work))
        for assembly in args.assemblies:
            from tap.rules.model import load_path

            n = sum(len(s.resources) for s in load_path(assembly))
            for r in range(args.rounds):
                head, old = engines_side_by_side([args.head, base], assembly, args.repeat)
                print(
                    f"{assembly.name} ({n} resources) round {r + 1}: HEAD {head / n * 1e6:.1f} "
                    f"µs/res, baseline {old / n * 1e6:.1f} µs/res, ratio {head / old:.3f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
