"""The precision corpus (``make precision``, bench/precision/): its labels file is well formed
and names only apps and rules that exist.

Synthesizing the corpus takes minutes (one process per app), so this test checks only the
labels; ``make precision`` synthesizes every app and fails loudly on one that breaks.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tap.rules.registry import all_rules

ROOT = Path(__file__).resolve().parents[2] / "bench" / "precision"
KEY = re.compile(r"^(?P<app>[a-z0-9-]+)/(?P<stack>[A-Za-z0-9-]+)/(?P<rule>TAP-[A-Z0-9]+-\d+)/\S+$")


def _labels() -> dict[str, dict[str, object]]:
    data = json.loads((ROOT / "labels.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_every_label_is_a_verdict_with_a_reason():
    for key, label in _labels().items():
        assert KEY.match(key), f"{key}: not app/stack/rule id/logical id"
        assert isinstance(label, dict) and set(label) == {"true", "reason"}, key
        assert isinstance(label["true"], bool), key
        reason = label["reason"]
        assert isinstance(reason, str) and len(reason) >= 10 and "\n" not in reason, key


def test_labels_name_apps_of_the_corpus_and_rules_of_the_pack():
    apps = {p.parent.name for p in (ROOT / "apps").glob("*/app.py")}
    rules = {r.id for r in all_rules()}
    assert len(apps) >= 20
    for key in _labels():
        m = KEY.match(key)
        assert m is not None
        assert m["app"] in apps, f"{key}: no app {m['app']} in bench/precision/apps"
        assert m["rule"] in rules, f"{key}: no rule {m['rule']}"


def test_every_app_names_its_source_and_license():
    for app in sorted((ROOT / "apps").glob("*/app.py")):
        head = app.read_text(encoding="utf-8")[:800]
        assert "Source:" in head and "Apache-2.0" in head, app
