"""cfn-lint's knowledge read as data (tap/rules/common/cfnlint_data.py) is cfn-lint's own."""

from __future__ import annotations

import json
import subprocess
import sys

from tap.rules.common.cfnlint_data import cfnlint_constant, cfnlint_file


def test_a_constant_read_from_source_equals_the_imported_one():
    from cfnlint.helpers import TEMPLATED_PROPERTY_CFN_PATHS

    assert cfnlint_constant("helpers", "TEMPLATED_PROPERTY_CFN_PATHS") == (
        TEMPLATED_PROPERTY_CFN_PATHS
    )


def test_a_data_file_is_the_packages_own():
    from importlib import resources

    ours = json.loads(
        cfnlint_file("data", "AdditionalSpecs", "LmbdRuntimeLifecycle.json").read_text()
    )
    theirs = json.loads(
        resources.files("cfnlint.data.AdditionalSpecs")
        .joinpath("LmbdRuntimeLifecycle.json")
        .read_text()
    )
    assert ours == theirs and "python3.12" in ours


def test_reading_them_imports_no_cfn_lint():
    code = (
        "import sys\n"
        "from tap.rules.common.cfnlint_data import cfnlint_constant, cfnlint_file\n"
        "cfnlint_constant('helpers', 'TEMPLATED_PROPERTY_CFN_PATHS')\n"
        "cfnlint_file('data', 'AdditionalSpecs', 'LmbdRuntimeLifecycle.json').read_text()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'cfnlint'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
