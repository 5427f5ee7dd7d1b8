"""Finding the build's source files again only when a directory changed."""

from __future__ import annotations

import ast
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx.project import Project

from conftest import ROOT
from roundup_kb.sphinxext import sources

SUFFIXES = {".rst": "restructuredtext", ".md": "markdown"}


def _app(root: Path, **config) -> SimpleNamespace:
    settings = {
        "exclude_patterns": ["_build", "**/.*", "docs/registry/**"],
        "templates_path": [],
        "include_patterns": ["docs/**", "issues/**"],
        "source_suffix": SUFFIXES,
        **config,
    }
    doctrees = root / "_build" / "doctrees"
    doctrees.mkdir(parents=True, exist_ok=True)
    return SimpleNamespace(srcdir=root, config=SimpleNamespace(**settings), doctreedir=doctrees)


def _sphinx_finds(app) -> dict[str, str]:
    """What Sphinx's own search finds, as ``source_files`` answers."""
    project = Project(Path(app.srcdir).resolve(), app.config.source_suffix)
    excluded = [*app.config.exclude_patterns, *app.config.templates_path]
    found = project.discover(excluded, app.config.include_patterns)
    return {doc: str(project.doc2path(doc, absolute=True)) for doc in sorted(found)}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in (
        "docs/index.md",
        "docs/topics/a.md",
        "docs/registry/topics.md",
        "docs/.hidden/x.md",
        "issues/0001.md",
        "issues/notes.txt",
        "other/skipped.md",
        "_build/html/page.md",
    ):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# x\n", encoding="utf-8")
    (tmp_path / "docs" / "images").mkdir()
    return tmp_path


def _bump(path: Path) -> None:
    """Make a change to ``path`` visible whatever the file system's time resolution."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


def test_the_files_are_those_sphinx_finds_and_follow_every_change(tree, monkeypatch):
    app = _app(tree)
    searches: list[int] = []
    discover = Project.discover

    def counted(self, *args, **kwargs):
        searches.append(1)
        return discover(self, *args, **kwargs)

    monkeypatch.setattr(Project, "discover", counted)
    assert sources.source_files(app) == _sphinx_finds(app)
    assert set(sources.source_files(app)) == {"docs/index", "docs/topics/a", "issues/0001"}
    searches.clear()
    assert sources.source_files(app) == _sphinx_finds(app)
    assert len(searches) == 1  # only _sphinx_finds searched: the answer was kept

    # what the build writes, and directories excluded, are not looked at
    (tree / "_build" / "html" / "new.md").write_text("x", encoding="utf-8")
    (tree / "docs" / ".hidden" / "more.md").write_text("x", encoding="utf-8")
    _bump(tree / "docs" / ".hidden")
    _bump(tree / "_build" / "html")
    searches.clear()
    sources.source_files(app)
    assert searches == []

    steps = [
        lambda: (tree / "issues" / "0002.md").write_text("x", encoding="utf-8"),
        lambda: (tree / "docs" / "images" / "page.md").write_text("x", encoding="utf-8"),
        lambda: (tree / "docs" / "topics" / "b").mkdir(),
        lambda: (tree / "docs" / "topics" / "b" / "deep.md").write_text("x", encoding="utf-8"),
        lambda: (tree / "issues" / "0001.md").unlink(),
        lambda: (tree / "docs" / "topics" / "a.md").rename(tree / "docs" / "topics" / "c.md"),
    ]
    for step in steps:
        step()
        for directory in (tree / "issues", tree / "docs" / "images", tree / "docs" / "topics"):
            _bump(directory)
        if (tree / "docs" / "topics" / "b").exists():
            _bump(tree / "docs" / "topics" / "b")
        assert sources.source_files(app) == _sphinx_finds(app)
    assert set(sources.source_files(app)) == {
        "docs/index",
        "docs/images/page",
        "docs/topics/b/deep",
        "docs/topics/c",
        "issues/0002",
    }


def test_other_patterns_search_again(tree):
    app = _app(tree)
    sources.source_files(app)
    wider = _app(tree, include_patterns=["**"])
    assert "other/skipped" in sources.source_files(wider)
    assert sources.source_files(wider) == _sphinx_finds(wider)
    assert "other/skipped" not in sources.source_files(app)


def test_a_search_during_which_a_directory_changed_is_not_kept(tree, monkeypatch):
    app = _app(tree)
    discover = Project.discover

    def meanwhile(self, *args, **kwargs):
        found = discover(self, *args, **kwargs)
        (tree / "issues" / "0009.md").write_text("x", encoding="utf-8")
        _bump(tree / "issues")
        return found

    monkeypatch.setattr(Project, "discover", meanwhile)
    assert "issues/0009" not in sources.source_files(app)
    monkeypatch.setattr(Project, "discover", discover)
    assert "issues/0009" in sources.source_files(app)


def _conf_value(name: str):
    """A literal setting of the project's conf.py, read without running it."""
    tree = ast.parse((ROOT / "conf.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"conf.py sets no {name}")


def test_the_projects_patterns_leave_the_hidden_directories_at_the_top_unsearched(
    tree, monkeypatch
):
    """conf.py's ".*": a file written in .cache/ (as each build does) or a change in
    .git/ is no change to the sources; without the pattern it is."""
    excluded = _conf_value("exclude_patterns")
    assert ".*" in excluded
    for hidden in (".cache", ".git/objects", ".nox/docs/lib"):
        (tree / hidden).mkdir(parents=True)
    (tree / ".nox" / "docs" / "lib" / "README.md").write_text("# x\n", encoding="utf-8")
    searches: list[str] = []
    discover = Project.discover

    def counted(self, *args, **kwargs):
        searches.append("search")
        return discover(self, *args, **kwargs)

    for patterns, searched in ((excluded, 0), ([p for p in excluded if p != ".*"], 1)):
        app = _app(tree, exclude_patterns=patterns)
        assert sources.source_files(app) == _sphinx_finds(app)
        assert ".nox/docs/lib/README" not in sources.source_files(app)
        monkeypatch.setattr(Project, "discover", counted)
        (tree / ".cache" / f"file-{searched}").write_bytes(b"x")
        _bump(tree / ".cache")
        _bump(tree / ".git" / "objects")
        found = sources.source_files(app)
        monkeypatch.setattr(Project, "discover", discover)
        assert found == _sphinx_finds(app)
        assert len(searches) == searched
        searches.clear()
