"""``python -m tap.reports``: what ``make report`` runs (see :mod:`tap.reports.run`)."""

import sys

from tap.reports.run import main

sys.exit(main())
