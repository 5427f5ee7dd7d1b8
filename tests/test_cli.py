"""The ``roundup-kb`` command line: ``import``, exit codes, messages, configuration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES
from roundup_kb.cli import main
from roundup_kb.problems import display_path

POSTS = FIXTURES / "jekyll" / "posts"
BAD = FIXTURES / "jekyll" / "bad"
POST94 = POSTS / "2021-10-01-issue-94.md"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """An empty project with its own pyproject.toml, as the current directory."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.roundup-kb]\nissues = "pages"\nsite_url = "https://news.example.org"\n'
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_import_writes_page_and_reports_mends(tmp_path, capsys):
    dest = tmp_path / "issues"
    assert main(["import", str(POST94), "--dest", str(dest)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"wrote {dest / '0094.md'} (6 mends)"
    assert f"  {display_path(POST94)}:38: removed trailing thematic break" in out
    assert out[-1] == "1 issue page: 1 written, 0 unchanged"
    assert (dest / "0094.md").is_file()


def test_import_again_is_unchanged(tmp_path, capsys):
    dest = tmp_path / "issues"
    assert main(["import", str(POSTS), "--dest", str(dest)]) == 0
    first = (dest / "0094.md").read_bytes()
    capsys.readouterr()
    assert main(["import", str(POSTS), "--dest", str(dest)]) == 0
    out = capsys.readouterr().out
    assert f"unchanged {dest / '0094.md'}\n" in out
    assert "wrote" not in out
    assert out.endswith("5 issue pages: 0 written, 5 unchanged\n")
    assert (dest / "0094.md").read_bytes() == first


def test_dry_run_writes_nothing(tmp_path, capsys):
    dest = tmp_path / "issues"
    assert main(["import", str(POSTS), "--dest", str(dest), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would write {dest / '0001.md'} (1 mend)" in out
    assert "5 issue pages: 5 would be written, 0 unchanged" in out
    assert not dest.exists()


def test_errors_go_to_stderr_with_exit_1_and_nothing_written(tmp_path, capsys):
    dest = tmp_path / "issues"
    status = main(["import", str(POSTS), str(BAD / "no-number.md"), "--dest", str(dest)])
    assert status == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    where = display_path(BAD / "no-number.md")
    assert f"{where}:2: error: title 'Link Roundup, 24 Jan 2020' has no issue" in captured.err
    assert "[roundup.front_matter]" in captured.err
    assert "    hint: " in captured.err
    assert captured.err.endswith("1 error; nothing written\n")
    assert not dest.exists()


def test_hand_edited_page_needs_force(tmp_path, capsys):
    dest = tmp_path / "issues"
    main(["import", str(POST94), "--dest", str(dest)])
    page = dest / "0094.md"
    page.write_text(page.read_text() + "\nMy own note.\n")
    capsys.readouterr()
    assert main(["import", str(POST94), "--dest", str(dest)]) == 1
    err = capsys.readouterr().err
    assert f"{page}: error: page edited by hand since it was imported" in err
    assert page.read_text().endswith("My own note.\n")
    assert main(["import", str(POST94), "--dest", str(dest), "--force"]) == 0
    assert "(6 mends; replacing a page edited by hand)" in capsys.readouterr().out
    assert not page.read_text().endswith("My own note.\n")


def test_defaults_come_from_pyproject(project, capsys):
    assert main(["import", str(POST94)]) == 0
    out = capsys.readouterr().out
    # paths inside the current directory are shown relative to it
    assert out.startswith("wrote pages/0094.md (6 mends)\n")
    text = (project / "pages" / "0094.md").read_text()
    assert "https://news.example.org/assets/images/issues/informal_leaders.png" in text


def test_site_url_option_overrides_config(project):
    assert main(["import", str(POST94), "--site-url", "https://other.example.net/"]) == 0
    text = (project / "pages" / "0094.md").read_text()
    assert "](https://other.example.net/assets/pdfs/example-guide.pdf)" in text


def test_broken_pyproject_is_an_error(project, capsys):
    (project / "pyproject.toml").write_text("[tool.roundup-kb]\nissues = [\n")
    assert main(["import", str(POST94)]) == 1
    assert "pyproject.toml:" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["import"],
        ["import", "x.md", "--bogus"],
        ["frobnicate"],
        ["import", "x.md", "--site-url", "not a url"],
        ["validate", "--jobs", "-1"],
        ["export", "-j", "two"],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "usage: roundup-kb" in capsys.readouterr().err


def test_help_exits_0(capsys):
    assert main(["import", "--help"]) == 0
    assert "--dry-run" in capsys.readouterr().out


def test_missing_source_is_an_error(tmp_path, capsys):
    assert main(["import", str(tmp_path / "nope.md"), "--dest", str(tmp_path)]) == 1
    assert "nope.md: error: no such file or directory" in capsys.readouterr().err


def test_installed_script(tmp_path):
    script = Path(sys.executable).parent / "roundup-kb"
    if not script.exists():
        pytest.skip(f"roundup-kb is not installed beside {sys.executable}")
    dest = tmp_path / "issues"
    result = subprocess.run(
        [str(script), "import", str(POSTS), "--dest", str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "5 issue pages: 5 written, 0 unchanged" in result.stdout
    bad = subprocess.run(
        [str(script), "import", str(BAD / "no-date.md"), "--dest", str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert "no-date.md:2: error:" in bad.stderr
