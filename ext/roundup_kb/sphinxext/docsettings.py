"""Docutils settings made once per build, not once per document read.

Sphinx makes each document's settings with a new docutils ``OptionParser``
(``sphinx.util.docutils._get_settings``), which gathers every component's
settings spec and reads the docutils configuration files: about a millisecond a
document, 0.2 to 0.3 s of a full build of the corpus.  What it returns depends only
on the components' classes, the defaults and those files, which are the same for
every page of a build.  So during a build the first result for each set of
arguments is kept, and each call gets a copy (``Values.copy``, what Sphinx itself
does before pickling a doctree) with a dependency list of its own, which the
document fills in.

The cache lives from ``builder-inited`` to ``build-finished``, when Sphinx's
function is put back.  A component whose settings spec is its own, not its class's,
is not cached.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

import sphinx.util.docutils as sphinx_docutils
from docutils.utils import DependencyList
from sphinx.application import Sphinx

_SPEC_ATTRIBUTES = ("settings_spec", "settings_defaults", "settings_default_overrides")


def _component_key(component: Any) -> Any:
    """The class of ``component``, or None when an instance has a spec of its own."""
    if isinstance(component, type):
        return component
    cls = type(component)
    for name in _SPEC_ATTRIBUTES:
        if getattr(component, name, None) is not getattr(cls, name, None):
            return None
    return cls


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return ("repr", type(value), repr(value))
    return value


def cached_settings(original: Callable[..., Any]) -> Callable[..., Any]:
    """``original`` (``_get_settings``) answering repeated arguments from a cache."""
    cache: dict[Any, Any] = {}

    def get_settings(
        *components: Any, defaults: Mapping[str, Any], read_config_files: bool = False
    ) -> Any:
        classes = tuple(_component_key(c) for c in components)
        if None in classes:
            return original(*components, defaults=defaults, read_config_files=read_config_files)
        key = (
            classes,
            read_config_files,
            tuple(sorted((name, _hashable(value)) for name, value in defaults.items())),
        )
        made = cache.get(key)
        if made is None:
            made = cache[key] = original(
                *components, defaults=defaults, read_config_files=read_config_files
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            settings = made.copy()
        settings.record_dependencies = DependencyList()
        return settings

    get_settings.roundup_original = original  # type: ignore[attr-defined]
    return get_settings


def _install(app: Sphinx) -> None:
    current = getattr(sphinx_docutils, "_get_settings", None)
    if current is None or hasattr(current, "roundup_original"):
        return  # another Sphinx version, or installed already
    sphinx_docutils._get_settings = cached_settings(current)


def _remove(app: Sphinx, exception: Exception | None) -> None:
    current = getattr(sphinx_docutils, "_get_settings", None)
    original = getattr(current, "roundup_original", None)
    if original is not None:
        sphinx_docutils._get_settings = original


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", _install)
    app.connect("build-finished", _remove)
