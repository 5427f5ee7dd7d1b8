"""The environment's repeated values, shared before it is pickled.

Sphinx pickles the environment after every build that reads a page and loads it
at the start of every build.  A pickle writes an object once and refers back to
it after that, but only the *same* object: equal values made page by page are
written, and made again when loaded, once per page.  Two kinds repeat on every
issue page:

* its dependencies (``env.dependencies``): the two registries, which every issue
  page notes, each time as a path object of its own.  In a 2,000-issue
  environment, loading the 4,000 paths took 52 to 54 ms of every build; loading
  the same map with one path object per file took 2.7 to 2.8 ms;
* its metadata (``env.metadata``): the front matter's keys and MyST's heading
  slugs (``myst_slugs``), with the same sections page after page.  In the same
  environment they were 2.3 MB and 24 to 38 ms of loading; shared, 0.7 MB and
  12 to 15 ms.

So once a build's pages are read (``env-updated``), the values of the pages read
in it are replaced by equal ones, shared among those pages: strings, tuples of
strings and integers, the dependencies' paths.  Dictionaries are copied, never
shared, and the page's own metadata dictionary is updated in place; anything else
(lists, sets, nodes) is left as it is.  A page not read keeps what it was loaded
with, which its pickle had already shared.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from roundup_kb.sphinxext.datafiles import docs_read


class Shared:
    """One value for each equal string, tuple or path that is passed to :meth:`__call__`."""

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        self._tuples: dict[tuple, tuple] = {}
        self._paths: dict[tuple[type, Any], Any] = {}

    def __call__(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return self._strings.setdefault(value, value)
        if kind is tuple:
            return self._tuple(value)[0]
        if kind is dict:
            return {self(key): self(item) for key, item in value.items()}
        return value

    def _tuple(self, value: tuple) -> tuple[tuple, bool]:
        """(the tuple, shared or a copy; whether it holds only strings, integers and
        such tuples).  Only those are shared: ``(1,) == (True,) == (1.0,)``, and
        sharing must not change the type of what a tuple holds."""
        items: list[Any] = []
        plain = True
        for item in value:
            kind = type(item)
            if kind is tuple:
                item, inner = self._tuple(item)
                plain = plain and inner
            else:
                item = self(item)
                plain = plain and kind in (str, int)
            items.append(item)
        made = tuple(items)
        return (self._tuples.setdefault(made, made), True) if plain else (made, False)

    def path(self, path: Any) -> Any:
        """The one path object for paths equal to ``path`` and of its type."""
        return self._paths.setdefault((type(path), path), path)


def share_values(env: BuildEnvironment, docnames: list[str]) -> None:
    """Replace the dependencies and metadata of ``docnames`` by equal, shared values."""
    shared = Shared()
    dependencies = env.dependencies
    metadata = env.metadata
    for docname in docnames:
        paths = dependencies.get(docname)
        if paths:
            dependencies[docname] = {shared.path(path) for path in paths}
        found = metadata.get(docname)
        if type(found) is dict and found:
            copied = shared(found)
            found.clear()
            found.update(copied)


def _share(app: Sphinx, env: BuildEnvironment) -> None:
    share_values(env, [doc for doc in docs_read(app) if doc in env.all_docs])


def setup(app: Sphinx) -> None:
    app.connect("env-updated", _share)
