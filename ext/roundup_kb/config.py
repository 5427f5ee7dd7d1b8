"""Project settings from ``[tool.roundup-kb]`` in the nearest ``pyproject.toml``.

The CLI reads them here and ``conf.py`` reads the same table, so the build and the
command line agree on where issues and registries live without importing Sphinx.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from roundup_kb.problems import Problem, RoundupError, display_path

PYPROJECT = "pyproject.toml"
TABLE = "roundup-kb"

#: used for every key the table leaves out, and when there is no ``pyproject.toml``
DEFAULTS: dict[str, str] = {
    "issues": "issues",
    "topics": "docs/registry/topics.yaml",
    "names": "docs/registry/names.yaml",
    "site_url": "https://www.researchcomputingteams.org",
}

_HINT = 'write the keys as quoted strings, e.g. issues = "issues"'


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    """Where a knowledge base keeps its content, with paths made absolute."""

    #: the directory holding ``pyproject.toml`` (the start directory when there is none)
    root: Path
    issues_dir: Path
    topics_file: Path
    names_file: Path
    #: the newsletter's own site, without a trailing slash
    site_url: str


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` in ``start`` or one of its parents."""
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / PYPROJECT
        if candidate.is_file():
            return candidate
    return None


def load_project_config(start: Path) -> ProjectConfig:
    """Read ``[tool.roundup-kb]`` from the nearest ``pyproject.toml`` above ``start``.

    Keys the table leaves out take their :data:`DEFAULTS`; without a
    ``pyproject.toml`` every key does, relative to ``start``.  Raises
    :class:`RoundupError` when the file is not TOML or a value is not text.
    """
    pyproject = find_pyproject(start)
    if pyproject is None:
        return _config(start.resolve(), {})
    where = display_path(pyproject)
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        # tomllib gives the position only inside the message: "... (at line 3, column 1)"
        found = re.search(r"at line (\d+)", str(exc))
        raise RoundupError(
            Problem(
                "config",
                f"{PYPROJECT} is not valid TOML: {exc}",
                where,
                int(found.group(1)) if found else None,
            )
        ) from None
    table = document.get("tool", {}).get(TABLE, {})
    if not isinstance(table, dict):
        raise RoundupError(Problem("config", f"[tool.{TABLE}] must be a table", where, hint=_HINT))
    problems = [
        Problem("config", f"[tool.{TABLE}] {key} must be text, not {value!r}", where, hint=_HINT)
        for key, value in table.items()
        if key in DEFAULTS and not isinstance(value, str)
    ]
    if problems:
        raise RoundupError(problems)
    return _config(pyproject.parent, table)


def _config(root: Path, table: dict[str, str]) -> ProjectConfig:
    settings = {**DEFAULTS, **{k: v for k, v in table.items() if k in DEFAULTS}}
    return ProjectConfig(
        root=root,
        issues_dir=root / settings["issues"],
        topics_file=root / settings["topics"],
        names_file=root / settings["names"],
        site_url=settings["site_url"].rstrip("/"),
    )
