"""Load the topic and name registries once per process, reloaded when the files change."""

from __future__ import annotations

from pathlib import Path
from weakref import WeakKeyDictionary

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from roundup_kb.names import NameRegistry
from roundup_kb.topics import TopicRegistry

_CACHE: dict[tuple[str, float, str, float], tuple[TopicRegistry, NameRegistry]] = {}


def registry_paths(env: BuildEnvironment) -> tuple[Path, Path]:
    srcdir = Path(env.srcdir)
    return srcdir / env.config.roundup_topics_file, srcdir / env.config.roundup_names_file


def registries(env: BuildEnvironment) -> tuple[TopicRegistry, NameRegistry]:
    """The (topics, names) registries named in the configuration.

    The files are looked at once per build (cross-reference resolution asks
    thousands of times); :func:`_new_build` forgets the answer.
    """
    found = _THIS_BUILD.get(env)
    if found is None:
        found = _THIS_BUILD[env] = _load(env)
    return found


#: the registries of each environment for the build under way
_THIS_BUILD: WeakKeyDictionary[BuildEnvironment, tuple[TopicRegistry, NameRegistry]] = (
    WeakKeyDictionary()
)


def _new_build(app: Sphinx) -> None:
    _THIS_BUILD.pop(app.env, None)


def _load(env: BuildEnvironment) -> tuple[TopicRegistry, NameRegistry]:
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
    # before anything of this build reads them (the pre-scan runs at priority 400)
    app.connect("builder-inited", _new_build, priority=100)
    app.add_config_value("roundup_topics_file", "docs/registry/topics.yaml", "env", types=[str])
    app.add_config_value("roundup_names_file", "docs/registry/names.yaml", "env", types=[str])
