"""Maintainer tasks.  ``python3 -m pip install nox`` once, then ``python3 -m nox -s NAME``.

Arguments after ``--`` pass through to the tool each session wraps.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "tests", "docs"]
nox.options.reuse_venv = "yes"

BUILD = "_build"


@nox.session
def docs(session: nox.Session) -> None:
    """Build the HTML site into _build/html with warnings as errors."""
    session.install("-e", ".")
    session.run(
        "sphinx-build", "-W", "--keep-going", "-b", "html", ".", f"{BUILD}/html", *session.posargs
    )
    session.log(f"site built: open {BUILD}/html/index.html")


@nox.session
def preview(session: nox.Session) -> None:
    """Build the site, serve it on http://127.0.0.1:8000/ and build again on every change."""
    session.install("-e", ".")
    session.run("roundup-kb", "preview", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (pytest)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def linkcheck(session: nox.Session) -> None:
    """Check external links (needs the network); re-checks only URLs not in the fresh cache.

    Results are cached in .cache/linkcheck.json; the broken links, by issue and
    entry, go to _build/linkcheck/broken-links.md and .json.
    """
    session.install("-e", ".")
    session.run("sphinx-build", "-b", "linkcheck", ".", f"{BUILD}/linkcheck", *session.posargs)
    session.log(f"report: {BUILD}/linkcheck/broken-links.md")


@nox.session
def validate(session: nox.Session) -> None:
    """Check issue pages and registries without building (``roundup-kb validate``)."""
    session.install("-e", ".")
    session.run("roundup-kb", "validate", *session.posargs)


@nox.session
def new(session: nox.Session) -> None:
    """Scaffold the next issue page (``roundup-kb new``), e.g. ``-- --number 189``."""
    session.install("-e", ".")
    session.run("roundup-kb", "new", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Build benchmark vs vanilla Sphinx + MyST (docs/performance.md), e.g. ``-- --quick``."""
    session.install("-e", ".")
    session.run("python", "benchmarks/bench.py", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", *(session.posargs or ["."]))
    session.run("ruff", "format", "--check", *(session.posargs or ["."]))
