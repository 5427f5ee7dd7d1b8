"""Load the topic and name registries once per process, reloaded when the files change."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from roundup_kb.names import NameRegistry
from roundup_kb.topics import TopicRegistry

_CACHE: dict[tuple[str, float, str, float], tuple[TopicRegistry, NameRegistry]] = {}


def registry_paths(env: BuildEnvironment) -> tuple[Path, Path]:
    srcdir = Path(env.srcdir)
    return srcdir / env.config.roundup_topics_file, srcdir / env.config.roundup_names_file


def registries(env: BuildEnvironment) -> tuple[TopicRegistry, NameRegistry]:
    """The (topics, names) registries named in the configuration."""
    topics_path, names_path = registry_paths(env)
    key = (
        str(topics_path),
        topics_path.stat().st_mtime if topics_path.exists() else 0.0,
        str(names_path),
        names_path.stat().st_mtime if names_path.exists() else 0.0,
    )
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = (TopicRegistry.load(topics_path), NameRegistry.load(names_path))
    return _CACHE[key]


def setup(app: Sphinx) -> None:
    app.add_config_value("roundup_topics_file", "docs/registry/topics.yaml", "env", types=[str])
    app.add_config_value("roundup_names_file", "docs/registry/names.yaml", "env", types=[str])
