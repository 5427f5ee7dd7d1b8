"""The GitHub Actions workflows parse and run the nox sessions that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from roundup_kb.linkcache import DEFAULT_PATH

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{name} is not a YAML mapping"
    # YAML 1.1 reads the bare key `on` as True
    data["on"] = data.pop(True, data.get("on"))
    return data


def nox_sessions() -> set[str]:
    """Functions of noxfile.py decorated with ``@nox.session`` (read, not imported)."""
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    found = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if ast.unparse(target) == "nox.session":
                    found.add(node.name)
    return found


def runs(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def uses(job: dict, action: str) -> list[dict]:
    return [step for step in job["steps"] if step.get("uses", "").startswith(action + "@")]


@pytest.mark.parametrize("name", ["ci.yml", "linkcheck.yml"])
def test_workflow_sessions_exist_and_python_is_cached(name):
    workflow = load(name)
    sessions = nox_sessions()
    for job_name, job in workflow["jobs"].items():
        assert job["runs-on"] == "ubuntu-latest"
        setup = uses(job, "actions/setup-python")
        assert len(setup) == 1, job_name
        assert setup[0]["with"]["python-version"] == "3.11"
        assert setup[0]["with"]["cache"] == "pip"
        assert uses(job, "actions/checkout"), job_name
        for command in runs(job):
            for session in re.findall(r"\bnox -s (\S+)", command):
                assert session in sessions, f"{name}/{job_name}: no nox session {session!r}"


def test_ci_runs_on_pull_requests_and_pushes():
    workflow = load("ci.yml")
    assert "pull_request" in workflow["on"] and "push" in workflow["on"]
    commands = {job: runs(body) for job, body in workflow["jobs"].items()}
    every = [c for cs in commands.values() for c in cs]
    for session in ("lint", "validate", "tests", "docs"):
        assert f"nox -s {session}" in every
    tests = commands["tests"]
    chromium = next(i for i, c in enumerate(tests) if "apt-get install -y chromium" in c)
    assert "apt-get update" in tests[chromium]
    assert chromium < tests.index("nox -s tests")


def test_docs_session_builds_with_warnings_as_errors():
    source = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    docs = source[
        source.index("def docs(") : source.index("\n@nox.session", source.index("def docs("))
    ]
    assert '"-W"' in docs


def test_linkcheck_workflow_restores_and_saves_the_cache():
    workflow = load("linkcheck.yml")
    assert "workflow_dispatch" in workflow["on"]
    (schedule,) = workflow["on"]["schedule"]
    _minute, _hour, dom, month, dow = schedule["cron"].split()
    assert (dom, month) == ("*", "*") and dow != "*"  # weekly
    job = workflow["jobs"]["linkcheck"]
    steps = job["steps"]
    names = [s.get("uses", s.get("run", "")).split("@")[0] for s in steps]
    restore, save = uses(job, "actions/cache/restore")[0], uses(job, "actions/cache/save")[0]
    check = names.index("nox -s linkcheck")
    assert steps.index(restore) < check < steps.index(save)
    assert restore["with"]["path"] == save["with"]["path"] == DEFAULT_PATH
    assert (
        "github.run_id" in restore["with"]["key"] and save["with"]["key"] == restore["with"]["key"]
    )
    prefix = restore["with"]["restore-keys"].strip()
    assert restore["with"]["key"].startswith(prefix)
    assert save["if"].startswith("always()")  # saved when links are broken too
    upload = uses(job, "actions/upload-artifact")[0]
    assert upload["if"] == "always()"
    assert "_build/linkcheck/broken-links.md" in upload["with"]["path"]
    assert "_build/linkcheck/broken-links.json" in upload["with"]["path"]


def test_conf_uses_the_cache_path_the_workflow_caches():
    conf = (ROOT / "conf.py").read_text(encoding="utf-8")
    assert f'roundup_linkcheck_cache = "{DEFAULT_PATH}"' in conf
    assert f"/{DEFAULT_PATH.split('/')[0]}/" in (ROOT / ".gitignore").read_text(encoding="utf-8")


def test_pull_request_template_has_a_checklist():
    text = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    items = re.findall(r"^- \[ \] .+", text, re.M)
    assert len(items) >= 5
    assert any("validate" in item for item in items)
    assert any("issues/NNNN.md" in item for item in items)
