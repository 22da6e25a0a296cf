"""Settings every test run shares: the CDK runs as in `make`, and `tap` imports from the repo."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

# Before anything imports aws_cdk: deprecated CDK APIs fail (as in synth), Node 20
# notices (deprecated / end-of-life) quiet: Node 20 is a fixed decision of the project.
os.environ.setdefault("JSII_DEPRECATED", "fail")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
# The rule pack's on-disk cache (tap/rules/common/cache.py): a fresh one per test process, so
# a run neither depends on nor fills the user's ~/.cache/tap-rules.
os.environ.setdefault("TAP_RULES_CACHE_DIR", tempfile.mkdtemp(prefix="tap-rules-cache-"))

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
