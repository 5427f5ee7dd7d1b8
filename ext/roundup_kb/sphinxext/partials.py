"""Each title rendered to HTML once a build, not once for every page that shows it.

Sphinx's HTML builders render a page's context titles with ``render_partial``: the
page's own title, the previous and next pages' titles and those of its parents.
Each call makes a docutils document, applies the reader's, parser's and writer's
transforms and runs a translator over it: 0.3 ms, five or six times a page.  The
title nodes are the environment's (``env.titles``, ``env.longtitles``), the same
objects every time, so most calls repeat one already made: an issue page's title
is rendered for itself, for the pages before and after it, and so on.  On the
200-issue synthetic corpus a full build made 1,667 calls for 560 nodes, and the
1,107 repeats took 0.37 s (a scratch wrapper timing the calls).

:func:`memo_partials` keeps each node's parts for the build, keyed by the node
itself (docutils nodes compare and hash by identity) in a weak mapping, so the
pages' own tables of contents, made afresh for each page, are not kept.  Rendering
depends otherwise only on the builder's settings and translator, fixed for a build,
and on the node's content, which nothing changes while pages are written (a page
read again gets new title nodes).  The transforms Sphinx applies to a title do
nothing the second time: a full build of the 200-issue corpus with and without the
memo wrote the same pages, byte for byte.  Each caller gets a dictionary of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from docutils import nodes
from sphinx.application import Sphinx

from roundup_kb.sphinxext.issues import RENDERED_WHEN_WRITTEN


def memoized(render_partial: Callable[[Any], dict[str, str]]) -> Callable[[Any], dict[str, str]]:
    """``render_partial`` answering a node it has rendered from what it made then."""
    made: WeakKeyDictionary[nodes.Node, dict[str, str]] = WeakKeyDictionary()

    def render(node: Any) -> dict[str, str]:
        if node is None:
            return render_partial(node)
        parts = made.get(node)
        if parts is None:
            parts = made[node] = render_partial(node)
        return dict(parts)

    render.roundup_original = render_partial  # type: ignore[attr-defined]
    return render


def memo_partials(app: Sphinx) -> None:
    """``builder-inited``: memoize the HTML builder's ``render_partial`` for the build."""
    builder = app.builder
    if builder.name in RENDERED_WHEN_WRITTEN:
        builder.render_partial = memoized(builder.render_partial)  # type: ignore[method-assign]


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", memo_partials)
