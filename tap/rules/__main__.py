"""``python -m tap.rules``: see :mod:`tap.rules.cli`."""

from __future__ import annotations

import sys

from tap.rules.cli import main

if __name__ == "__main__":
    sys.exit(main())
