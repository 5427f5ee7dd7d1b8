"""Shared fixtures: a tiny knowledge-base project built with the real conf.py."""

from __future__ import annotations

import multiprocessing
import shutil
import textwrap
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "research-computing-teams"
FIXTURES = Path(__file__).parent / "fixtures"


def corpus_dir() -> Path:
    """The shared corpus, or skip the test with a message saying why."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}: corpus tests need ../shared beside the repo")
    return CORPUS


def issue_page(
    number: int, date: str, body: str = "", *, subtitle: str | None = None, title: str | None = None
) -> str:
    """The text of a knowledge-base issue page."""
    lines = ["---", f"number: {number}", f'title: "{title or f"#{number} - {date}"}"']
    if subtitle:
        lines.append(f'subtitle: "{subtitle}"')
    lines += [f"date: {date}", "---", "", textwrap.dedent(body).strip() or "Hello.", ""]
    return "\n".join(lines)


def helpers_gone(timeout: float = 30.0) -> bool:
    """Whether every helper process a build forked has exited (and been reaped) within
    ``timeout``: a build takes a helper's report and goes on while it ends."""
    deadline = time.monotonic() + timeout
    while multiprocessing.active_children():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class Site:
    """A scratch copy of the project: real conf.py, pyproject.toml and docs, chosen issues."""

    def __init__(self, root: Path):
        self.root = root
        self.out = root / "_build" / "html"
        self.doctrees = root / "_build" / "doctrees"  # sphinx.testing's, shared by builders

    def write_issue(self, number: int, text: str) -> Path:
        path = self.root / "issues" / f"{number:04d}.md"
        path.write_text(text, encoding="utf-8")
        return path

    def build(
        self,
        *,
        parallel: int = 0,
        fresh: bool = False,
        warningiserror: bool = False,
        builder: str = "html",
        confoverrides: dict | None = None,
        verbosity: int = 0,
    ):
        """Build with sphinx.testing (doctrees shared by all builders); return (app, warnings).
        What the build wrote to its status stream is ``app.status.getvalue()``."""
        from sphinx.testing.util import SphinxTestApp

        warnings = StringIO()
        app = SphinxTestApp(
            builder,
            srcdir=self.root,
            builddir=self.root / "_build",
            status=StringIO(),
            warning=warnings,
            freshenv=fresh,
            parallel=parallel,
            warningiserror=warningiserror,
            confoverrides=confoverrides,
            verbosity=verbosity,
        )
        try:
            app.build()
        finally:
            app.cleanup()
        return app, warnings.getvalue()

    def html(self, page: str) -> str:
        return (self.out / page).read_text(encoding="utf-8")


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Site]:
    def make(issues: dict[int, str] | None = None) -> Site:
        root = tmp_path / "site"
        root.mkdir()
        shutil.copy(ROOT / "conf.py", root / "conf.py")
        shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
        shutil.copytree(ROOT / "docs", root / "docs")
        (root / "issues").mkdir()
        site = Site(root)
        for number, text in (issues or {}).items():
            site.write_issue(number, text)
        return site

    return make
